package sim

import (
	"fmt"
	"sort"
	"time"

	"github.com/dapr-sim/sim/policies/breaker"
	"github.com/dapr-sim/sim/traces"
)

// StateAt folds a trace's events up to and including instant at and returns
// the state of every machine then (`sim replay TRACE --at 31s`).
//
// The fold reads only events, plus what the header's scenario and spec say
// about the pipelines (which breaker instance a step's attempts go through,
// the sidecar's overhead). Breaker counts are not recorded in events, so it
// feeds the recorded attempts through the real breaker machine
// (breaker.Step), at the instants the engine fed them:
//   - the step's issue (op.t − op.took): the instance is looked up (and, for
//     apps and actors, touched in its LRU cache) and, from Dapr 1.11, its
//     state read;
//   - each attempt's start: attempt 1 at issue + overhead, attempt n at the
//     retry event of attempt n−1 + its delay + overhead; the breaker admits
//     or rejects it there;
//   - each attempt's end (its call event): the outcome.
//
// The transitions the machine makes are then checked against the trace's
// breaker events: a disagreement is reported as a note, never hidden.
//
// Only an in-flight step's issue instant needs an event after at (the op
// event's took, the one place the trace records it); when the trace ends
// before the step does, the step's first event stands in for it.
//
// StateAt holds every event; StateAtStream folds a trace read as a stream
// to the same snapshot.
func StateAt(setup *Setup, events []traces.Event, at time.Duration) *traces.Snapshot {
	f := newFold(setup, events)
	return f.snapshot(at)
}

// who is one step of one worker: the unit a request belongs to.
type who struct {
	app       string
	worker    int
	iteration int
	step      int
}

func whoOf(e *traces.Event) who { return who{e.App, e.Worker, e.Iteration, e.Step} }

type foldStep struct {
	first       int           // index of its first event
	issue       time.Duration // when the app issued it
	issueKnown  bool
	end         time.Duration
	ended       bool
	op, target  string
	operation   string // the outer runner's operation
	breakerName string
}

type foldInput struct {
	t     time.Duration
	idx   int // the event the input belongs to
	phase int // issue 0, request 1, outcome 2
	w     who
	kind  breaker.EventKind
	call  int // event index of the call (request, outcome)
}

type fold struct {
	setup  *Setup
	events []traces.Event
	steps  map[who]*foldStep
	order  []who
	inputs []foldInput
}

func newFold(setup *Setup, events []traces.Event) *fold {
	f := &fold{setup: setup, events: events, steps: map[who]*foldStep{}}
	over := setup.Scenario.Overhead
	// Pass 1: the steps, their issue and end.
	for i := range events {
		e := &events[i]
		switch e.Kind {
		case traces.Call, traces.Op, traces.Retry, traces.Recovered, traces.Timeout:
		default:
			continue
		}
		k := whoOf(e)
		s, ok := f.steps[k]
		if !ok {
			s = &foldStep{first: i, issue: e.T, op: e.Op, target: e.Target}
			f.steps[k] = s
			f.order = append(f.order, k)
			f.describe(k, s)
		}
		if e.Kind == traces.Op {
			s.issue, s.issueKnown = e.T-e.Took, true
			s.end, s.ended = e.T, true
		}
	}
	// Pass 2: the breaker inputs of each outer attempt.
	wake := map[who]time.Duration{} // start of the next outer attempt
	for i := range events {
		e := &events[i]
		if e.Kind != traces.Call && e.Kind != traces.Retry {
			continue
		}
		k := whoOf(e)
		s := f.steps[k]
		if !f.outer(s, e) {
			continue
		}
		if e.Kind == traces.Retry {
			wake[k] = e.T + max(e.Delay, 0) + over
			continue
		}
		start := s.issue + over
		if e.Attempt > 1 {
			if w, ok := wake[k]; ok {
				start = w
			}
		} else {
			f.inputs = append(f.inputs, foldInput{t: s.issue, idx: i, phase: 0, w: k, kind: breaker.Consulted})
		}
		start = min(start, e.T)
		f.inputs = append(f.inputs, foldInput{t: start, idx: i, phase: 1, w: k, kind: breaker.Requested, call: i})
		if e.Outcome != traces.Rejected {
			kind := breaker.Succeeded
			if e.Outcome != traces.OK {
				kind = breaker.Failed
			}
			f.inputs = append(f.inputs, foldInput{t: e.T, idx: i, phase: 2, w: k, kind: kind, call: i})
		}
	}
	// The engine fed these in time order; at one instant, in the order the
	// attempts' call events were recorded.
	sort.SliceStable(f.inputs, func(a, b int) bool {
		x, y := &f.inputs[a], &f.inputs[b]
		if x.t != y.t {
			return x.t < y.t
		}
		if x.idx != y.idx {
			return x.idx < y.idx
		}
		return x.phase < y.phase
	})
	return f
}

