package simtest

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/dapr-sim/sim/expect"
	"github.com/dapr-sim/sim/sim"
	"github.com/dapr-sim/sim/traces"
)

var update = flag.Bool("update", false, "rewrite the golden traces simtest's Result.Golden compares with")

// TB is the part of testing.TB simtest reports to: a test's *testing.T
// (or *testing.B, or testing.TB) satisfies it.
type TB interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// Counter names what Result.Count counts (the `count:` names of expect).
type Counter = expect.Counter

// The counters, as in `{count: failedOps, ...}`.
const (
	Ops            = expect.Ops            // op events: the final results of app steps
	FailedOps      = expect.FailedOps      // op events with outcome error
	SucceededOps   = expect.SucceededOps   // op events with outcome ok
	Attempts       = expect.Attempts       // call events: every attempt, shed ones included
	FailedAttempts = expect.FailedAttempts // call events with outcome error
	Shed           = expect.Shed           // call events refused by a breaker (outcome rejected)
	Retries        = expect.Retries        // retry events
	Timeouts       = expect.Timeouts       // timeout events
	Recoveries     = expect.Recoveries     // recovered events
	Published      = expect.Published      // publish steps that succeeded
	Delivered      = expect.Delivered      // messages a subscriber's handler took, the first time
	Redelivered    = expect.Redelivered    // redeliver events: pending messages reclaimed
	DeadLettered   = expect.DeadLettered   // deliver events with result deadletter
	Duplicates     = expect.Duplicates     // a subscriber's handler took a message again
	Deliveries     = expect.Deliveries     // deliver events, whatever their result (see Result)
)

// Option changes how a scenario runs, as `sim run`'s flags do.
type Option func(*sim.Overrides)

// Dapr runs the scenario with Dapr release v's behaviour and wording (`--dapr`).
func Dapr(v string) Option { return func(o *sim.Overrides) { o.Dapr = v } }

// Seed runs the scenario with seed n (`--seed`).
func Seed(n int64) Option { return func(o *sim.Overrides) { o.Seed = &n } }

// Result is one run: its setup, every event, and the assertions on them.
// Its assertion methods report failures to the test it was run in.
type Result struct {
	t        TB
	Scenario *sim.Scenario
	Setup    *sim.Setup
	Events   []traces.Event
	Timeline *expect.Timeline
}

// Run loads the scenario file at path, runs it and returns its events. A
// scenario that cannot be loaded or run stops the test.
func Run(t TB, path string, opts ...Option) *Result {
	t.Helper()
	sc, err := sim.LoadScenario(path)
	if err != nil {
		t.Fatalf("simtest: %v", err)
		return nil
	}
	return run(t, sc, opts)
}

// RunYAML runs a scenario written in the test. Its relative paths are read
// from the working directory (the test's package folder); errors name it
// "inline scenario".
func RunYAML(t TB, yaml string, opts ...Option) *Result {
	t.Helper()
	sc, err := sim.ParseScenario("inline scenario", []byte(yaml))
	if err != nil {
		t.Fatalf("simtest: %v", err)
		return nil
	}
	return run(t, sc, opts)
}

func run(t TB, sc *sim.Scenario, opts []Option) *Result {
	t.Helper()
	var o sim.Overrides
	for _, opt := range opts {
		opt(&o)
	}
	setup, err := sim.Prepare(sc, o)
	if err != nil {
		t.Fatalf("simtest: %v", err)
		return nil
	}
	wording, err := traces.WordingFor(setup.Profile.Version)
	if err != nil {
		t.Fatalf("simtest: %v", err)
		return nil
	}
	var events traces.Collector
	eng := sim.NewEngine(setup, &events, sim.Options{MaxEvents: sim.DefaultMaxEvents})
	defer eng.Close()
	if err := eng.Run(); err != nil {
		t.Fatalf("simtest: run %s: %v", sc.File, err)
		return nil
	}
	return &Result{t: t, Scenario: sc, Setup: setup, Events: events.Events, Timeline: expect.NewTimelineFor(events.Events, logWriter(wording, setup))}
}

// Check evaluates any expect.Check and reports a failure; it returns
// whether the check holds.
func (r *Result) Check(c expect.Check) bool {
	r.t.Helper()
	if err := expect.Validate(c); err != nil {
		r.t.Errorf("simtest: %s: bad assertion: %v", c.Describe(), err)
		return false
	}
	res := c.Eval(r.Timeline)
	if !res.OK {
		r.t.Errorf("simtest: %s\n%s", c.Describe(), strings.TrimSuffix(res.Detail("    "), "\n"))
	}
	return res.OK
}

// Expect evaluates the scenario file's own `expect:` list, as `sim check`
// does, reporting each false assertion at its file and line. It returns
// whether all hold; a list that does not parse fails the test.
func (r *Result) Expect() bool {
	r.t.Helper()
	as, err := expect.Parse(r.Scenario.File, r.Scenario.Expect)
	if err != nil {
		r.t.Errorf("simtest: %v", err)
		return false
	}
	if len(as) == 0 {
		r.t.Errorf("simtest: %s: expect: no assertions to check", r.Scenario.File)
		return false
	}
	ok := true
	for _, a := range as {
		res := a.Check.Eval(r.Timeline)
		if !res.OK {
			ok = false
			r.t.Errorf("simtest: %s:%d: %s\n%s", a.File, a.Line, a.Label(), strings.TrimSuffix(res.Detail("    "), "\n"))
		}
	}
	return ok
}

