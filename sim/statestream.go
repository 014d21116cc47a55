package sim

import (
	"container/heap"
	"fmt"
	"iter"
	"sort"
	"time"

	"github.com/dapr-sim/sim/policies/breaker"
	"github.com/dapr-sim/sim/traces"
)

// StateAtStream is StateAt over a trace read as a stream, in two passes
// (open is called twice and must yield the same events each time), holding
// only what is live at any one point — the steps in flight, the breaker
// inputs not yet due — instead of every event. The snapshot is StateAt's.
//
// The first pass checks the events are in the shape a run writes them
// (virtual times never going back; each worker's steps one after another,
// each ending with its op event) and measures how long before its first
// event a step was issued at most. That bound lets the second pass feed the
// breaker inputs in time order as it goes. A trace not in that shape (a
// tampered one) is folded by StateAt from the events held in memory.
//
// A problem reading the trace is returned as it is, before anything is
// folded.
func StateAtStream(setup *Setup, open func() (iter.Seq2[traces.Event, error], error), at time.Duration) (*traces.Snapshot, error) {
	events, err := open()
	if err != nil {
		return nil, err
	}
	lag, ok, err := scanTrace(events)
	if err != nil {
		return nil, err
	}
	ok = ok && setup.Scenario.Overhead >= 0
	if events, err = open(); err != nil {
		return nil, err
	}
	if !ok {
		var all []traces.Event
		for e, err := range events {
			if err != nil {
				return nil, err
			}
			all = append(all, e)
		}
		return StateAt(setup, all, at), nil
	}
	f := newStreamFold(setup, at, lag)
	for e, err := range events {
		if err != nil {
			return nil, err
		}
		f.add(&e)
	}
	return f.finish(), nil
}

func isStepEvent(k traces.Kind) bool {
	switch k {
	case traces.Call, traces.Op, traces.Retry, traces.Recovered, traces.Timeout:
		return true
	}
	return false
}

// scanTrace is the first pass: whether the events are in a run's shape,
// and the longest time from a step's issue to its first event.
func scanTrace(events iter.Seq2[traces.Event, error]) (lag time.Duration, ok bool, err error) {
	type workerKey struct {
		app    string
		worker int
	}
	type current struct {
		iteration, step int
		first           time.Duration
		closed          bool
	}
	cur := map[workerKey]*current{}
	ok = true
	last := time.Duration(0)
	n := 0
	for e, err := range events {
		if err != nil {
			return 0, false, err
		}
		if n > 0 && e.T < last {
			ok = false
		}
		n++
		last = e.T
		if !ok || !isStepEvent(e.Kind) {
			continue
		}
		wk := workerKey{e.App, e.Worker}
		c := cur[wk]
		switch {
		case c == nil:
			c = &current{iteration: e.Iteration, step: e.Step, first: e.T}
			cur[wk] = c
		case e.Iteration < c.iteration || e.Iteration == c.iteration && e.Step < c.step:
			ok = false
		case e.Iteration == c.iteration && e.Step == c.step:
			ok = !c.closed
		default:
			*c = current{iteration: e.Iteration, step: e.Step, first: e.T}
		}
		if ok && e.Kind == traces.Op {
			c.closed = true
			lag = max(lag, c.first-(e.T-e.Took))
		}
	}
	return lag, ok, nil
}

// streamStep is one step of one worker while the second pass needs it.
type streamStep struct {
	foldStep
	k      who
	firstT time.Duration
	// pending are the inputs that wait for the step's issue instant (its op
	// event's t − took, or its first event's t when it never ends).
	pending []*streamInput
	wake    time.Duration // start of the next outer attempt, after a retry
	hasWake bool
	inst    *breakerInst
	// What StateAt's in-flight scan reads: the step's call and retry
	// events up to the instant.
	attempt        int
	failed, wakeAt time.Duration
	retried        bool
	inner          traces.Event
	hasInner       bool
}