// outer reports whether e belongs to the step's outermost runner, the one
// with the breaker: inner runners' calls and retries name their operation.
func (f *fold) outer(s *foldStep, e *traces.Event) bool {
	if e.Kind == traces.Call {
		return e.Operation == ""
	}
	return e.Operation == s.operation
}

// describe fills what the scenario and spec say about step k: its outer
// operation and the breaker it goes through.
func (f *fold) describe(k who, s *foldStep) {
	st := f.stepDef(k)
	if st == nil {
		return
	}
	switch st.Op {
	case Invoke:
		r := f.setup.Spec.App(st.Target, st.Target+":"+expand(st.Method, k.iteration, k.worker))
		s.operation = r.Operation
		if r.Breaker != nil {
			s.breakerName = r.Breaker.Name
		}
	case Actor:
		a := f.setup.Spec.Actor(st.Target, expand(st.ActorID, k.iteration, k.worker))
		s.operation = a.Operation
		if a.PreLock.Breaker != nil {
			s.breakerName = a.PreLock.Breaker.Name
		}
	default:
		r := f.setup.Spec.StateStoreOutbound(st.Target)
		s.operation = r.Operation
		if r.Breaker != nil {
			s.breakerName = r.Breaker.Name
		}
	}
}

func (f *fold) stepDef(k who) *Step {
	for i := range f.setup.Scenario.Apps {
		a := &f.setup.Scenario.Apps[i]
		if a.ID == k.app && k.step >= 1 && k.step <= len(a.Steps) {
			return &a.Steps[k.step-1]
		}
	}
	return nil
}

// breakers holds the instances the way the engine does: components by
// breaker key, apps and actors in one LRU cache per app or actor type.
type foldBreakers struct {
	components map[string]*breakerInst
	apps       map[string]*breakerLRU
	actors     map[string]*breakerLRU
	all        []*breakerInst // in order of creation
}

func (b *foldBreakers) lookup(setup *Setup, k who) *breakerInst {
	var st *Step
	for i := range setup.Scenario.Apps {
		a := &setup.Scenario.Apps[i]
		if a.ID == k.app && k.step >= 1 && k.step <= len(a.Steps) {
			st = &a.Steps[k.step-1]
		}
	}
	if st == nil {
		return nil
	}
	var inst *breakerInst
	switch st.Op {
	case Invoke:
		endpoint := st.Target + ":" + expand(st.Method, k.iteration, k.worker)
		r := setup.Spec.App(st.Target, endpoint)
		if r.Breaker == nil {
			return nil
		}
		c, ok := b.apps[st.Target]
		if !ok {
			c = newBreakerLRU(r.CacheSize)
			b.apps[st.Target] = c
		}
		inst = c.get(endpoint, *r.Breaker)
	case Actor:
		a := setup.Spec.Actor(st.Target, expand(st.ActorID, k.iteration, k.worker))
		if a.PreLock.Breaker == nil {
			return nil
		}
		c, ok := b.actors[st.Target]
		if !ok {
			c = newBreakerLRU(a.CacheSize)
			b.actors[st.Target] = c
		}
		inst = c.get(a.PreLock.BreakerKey, *a.PreLock.Breaker)
	default:
		r := setup.Spec.StateStoreOutbound(st.Target)
		if r.Breaker == nil {
			return nil
		}
		var ok bool
		if inst, ok = b.components[r.BreakerKey]; !ok {
			inst = &breakerInst{settings: r.Breaker.Resolve()}
			b.components[r.BreakerKey] = inst
		}
	}
	known := false
	for _, x := range b.all {
		known = known || x == inst
	}
	if !known {
		b.all = append(b.all, inst)
	}
	return inst
}