// LogText is the sidecar log as `sim run` prints it, one line per entry.
func (r *Result) LogText() string {
	var b strings.Builder
	for _, l := range r.Timeline.Lines {
		b.WriteString(l.Text)
		b.WriteByte('\n')
	}
	return b.String()
}

// StateAssertion asks a breaker's state at an instant or throughout a window.
type StateAssertion struct {
	r *Result
	c expect.BreakerState
}

// BreakerState asks the state of breaker name at instant at: the `to` of
// its last transition at or before at (closed before any).
func (r *Result) BreakerState(name string, at time.Duration) *StateAssertion {
	return &StateAssertion{r: r, c: expect.BreakerState{Breaker: name, At: at}}
}

// BreakerStateThroughout asks the state of breaker name at every instant
// of [from, to].
func (r *Result) BreakerStateThroughout(name string, from, to time.Duration) *StateAssertion {
	return &StateAssertion{r: r, c: expect.BreakerState{Breaker: name, Throughout: &expect.Window{From: from, To: to}}}
}

// Is asserts the state: "closed", "open" or "half-open".
func (s *StateAssertion) Is(state string) bool {
	s.r.t.Helper()
	c := s.c
	c.State = state
	return s.r.Check(&c)
}

// TransitionAssertion asks how often a breaker changed state one way.
type TransitionAssertion struct {
	r *Result
	c expect.Transition
}

// Transition asks about breaker name changing from one state to another.
func (r *Result) Transition(name, from, to string) *TransitionAssertion {
	return &TransitionAssertion{r: r, c: expect.Transition{Breaker: name, From: from, To: to}}
}

// During limits the following assertion to [from, to].
func (a *TransitionAssertion) During(from, to time.Duration) *TransitionAssertion {
	a.c.Window = &expect.Window{From: from, To: to}
	return a
}

// Within asserts at least one such transition in [from, to].
func (a *TransitionAssertion) Within(from, to time.Duration) bool {
	a.r.t.Helper()
	return a.During(from, to).bound(expect.AtLeastOnce)
}

// Happens asserts at least one such transition (in the window, if set).
func (a *TransitionAssertion) Happens() bool { a.r.t.Helper(); return a.bound(expect.AtLeastOnce) }

// Times asserts exactly n such transitions (in the window, if set).
func (a *TransitionAssertion) Times(n int) bool { a.r.t.Helper(); return a.bound(expect.Exactly(n)) }

// Never asserts no such transition (in the window, if set).
func (a *TransitionAssertion) Never() bool { a.r.t.Helper(); return a.bound(expect.Never) }

func (a *TransitionAssertion) bound(b expect.Bound) bool {
	a.r.t.Helper()
	c := a.c
	c.Times = b
	return a.r.Check(&c)
}

// LogAssertion asks about lines of the sidecar log (in the run's Dapr
// wording) and the app's `== APP == ` lines.
type LogAssertion struct {
	r   *Result
	c   expect.Log
	bad error
}

// Log asks about lines containing text.
func (r *Result) Log(text string) *LogAssertion {
	return &LogAssertion{r: r, c: expect.Log{Text: text}}
}

// LogMatching asks about lines matching the regular expression expr.
func (r *Result) LogMatching(expr string) *LogAssertion {
	re, err := regexp.Compile(expr)
	a := &LogAssertion{r: r, c: expect.Log{Regexp: re}}
	if err != nil {
		a.c.Text, a.bad = expr, err
	}
	return a
}

// During limits the following assertion to lines logged in [from, to].
func (a *LogAssertion) During(from, to time.Duration) *LogAssertion {
	a.c.Window = &expect.Window{From: from, To: to}
	return a
}

// Within asserts a matching line in [from, to].
func (a *LogAssertion) Within(from, to time.Duration) bool {
	a.r.t.Helper()
	return a.During(from, to).bound(expect.AtLeastOnce)
}

// Appears asserts a matching line (in the window, if set).
func (a *LogAssertion) Appears() bool { a.r.t.Helper(); return a.bound(expect.AtLeastOnce) }

// Times asserts exactly n matching lines (in the window, if set).
func (a *LogAssertion) Times(n int) bool { a.r.t.Helper(); return a.bound(expect.Exactly(n)) }

// Never asserts no matching line (in the window, if set).
func (a *LogAssertion) Never() bool { a.r.t.Helper(); return a.bound(expect.Never) }

func (a *LogAssertion) bound(b expect.Bound) bool {
	a.r.t.Helper()
	if a.bad != nil {
		a.r.t.Errorf("simtest: log /%s/: bad regular expression: %v", a.c.Text, a.bad)
		return false
	}
	c := a.c
	c.Times = b
	return a.r.Check(&c)
}

// CountAssertion asks how many events of one sort the run had.
type CountAssertion struct {
	r *Result
	c expect.Count
}

