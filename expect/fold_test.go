package expect_test

import (
	"fmt"
	"io"
	"reflect"
	"regexp"
	"sort"
	"testing"
	"time"

	"github.com/dapr-sim/sim/expect"
	"github.com/dapr-sim/sim/simtest"
	"github.com/dapr-sim/sim/traces"
)

// TestFoldsMatchWholeRun: every kind of assertion, decided by its fold as
// the run streams past (Evaluator) and over the whole timeline (Eval),
// gives exactly the result the evaluation over every held event gave
// (WholeEval, the code before the folds) — passing and failing, with the
// events and lines it quotes — on the example runs (breakers, outages,
// pub/sub with redeliveries and dead letters, bindings).
func TestFoldsMatchWholeRun(t *testing.T) {
	for _, ex := range []string{"quickstart", "half-open", "flapping", "pubsub", "bindings", "long-outage"} {
		t.Run(ex, func(t *testing.T) {
			res := simtest.Run(t, "../examples/"+ex+"/scenario.yaml")
			tl := res.Timeline
			checks := assertionsFor(tl)
			as := make([]expect.Assertion, len(checks))
			for i, c := range checks {
				as[i] = expect.Assertion{Check: c}
			}
			w, err := traces.WordingFor(res.Setup.Profile.Version)
			if err != nil {
				t.Fatal(err)
			}
			lw := traces.NewLogWriter(io.Discard, w)
			lw.Sidecars = len(res.Setup.Sidecars) > 1
			ev := expect.NewEvaluator(as, lw)
			for i := range tl.Events {
				e := tl.Events[i] // a copy, changed after: the evaluator keeps none
				if err := ev.Record(&e); err != nil {
					t.Fatal(err)
				}
				e = traces.Event{Name: "changed", Message: "changed", T: -1}
			}
			report := ev.Report()
			failed := 0
			for i, c := range checks {
				want := expect.WholeEval(c, tl)
				if got := c.Eval(tl); !reflect.DeepEqual(got, want) {
					t.Errorf("%s: Eval\ngot  %#v\nwant %#v", c.Describe(), got, want)
				}
				if got := report.Verdicts[i].Result; !reflect.DeepEqual(got, want) {
					t.Errorf("%s: Evaluator\ngot  %#v\nwant %#v", c.Describe(), got, want)
				}
				if !want.OK {
					failed++
				}
			}
			// The rows are worth comparing only if many fail (and so quote
			// events) and many pass.
			if failed < len(checks)/5 || failed > len(checks)*4/5 {
				t.Errorf("%d of %d assertions fail: the rows do not cover both outcomes", failed, len(checks))
			}
		})
	}
}