func (f *fold) snapshot(at time.Duration) *traces.Snapshot {
	snap := &traces.Snapshot{At: at, Total: len(f.events)}
	for i := range f.events {
		if f.events[i].T > at {
			break
		}
		snap.Folded, snap.Last = i+1, f.events[i].T
	}
	bs := &foldBreakers{components: map[string]*breakerInst{}, apps: map[string]*breakerLRU{}, actors: map[string]*breakerLRU{}}
	inst := map[who]*breakerInst{}
	gen := map[int]uint64{} // call index → generation it was admitted in
	type change struct {
		t        time.Duration
		name     string
		from, to string
	}
	var computed []change
	var effects []breaker.Effect
	for _, in := range f.inputs {
		if in.t > at {
			break
		}
		if in.kind == breaker.Consulted {
			b := bs.lookup(f.setup, in.w)
			inst[in.w] = b
			if b == nil {
				continue
			}
			b.ensure(in.t)
			if !f.setup.Profile.BreakerReadOnResolve {
				continue
			}
		}
		b := inst[in.w]
		if b == nil {
			continue
		}
		ev := breaker.Event{Kind: in.kind, Now: in.t, Generation: gen[in.call]}
		var err error
		b.state, effects, err = breaker.Step(b.state, &b.settings, ev, effects[:0])
		if err != nil {
			snap.Notes = append(snap.Notes, fmt.Sprintf("the breaker machine refused %s at %s (event #%d): %v", in.kind, in.t, in.call+1, err))
			continue
		}
		for _, ef := range effects {
			switch ef.Kind {
			case breaker.Admitted:
				gen[in.call] = ef.Generation
			case breaker.Changed:
				computed = append(computed, change{in.t, b.settings.Name, ef.From.String(), ef.To.String()})
			}
		}
	}
	// Check the machine against the recorded transitions.
	var recorded []change
	for i := 0; i < snap.Folded; i++ {
		if e := &f.events[i]; e.Kind == traces.Breaker {
			recorded = append(recorded, change{e.T, e.Name, e.From, e.To})
		}
	}
	for i := 0; i < max(len(recorded), len(computed)); i++ {
		switch {
		case i >= len(recorded):
			c := computed[i]
			snap.Notes = append(snap.Notes, fmt.Sprintf("the breaker machine moves %s from %s to %s at %s, which the trace does not record", c.name, c.from, c.to, c.t))
		case i >= len(computed) || recorded[i] != computed[i]:
			r := recorded[i]
			snap.Notes = append(snap.Notes, fmt.Sprintf("the trace records %s changing from %s to %s at %s, which the breaker machine does not reproduce: counts from here on may be off", r.name, r.from, r.to, r.t))
		}
		if len(snap.Notes) > 0 {
			break
		}
	}
	snap.Breakers = breakerStates(bs.all)
	snap.Requests = f.inFlight(at)
	snap.Targets = f.targets(at)
	return snap
}

