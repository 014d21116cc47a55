package harness

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/dapr-sim/sim/sim"
)

// Dir is the folder of the conformance scenarios.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "scenarios")
}

// Result is one scenario run on both sides, normalised.
type Result struct {
	Sim, Dapr *Record
	// Other holds Dapr's log lines that are none of the compared ones.
	Other []string
}

// Run plays the case through sim and, inside a synctest bubble, through
// Dapr's code, and returns both records normalised.
func Run(t *testing.T, c Case, rel Release) *Result {
	t.Helper()
	file := filepath.Join(Dir(), c.Name, "scenario.yaml")
	return RunFiles(t, file, file, rel)
}

// RunFiles is Run with a scenario file for each side. Tests use it to prove
// that a change on one side only is caught.
func RunFiles(t *testing.T, simFile, daprFile string, rel Release) *Result {
	t.Helper()
	simRec, setup, err := RunSim(simFile, rel.Profile)
	if err != nil {
		t.Fatalf("sim: %v", err)
	}
	sc := setup.Scenario
	if daprFile != simFile {
		if sc, err = sim.LoadScenario(daprFile); err != nil {
			t.Fatal(err)
		}
	}
	var daprRec *Record
	var other []string
	synctest.Test(t, func(t *testing.T) {
		var err error
		daprRec, other, err = Drive(sc, rel)
		if err != nil {
			t.Fatal(err)
		}
	})
	if daprRec == nil {
		t.FailNow()
	}
	h := min(setup.Scenario.Duration, sc.Duration)
	simRec.Normalize(h)
	daprRec.Normalize(h)
	return &Result{Sim: simRec, Dapr: daprRec, Other: other}
}

// Compare returns a readable report of every stream that differs between
// want (Dapr) and got (sim), or "" when they agree. In jitter mode times
// are not compared; each side's backoff delays are checked against the
// case's nominal intervals instead.
func Compare(c Case, dapr, simr *Record) string {
	var b strings.Builder
	if c.Jitter != nil {
		for _, side := range []struct {
			name string
			r    *Record
		}{{"dapr", dapr}, {"sim", simr}} {
			for _, msg := range c.Jitter.check(side.r) {
				fmt.Fprintf(&b, "%s: %s\n", side.name, msg)
			}
		}
		dapr, simr = dapr.clone(), simr.clone()
		dapr.dropTimes()
		simr.dropTimes()
	}
	opts := cmp.Options{cmpopts.IgnoreFields(Attempt{}, "Start"), cmpopts.EquateEmpty()}
	streams := []struct {
		name       string
		want, have any
	}{
		{"breaker transitions", dapr.Breakers, simr.Breakers},
		{"retry notices", dapr.Notices, simr.Notices},
		{"recovered lines", dapr.Recovered, simr.Recovered},
		{"attempts", dapr.Attempts, simr.Attempts},
		{"app-level outcomes", dapr.Ops, simr.Ops},
		{"deliveries", dapr.Deliveries, simr.Deliveries},
	}
	for _, s := range streams {
		if d := cmp.Diff(s.want, s.have, opts); d != "" {
			fmt.Fprintf(&b, "%s differ (-dapr +sim):\n%s", s.name, d)
			if first := firstDiff(s.want, s.have); first != "" {
				fmt.Fprintf(&b, "first difference: %s\n", first)
			}
		}
	}
	return b.String()
}

// firstDiff names the first index at which two streams differ.
func firstDiff(want, have any) string {
	w, h := toSlice(want), toSlice(have)
	for i := 0; i < max(len(w), len(h)); i++ {
		var a, b any = "(none)", "(none)"
		if i < len(w) {
			a = w[i]
		}
		if i < len(h) {
			b = h[i]
		}
		if !cmp.Equal(a, b, cmpopts.IgnoreFields(Attempt{}, "Start")) {
			return fmt.Sprintf("#%d dapr %+v, sim %+v", i, a, b)
		}
	}
	return ""
}

