package daprlog

import (
	"strings"
	"testing"
	"time"

	"github.com/dapr-sim/sim/policies"
)

func resourcesSpec(t *testing.T, release string) *policies.Spec {
	t.Helper()
	p, err := policies.ProfileFor(release)
	if err != nil {
		t.Fatal(err)
	}
	spec, _, err := policies.Load([]string{"../examples/quickstart/resources"}, "order-processor", p)
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

func readString(t *testing.T, text string) *Log {
	t.Helper()
	lg, err := Read("daprd.log", strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	return lg
}

// Infer reads the outage off the lines: its first notice, its last failure
// line, the first success, and when the simulation starts the store again.
func TestInfer(t *testing.T) {
	spec := resourcesSpec(t, "1.9")
	type outage struct {
		first, last, up int // lines; 0: none
		down, back      time.Duration
	}
	tests := []struct {
		file    string
		calls   int
		outages []outage
		notes   []string
	}{
		// [0031] is the last failure (Hi 32s), [0036] the close: back a
		// second and Tolerance before the close's stamp.
		{"quickstart.log", 1, []outage{{9, 12, 14, 6*time.Second - time.Millisecond, 36*time.Second - time.Second - Tolerance}}, nil},
		{"no_trip.log", 1, []outage{{9, 0, 10, 6*time.Second - time.Millisecond, 35*time.Second - Tolerance}}, nil},
		{"true_text.log", 1, []outage{{3, 6, 8, 6076087782 - time.Millisecond, 36496402889 - Tolerance}}, nil},
		{"ends_early.log", 1, []outage{{9, 12, 0, 6*time.Second - time.Millisecond, 0}},
			[]string{"ends_early.log:9: note: the log ends before statestore recovers"}},
		{"recovered_alone.log", 0, nil,
			[]string{"recovered_alone.log:9: note: the log's first line about statestore is not a retry notice: its outage began before the log"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			p := Infer(readFixture(t, tt.file), spec)
			if len(p.Notes) != len(tt.notes) {
				t.Fatalf("notes %v, want %v", p.Notes, tt.notes)
			}
			for i, n := range tt.notes {
				if !strings.HasPrefix(p.Notes[i].String(), n) {
					t.Errorf("note %d:\n got  %s\n want %s…", i, p.Notes[i], n)
				}
			}
			if tt.outages == nil {
				if len(p.Components) != 0 || p.Anchor != nil {
					t.Fatalf("want nothing simulated, got %+v", p.Components)
				}
				return
			}
			if len(p.Components) != 1 {
				t.Fatalf("%d components, want 1", len(p.Components))
			}
			c := p.Components[0]
			if c.Name != "statestore" || c.Breaker != "simpleCB-statestore" || c.Operation != "component[statestore] output" || len(c.Calls) != tt.calls {
				t.Errorf("component %s %s %s, %d calls", c.Name, c.Breaker, c.Operation, len(c.Calls))
			}
			if len(c.Outages) != len(tt.outages) {
				t.Fatalf("%d outages, want %d", len(c.Outages), len(tt.outages))
			}
			line := func(e *Entry) int {
				if e == nil {
					return 0
				}
				return e.Line
			}
			for i, w := range tt.outages {
				o := c.Outages[i]
				got := outage{line(o.First), line(o.Last), line(o.Up), o.Down, o.Back}
				if got != w {
					t.Errorf("outage %d: %+v, want %+v", i, got, w)
				}
			}
		})
	}
}

// Two outages: a notice after a recovery starts the next one; a service
// invocation's notice is noted, not simulated.
func TestInferOutages(t *testing.T) {
	spec := resourcesSpec(t, "1.9")
	lg := readString(t, `INFO[0006] Error processing operation component[statestore] output. Retrying...
INFO[0016] Recovered processing operation component[statestore] output.
INFO[0020] Error processing operation endpoint[checkout, checkout:orders]. Retrying...
INFO[0040] Error processing operation component[statestore] output. Retrying...
INFO[0041] Error processing operation component[statestore] output. Retrying...
INFO[0050] Recovered processing operation component[statestore] output.
INFO[0050] Recovered processing operation component[statestore] output.
`)
	p := Infer(lg, spec)
	if len(p.Notes) != 1 || !strings.HasPrefix(p.Notes[0].String(), "daprd.log:3: note: endpoint[checkout, checkout:orders] is not simulated") {
		t.Errorf("notes %v", p.Notes)
	}
	c := p.Components[0]
	if len(c.Calls) != 3 || len(c.Outages) != 2 {
		t.Fatalf("%d calls, %d outages", len(c.Calls), len(c.Outages))
	}
	o := c.Outages[1]
	if o.First.Line != 4 || o.Last.Line != 5 || o.Up.Line != 6 || o.Down != 40*time.Second-time.Millisecond || o.Back != 49*time.Second-Tolerance {
		t.Errorf("second outage: first %d last %d up %d down %s back %s", o.First.Line, o.Last.Line, o.Up.Line, o.Down, o.Back)
	}
	if p.Anchor.Line != 1 {
		t.Errorf("anchor line %d", p.Anchor.Line)
	}
}

// Compare against expectations written by hand, so that each rule is seen
// to fire (and not) on its own: missing, not required, extra, early and
// late by the stamps' resolution, past the log's end, attempts.
func TestCompare(t *testing.T) {
	spec := resourcesSpec(t, "1.9")
	const name = "simpleCB-statestore"
	op := "component[statestore] output"
	open := func(lo, hi time.Duration) Expected {
		return Expected{Kind: Breaker, Name: name, From: "closed", To: "open", Lo: lo, Hi: hi, Runs: 2, Of: 2}
	}
	recovered := func(lo, hi time.Duration, attempts ...int) Expected {
		return Expected{Kind: Recovered, Operation: op, Attempts: attempts, Lo: lo, Hi: hi, Runs: 2, Of: 2}
	}
	tty := `INFO[0006] Error processing operation component[statestore] output. Retrying...
INFO[0026] Circuit breaker "simpleCB-statestore" changed state from closed to open
INFO[0036] Recovered processing operation component[statestore] output after 7 attempts
`
	text := `time="2024-01-02T15:04:00.000Z" level=info msg="starting Dapr Runtime -- version 1.9.6 -- commit abc"
time="2024-01-02T15:04:06.000Z" level=info msg="Error processing operation component[statestore] output. Retrying..."
time="2024-01-02T15:04:26.600Z" level=info msg="Circuit breaker \"simpleCB-statestore\" changed state from closed to open"
time="2024-01-02T15:04:36.000Z" level=info msg="Recovered processing operation component[statestore] output after 7 attempts"
`
	s := time.Second
	ms := time.Millisecond
	tests := []struct {
		name string
		log  string
		exp  []Expected
		want []string
	}{
		{"agrees", tty, []Expected{open(26*s+400*ms, 26*s+500*ms), recovered(36*s, 36*s, 7)}, nil},
		// The open at 26.4 s of the simulation is stamped [0026] or,
		// the first notice's fraction unknown, [0027]; 600 ms later it
		// is still within the terminal form's second.
		{"tty-skew", tty, []Expected{open(25*s+900*ms, 26*s), recovered(36*s, 36*s, 7)}, nil},
		{"text-late", text, []Expected{open(26*s+400*ms, 26*s+450*ms), recovered(36*s, 36*s, 7)},
			[]string{"daprd.log:3: `Circuit breaker \"simpleCB-statestore\" changed state from closed to open` at 2024-01-02T15:04:26.600Z is at least 150ms late: the simulation puts it at 2024-01-02T15:04:26.400Z–2024-01-02T15:04:26.450Z"}},
		{"text-early", text, []Expected{open(26*s+750*ms, 26*s+800*ms), recovered(36*s, 36*s, 7)},
			[]string{"daprd.log:3: `Circuit breaker \"simpleCB-statestore\" changed state from closed to open` at 2024-01-02T15:04:26.600Z is at least 150ms early"}},
		{"text-within", text, []Expected{open(26*s+510*ms, 26*s+690*ms), recovered(36*s, 36*s, 7)}, nil},
		{"missing", tty, []Expected{open(26*s, 26*s), {Kind: Breaker, Name: name, From: "open", To: "half-open", Lo: 31 * s, Hi: 31 * s, Runs: 2, Of: 2}, recovered(36*s, 36*s, 7)},
			[]string{"daprd.log:3: missing before this line: `Circuit breaker \"simpleCB-statestore\" changed state from open to half-open` at [0031]–[0032]: the simulation of the outage of statestore from line 1 to line 3 has it in every run"}},
		{"not-required", tty, []Expected{open(26*s, 26*s), {Kind: Breaker, Name: name, From: "open", To: "half-open", Lo: 31 * s, Hi: 31 * s, Runs: 1, Of: 2}, recovered(36*s, 36*s, 7)}, nil},
		{"past-the-end", tty, []Expected{open(26*s, 26*s), recovered(36*s, 36*s, 7), {Kind: Breaker, Name: name, From: "open", To: "half-open", Lo: 40 * s, Hi: 40 * s, Runs: 2, Of: 2}}, nil},
		{"extra", tty, []Expected{recovered(36*s, 36*s, 7)},
			[]string{"daprd.log:2: `Circuit breaker \"simpleCB-statestore\" changed state from closed to open` at [0026], but the simulation of the outage of statestore from line 1 to line 3 has no such line then (nor any up to [0096])"}},
		// The runs' call gave up: the Recovered line is extra, and says
		// how the call ended there.
		{"gave-up", tty, []Expected{open(26*s, 26*s), {Kind: Recovered, Operation: op, GaveUp: true, Why: "maxRetries 3 reached after 4 attempts", Attempts: []int{4}, Lo: 21 * s, Hi: 21 * s, Runs: 2, Of: 2}},
			[]string{"daprd.log:3: `Recovered processing operation component[statestore] output` at [0036], but the simulation of the outage of statestore from line 1 to line 3 has no such line then (nor any up to [0096]); there the call fails at [0021]–[0022]: maxRetries 3 reached after 4 attempts"}},
		{"attempts", tty, []Expected{open(26*s, 26*s), recovered(36*s, 36*s, 5, 6)},
			[]string{"daprd.log:3: recovered after 7 attempts, but in the simulation the call recovers after 5 or 6"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lg := readString(t, tt.log)
			p := Infer(lg, spec)
			got := Compare(lg, p, tt.exp)
			if len(got) != len(tt.want) {
				t.Fatalf("%d problems, want %d:\n%v", len(got), len(tt.want), got)
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(got[i].String(), w) {
					t.Errorf("problem %d:\n got  %s\n want %s…", i, got[i], w)
				}
			}
		})
	}
}

// Stamp writes an instant as the log's own lines stamp it.
func TestStamp(t *testing.T) {
	tests := []struct {
		log  string
		at   time.Duration
		want string
	}{
		{"INFO[0001] x\n", 26*time.Second + 900*time.Millisecond, "[0026]"},
		{`time="2024-01-02T15:04:00.000000000Z" level=info msg=x` + "\n", 26*time.Second + 13013*time.Microsecond, "2024-01-02T15:04:26.013013000Z"},
		{`{"time":"2024-01-02T16:04:00.5+01:00","level":"info","msg":"x"}` + "\n", 1500 * time.Millisecond, "2024-01-02T16:04:02.0+01:00"},
		{`{"time":"2024-01-02T15:04:00Z","level":"info","msg":"x"}` + "\n", 1500 * time.Millisecond, "2024-01-02T15:04:01Z"},
	}
	for _, tt := range tests {
		lg := readString(t, tt.log)
		if got := lg.Stamp(tt.at); got != tt.want {
			t.Errorf("%s: Stamp(%s) = %s, want %s", strings.TrimSpace(tt.log), tt.at, got, tt.want)
		}
	}
}