type streamInput struct {
	foldInput
	s     *streamStep
	needs bool          // t waits for the issue: phase 0 (t = issue) or 1 (t = min(issue+overhead, callT))
	callT time.Duration // the call event's t, for phase 1
}

type inputHeap []*streamInput

func (h inputHeap) Len() int { return len(h) }
func (h inputHeap) Less(a, b int) bool {
	x, y := h[a], h[b]
	if x.t != y.t {
		return x.t < y.t
	}
	if x.idx != y.idx {
		return x.idx < y.idx
	}
	return x.phase < y.phase
}
func (h inputHeap) Swap(a, b int) { h[a], h[b] = h[b], h[a] }
func (h *inputHeap) Push(x any)   { *h = append(*h, x.(*streamInput)) }
func (h *inputHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return x
}

type breakerChange struct {
	t        time.Duration
	name     string
	from, to string
}

type streamFold struct {
	setup *Setup
	at    time.Duration
	lag   time.Duration
	over  time.Duration
	snap  *traces.Snapshot

	n        int  // events read
	inPrefix bool // every event so far is at or before at
	now      time.Duration

	steps  map[who]*streamStep // open steps and the ones in flight at at
	open   []*streamStep       // open steps in order of their first event
	flying []*streamStep       // ended after at, issued at or before it

	inputs  inputHeap
	bs      *foldBreakers
	gen     map[int]uint64
	effects []breaker.Effect
	done    bool // an input after at was reached: the machine is where at leaves it
	refused bool

	// The machine's transitions checked against the recorded ones as both
	// come: unmatched ones wait in the queues; the first of each is kept
	// for the one-pair check StateAt makes after a refused input.
	recorded, computed   []breakerChange
	first                [2]*breakerChange
	nRecorded, nComputed int
	mismatch             string

	targets *targetFold
}

func newStreamFold(setup *Setup, at, lag time.Duration) *streamFold {
	return &streamFold{
		setup: setup, at: at, lag: lag, over: setup.Scenario.Overhead,
		snap:     &traces.Snapshot{At: at},
		inPrefix: true,
		steps:    map[who]*streamStep{},
		bs:       &foldBreakers{components: map[string]*breakerInst{}, apps: map[string]*breakerLRU{}, actors: map[string]*breakerLRU{}},
		gen:      map[int]uint64{},
		targets:  newTargetFold(setup),
	}
}

func (f *streamFold) add(e *traces.Event) {
	i := f.n
	f.n++
	f.now = e.T
	if f.inPrefix && e.T > f.at {
		f.inPrefix = false
	}
	if f.inPrefix {
		f.snap.Folded, f.snap.Last = i+1, e.T
		switch e.Kind {
		case traces.Breaker:
			f.record(breakerChange{e.T, e.Name, e.From, e.To})
		case traces.Fault:
			f.targets.add(e)
		}
	}
	if isStepEvent(e.Kind) {
		f.step(i, e)
	}
	f.release(false)
}

func (f *streamFold) step(i int, e *traces.Event) {
	k := whoOf(e)
	s, ok := f.steps[k]
	if !ok {
		s = &streamStep{foldStep: foldStep{first: i, issue: e.T, op: e.Op, target: e.Target}, k: k, firstT: e.T}
		(&fold{setup: f.setup}).describe(k, &s.foldStep)
		f.steps[k] = s
		f.open = append(f.open, s)
	}
	if f.inPrefix && (e.Kind == traces.Call || e.Kind == traces.Retry) {
		f.scanInFlight(s, e)
	}
	if e.Kind == traces.Call || e.Kind == traces.Retry {
		f.breakerInputs(i, s, e)
	}
	if e.Kind == traces.Op {
		s.issue, s.issueKnown = e.T-e.Took, true
		s.end, s.ended = e.T, true
		f.close(s)
	}
}