func toSlice(v any) []any {
	var out []any
	switch s := v.(type) {
	case []Transition:
		for _, x := range s {
			out = append(out, x)
		}
	case []Notice:
		for _, x := range s {
			out = append(out, x)
		}
	case []Recovery:
		for _, x := range s {
			out = append(out, x)
		}
	case []Attempt:
		for _, x := range s {
			out = append(out, x)
		}
	case []Op:
		for _, x := range s {
			out = append(out, x)
		}
	case []Delivery:
		for _, x := range s {
			out = append(out, x)
		}
	}
	return out
}

func (r *Record) clone() *Record {
	c := &Record{
		Breakers:   append([]Transition(nil), r.Breakers...),
		Notices:    append([]Notice(nil), r.Notices...),
		Recovered:  append([]Recovery(nil), r.Recovered...),
		Attempts:   append([]Attempt(nil), r.Attempts...),
		Ops:        append([]Op(nil), r.Ops...),
		Deliveries: append([]Delivery(nil), r.Deliveries...),
		Delays:     r.Delays,
	}
	return c
}

// Check runs one case for a release and fails the test on any difference
// that is not the case's documented deviation.
func Check(t *testing.T, c Case, rel Release) {
	t.Helper()
	if c.Skip != "" {
		t.Skip(c.Skip)
	}
	res := Run(t, c, rel)
	for _, l := range res.Other {
		t.Logf("dapr log: %s", l)
	}
	if testing.Verbose() {
		t.Logf("dapr: %s", dump(res.Dapr))
		t.Logf("sim:  %s", dump(res.Sim))
	}
	diff := Compare(c, res.Dapr, res.Sim)
	if dev, ok := c.Deviations[rel.Profile]; ok {
		// A documented deviation (DEVIATIONS.md) is asserted, not ignored:
		// the diff must still be exactly the one recorded there.
		if !strings.Contains(diff, dev) {
			t.Fatalf("deviation %q (DEVIATIONS.md) no longer shows as documented; diff:\n%s", dev, diff)
		}
		t.Logf("documented deviation present:\n%s", diff)
		return
	}
	if diff != "" {
		t.Errorf("scenario %s, Dapr %s: sim and Dapr differ\n%s", c.Name, rel.Name, diff)
	}
	if len(res.Dapr.Ops) == 0 && len(res.Dapr.Deliveries) == 0 {
		t.Errorf("scenario %s: no app-level outcomes at all; the scenario exercises nothing", c.Name)
	}
}

func dump(r *Record) string {
	var b strings.Builder
	for _, x := range r.Breakers {
		fmt.Fprintf(&b, "\n  breaker %s %s %s->%s", x.T, x.Name, x.From, x.To)
	}
	for _, x := range r.Notices {
		fmt.Fprintf(&b, "\n  notice %s %s %s delay=%s", x.T, x.App, x.Operation, x.Delay)
	}
	for _, x := range r.Recovered {
		fmt.Fprintf(&b, "\n  recovered %s %s %s attempts=%d", x.T, x.App, x.Operation, x.Attempts)
	}
	for _, x := range r.Attempts {
		if x.Operation != "" || x.Outcome != "ok" {
			fmt.Fprintf(&b, "\n  attempt %s %s/w%d/i%d/s%d %s #%d %s", x.T, x.App, x.Worker, x.Iteration, x.Step, x.Operation, x.Attempt, x.Outcome)
		}
	}
	for _, x := range r.Ops {
		fmt.Fprintf(&b, "\n  op %s %s/w%d/i%d/s%d %s attempts=%d", x.T, x.App, x.Worker, x.Iteration, x.Step, x.Outcome, x.Attempts)
	}
	for _, x := range r.Deliveries {
		fmt.Fprintf(&b, "\n  delivery %s %s %s #%d %s (%s) attempts=%d", x.T, x.App, x.Topic, x.N, x.Result, x.Outcome, x.Attempts)
	}
	return b.String()
}

