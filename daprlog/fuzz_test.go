package daprlog

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/dapr-sim/sim/policies"
)

// lineErr is the shape of an error about one line: "daprd.log:N: …".
var lineErr = regexp.MustCompile(`^daprd\.log:[1-9][0-9]*: `)

// FuzzRead: whatever a daprd log holds, Read, Check, Infer and Compare do
// not panic; an error names the file and, for a problem with one line, the
// line; the same log reads the same way twice; and a log whose stamps run
// forward agrees with a simulation that logs exactly its own lines.
func FuzzRead(f *testing.F) {
	logs, _ := filepath.Glob("testdata/*.log")
	for _, p := range logs {
		if data, err := os.ReadFile(p); err == nil {
			f.Add(data)
		}
	}
	for _, s := range []string{
		"INFO[99999999999999999999] x\n",
		`time="2024-01-01T00:00:00Z" level=info msg="Error processing operation x. Retrying in 5s…` + "\n",
		`{"time":"not a time","level":"info","msg":"m"}` + "\n",
		"WARN[0006] Error processing operation component[s] output. Retrying in -5s…\n",
		`INFO[0001] Circuit breaker "\x" changed state from closed to open` + "\n",
		"INFO[0001] Recovered processing operation x after 99999999999999999999 attempts\n",
	} {
		f.Add([]byte(s))
	}
	spec, _, err := policies.Load([]string{"../examples/quickstart/resources"}, "order-processor", mustProfile(f, "1.16"))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lg, err := Read("daprd.log", bytes.NewReader(data))
		lg2, err2 := Read("daprd.log", bytes.NewReader(data))
		if (err == nil) != (err2 == nil) {
			t.Fatalf("two reads differ: %v / %v", err, err2)
		}
		if err != nil {
			msg := err.Error()
			if msg != err2.Error() {
				t.Fatalf("two errors differ: %v / %v", err, err2)
			}
			fileLevel := strings.HasPrefix(msg, "daprd.log: not a daprd log") || strings.HasPrefix(msg, "daprd.log: cannot read")
			if !fileLevel && !lineErr.MatchString(msg) {
				t.Fatalf("error without file and line: %q", msg)
			}
			return
		}
		if !reflect.DeepEqual(lg, lg2) {
			t.Fatal("two reads give different logs")
		}
		release, _ := Release(lg.Entries)
		if release == "" {
			release = "1.16"
		}
		p1 := Check(lg.Entries, spec, release)
		p2 := Check(lg.Entries, spec, release)
		if !reflect.DeepEqual(p1, p2) {
			t.Fatal("two checks differ")
		}
		for _, p := range p1 {
			if !strings.HasPrefix(p.String(), "daprd.log:") {
				t.Fatalf("problem without a line: %s", p)
			}
		}
		plan := Infer(lg, spec)
		for _, exp := range [][]Expected{nil, selfExpect(lg, plan)} {
			c1 := Compare(lg, plan, exp)
			if !reflect.DeepEqual(c1, Compare(lg, plan, exp)) {
				t.Fatal("two comparisons differ")
			}
			for _, p := range append(c1, plan.Notes...) {
				if !strings.HasPrefix(p.String(), "daprd.log:") {
					t.Fatalf("problem without a line: %s", p)
				}
			}
		}
		forward := true
		for i := 1; i < len(lg.Entries); i++ {
			forward = forward && lg.Entries[i].At >= lg.Entries[i-1].At
		}
		if c := Compare(lg, plan, selfExpect(lg, plan)); forward && len(c) > 0 {
			t.Fatalf("a log compared with its own lines: %v", c)
		}
	})
}

// selfExpect is what a simulation that logs exactly the log's own breaker
// and Recovered lines, at their own instants, would expect.
func selfExpect(lg *Log, p *Plan) []Expected {
	var out []Expected
	for i := range lg.Entries {
		e := &lg.Entries[i]
		for _, c := range p.Components {
			switch {
			case e.Kind == Breaker && e.Name == c.Breaker:
				out = append(out, Expected{Kind: Breaker, Name: e.Name, From: e.From, To: e.To, Lo: e.At, Hi: e.At, Runs: 1, Of: 1})
			case e.Kind == Recovered && e.Operation == c.Operation:
				var attempts []int
				if e.Attempts > 0 {
					attempts = []int{e.Attempts}
				}
				out = append(out, Expected{Kind: Recovered, Operation: e.Operation, Attempts: attempts, Lo: e.At, Hi: e.At, Runs: 1, Of: 1})
			}
		}
	}
	return out
}

func mustProfile(f *testing.F, v string) policies.Profile {
	p, err := policies.ProfileFor(v)
	if err != nil {
		f.Fatal(err)
	}
	return p
}