// scanInFlight is StateAt's in-flight scan, one event of the step at a time.
func (f *streamFold) scanInFlight(s *streamStep, e *traces.Event) {
	fs := &fold{}
	if !fs.outer(&s.foldStep, e) {
		s.inner, s.hasInner = *e, true
		return
	}
	if e.Kind == traces.Call {
		s.attempt, s.retried = e.Attempt, false
		s.hasInner = false
	} else {
		s.failed, s.wakeAt, s.retried = e.T, e.T+max(e.Delay, 0)+f.over, true
	}
}

// breakerInputs is StateAt's second pass for one event.
func (f *streamFold) breakerInputs(i int, s *streamStep, e *traces.Event) {
	if !(&fold{}).outer(&s.foldStep, e) {
		return
	}
	if e.Kind == traces.Retry {
		s.wake, s.hasWake = e.T+max(e.Delay, 0)+f.over, true
		return
	}
	add := func(in *streamInput) {
		if in.needs {
			s.pending = append(s.pending, in)
		} else {
			heap.Push(&f.inputs, in)
		}
	}
	if e.Attempt > 1 && s.hasWake {
		add(&streamInput{foldInput: foldInput{t: min(s.wake, e.T), idx: i, phase: 1, w: s.k, kind: breaker.Requested, call: i}, s: s})
	} else {
		if e.Attempt <= 1 {
			add(&streamInput{foldInput: foldInput{idx: i, phase: 0, w: s.k, kind: breaker.Consulted}, s: s, needs: true})
		}
		add(&streamInput{foldInput: foldInput{idx: i, phase: 1, w: s.k, kind: breaker.Requested, call: i}, s: s, needs: true, callT: e.T})
	}
	if e.Outcome != traces.Rejected {
		kind := breaker.Succeeded
		if e.Outcome != traces.OK {
			kind = breaker.Failed
		}
		add(&streamInput{foldInput: foldInput{t: e.T, idx: i, phase: 2, w: s.k, kind: kind, call: i}, s: s})
	}
}

// close settles a step whose issue instant is now final: its pending
// inputs get their instants, and it is kept only when in flight at at.
func (f *streamFold) close(s *streamStep) {
	for _, in := range s.pending {
		if in.phase == 0 {
			in.t = s.issue
		} else {
			in.t = min(s.issue+f.over, in.callT)
		}
		heap.Push(&f.inputs, in)
	}
	s.pending = nil
	if s.ended {
		delete(f.steps, s.k)
		if s.issue <= f.at && s.end > f.at {
			f.flying = append(f.flying, s)
		}
	}
}

// release feeds the machine every input no later event can precede: a
// later input belongs to a step whose first event is at or after the
// oldest open step's (or the last event read) and lies at most lag before
// it. At the end (all) every input goes.
func (f *streamFold) release(all bool) {
	for len(f.open) > 0 && f.open[0].ended {
		f.open[0] = nil
		f.open = f.open[1:]
	}
	mark := f.now
	if len(f.open) > 0 {
		mark = min(mark, f.open[0].firstT)
	}
	mark -= f.lag
	for len(f.inputs) > 0 && (all || f.inputs[0].t < mark) {
		in := heap.Pop(&f.inputs).(*streamInput)
		f.feed(in)
	}
}

func (f *streamFold) feed(in *streamInput) {
	if f.done || in.t > f.at {
		f.done = true
		return
	}
	if in.kind == breaker.Consulted {
		b := f.bs.lookup(f.setup, in.w)
		in.s.inst = b
		if b == nil {
			return
		}
		b.ensure(in.t)
		if !f.setup.Profile.BreakerReadOnResolve {
			return
		}
	}
	b := in.s.inst
	if b == nil {
		return
	}
	// As StateAt: an issue input reads the generation of event #1's call.
	ev := breaker.Event{Kind: in.kind, Now: in.t, Generation: f.gen[in.call]}
	if in.phase == 2 && in.call != 0 {
		delete(f.gen, in.call)
	}
	var err error
	b.state, f.effects, err = breaker.Step(b.state, &b.settings, ev, f.effects[:0])
	if err != nil {
		f.snap.Notes = append(f.snap.Notes, fmt.Sprintf("the breaker machine refused %s at %s (event #%d): %v", in.kind, in.t, in.call+1, err))
		f.refused = true
		return
	}
	for _, ef := range f.effects {
		switch ef.Kind {
		case breaker.Admitted:
			f.gen[in.call] = ef.Generation
		case breaker.Changed:
			f.compute(breakerChange{in.t, b.settings.Name, ef.From.String(), ef.To.String()})
		}
	}
}

