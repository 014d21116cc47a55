package sim

import (
	"fmt"
	"sort"
	"time"

	"github.com/dapr-sim/sim/traces"
)

// live is what the engine keeps for Snapshot besides its machines: the
// breaker instances in the order steps first went through them, the events
// recorded so far, and the targets' availability and fault windows as the
// fault events it recorded left them.
type live struct {
	at       time.Duration // the instant RunUntil ran to
	breakers []*breakerInst
	recorded int
	last     time.Duration
	targets  *targetFold
}

// stepView is where a worker's step in flight stands, as the engine moved
// it: issued, an outer attempt waiting for its answer, or a backoff.
type stepView struct {
	active   bool
	first    time.Duration // the step's first recorded event
	hasFirst bool
	phase    traces.Phase
	attempt  int
	since    time.Duration
	until    time.Duration
	inner    innerView
	hasInner bool
}

// innerView is the last recorded event of an inner runner (direct
// messaging's built-in retries) in the current outer attempt.
type innerView struct {
	kind      traces.Kind
	operation string
	attempt   int
	t         time.Duration
	wake      time.Duration // a retry's next attempt
	outcome   traces.Outcome
}

// RunUntil dispatches every event at or before t (at most the horizon);
// Run, or RunUntil with a later instant, goes on from there.
func (e *Engine) RunUntil(t time.Duration) error {
	e.live.at = t
	return e.run(t)
}

// Snapshot is the state of every machine at the instant RunUntil last ran
// to: each breaker instance of a step's outermost policy that a step has
// gone through (evicted ones too), the steps in flight and where each
// stands, the stores' and called apps' availability and fault windows.
// Total is left to the caller, which knows the trace.
func (e *Engine) Snapshot() *traces.Snapshot {
	at := e.live.at
	snap := &traces.Snapshot{At: at, Folded: e.live.recorded, Last: e.live.last}
	for _, b := range e.live.breakers {
		s := b.state
		snap.Breakers = append(snap.Breakers, traces.BreakerState{
			Name: b.settings.Name, State: s.State.String(), Generation: s.Generation,
			Requests:       s.Counts.Requests,
			TotalSuccesses: s.Counts.TotalSuccesses, ConsecutiveSuccesses: s.Counts.ConsecutiveSuccesses,
			TotalFailures: s.Counts.TotalFailures, ConsecutiveFailures: s.Counts.ConsecutiveFailures,
			Expiry: s.Expiry, Expires: s.Expires,
		})
	}
	sort.SliceStable(snap.Breakers, func(i, j int) bool { return snap.Breakers[i].Name < snap.Breakers[j].Name })
	for _, w := range e.workers {
		v := &w.view
		if !v.active {
			continue
		}
		st := &w.app.Steps[w.step]
		r := traces.RequestState{App: w.app.ID, Worker: w.index, Iteration: w.iteration, Step: w.step + 1,
			Op: st.Op.String(), Target: st.Target, Issued: w.issued, IssuedKnown: true,
			Attempt: v.attempt, Phase: v.phase, Since: v.since, Until: v.until}
		if b := w.pl.layers[0].breaker; b != nil {
			r.Breaker = b.settings.Name
		}
		if in := &v.inner; v.hasInner && in.t >= r.Since {
			switch {
			case in.kind == traces.Retry && at < in.wake:
				r.Inner = fmt.Sprintf("%s attempt %d failed %s, attempt %d at %s", in.operation, in.attempt, in.t, in.attempt+1, in.wake)
			case in.kind == traces.Retry:
				r.Inner = fmt.Sprintf("%s attempt %d started %s", in.operation, in.attempt+1, in.wake)
			default:
				r.Inner = fmt.Sprintf("%s attempt %d ended %s (%s)", in.operation, in.attempt, in.t, in.outcome)
			}
		}
		snap.Requests = append(snap.Requests, r)
	}
	sort.SliceStable(snap.Requests, func(i, j int) bool {
		a, b := snap.Requests[i], snap.Requests[j]
		if a.App != b.App {
			return a.App < b.App
		}
		return a.Worker < b.Worker
	})
	if e.live.targets == nil {
		e.live.targets = newTargetFold(e.setup)
	}
	for _, t := range e.live.targets.out {
		if t.Windows != nil {
			t.Windows = append([]traces.WindowState{}, t.Windows...)
		}
		snap.Targets = append(snap.Targets, t)
	}
	return snap
}

// Unfinished lists the steps in flight when the run ended, each with the
// instant of its first recorded event (see Settle).
func (e *Engine) Unfinished() []UnfinishedStep {
	var out []UnfinishedStep
	for _, w := range e.workers {
		if w.view.active {
			out = append(out, UnfinishedStep{App: w.app.ID, Worker: w.index, Iteration: w.iteration, Step: w.step + 1,
				First: w.view.first, HasFirst: w.view.hasFirst})
		}
	}
	return out
}

// UnfinishedStep is a step the run ended with in flight.
type UnfinishedStep struct {
	App                     string
	Worker, Iteration, Step int
	First                   time.Duration
	HasFirst                bool
}