// assertionsFor builds assertions of every kind around what the run did:
// each breaker (and a name it does not have) at and between its
// transitions, transitions of every pair, log lines, every counter with
// and without filters and windows, end-to-end delays.
func assertionsFor(tl *expect.Timeline) []expect.Check {
	var breakers, targets, apps []string
	seen := map[string]bool{}
	var instants []time.Duration
	var end time.Duration
	for _, e := range tl.Events {
		end = max(end, e.T)
		add := func(list *[]string, kind, v string) {
			if v != "" && !seen[kind+v] {
				seen[kind+v] = true
				*list = append(*list, v)
			}
		}
		if e.Kind == traces.Breaker {
			add(&breakers, "b", e.Name)
			instants = append(instants, e.T)
		}
		add(&targets, "t", e.Target)
		add(&apps, "a", e.App)
	}
	breakers = append(breakers, "no-such-breaker")
	sort.Slice(instants, func(i, j int) bool { return instants[i] < instants[j] })
	if len(instants) > 12 {
		// Some early, some late: enough to cover before, at and after.
		instants = append(instants[:6:6], instants[len(instants)-6:]...)
	}
	instants = append(instants, 0, end/3, end/2, end)
	windows := []*expect.Window{nil, {From: 0, To: end / 4}, {From: end / 4, To: end / 2}, {From: end / 2, To: end}, {From: end + time.Second, To: end + 2*time.Second}}
	for _, t := range instants[:min(len(instants), 8)] {
		windows = append(windows, &expect.Window{From: t, To: t + 5*time.Second})
	}
	bounds := []expect.Bound{expect.AtLeastOnce, expect.Never, expect.Exactly(1), expect.Exactly(2), {Min: 0, Max: 3}, {Min: 7, Max: -1}}
	states := []string{expect.Closed, expect.Open, expect.HalfOpen}

	var cs []expect.Check
	for _, b := range breakers {
		for _, st := range states {
			for _, t := range instants {
				for _, d := range []time.Duration{-time.Nanosecond, 0, time.Nanosecond} {
					cs = append(cs, &expect.BreakerState{Breaker: b, State: st, At: max(t+d, 0)})
				}
			}
			for _, w := range windows {
				if w != nil {
					cs = append(cs, &expect.BreakerState{Breaker: b, State: st, Throughout: w})
				}
			}
			for _, to := range states {
				for _, w := range windows {
					for _, bd := range bounds {
						cs = append(cs, &expect.Transition{Breaker: b, From: st, To: to, Window: w, Times: bd})
					}
				}
			}
		}
	}
	texts := []string{"Saving Order", "Getting Order", "Circuit breaker", "Recovered processing", "Error processing", "Retrying", "APP", "no such line"}
	for _, text := range texts {
		for _, w := range windows {
			for _, bd := range bounds {
				cs = append(cs, &expect.Log{Text: text, Window: w, Times: bd})
			}
		}
	}
	for _, w := range windows {
		cs = append(cs, &expect.Log{Regexp: regexp.MustCompile(`order(Id)?: '\d+5'`), Window: w, Times: expect.Exactly(3)})
	}
	for _, name := range expect.Counters() {
		what, _ := expect.ParseCounter(name)
		filters := []expect.Count{{}, {Target: "misspelt"}, {Op: "get"}, {Result: traces.ResultAck}}
		for _, t := range targets {
			filters = append(filters, expect.Count{Target: t})
		}
		for _, a := range apps {
			filters = append(filters, expect.Count{App: a})
		}
		for _, f := range filters {
			for _, w := range windows {
				for _, bd := range []expect.Bound{expect.Never, expect.AtLeastOnce, {Min: 3, Max: 9}} {
					c := f
					c.What, c.Window, c.Bound = what, w, bd
					cs = append(cs, &c)
				}
			}
		}
	}
	for _, max := range []time.Duration{0, time.Millisecond, time.Second, time.Minute} {
		for _, w := range windows {
			cs = append(cs, &expect.Delay{Max: max, Window: w})
			for _, a := range append(apps, "misspelt") {
				cs = append(cs, &expect.Delay{Max: max, Window: w, App: a})
			}
		}
	}
	return cs
}

func ExampleEvaluator() {
	as := []expect.Assertion{{Check: &expect.Count{What: expect.Attempts, Bound: expect.Exactly(2)}}}
	w, _ := traces.WordingFor("1.16")
	ev := expect.NewEvaluator(as, traces.NewLogWriter(io.Discard, w))
	// A run's events, one at a time, as an engine or a trace reader
	// records them: the evaluator keeps none of them.
	for i := range 2 {
		ev.Record(&traces.Event{T: time.Duration(i) * time.Second, Kind: traces.Call, App: "a", Target: "statestore", Op: "save", Attempt: 1})
	}
	r := ev.Report()
	fmt.Println(r.Passed, "passed,", r.Failed, "failed")
	// Output: 1 passed, 0 failed
}

// lastLine is a Check of a user's own, with no fold: it reads the whole
// timeline.
type lastLine struct{}

func (lastLine) Describe() string { return "the last log line" }

func (lastLine) Eval(tl *expect.Timeline) expect.Result {
	return expect.Result{OK: true, Actual: fmt.Sprintf("%d events, last line %q", len(tl.Events), tl.Lines[len(tl.Lines)-1].Text)}
}

// A Check built in Go without a fold of this package still gets the whole
// run from the Evaluator (which keeps the events only for it), beside
// folded ones.
func TestEvaluatorKeepsTheRunForOtherChecks(t *testing.T) {
	res := simtest.Run(t, "../examples/quickstart/scenario.yaml")
	tl := res.Timeline
	as := []expect.Assertion{{Check: lastLine{}}, {Check: &expect.Count{What: expect.Retries, Bound: expect.AtLeastOnce}}}
	w, err := traces.WordingFor(res.Setup.Profile.Version)
	if err != nil {
		t.Fatal(err)
	}
	ev := expect.NewEvaluator(as, traces.NewLogWriter(io.Discard, w))
	for i := range tl.Events {
		e := tl.Events[i]
		ev.Record(&e)
	}
	r := ev.Report()
	for i, a := range as {
		if got, want := r.Verdicts[i].Result, a.Check.Eval(tl); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %+v, want %+v", a.Check.Describe(), got, want)
		}
	}
}