// Jitter describes an exponential policy whose delays are random on both
// sides (Dapr draws from math/rand's global source, sim from its seeded
// one): each delay must lie in [ci*(1-rf), ci*(1+rf)] + 1ns, where ci is
// the nominal interval of that retry.
type Jitter struct {
	Nominal []time.Duration // ci of retry 1, 2, ...; the last repeats
	Factor  float64         // randomizationFactor (Dapr's default 0.5)
	// Calls is how many calls must have waited at least one delay on each
	// side, so that the bounds check is not vacuous.
	Calls int
}

func (j *Jitter) check(r *Record) []string {
	var out []string
	calls := 0
	for id, ds := range r.Delays {
		if len(ds) > 0 {
			calls++
		}
		for k, d := range ds {
			ci := j.Nominal[min(k, len(j.Nominal)-1)]
			lo := time.Duration(float64(ci) - j.Factor*float64(ci))
			hi := time.Duration(float64(ci)+j.Factor*float64(ci)) + time.Nanosecond
			if d < lo || d > hi {
				out = append(out, fmt.Sprintf("call %s: delay %d is %s, outside [%s, %s]", id, k+1, d, lo, hi))
			}
		}
	}
	for _, n := range r.Notices {
		ci := j.Nominal[0]
		lo := time.Duration(float64(ci) - j.Factor*float64(ci))
		hi := time.Duration(float64(ci)+j.Factor*float64(ci)) + time.Nanosecond
		if n.Delay < lo || n.Delay > hi {
			out = append(out, fmt.Sprintf("retry notice at %s: delay %s outside [%s, %s]", n.T, n.Delay, lo, hi))
		}
	}
	if calls < j.Calls {
		out = append(out, fmt.Sprintf("only %d calls waited a backoff delay, want %d", calls, j.Calls))
	}
	return out
}

// CheckCatchesPerturbation runs the quickstart on Dapr and, on sim only, a
// copy whose store comes back 6s later: the comparison must report it. It
// proves, for a release, that the suite fails on a real difference.
func CheckCatchesPerturbation(t *testing.T, rel Release) {
	t.Helper()
	daprFile := filepath.Join(Dir(), "quickstart", "scenario.yaml")
	simFile := filepath.Join(Dir(), "..", "harness", "testdata", "quickstart_restart39", "scenario.yaml")
	res := RunFiles(t, simFile, daprFile, rel)
	d := Compare(Case{Name: "quickstart"}, res.Dapr, res.Sim)
	// Dapr's probe at 38.014s finds Redis back and closes the breaker; on
	// the perturbed side it fails and the breaker opens again.
	want := "first difference: #4 dapr {T:38.015s Name:simpleCB-statestore From:half-open To:closed}, sim {T:38.015s Name:simpleCB-statestore From:half-open To:open}"
	if !strings.Contains(d, want) {
		t.Errorf("a store restart moved on one side only was not reported as expected; want %q in diff:\n%s", want, d)
	}
}

// CheckCatchesOtherRelease runs actor_untargeted on Dapr and, on sim, under
// another release's profile: the router's built-in actor runner differs
// (DaprBuiltInActorRetries, 3 retries, up to 1.14;
// DaprBuiltInActorNotFoundRetries, 5, from 1.15), and the comparison must
// report want, the first differing retry notice. It proves that the nested
// runners' operations are compared.
func CheckCatchesOtherRelease(t *testing.T, rel Release, otherProfile, want string) {
	t.Helper()
	file := filepath.Join(Dir(), "actor_untargeted", "scenario.yaml")
	simRec, setup, err := RunSim(file, otherProfile)
	if err != nil {
		t.Fatal(err)
	}
	res := RunFiles(t, file, file, rel)
	simRec.Normalize(setup.Scenario.Duration)
	d := Compare(Case{Name: "actor_untargeted"}, res.Dapr, simRec)
	if !strings.Contains(d, want) {
		t.Errorf("sim under profile %s against Dapr %s: want %q in diff:\n%s", otherProfile, rel.Name, want, d)
	}
	for _, stream := range []string{"retry notices differ", "attempts differ", "app-level outcomes differ"} {
		if !strings.Contains(d, stream) {
			t.Errorf("sim under profile %s against Dapr %s: %s not reported; diff:\n%s", otherProfile, rel.Name, stream, d)
		}
	}
}