func (f *fold) inFlight(at time.Duration) []traces.RequestState {
	over := f.setup.Scenario.Overhead
	var out []traces.RequestState
	for _, k := range f.order {
		s := f.steps[k]
		if s.issue > at || (s.ended && s.end <= at) || (!s.issueKnown && f.events[s.first].T > at) {
			continue
		}
		r := traces.RequestState{App: k.app, Worker: k.worker, Iteration: k.iteration, Step: k.step,
			Op: s.op, Target: s.target, Breaker: s.breakerName, Issued: s.issue, IssuedKnown: s.issueKnown}
		attempt, failed, wake, retried := 0, time.Duration(0), time.Duration(0), false
		var inner *traces.Event
		for i := s.first; i < len(f.events) && f.events[i].T <= at; i++ {
			e := &f.events[i]
			if (e.Kind != traces.Call && e.Kind != traces.Retry) || whoOf(e) != k {
				continue
			}
			if !f.outer(s, e) {
				inner = e
				continue
			}
			if e.Kind == traces.Call {
				attempt, retried = e.Attempt, false
				inner = nil
			} else {
				failed, wake, retried = e.T, e.T+max(e.Delay, 0)+over, true
			}
		}
		r = requestState(r, s.issue, over, at, attempt, failed, wake, retried, inner)
		out = append(out, r)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.App != b.App {
			return a.App < b.App
		}
		return a.Worker < b.Worker
	})
	return out
}

// requestState fills where a request in flight at at stands, from what the
// scan of its call and retry events up to at found: the last outer attempt
// that ended, whether a retry of it is waiting (until wake), and the last
// inner runner's event after it.
func requestState(r traces.RequestState, issue, over, at time.Duration, attempt int, failed, wake time.Duration, retried bool, inner *traces.Event) traces.RequestState {
	switch {
	case attempt == 0 && at < issue+over:
		r.Attempt, r.Phase, r.Until = 1, traces.Issued, issue+over
	case attempt == 0:
		r.Attempt, r.Phase, r.Since = 1, traces.Answering, issue+over
	case retried && at < wake:
		r.Attempt, r.Phase, r.Since, r.Until = attempt+1, traces.Backoff, failed, wake
	case retried:
		r.Attempt, r.Phase, r.Since = attempt+1, traces.Answering, wake
	default:
		r.Attempt, r.Phase, r.Since = attempt, traces.Answering, failed
	}
	if inner != nil && inner.T >= r.Since {
		if inner.Kind == traces.Retry {
			w := inner.T + max(inner.Delay, 0) + over
			if at < w {
				r.Inner = fmt.Sprintf("%s attempt %d failed %s, attempt %d at %s", inner.Operation, inner.Attempt, inner.T, inner.Attempt+1, w)
			} else {
				r.Inner = fmt.Sprintf("%s attempt %d started %s", inner.Operation, inner.Attempt+1, w)
			}
		} else {
			r.Inner = fmt.Sprintf("%s attempt %d ended %s (%s)", inner.Operation, inner.Attempt, inner.T, inner.Outcome)
		}
	}
	return r
}

func (f *fold) targets(at time.Duration) []traces.TargetState {
	t := newTargetFold(f.setup)
	for i := range f.events {
		e := &f.events[i]
		if e.T > at {
			break
		}
		t.add(e)
	}
	return t.out
}

// targetFold folds fault events into the stores' and called apps' states.
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

// add folds e, the next event at or before the instant.
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

// breakerStates describes breaker instances for a snapshot, sorted by name.
func breakerStates(all []*breakerInst) []traces.BreakerState {
	var out []traces.BreakerState
	for _, b := range all {
		s := b.state
		out = append(out, traces.BreakerState{
			Name: b.settings.Name, State: s.State.String(), Generation: s.Generation,
			Requests:       s.Counts.Requests,
			TotalSuccesses: s.Counts.TotalSuccesses, ConsecutiveSuccesses: s.Counts.ConsecutiveSuccesses,
			TotalFailures: s.Counts.TotalFailures, ConsecutiveFailures: s.Counts.ConsecutiveFailures,
			Expiry: s.Expiry, Expires: s.Expires,
		})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
