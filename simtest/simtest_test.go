package simtest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dapr-sim/sim/expect"
)

const quickstart = "../examples/quickstart/scenario.yaml"

// fakeTB records what simtest reports, so tests can show that a false
// expectation fails (and a true one does not).
type fakeTB struct {
	errors, fatals []string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Errorf(format string, a ...any) {
	f.errors = append(f.errors, fmt.Sprintf(format, a...))
}
func (f *fakeTB) Fatalf(format string, a ...any) {
	f.fatals = append(f.fatals, fmt.Sprintf(format, a...))
}

const s = time.Second

// The quickstart's timeline, asserted with a real *testing.T: every
// helper passes on a true expectation.
func TestQuickstart(t *testing.T) {
	r := Run(t, quickstart)
	r.BreakerState("simpleCB-statestore", 26405988957*time.Nanosecond).Is("open") // the instant it opens
	r.BreakerState("simpleCB-statestore", 26405988956*time.Nanosecond).Is("closed")
	r.BreakerStateThroughout("simpleCB-statestore", 0, 26*s).Is("closed")
	r.Transition("simpleCB-statestore", "closed", "open").Within(25*s, 27*s)
	r.Transition("simpleCB-statestore", "half-open", "open").During(31*s, 32*s).Times(1)
	r.Transition("simpleCB-statestore", "open", "closed").Never()
	r.Transition("simpleCB-statestore", "half-open", "closed").Happens()
	r.Log("Recovered processing operation").Within(35*s, 37*s)
	r.Log("Saving Order: { orderId: '5' }").During(36*s, 37*s).Appears()
	r.LogMatching(`Retrying in \d+s`).Never()
	r.Log("Retrying...").Times(1)
	r.Count(FailedOps).Target("statestore").Equals(0)
	r.Count(Shed).AtMost(0)
	r.Count(Attempts).AtLeast(7)
	r.Count(Attempts).App("order-processor").Op("save").During(6*s, 37*s).Between(7, 7)
	r.Count(Retries).Equals(6)
	r.Count(Recoveries).Equals(1)
	r.Expect()
	r.Golden("testdata/quickstart.trace")
	if !strings.Contains(r.LogText(), `INFO[0026] Circuit breaker "simpleCB-statestore" changed state from closed to open`+"\n") {
		t.Errorf("LogText lacks the breaker line:\n%s", r.LogText())
	}
}

// Every helper fails on a false expectation, once, with a readable report.
func TestWrongExpectationsFail(t *testing.T) {
	r := Run(t, quickstart)
	tests := []struct {
		name   string
		assert func(r *Result) bool
		want   []string // in the one error reported
	}{
		{"state at", func(r *Result) bool { return r.BreakerState("simpleCB-statestore", 27*s).Is("closed") },
			[]string{"breaker simpleCB-statestore is closed at 27s", "expected: closed at 27s", "actual:   open at 27s (since closed->open at 26.405988957s)", "{t: 26.405988957s, kind: breaker"}},
		{"state throughout", func(r *Result) bool {
			return r.BreakerStateThroughout("simpleCB-statestore", 27*s, 35*s).Is("open")
		}, []string{"actual:   open at 27s, then half-open at 31.405989957s"}},
		{"transition within", func(r *Result) bool {
			return r.Transition("simpleCB-statestore", "closed", "open").Within(20*s, 25*s)
		}, []string{"actual:   0 times within [20s, 25s]; outside it at 26.405988957s"}},
		{"transition times", func(r *Result) bool { return r.Transition("simpleCB-statestore", "open", "half-open").Times(1) },
			[]string{"actual:   2 times in the run", "{t: 36.495402889s, kind: breaker"}},
		{"transition never", func(r *Result) bool { return r.Transition("simpleCB-statestore", "half-open", "open").Never() },
			[]string{"expected: half-open->open never in the run"}},
		{"log within", func(r *Result) bool { return r.Log("Recovered").Within(30*s, 35*s) },
			[]string{"actual:   0 times within [30s, 35s]; once outside it", "36.496402889s  INFO[0036] Recovered processing operation component[statestore] output."}},
		{"log never", func(r *Result) bool { return r.Log("Recovered").Never() }, []string{"expected: no line matching \"Recovered\" in the run"}},
		{"log regexp", func(r *Result) bool { return r.LogMatching(`Retrying in \d+s`).Appears() },
			[]string{"log /Retrying in \\d+s/ appears", "INFO[0006] Error processing operation component[statestore] output. Retrying..."}},
		{"count equals", func(r *Result) bool { return r.Count(FailedOps).Equals(1) }, []string{"expected: failedOps equals 1", "actual:   0"}},
		{"count at most", func(r *Result) bool { return r.Count(Attempts).Op("save").AtMost(3) }, []string{"actual:   34", "… and 29 more"}},
		{"count at least", func(r *Result) bool { return r.Count(Shed).AtLeast(1) }, []string{"expected: shed at least 1"}},
		{"count filter typo", func(r *Result) bool { return r.Count(FailedOps).Target("statestor").Equals(1) },
			[]string{`no event of the run names target "statestor"`}},
		{"bad state", func(r *Result) bool { return r.BreakerState("simpleCB-statestore", s).Is("opn") },
			[]string{`bad assertion: state: want one of closed, open, half-open, got "opn"`}},
		{"bad transition", func(r *Result) bool { return r.Transition("x", "open", "open").Happens() },
			[]string{"a transition changes the state"}},
		{"bad window", func(r *Result) bool { return r.Log("x").Within(3*s, 2*s) }, []string{"window [3s, 2s]"}},
		{"bad regexp", func(r *Result) bool { return r.LogMatching("a(").Appears() }, []string{"bad regular expression"}},
		{"bad bound", func(r *Result) bool { return r.Count(Shed).Between(3, 1) }, []string{"bound"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeTB{}
			r.t = f
			if tt.assert(r) {
				t.Errorf("the assertion held")
			}
			if len(f.errors) != 1 || len(f.fatals) != 0 {
				t.Fatalf("reported %q, fatal %q; want one error", f.errors, f.fatals)
			}
			for _, w := range tt.want {
				if !strings.Contains(f.errors[0], w) {
					t.Errorf("the report lacks %q:\n%s", w, f.errors[0])
				}
			}
		})
	}
}

// Expect reports each false assertion of the file's list at its line.
func TestExpectBlockFails(t *testing.T) {
	data, err := os.ReadFile(quickstart)
	if err != nil {
		t.Fatal(err)
	}
	src := strings.Replace(string(data), "resourcesPath: ./resources", "resourcesPath: ../examples/quickstart/resources", 1)
	src = strings.Replace(src, "{breaker: simpleCB-statestore, state: open, at: 27s}", "{breaker: simpleCB-statestore, state: closed, at: 27s}", 1)
	f := &fakeTB{}
	r := RunYAML(f, src)
	if len(f.fatals) > 0 {
		t.Fatal(f.fatals)
	}
	if r.Expect() || len(f.errors) != 1 {
		t.Fatalf("Expect: %q, want one error", f.errors)
	}
	if !strings.HasPrefix(f.errors[0], "simtest: inline scenario:") || !strings.Contains(f.errors[0], "is closed at 27s\n    expected: closed at 27s") {
		t.Errorf("report:\n%s", f.errors[0])
	}
}

// A scenario that cannot be loaded or run stops the test.
func TestRunFailures(t *testing.T) {
	for name, run := range map[string]func(TB) *Result{
		"missing file": func(tb TB) *Result { return Run(tb, "testdata/nonesuch.yaml") },
		"bad yaml":     func(tb TB) *Result { return RunYAML(tb, "version: 1\nduration: 60s\napps: [{id: a, strat: 1s}]\n") },
		"bad resource": func(tb TB) *Result {
			return RunYAML(tb, "version: 1\nduration: 60s\nresourcesPath: nonesuch\napps: [{id: a, steps: [{save: s}]}]\nstores: {s: {}}\n")
		},
		"bad dapr": func(tb TB) *Result { return Run(tb, quickstart, Dapr("0.1")) },
	} {
		f := &fakeTB{}
		if r := run(f); r != nil || len(f.fatals) != 1 {
			t.Errorf("%s: got %v, fatal %q", name, r, f.fatals)
		}
	}
	f := &fakeTB{}
	r := RunYAML(f, "version: 1\nduration: 60s\napps: [{id: a, steps: [{save: s}]}]\nstores: {s: {}}\n")
	if r == nil || len(f.fatals) > 0 {
		t.Fatalf("inline scenario: %q", f.fatals)
	}
	r.Expect()
	if len(f.errors) != 1 || !strings.Contains(f.errors[0], "no assertions") {
		t.Errorf("Expect with no expect: list: %q", f.errors)
	}
}

// Options change the run as --dapr and --seed do.
func TestOptions(t *testing.T) {
	r := Run(t, quickstart, Dapr("1.16"), Seed(7))
	if r.Setup.Profile.Version != "1.16" || r.Setup.Seed != 7 {
		t.Errorf("profile %s, seed %d", r.Setup.Profile.Version, r.Setup.Seed)
	}
	// On 1.16 the state.redis client's 3 x 512ms per failed save leaves
	// the breaker closed; the fifth attempt succeeds inside the client.
	r.Log("WARN[0007] Error processing operation component[statestore] output. Retrying in 5s…").Times(1)
	r.Log("Recovered processing operation component[statestore] output after 5 attempts").Within(33*s, 34*s)
}

// Golden reports a changed, cut or missing file and rewrites it under -update.
func TestGolden(t *testing.T) {
	r := Run(t, quickstart)
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "q.trace")

	f := &fakeTB{}
	r.t = f
	if r.Golden(path) || len(f.errors) != 1 || !strings.Contains(f.errors[0], "does not exist: run the test with -update") {
		t.Errorf("missing golden: %q", f.errors)
	}

	*update = true
	ok := r.Golden(path)
	*update = false
	if !ok {
		t.Fatal("update failed")
	}
	f.errors = nil
	if !r.Golden(path) || len(f.errors) != 0 {
		t.Fatalf("after update: %q", f.errors)
	}

	data, _ := os.ReadFile(path)
	edited := strings.Replace(string(data), "{t: 26.405988957s, kind: breaker", "{t: 26.405988958s, kind: breaker", 1)
	if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	if r.Golden(path) || len(f.errors) != 1 {
		t.Fatalf("edited golden: %q", f.errors)
	}
	for _, w := range []string{"- ", "{t: 26.405988958s, kind: breaker", "+ ", "{t: 26.405988957s, kind: breaker", "(1 of ", "-update"} {
		if !strings.Contains(f.errors[0], w) {
			t.Errorf("report lacks %q:\n%s", w, f.errors[0])
		}
	}

	f.errors = nil
	lines := strings.SplitAfter(string(data), "\n")
	if err := os.WriteFile(path, []byte(strings.Join(lines[:len(lines)/2], "")), 0o644); err != nil {
		t.Fatal(err)
	}
	if r.Golden(path) || len(f.errors) != 1 || !strings.Contains(f.errors[0], "(the golden trace ends)") {
		t.Errorf("cut golden: %q", f.errors)
	}
}

// Check takes any expect.Check built in Go.
func TestCheck(t *testing.T) {
	r := Run(t, quickstart)
	r.Check(&expect.Count{What: expect.Retries, Target: "statestore", Window: &expect.Window{From: 6 * s, To: 7 * s}, Bound: expect.Exactly(1)})
}

// The pub/sub example's messages, counted as sim diff and sim sweep count
// them: every order delivered once, none dead-lettered, 85 redeliveries
// after the breaker refused deliveries, the worst one 2m15s late.
func TestMessages(t *testing.T) {
	r := Run(t, "../examples/pubsub/scenario.yaml")
	r.Count(Published).Equals(80)
	r.Count(Delivered).App("order-processor").Equals(80)
	r.Count(Redelivered).Equals(85)
	r.Count(DeadLettered).Equals(0)
	r.Count(Duplicates).Equals(0)
	r.Count(Deliveries).Result("pending").Op("deliver").AtLeast(1)
	r.Check(&expect.Delay{Max: 2*time.Minute + 16*s, App: "order-processor"})
}