// Settle words a snapshot's steps that the trace never ends as a trace
// tells of them: a trace records a step's issue only in its op event, so
// such a step is "issued before" its first event, and not yet in flight
// before that event.
func Settle(s *traces.Snapshot, unfinished []UnfinishedStep) {
	if len(unfinished) == 0 {
		return
	}
	type key struct {
		app                     string
		worker, iteration, step int
	}
	open := make(map[key]UnfinishedStep, len(unfinished))
	for _, u := range unfinished {
		open[key{u.App, u.Worker, u.Iteration, u.Step}] = u
	}
	out := s.Requests[:0]
	for _, r := range s.Requests {
		if u, ok := open[key{r.App, r.Worker, r.Iteration, r.Step}]; ok {
			if !u.HasFirst || u.First > s.At {
				continue
			}
			r.Issued, r.IssuedKnown = u.First, false
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		out = nil
	}
	s.Requests = out
}

// The engine's hooks: each keeps the live view current where the engine
// itself moves.

// viewIssued notes a step issued now, its first attempt due after the overhead.
func (e *Engine) viewIssued(w *worker) {
	w.view = stepView{active: true, phase: traces.Issued, attempt: 1, until: w.issued + e.sc.Overhead}
	if b := w.pl.layers[0].breaker; b != nil && !b.listed {
		b.listed = true
		e.live.breakers = append(e.live.breakers, b)
	}
}

// viewRecorded notes the event just recorded.
func (e *Engine) viewRecorded() {
	e.live.recorded++
	e.live.last = e.ev.T
	if e.ev.Kind == traces.Fault {
		if e.live.targets == nil {
			e.live.targets = newTargetFold(e.setup)
		}
		e.live.targets.add(&e.ev)
	}
}

// viewWho notes a step's event: the first one marks where a trace first
// tells of the step.
func (e *Engine) viewWho(w *worker) {
	if !w.view.hasFirst {
		w.view.first, w.view.hasFirst = e.ev.T, true
	}
}

// targetFold keeps the stores' and called apps' states from the fault
// events the engine records.
type targetFold struct {
	setup *Setup
	out   []traces.TargetState
	idx   map[string]int
}

func newTargetFold(setup *Setup) *targetFold {
	t := &targetFold{setup: setup, idx: map[string]int{}}
	for _, st := range setup.Stores {
		t.idx[st.Name] = len(t.out)
		t.out = append(t.out, traces.TargetState{Kind: "store", Name: st.Name, Up: true})
	}
	for _, a := range setup.Called {
		t.idx[a.ID] = len(t.out)
		t.out = append(t.out, traces.TargetState{Kind: "app", Name: a.ID, Up: true})
	}
	return t
}

// add folds e, the fault event just recorded.
func (tf *targetFold) add(e *traces.Event) {
	if e.Kind != traces.Fault {
		return
	}
	j, ok := tf.idx[e.Target]
	if !ok {
		return
	}
	t := &tf.out[j]
	switch e.Change {
	case "stop", "start":
		t.Up, t.Since, t.Changed = e.Change == "start", e.T, true
	case "down", "up":
		for w := range t.Windows {
			if t.Windows[w].Mode == "flapping" && t.Windows[w].Down != (e.Change == "down") {
				t.Windows[w].Down = e.Change == "down"
				break
			}
		}
	case "end":
		t.Windows = endWindow(tf.setup, t.Windows, e)
	default:
		t.Windows = append(t.Windows, traces.WindowState{Mode: e.Change, Detail: e.Detail, Since: e.T})
	}
}

// endWindow removes the window an end event closes: the one the scenario
// defines on that target from its start to this instant.
func endWindow(setup *Setup, ws []traces.WindowState, e *traces.Event) []traces.WindowState {
	for i, w := range ws {
		for _, d := range setup.Scenario.Windows {
			if d.Target == e.Target && d.HasTo && d.To == e.T && d.From == w.Since && d.Mode() == w.Mode {
				return append(ws[:i:i], ws[i+1:]...)
			}
		}
	}
	if len(ws) > 0 {
		return ws[1:]
	}
	return ws
}

// Snapshots replays setup's run once, up to the last of instants (in
// ascending order), taking the engine's snapshot at each, worded against
// events, the run's recorded events: their count, and the steps they never
// end (Settle). A run that stops early (as the recorded one did) leaves its
// last state.
func Snapshots(setup *Setup, events []traces.Event, instants []time.Duration) []*traces.Snapshot {
	e := NewEngine(setup, discard{}, Options{})
	defer e.Close()
	out := make([]*traces.Snapshot, len(instants))
	for i, at := range instants {
		e.RunUntil(at) // an error stops the run here, as it stopped the recorded one
		out[i] = e.Snapshot()
		out[i].Total = len(events)
	}
	unfinished := unended(events, out)
	for _, s := range out {
		Settle(s, unfinished)
	}
	return out
}

// unended lists the steps in flight in snaps that events never end, each
// with the instant of its first event: what Engine.Unfinished says at the
// end of the run, read from the recorded events instead of replaying the
// rest of the run.
func unended(events []traces.Event, snaps []*traces.Snapshot) []UnfinishedStep {
	type key struct {
		app                     string
		worker, iteration, step int
	}
	type seen struct {
		UnfinishedStep
		ended bool
	}
	steps := map[key]*seen{}
	for _, s := range snaps {
		for _, r := range s.Requests {
			k := key{r.App, r.Worker, r.Iteration, r.Step}
			if steps[k] == nil {
				steps[k] = &seen{UnfinishedStep: UnfinishedStep{App: r.App, Worker: r.Worker, Iteration: r.Iteration, Step: r.Step}}
			}
		}
	}
	if len(steps) == 0 {
		return nil
	}
	for i := range events {
		e := &events[i]
		switch e.Kind {
		case traces.Call, traces.Op, traces.Retry, traces.Recovered, traces.Timeout:
		default:
			continue
		}
		st := steps[key{e.App, e.Worker, e.Iteration, e.Step}]
		if st == nil {
			continue
		}
		if !st.HasFirst {
			st.First, st.HasFirst = e.T, true
		}
		st.ended = st.ended || e.Kind == traces.Op
	}
	var out []UnfinishedStep
	for _, st := range steps {
		if !st.ended {
			out = append(out, st.UnfinishedStep)
		}
	}
	return out
}

// discard is a Sink that keeps nothing.
type discard struct{}

func (discard) Record(*traces.Event) error { return nil }
