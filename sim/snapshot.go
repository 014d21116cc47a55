package sim

import (
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/dapr-sim/sim/policies/breaker"
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
			App: e.sidecarOf(b), Name: b.settings.Name, State: s.State.String(), Generation: s.Generation,
			Requests:       s.Counts.Requests,
			TotalSuccesses: s.Counts.TotalSuccesses, ConsecutiveSuccesses: s.Counts.ConsecutiveSuccesses,
			TotalFailures: s.Counts.TotalFailures, ConsecutiveFailures: s.Counts.ConsecutiveFailures,
			Expiry: s.Expiry, Expires: s.Expires,
		})
	}
	sort.SliceStable(snap.Breakers, func(i, j int) bool { return snap.Breakers[i].Label() < snap.Breakers[j].Label() })
	for _, w := range e.workers {
		v := &w.view
		if !v.active || w.c != nil || w.tg != nil {
			// Deliveries are shown with their consumer or binding
			// (messages, below): their ends are deliver events, not op
			// events, and what they carry is a message, not a step.
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
	e.snapMessages(snap)
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

// snapMessages adds the consumers' and input bindings' state to snap: the
// deliveries their workers have in hand and where each runner stands,
// each consumer's queue and what its blocked loops hold, and when each
// topic's reclaim loop ticks next.
func (e *Engine) snapMessages(snap *traces.Snapshot) {
	for _, c := range e.consumers {
		cs := traces.ConsumerState{App: c.sidecar, Pubsub: c.pubsub, Workers: int(c.ps.Concurrency), QueueDepth: int(c.ps.QueueDepth)}
		for _, m := range c.queue {
			cs.Queue = append(cs.Queue, traces.QueuedMessage{Topic: c.topics[m.topic].sub.Topic, Message: m.entry, Delivery: m.deliveries})
		}
		for _, ts := range c.topics {
			for _, m := range ts.pollHand {
				cs.Queue = append(cs.Queue, traces.QueuedMessage{Topic: ts.sub.Topic, Message: m.entry, Delivery: m.deliveries, HeldBy: "read loop"})
			}
			for _, m := range ts.claimHand {
				cs.Queue = append(cs.Queue, traces.QueuedMessage{Topic: ts.sub.Topic, Message: m.entry, Delivery: m.deliveries, HeldBy: "reclaim pass"})
			}
			loop := traces.TopicLoop{Topic: ts.sub.Topic, Claiming: ts.claiming && len(ts.claimHand) > 0}
			if c.ps.ProcessingTimeout > 0 && c.ps.RedeliverInterval > 0 && ts.nextClaim > e.live.at && ts.nextClaim <= e.sc.Duration {
				loop.NextReclaim, loop.HasNext = ts.nextClaim, true
			}
			cs.Topics = append(cs.Topics, loop)
		}
		snap.Consumers = append(snap.Consumers, cs)
	}
	for _, w := range e.workers {
		if !w.view.active {
			continue
		}
		switch {
		case w.c != nil && w.dv != nil:
			dv := w.dv
			cs := &snap.Consumers[w.ci]
			d := traces.DeliveryState{Worker: w.index, Iteration: w.iteration, Topic: dv.c.topics[dv.topic].sub.Topic,
				Message: dv.entry, EventID: dv.eventID, Route: dv.route, Delivery: dv.deliveries, Started: dv.started,
				Progress: e.progress(w)}
			if dv.deadLetter {
				d.DeadLetter = dv.c.topics[dv.topic].sub.DeadLetterTopic
			}
			cs.Deliveries = append(cs.Deliveries, d)
		case w.tg != nil:
			snap.Triggers = append(snap.Triggers, traces.TriggerState{App: w.app.ID, Binding: w.tg.t.Binding, Worker: w.index,
				Fire: w.tgFire, Route: w.app.Steps[0].Method, Started: w.tgStart, Progress: e.progress(w)})
		}
	}
	for i := range snap.Consumers {
		ds := snap.Consumers[i].Deliveries
		sort.SliceStable(ds, func(a, b int) bool { return ds[a].Worker < ds[b].Worker })
	}
	sort.SliceStable(snap.Consumers, func(i, j int) bool {
		a, b := snap.Consumers[i], snap.Consumers[j]
		if a.App != b.App {
			return a.App < b.App
		}
		return a.Pubsub < b.Pubsub
	})
	sort.SliceStable(snap.Triggers, func(i, j int) bool {
		a, b := snap.Triggers[i], snap.Triggers[j]
		if a.App != b.App {
			return a.App < b.App
		}
		if a.Binding != b.Binding {
			return a.Binding < b.Binding
		}
		return a.Worker < b.Worker
	})
}

// progress is where worker w's runner stands, with its breaker's state
// when that is open: the next attempt's fate depends on it.
func (e *Engine) progress(w *worker) traces.Progress {
	v := &w.view
	p := traces.Progress{Attempt: v.attempt, Phase: v.phase, Since: v.since, Until: v.until}
	if w.pl == nil || len(w.pl.layers) == 0 {
		return p
	}
	if b := w.pl.layers[0].breaker; b != nil {
		p.Breaker = b.settings.Name
		if b.state.State == breaker.Open {
			p.Open, p.OpenUntil = true, b.state.Expiry
		}
	}
	return p
}

// Unfinished lists the steps in flight when the run ended, each with the
// instant of its first recorded event (see Settle).
func (e *Engine) Unfinished() []UnfinishedStep {
	var out []UnfinishedStep
	for _, w := range e.workers {
		if w.view.active && w.c == nil && w.tg == nil {
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
	s := NewSnapshotter(setup)
	defer s.Close()
	out := make([]*traces.Snapshot, len(instants))
	for i, at := range instants {
		out[i] = s.Take(at)
	}
	for i := range events {
		s.Record(&events[i])
	}
	s.Finish(func(sink traces.Sink) error {
		for i := range events {
			if err := sink.Record(&events[i]); err != nil {
				return err
			}
		}
		return nil
	})
	return out
}

// Snapshotter replays a run once, taking the engine's snapshot at each
// instant asked for (Take, in ascending order), while the run's recorded
// events stream past (Record, in the trace's order, before, between or
// after the takes), so that neither the run nor the trace is held: Finish
// then words the snapshots against the recorded events, their count and
// the steps they never end (Settle), as Snapshots does with all of them at
// hand.
//
// What a step's wording needs from the recorded events is its first event
// and whether an op event ends it. A step a snapshot shows is followed from
// its take on; for what streamed past before, the Snapshotter keeps the
// steps begun and not yet ended (a worker's steps run one after another,
// so these are few) and, per worker, the latest step ended. A step shown
// that is neither, but at or before its worker's latest ended step, was
// ended or begun out of order — a trace not of this run — and Finish reads
// the events again to word it (again).
type Snapshotter struct {
	eng   *Engine
	snaps []*traces.Snapshot
	total int
	open  map[stepKey]time.Duration // begun and not ended: the first event's instant
	ended map[workerKey]stepPos     // per worker, the latest step an op event ended
	watch map[stepKey]*stepSeen     // the steps the snapshots show
	again bool                      // a shown step's past is not known: read the events again
}

type workerKey struct {
	app    string
	worker int
}

type stepPos struct{ iteration, step int }

func (p stepPos) after(q stepPos) bool {
	return p.iteration > q.iteration || p.iteration == q.iteration && p.step > q.step
}

type stepKey struct {
	workerKey
	stepPos
}

type stepSeen struct {
	UnfinishedStep
	ended bool
}

// NewSnapshotter starts the replay of setup's run. Close it when done.
func NewSnapshotter(setup *Setup) *Snapshotter {
	return &Snapshotter{
		eng:   NewEngine(setup, discard{}, Options{}),
		open:  map[stepKey]time.Duration{},
		ended: map[workerKey]stepPos{},
		watch: map[stepKey]*stepSeen{},
	}
}

// Close releases the replay's engine.
func (s *Snapshotter) Close() { s.eng.Close() }

// Take replays the run to at and returns the engine's snapshot then; Finish
// completes its wording.
func (s *Snapshotter) Take(at time.Duration) *traces.Snapshot {
	s.eng.RunUntil(at) // an error stops the run here, as it stopped the recorded one
	snap := s.eng.Snapshot()
	for _, r := range snap.Requests {
		k := stepKey{workerKey{r.App, r.Worker}, stepPos{r.Iteration, r.Step}}
		if s.watch[k] != nil {
			continue
		}
		w := &stepSeen{UnfinishedStep: UnfinishedStep{App: r.App, Worker: r.Worker, Iteration: r.Iteration, Step: r.Step}}
		if t, ok := s.open[k]; ok {
			w.First, w.HasFirst = t, true
		} else if last, ok := s.ended[k.workerKey]; ok && !k.stepPos.after(last) {
			s.again = true
		}
		s.watch[k] = w
	}
	s.snaps = append(s.snaps, snap)
	return snap
}

// Breakers names, in name order, the breaker instances the run lists by
// end: those of Take(end), without replaying the rest of the run when no
// step can list a new one (breakersSettled).
func (s *Snapshotter) Breakers(end time.Duration) []string {
	if !s.eng.breakersSettled() {
		s.eng.RunUntil(end) // an error stops the run here, as it stopped the recorded one
	}
	// In Take's order: by name, after the sidecar's app id when the run
	// has several.
	live := slices.Clone(s.eng.live.breakers)
	label := func(b *breakerInst) string {
		return traces.BreakerState{App: s.eng.sidecarOf(b), Name: b.settings.Name}.Label()
	}
	sort.SliceStable(live, func(i, j int) bool { return label(live[i]) < label(live[j]) })
	names := make([]string, len(live))
	for i, b := range live {
		names[i] = b.settings.Name
	}
	return names
}

// breakersSettled reports whether the rest of the run can list no breaker
// instance the live view does not hold yet: every step goes to a store,
// whose pipeline (and breaker) is built once, and each such breaker is
// listed. Actor and invocation steps take theirs from LRU caches that make
// new instances as the run goes.
func (e *Engine) breakersSettled() bool {
	for _, w := range e.workers {
		for i := range w.app.Steps {
			if op := w.app.Steps[i].Op; op == Actor || op == Invoke {
				return false
			}
			pl := w.steps[i].pl
			if pl == nil && w.c != nil {
				continue // a subscription without a dead-letter topic
			}
			if pl == nil || len(pl.layers) == 0 {
				return false
			}
			if b := pl.layers[0].breaker; b != nil && !b.listed {
				return false
			}
		}
	}
	return true
}

// Record notes the run's next recorded event (a traces.Sink).
func (s *Snapshotter) Record(e *traces.Event) error {
	s.total++
	if !stepEvent(e.Kind) {
		return nil
	}
	k := stepKey{workerKey{e.App, e.Worker}, stepPos{e.Iteration, e.Step}}
	s.watched(k, e)
	if _, ok := s.open[k]; ok {
		if e.Kind == traces.Op {
			delete(s.open, k)
			if last, ok := s.ended[k.workerKey]; !ok || k.stepPos.after(last) {
				s.ended[k.workerKey] = k.stepPos
			}
		}
		return nil
	}
	if last, ok := s.ended[k.workerKey]; ok && !k.stepPos.after(last) {
		// Ended already, or begun out of order: which, only a step shown
		// later needs to know (Take).
		return nil
	}
	if e.Kind == traces.Op {
		s.ended[k.workerKey] = k.stepPos
	} else {
		s.open[k] = e.T
	}
	return nil
}

// watched follows a step a snapshot shows.
func (s *Snapshotter) watched(k stepKey, e *traces.Event) {
	w := s.watch[k]
	if w == nil {
		return
	}
	if !w.HasFirst {
		w.First, w.HasFirst = e.T, true
	}
	w.ended = w.ended || e.Kind == traces.Op
}

// stepEvent reports whether an event of kind k belongs to a step.
func stepEvent(k traces.Kind) bool {
	switch k {
	case traces.Call, traces.Op, traces.Retry, traces.Recovered, traces.Timeout:
		return true
	}
	return false
}

// Finish words the snapshots taken against the events recorded: their
// count, and the steps they never end (Settle). again, called only when the
// events streamed past do not tell (see Snapshotter), records the run's
// events once more into the sink it is handed.
func (s *Snapshotter) Finish(again func(traces.Sink) error) error {
	if s.again {
		for _, w := range s.watch {
			w.First, w.HasFirst, w.ended = 0, false, false
		}
		if err := again(sinkFunc(func(e *traces.Event) {
			if stepEvent(e.Kind) {
				s.watched(stepKey{workerKey{e.App, e.Worker}, stepPos{e.Iteration, e.Step}}, e)
			}
		})); err != nil {
			return err
		}
	}
	var unfinished []UnfinishedStep
	for _, w := range s.watch {
		if !w.ended {
			unfinished = append(unfinished, w.UnfinishedStep)
		}
	}
	for _, snap := range s.snaps {
		snap.Total = s.total
		Settle(snap, unfinished)
	}
	return nil
}

// sinkFunc is a Sink that hands each event to a function.
type sinkFunc func(*traces.Event)

func (f sinkFunc) Record(e *traces.Event) error { f(e); return nil }

// discard is a Sink that keeps nothing.
type discard struct{}

func (discard) Record(*traces.Event) error { return nil }

// StoreData is what each store's Redis holds now, sorted by store name: the
// state keys, and each stream with its groups' pending entries. It reads
// every key, so it is taken on request (`replay --at`), not with every
// snapshot.
func (e *Engine) StoreData() ([]traces.StoreData, error) {
	names := make([]string, 0, len(e.stores))
	for n := range e.stores {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []traces.StoreData
	for _, n := range names {
		s := e.stores[n]
		d := traces.StoreData{Name: n}
		if s.mr == nil {
			out = append(out, d)
			continue
		}
		for _, k := range s.mr.Keys() {
			if s.mr.Type(k) != "stream" {
				d.Keys++
				continue
			}
			rc, err := s.streams()
			if err != nil {
				return nil, err
			}
			entries, err := rc.xlen(k)
			if err != nil {
				return nil, err
			}
			groups, err := rc.groups(k)
			if err != nil {
				return nil, err
			}
			d.Streams = append(d.Streams, traces.StreamData{Topic: k, Entries: entries, Groups: groups})
		}
		out = append(out, d)
	}
	return out, nil
}