func (f *streamFold) record(c breakerChange) {
	if f.nRecorded == 0 {
		f.first[0] = &c
	}
	f.nRecorded++
	f.recorded = append(f.recorded, c)
	f.match()
}

func (f *streamFold) compute(c breakerChange) {
	if f.nComputed == 0 {
		f.first[1] = &c
	}
	f.nComputed++
	f.computed = append(f.computed, c)
	f.match()
}

// match pairs recorded and computed transitions in order, noting the first
// pair that differs.
func (f *streamFold) match() {
	for len(f.recorded) > 0 && len(f.computed) > 0 {
		r, c := f.recorded[0], f.computed[0]
		if r != c && f.mismatch == "" {
			f.mismatch = recordedNote(r)
		}
		f.recorded, f.computed = f.recorded[1:], f.computed[1:]
	}
}

func recordedNote(r breakerChange) string {
	return fmt.Sprintf("the trace records %s changing from %s to %s at %s, which the breaker machine does not reproduce: counts from here on may be off", r.name, r.from, r.to, r.t)
}

func computedNote(c breakerChange) string {
	return fmt.Sprintf("the breaker machine moves %s from %s to %s at %s, which the trace does not record", c.name, c.from, c.to, c.t)
}

func (f *streamFold) finish() *traces.Snapshot {
	// Steps that never ended: issued (as far as the trace tells) at their
	// first event.
	for _, s := range f.open {
		if !s.ended {
			f.close(s)
			if s.firstT <= f.at {
				f.flying = append(f.flying, s)
			}
		}
	}
	f.open = nil
	f.release(true)
	snap := f.snap
	snap.Total = f.n
	// StateAt's check of the machine against the recorded transitions: the
	// first pair that differs, else the first one left over; only the
	// first pair when the machine refused an input.
	switch {
	case f.refused:
		switch {
		case f.nRecorded == 0 && f.nComputed == 0:
		case f.nRecorded == 0:
			snap.Notes = append(snap.Notes, computedNote(*f.first[1]))
		case f.nComputed == 0 || *f.first[0] != *f.first[1]:
			snap.Notes = append(snap.Notes, recordedNote(*f.first[0]))
		}
	case f.mismatch != "":
		snap.Notes = append(snap.Notes, f.mismatch)
	case len(f.computed) > 0:
		snap.Notes = append(snap.Notes, computedNote(f.computed[0]))
	case len(f.recorded) > 0:
		snap.Notes = append(snap.Notes, recordedNote(f.recorded[0]))
	}
	snap.Breakers = breakerStates(f.bs.all)
	snap.Requests = f.inFlight()
	snap.Targets = f.targets.out
	return snap
}

func (f *streamFold) inFlight() []traces.RequestState {
	sort.Slice(f.flying, func(i, j int) bool { return f.flying[i].first < f.flying[j].first })
	var out []traces.RequestState
	for _, s := range f.flying {
		k := s.k
		r := traces.RequestState{App: k.app, Worker: k.worker, Iteration: k.iteration, Step: k.step,
			Op: s.op, Target: s.target, Breaker: s.breakerName, Issued: s.issue, IssuedKnown: s.issueKnown}
		var inner *traces.Event
		if s.hasInner {
			inner = &s.inner
		}
		r = requestState(r, s.issue, f.over, f.at, s.attempt, s.failed, s.wakeAt, s.retried, inner)
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
