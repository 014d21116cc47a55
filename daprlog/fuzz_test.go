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

// FuzzRead: whatever a daprd log holds, Read and Check do not panic; an
// error names the file and, for a problem with one line, the line; the same
// log reads the same way twice.
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
	})
}

func mustProfile(f *testing.F, v string) policies.Profile {
	p, err := policies.ProfileFor(v)
	if err != nil {
		f.Fatal(err)
	}
	return p
}