// Count asks how many events what counts (FailedOps, Attempts, Shed, ...).
func (r *Result) Count(what Counter) *CountAssertion {
	return &CountAssertion{r: r, c: expect.Count{What: what}}
}

// Target counts only events of component (or called app) name.
func (a *CountAssertion) Target(name string) *CountAssertion { a.c.Target = name; return a }

// App counts only events of the app with this id.
func (a *CountAssertion) App(id string) *CountAssertion { a.c.App = id; return a }

// Op counts only events of one operation: save, get, delete, invoke,
// actor, publish, binding, deliver, trigger.
func (a *CountAssertion) Op(op string) *CountAssertion { a.c.Op = op; return a }

// Result counts only deliver events with this result (ack, pending,
// deadletter, dropped, notfound, unimplemented, lost, unrouted, ackfailed, failed).
func (a *CountAssertion) Result(result string) *CountAssertion { a.c.Result = result; return a }

// During counts only events in [from, to].
func (a *CountAssertion) During(from, to time.Duration) *CountAssertion {
	a.c.Window = &expect.Window{From: from, To: to}
	return a
}

// Equals asserts the count is n.
func (a *CountAssertion) Equals(n int) bool { a.r.t.Helper(); return a.bound(expect.Exactly(n)) }

// AtLeast asserts the count is n or more.
func (a *CountAssertion) AtLeast(n int) bool {
	a.r.t.Helper()
	return a.bound(expect.Bound{Min: n, Max: -1})
}

// AtMost asserts the count is n or fewer.
func (a *CountAssertion) AtMost(n int) bool {
	a.r.t.Helper()
	return a.bound(expect.Bound{Min: 0, Max: n})
}

// Between asserts lo <= count <= hi.
func (a *CountAssertion) Between(lo, hi int) bool {
	a.r.t.Helper()
	return a.bound(expect.Bound{Min: lo, Max: hi})
}

func (a *CountAssertion) bound(b expect.Bound) bool {
	a.r.t.Helper()
	c := a.c
	c.Bound = b
	return a.r.Check(&c)
}

// Trace returns the run's YAML trace: the bytes `sim run --trace` writes.
func (r *Result) Trace() []byte {
	r.t.Helper()
	var buf bytes.Buffer
	tw, err := traces.NewTraceWriter(&buf, r.Setup.Header())
	if err != nil {
		r.t.Fatalf("simtest: %v", err)
		return nil
	}
	for i := range r.Events {
		if err := tw.Record(&r.Events[i]); err != nil {
			r.t.Fatalf("simtest: %v", err)
			return nil
		}
	}
	if err := tw.Close(); err != nil {
		r.t.Fatalf("simtest: %v", err)
		return nil
	}
	return buf.Bytes()
}

// Golden compares the run's YAML trace with the file at path and reports
// the first differing line. With -update it writes the file instead
// (creating its folder). It returns whether they matched (true after an
// update).
func (r *Result) Golden(path string) bool {
	r.t.Helper()
	got := r.Trace()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			r.t.Fatalf("simtest: %v", err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			r.t.Fatalf("simtest: %v", err)
		}
		return true
	}
	want, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		r.t.Errorf("simtest: golden trace %s does not exist: run the test with -update to write it", path)
		return false
	}
	if err != nil {
		r.t.Fatalf("simtest: %v", err)
	}
	if bytes.Equal(want, got) {
		return true
	}
	r.t.Errorf("simtest: the run differs from golden trace %s (-golden +run):\n%s\nrun the test with -update to accept the new trace, and review the diff", path, firstDiff(string(want), string(got)))
	return false
}

// firstDiff shows the first differing line of two texts, with up to two
// equal lines before it, and how many lines differ in all.
func firstDiff(want, got string) string {
	w := strings.Split(strings.TrimSuffix(want, "\n"), "\n")
	g := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	first, differ := -1, 0
	for i := 0; i < max(len(w), len(g)); i++ {
		if i < len(w) && i < len(g) && w[i] == g[i] {
			continue
		}
		differ++
		if first < 0 {
			first = i
		}
	}
	var b strings.Builder
	for i := max(0, first-2); i < first; i++ {
		fmt.Fprintf(&b, "  %d: %s\n", i+1, w[i])
	}
	if first < len(w) {
		fmt.Fprintf(&b, "- %d: %s\n", first+1, w[first])
	} else {
		fmt.Fprintf(&b, "- %d: (the golden trace ends)\n", first+1)
	}
	if first < len(g) {
		fmt.Fprintf(&b, "+ %d: %s\n", first+1, g[first])
	} else {
		fmt.Fprintf(&b, "+ %d: (the run's trace ends)\n", first+1)
	}
	fmt.Fprintf(&b, "(%d of %d lines differ)", differ, max(len(w), len(g)))
	return b.String()
}

// logWriter projects a run's log as `sim run` prints it.
func logWriter(wording traces.Wording, setup *sim.Setup) *traces.LogWriter {
	lw := traces.NewLogWriter(io.Discard, wording)
	lw.Sidecars = len(setup.Sidecars) > 1
	return lw
}
