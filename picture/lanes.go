package picture

import (
	"fmt"
	"math/bits"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/dapr-sim/sim/internal/ynode"
	"github.com/dapr-sim/sim/traces"
)

// LaneKind says what a swimlane shows.
type LaneKind uint8

const (
	_ LaneKind = iota
	// TargetLane: a store or called app, its availability from fault events.
	TargetLane
	// BreakerLane: a circuit breaker, its state from breaker events.
	BreakerLane
	// WorkerLane: one app worker, its steps from call, retry and op events.
	WorkerLane
	// SubscriptionLane: the messages of one topic (or an input binding's
	// events) delivered to one app, from deliver events: each delivery a
	// span from its start to its end, however many run at once.
	SubscriptionLane
)

var laneKindNames = [...]string{"", "target", "breaker", "worker", "subscription"}

func (k LaneKind) String() string {
	if int(k) < len(laneKindNames) && k != 0 {
		return laneKindNames[k]
	}
	return fmt.Sprintf("lane(%d)", uint8(k))
}

// State is what a lane shows during a span. Within each kind of lane the
// states are declared from least to most telling, and a column (or pixel)
// that covers several states shows the greatest: see Lane.Cells.
type State uint8

const (
	// LaneIdle: nothing to show (a worker between steps, a breaker before its
	// first event, any lane past the horizon).
	LaneIdle State = iota

	// Target lanes, least to most severe.
	TargetUp      // available, no fault window holding
	TargetSlow    // a latency window holds
	TargetFlaky   // an errorRate or failEvery window holds: some attempts fail
	TargetFailing // an error window holds: matching attempts fail
	TargetDown    // stopped, or a flapping window in its down phase

	// Breaker lanes. Half-open ranks above open: it lasts as long as one
	// probe (often a millisecond), and hiding it would hide the probe.
	BreakerClosed
	BreakerOpen
	BreakerHalfOpen

	// Worker lanes, least to most telling.
	WorkerWaiting  // between attempts: a retry's backoff (or an answer the trace ends before)
	WorkerOK       // an attempt that succeeded
	WorkerRetrying // an attempt that failed and is retried
	WorkerFailed   // an attempt that failed and ended its step failed
)

var stateNames = [...]string{"idle", "up", "slow", "flaky", "error", "down",
	"closed", "open", "half-open", "waiting", "ok", "retrying", "failed"}

func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("state(%d)", uint8(s))
}

// Lane is one swimlane: a target, a breaker or an app worker, as spans of
// states in time order and the instants where its state changed.
type Lane struct {
	Kind   LaneKind
	Name   string // target or breaker name; a worker's app id
	Worker int    // worker lanes: the 0-based worker
	// Start is the lane's first known instant: 0, or a breaker's first
	// request (its first event when the run's setup is not known, see
	// TimelineOptions.BreakerOf).
	Start time.Duration
	// Spans are in time order and do not overlap; a gap is LaneIdle. A span
	// with From == To is an instant (a breaker state held for no time).
	Spans []Span
	// Marks are the lane's changes: breaker transitions, fault-script
	// changes. Worker lanes have none.
	Marks []Mark
}

// Label is the lane's name as renderings print it: the target or breaker
// name, or "APP wN" for worker N of app APP.
func (l *Lane) Label() string { return l.labelOf(l.Name) }

// labelOf is the lane's label with its name written as name.
func (l *Lane) labelOf(name string) string {
	if l.Kind == WorkerLane {
		return fmt.Sprintf("%s w%d", name, l.Worker)
	}
	return name
}

// Span is a state held over [From, To).
type Span struct {
	From, To time.Duration
	State    State
	// Detail says more, for tooltips: the fault windows holding on a
	// target; the step, attempt and error of a worker's attempt.
	Detail string
}

// Mark is a change of a lane's state at T: a breaker transition (From and
// To are the breaker's states), or a fault event on a target (From and To
// are the availability before and after; they may be equal, e.g. a window
// that starts while the target is stopped).
type Mark struct {
	T        time.Duration
	From, To State
	Text     string // "closed → open", "stopped", "slow window (latency 3s)"
	Short    string // Text without details, for labels: "closed → open", "stopped", "slow"
}

// BuildLanes folds events into swimlanes: one per target (every store or
// called app an event names) sorted by name, then one per breaker sorted by
// name, then one per app worker sorted by app and worker. It reads nothing
// but the events: horizon is the end of the run (the scenario's duration);
// a later event extends it.
//
// Targets start up; stop/start and fault windows change them (see State
// for the order of precedence when several hold). A fault window's `end`
// event does not say which window ended, so it closes the earliest-started
// one still open on that target. Breakers start at their first event (the
// pictures, told the run's setup, start them at their first request: see
// TimelineOptions.BreakerOf). A
// worker's step runs from its issue (the op event's t − took) to its result;
// attempt k > 1 starts when the backoff of attempt k−1 (its retry event's
// t + delay) ends, each attempt is a span marked by its outcome and each
// backoff a WorkerWaiting span. A step the trace ends inside starts at its first
// event.
func BuildLanes(events []traces.Event, horizon time.Duration) []Lane {
	return buildLanes(events, horizon, topology{})
}

// topology is what the events do not say about where a call goes, from the
// run's setup (see TimelineOptions): the app hosting each actor type, the
// breaker each attempt goes through. Its zero value knows neither.
type topology struct {
	hosts     map[string]string
	breakerOf func(*traces.Event) string
}

// buildLanes is BuildLanes knowing top.
func buildLanes(events []traces.Event, horizon time.Duration, top topology) []Lane {
	if n := len(events); n > 0 && events[n-1].T > horizon {
		horizon = events[n-1].T
	}
	f := newLanesFold(horizon, true, func(a *laneAcc) { a.keep = true }, top)
	for i := range events {
		f.Record(&events[i])
	}
	accs := f.close()
	out := make([]Lane, len(accs))
	for i, a := range accs {
		out[i] = a.Lane
	}
	return out
}

// laneAcc is a lane as the fold builds it: its spans go, as each is
// closed and in the order Lane.Spans lists them, to Spans (keep, for
// BuildLanes) and to the grids of a picture being drawn (drawFold), so a
// picture holds its columns, not the spans.
type laneAcc struct {
	Lane
	keep  bool
	grids []*grid
}

func (a *laneAcc) span(s Span) {
	if a.keep {
		a.Spans = append(a.Spans, s)
	}
	for _, g := range a.grids {
		g.add(s)
	}
}

// spanFirst adds s before the lane's spans: a closed run found after the
// spans that follow it, joined to the closed span it ends at, if any.
func (a *laneAcc) spanFirst(s Span) {
	if a.keep {
		if len(a.Spans) > 0 && a.Spans[0].State == s.State && a.Spans[0].From == s.To && a.Spans[0].Detail == s.Detail {
			a.Spans[0].From = s.From
		} else {
			a.Spans = slices.Insert(a.Spans, 0, s)
		}
	}
	for _, g := range a.grids {
		g.add(s)
	}
}

// lanesFold is BuildLanes as a traces.Sink: the events pass one at a time
// and are not kept (a worker's step in flight aside). horizon is the end
// of the run as BuildLanes extends it; opened is told of each lane as it
// is created, before its first span. Without detailed, worker and
// delivery spans go without their Detail, which only tooltips show: a
// terminal timeline spares formatting one for every attempt.
type lanesFold struct {
	horizon  time.Duration
	detailed bool
	opened   func(*laneAcc)
	targets  map[string]*targetFold
	breakers map[string]*breakerFold
	workers  map[workerKey]*workerFold
	subs     map[string]*laneAcc
	// hosted lists, per called app, the actor types it hosts, in name
	// order: their lanes follow its availability.
	hosted    map[string][]string
	breakerOf func(*traces.Event) string
	// quiet holds the first request of each breaker named by breakerOf
	// that has no lane yet (no transition so far).
	quiet map[string]time.Duration
	// last is the last event's instant (BuildLanes extends the horizon to
	// it), seen whether any event was.
	last time.Duration
	seen bool
}

func newLanesFold(horizon time.Duration, detailed bool, opened func(*laneAcc), top topology) *lanesFold {
	f := &lanesFold{horizon: horizon, detailed: detailed, opened: opened, targets: map[string]*targetFold{}, breakers: map[string]*breakerFold{},
		workers: map[workerKey]*workerFold{}, subs: map[string]*laneAcc{}, breakerOf: top.breakerOf}
	for _, typ := range sortedKeys(top.hosts) {
		if f.hosted == nil {
			f.hosted = map[string][]string{}
		}
		f.hosted[top.hosts[typ]] = append(f.hosted[top.hosts[typ]], typ)
	}
	return f
}

// breaker is the fold of breaker name, created at t (its first request or
// first event) when new.
func (f *lanesFold) breaker(name string, t time.Duration) *breakerFold {
	b, ok := f.breakers[name]
	if !ok {
		b = &breakerFold{lane: f.lane(Lane{Kind: BreakerLane, Name: name, Start: t})}
		f.breakers[name] = b
	}
	return b
}

func (f *lanesFold) lane(l Lane) *laneAcc {
	a := &laneAcc{Lane: l}
	f.opened(a)
	return a
}

func (f *lanesFold) target(name string) *targetFold {
	t, ok := f.targets[name]
	if !ok {
		t = &targetFold{lane: f.lane(Lane{Kind: TargetLane, Name: name}), cur: Span{State: TargetUp}}
		f.targets[name] = t
	}
	return t
}

// Record implements traces.Sink: it folds e in and keeps no reference to it.
func (f *lanesFold) Record(e *traces.Event) error {
	f.last, f.seen = e.T, true
	switch e.Kind {
	case traces.Fault:
		f.target(e.Target).fault(e, "")
		// An actor is reached through its host: when the host is down
		// or failing, so are its actors. The host's lane carries the
		// change's mark; theirs follow without one.
		for _, typ := range f.hosted[e.Target] {
			if typ != e.Target {
				f.target(typ).fault(e, e.Target)
			}
		}
	case traces.Breaker:
		b := f.breaker(e.Name, e.T)
		if t0, ok := f.quiet[e.Name]; ok {
			b.request(t0)
			delete(f.quiet, e.Name)
		}
		b.change(e)
	case traces.Deliver:
		name := subscriptionName(e)
		l, ok := f.subs[name]
		if !ok {
			l = f.lane(Lane{Kind: SubscriptionLane, Name: name})
			f.subs[name] = l
		}
		l.span(deliverySpan(e, f.detailed))
	case traces.Call, traces.Op, traces.Retry:
		if e.Op == "deliver" || e.Op == "trigger" {
			// A delivery's attempts and retries end in a deliver
			// event, not an op event: folded as a step they would
			// stay pending and cut the worker's next step. The
			// deliver event draws the delivery on its subscription
			// lane (above).
			return nil
		}
		if e.Target != "" {
			f.target(e.Target)
		}
		if e.Kind == traces.Call && f.breakerOf != nil {
			// Dapr creates a breaker, closed, at its first request: the
			// lane starts with the first attempt through it (the call
			// event's instant until the step's result says when the
			// attempt began; see workerFold.flush).
			if name := f.breakerOf(e); name != "" {
				f.request(name, e.T)
			}
		}
		k := workerKey{e.App, e.Worker}
		w, ok := f.workers[k]
		if !ok {
			w = &workerFold{lane: f.lane(Lane{Kind: WorkerLane, Name: e.App, Worker: e.Worker}), detailed: f.detailed, retried: map[int]bool{},
				requested: f.requested}
			f.workers[k] = w
		}
		w.record(e, f.horizon)
	}
	return nil
}

// close ends every lane at the horizon and returns them in BuildLanes'
// order.
func (f *lanesFold) close() []*laneAcc {
	var out []*laneAcc
	for _, name := range sortedKeys(f.targets) {
		t := f.targets[name]
		t.close(f.horizon)
		out = append(out, t.lane)
	}
	if len(f.quiet) <= maxQuietBreakers {
		for _, name := range sortedKeys(f.quiet) {
			f.breaker(name, f.quiet[name]).request(f.quiet[name])
		}
	}
	for _, name := range sortedKeys(f.breakers) {
		b := f.breakers[name]
		b.close(f.horizon)
		out = append(out, b.lane)
	}
	keys := make([]workerKey, 0, len(f.workers))
	for k := range f.workers {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].app != keys[j].app {
			return keys[i].app < keys[j].app
		}
		return keys[i].worker < keys[j].worker
	})
	for _, k := range keys {
		w := f.workers[k]
		w.flush(nil, f.horizon)
		out = append(out, w.lane)
	}
	for _, name := range sortedKeys(f.subs) {
		out = append(out, f.subs[name])
	}
	return out
}

// requested tells the breaker of call event e, if any, that the attempt
// began at t (the worker's fold knows when once the step ends).
func (f *lanesFold) requested(e *traces.Event, t time.Duration) {
	if f.breakerOf == nil {
		return
	}
	if name := f.breakerOf(e); name != "" {
		f.request(name, t)
	}
}

// request records an attempt through breaker name that began at t. A
// breaker gets its lane at its first transition, closed from its first
// request; until then only that instant is kept (see quiet).
func (f *lanesFold) request(name string, t time.Duration) {
	if b, ok := f.breakers[name]; ok {
		b.request(t)
		return
	}
	if f.quiet == nil {
		f.quiet = map[string]time.Duration{}
	}
	if t0, ok := f.quiet[name]; !ok || t < t0 {
		f.quiet[name] = t
	}
}

// maxQuietBreakers bounds the breakers drawn that never change state:
// each closed from its first request to the end. A run with more (a
// breaker per actor id, say) draws none of them, as before it knew of
// requests: hundreds of lanes of "closed" would crowd out the rest, and
// each lane holds its columns for every layout the picture may take.
const maxQuietBreakers = 16

// breakerFold follows one breaker: closed from its first request, then
// each state a span from its event to the next one's (an instant when
// both are at one time), the last to the horizon.
type breakerFold struct {
	lane *laneAcc
	cur  Span // the open span, To not yet known
	open bool
	// changed: a transition came; before it the open span is the closed
	// one from the first request, whose start an earlier request moves.
	changed bool
}

// request records an attempt through the breaker that began at t: before
// the first transition, the breaker is closed from its earliest request.
// An attempt that trips the breaker is told of after the transition (its
// step ends after it), so an attempt before the lane's start still adds
// the closed run from it to what was the start.
func (b *breakerFold) request(t time.Duration) {
	switch {
	case b.changed:
		if t < b.lane.Start {
			b.lane.spanFirst(Span{From: t, To: b.lane.Start, State: BreakerClosed})
			b.lane.Start = t
		}
	case !b.open:
		b.cur, b.open = Span{From: t, To: t, State: BreakerClosed}, true
		b.lane.Start = t
	case t < b.cur.From:
		b.cur.From, b.lane.Start = t, t
	}
}

func (b *breakerFold) change(e *traces.Event) {
	from, to := breakerState(e.From), breakerState(e.To)
	b.changed = true
	if b.open {
		b.cur.To = e.T
		b.lane.span(b.cur)
	}
	b.cur, b.open = Span{From: e.T, To: e.T, State: to}, true
	b.lane.Marks = append(b.lane.Marks, Mark{T: e.T, From: from, To: to, Text: e.From + " → " + e.To, Short: e.From + " → " + e.To})
}

func (b *breakerFold) close(horizon time.Duration) {
	if b.open {
		b.cur.To = horizon
		b.lane.span(b.cur)
		b.open = false
	}
}

// subscriptionName names the lane of a delivery event: its topic and
// subscriber, or its input binding and app.
func subscriptionName(e *traces.Event) string {
	if e.Topic == "" {
		return e.Target + " → " + e.App // an input binding
	}
	return e.Topic + " → " + e.App
}

// deliveryWhat names what a delivery event carried: the stream entry, or
// an input binding's event by its fire number.
func deliveryWhat(e *traces.Event) string {
	if e.Message == "" {
		return fmt.Sprintf("event %d", e.Iteration)
	}
	return e.Message
}

// deliverySpan draws one delivery by what became of the message: taken
// (ok); left pending or its acknowledgement failed, so it comes back
// (retried); or not taken and gone — dead-lettered, dropped, 404,
// unrouted, lost, an input binding's failed event (failed).
func deliverySpan(e *traces.Event, detailed bool) Span {
	st := WorkerFailed
	switch e.Result {
	case traces.ResultAck:
		st = WorkerOK
	case traces.ResultPending, traces.ResultAckFailed:
		st = WorkerRetrying
	}
	detail := ""
	if detailed {
		detail = fmt.Sprintf("%s: %s after %d attempts", deliveryWhat(e), e.Result, e.Attempts)
		if e.Error != "" {
			detail += ": " + e.Error
		}
	}
	return Span{From: e.T - e.Took, To: e.T, State: st, Detail: detail}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func breakerState(s string) State {
	switch s {
	case "closed":
		return BreakerClosed
	case "open":
		return BreakerOpen
	case "half-open":
		return BreakerHalfOpen
	}
	return LaneIdle
}

// targetFold follows one target's availability through fault events: its
// own, or its host's for an actor type (via).
type targetFold struct {
	lane    *laneAcc
	stopped bool
	windows []faultWindow // in start order
	cur     Span          // the open span, To not yet known
	spans   int           // spans closed
}

type faultWindow struct {
	mode, detail string
	down         bool // flapping: in the down phase
}

// fault folds fault event e in: one on the target itself (via ""), or on
// via, the app hosting the target's actors, which marks nothing here.
func (f *targetFold) fault(e *traces.Event, via string) {
	before := f.cur.State
	var text, short string
	switch e.Change {
	case "stop":
		f.stopped, text, short = true, "stopped", "stopped"
	case "start":
		f.stopped, text, short = false, "started", "started"
	case "down", "up":
		// The first flapping window not already in that phase flips, as
		// the engine reports each flip of each window.
		for i := range f.windows {
			if w := &f.windows[i]; w.mode == "flapping" && w.down != (e.Change == "down") {
				w.down = e.Change == "down"
				break
			}
		}
		text, short = "flapping "+e.Change, e.Change
	case "end":
		if len(f.windows) > 0 {
			text, short = f.windows[0].mode+" window ends", f.windows[0].mode+" ends"
			f.windows = f.windows[1:]
		} else {
			text, short = "window ends", "window ends"
		}
	default:
		f.windows = append(f.windows, faultWindow{mode: e.Change, detail: e.Detail})
		text, short = e.Change+" window", e.Change
		if e.Detail != "" {
			text += " (" + e.Detail + ")"
		}
	}
	st, detail := f.state()
	if via != "" && detail != "" {
		detail = "host " + via + ": " + detail
	}
	if st != f.cur.State || detail != f.cur.Detail {
		if f.cur.From < e.T {
			f.cur.To = e.T
			f.lane.span(f.cur)
			f.spans++
		}
		f.cur = Span{From: e.T, State: st, Detail: detail}
	}
	if via == "" {
		f.lane.Marks = append(f.lane.Marks, Mark{T: e.T, From: before, To: st, Text: text, Short: short})
	}
}

// state is the target's availability now: stopped or a flapping window's
// down phase is TargetDown; otherwise the most severe window.
func (f *targetFold) state() (State, string) {
	st := TargetUp
	var details []string
	if f.stopped {
		st = TargetDown
		details = append(details, "stopped")
	}
	for _, w := range f.windows {
		ws := TargetUp
		switch w.mode {
		case "slow":
			ws = TargetSlow
		case "flaky", "failEvery":
			ws = TargetFlaky
		case "error":
			ws = TargetFailing
		case "refused", "noAnswer", "hang":
			// A conn window (issue 12): the store's client cannot reach it.
			ws = TargetDown
		case "flapping":
			if w.down {
				ws = TargetDown
			}
		}
		st = max(st, ws)
		d := w.mode
		if w.detail != "" {
			d += ": " + w.detail
		}
		if w.mode == "flapping" {
			phase := "up"
			if w.down {
				phase = "down"
			}
			d += " (" + phase + ")"
		}
		details = append(details, d)
	}
	return st, strings.Join(details, "; ")
}

func (f *targetFold) close(horizon time.Duration) {
	if f.cur.From < horizon || f.spans == 0 {
		f.cur.To = horizon
		f.lane.span(f.cur)
		f.spans++
	}
}

type workerKey struct {
	app    string
	worker int
}

// workerFold collects one worker's step in flight until its op event.
type workerFold struct {
	lane     *laneAcc
	detailed bool
	pending  []traces.Event // the current step's call and retry events
	retried  map[int]bool   // the attempts of the step flushed that were retried
	end      time.Duration
	// requested is told when each attempt began (lanesFold.requested).
	requested func(e *traces.Event, t time.Duration)
}

func (w *workerFold) record(e *traces.Event, horizon time.Duration) {
	if n := len(w.pending); n > 0 && (w.pending[0].Iteration != e.Iteration || w.pending[0].Step != e.Step) {
		w.flush(nil, horizon) // a step the trace never finished; not expected
	}
	if e.Kind == traces.Op {
		w.flush(e, horizon)
		return
	}
	w.pending = append(w.pending, *e)
}

// flush turns the pending step into spans; op is its result, nil when the
// trace ends (or moves on) before it.
func (w *workerFold) flush(op *traces.Event, horizon time.Duration) {
	steps := w.pending
	w.pending = w.pending[:0]
	if op == nil && len(steps) == 0 {
		return
	}
	var first traces.Event
	if len(steps) > 0 {
		first = steps[0]
	} else {
		first = *op
	}
	who := "" // the step, for details
	if w.detailed {
		who = fmt.Sprintf("iteration %d step %d: %s %s", first.Iteration, first.Step, first.Op, first.Target)
	}
	start := first.T
	if op != nil {
		start = op.T - op.Took
	}
	start = max(start, w.end)
	add := func(s Span) {
		s.From = max(s.From, w.end)
		if s.To < s.From {
			s.To = s.From
		}
		w.lane.span(s)
		w.end = s.To
	}
	retried := w.retried
	clear(retried)
	for i := range steps {
		if steps[i].Kind == traces.Retry {
			retried[steps[i].Attempt] = true
		}
	}
	calls := 0
	next := start // when the next attempt starts
	for i := range steps {
		e := &steps[i]
		switch e.Kind {
		case traces.Call:
			calls++
			st := WorkerOK
			if e.Outcome != traces.OK {
				st = WorkerFailed
				if retried[e.Attempt] {
					st = WorkerRetrying
				}
			}
			add(Span{From: next, To: e.T, State: st, Detail: w.callDetail(who, e)})
			w.requested(e, min(next, e.T))
			next = e.T
		case traces.Retry:
			until := e.T + max(e.Delay, 0)
			if op == nil && until > horizon {
				until = horizon
			}
			detail := ""
			if w.detailed {
				detail = fmt.Sprintf("%s, backoff %s before attempt %d", who, e.Delay, e.Attempt+1)
			}
			add(Span{From: e.T, To: until, State: WorkerWaiting, Detail: detail})
			next = until
		}
	}
	switch {
	case op != nil && calls == 0:
		// A result with no attempt recorded: mark the step by its outcome.
		st := WorkerOK
		if op.Outcome != traces.OK {
			st = WorkerFailed
		}
		detail := ""
		if w.detailed {
			detail = fmt.Sprintf("%s, %s", who, op.Outcome)
		}
		add(Span{From: start, To: op.T, State: st, Detail: detail})
	case op == nil && len(steps) > 0 && steps[len(steps)-1].Kind == traces.Retry && next < horizon:
		// The trace ends while the next attempt waits for its answer.
		detail := ""
		if w.detailed {
			detail = who + ", waiting for an answer the trace does not hold"
		}
		add(Span{From: next, To: horizon, State: WorkerWaiting, Detail: detail})
	}
}

// callDetail says what became of one attempt (call event e) of step who.
func (w *workerFold) callDetail(who string, e *traces.Event) string {
	if !w.detailed {
		return ""
	}
	if e.Outcome == traces.OK {
		return fmt.Sprintf("%s, attempt %d ok", who, e.Attempt)
	}
	detail := fmt.Sprintf("%s, attempt %d %s", who, e.Attempt, e.Outcome)
	if e.Error != "" {
		detail += ": " + e.Error
	}
	return detail
}

// Cells samples the lane into n columns covering [from, to]: column i holds
// the instants t with floor((t−from)·n / (to−from)) = i (the instant `to`
// falls in the last). A column shows the greatest State of the spans that
// touch it (see State), so an attempt of a millisecond, a half-open probe
// or a breaker held for no time stays visible at any zoom.
func (l *Lane) Cells(from, to time.Duration, n int) []State {
	if n <= 0 || to <= from {
		return make([]State, max(n, 0))
	}
	g := newGrid(from, to, n, false)
	for _, s := range l.Spans {
		g.add(s)
	}
	return g.cells
}

// grid is a lane's columns over the window [from, to] split into n, as
// Cells samples them, folded from the lane's spans one at a time: the
// most telling state of each column and, for a picture with tooltips
// (ext), the extent of the spans behind it.
type grid struct {
	from, to time.Duration
	cells    []State
	ext      []extent
}

// extent is what a column's tooltip says: the spans in the column's state
// (the most telling one, cells[c]) that touch it, from the earliest start
// to the latest end; the detail of the first of them; whether there were
// several.
type extent struct {
	from, to time.Duration
	detail   string
	several  bool
	set      bool
}

func newGrid(from, to time.Duration, n int, ext bool) *grid {
	g := &grid{from: from, to: to, cells: make([]State, n)}
	if ext {
		g.ext = make([]extent, n)
	}
	return g
}

// add folds span s in. A column's extent follows its most telling state:
// a span in a greater state starts it anew, one in the same state widens
// it, so it ends as the extent of that state's spans, the first one's
// detail kept, whatever order the states came in.
func (g *grid) add(s Span) {
	c0, c1, ok := spanColumns(s, g.from, g.to, len(g.cells))
	if !ok {
		return
	}
	for c := c0; c <= c1; c++ {
		switch {
		case s.State > g.cells[c]:
			g.cells[c] = s.State
			if g.ext != nil {
				g.ext[c] = extent{from: s.From, to: s.To, detail: s.Detail, set: true}
			}
		case s.State == g.cells[c] && g.ext != nil:
			e := &g.ext[c]
			if !e.set {
				*e = extent{from: s.From, to: s.To, detail: s.Detail, set: true}
				continue
			}
			e.from, e.to, e.several = min(e.from, s.From), max(e.to, s.To), true
		}
	}
}

// spanColumns is the range of columns span s touches, if any.
func spanColumns(s Span, from, to time.Duration, n int) (c0, c1 int, ok bool) {
	if s.From == s.To {
		if s.From < from || s.From > to {
			return 0, 0, false
		}
		c := column(s.From, from, to, n)
		return c, c, true
	}
	a, b := max(s.From, from), min(s.To, to)
	if a >= b {
		if a == to && s.From <= to && s.To > to {
			// A span holding past the window's end covers its last instant.
			return n - 1, n - 1, true
		}
		return 0, 0, false
	}
	return column(a, from, to, n), column(b-1, from, to, n), true
}

// column is the column of instant t in [from, to] split into n, computed
// exactly in integers (no float rounding, so every platform agrees).
func column(t, from, to time.Duration, n int) int {
	if t <= from {
		return 0
	}
	if t >= to {
		return n - 1
	}
	hi, lo := bits.Mul64(uint64(t-from), uint64(n))
	q, _ := bits.Div64(hi, lo, uint64(to-from))
	return min(int(q), n-1)
}

// TraceHorizon is the end of a traced run: its header's scenario duration,
// or, when the header does not say, the time of its last event.
func TraceHorizon(tr *traces.Trace) time.Duration {
	var last time.Duration
	if n := len(tr.Events); n > 0 {
		last = tr.Events[n-1].T
	}
	return max(HeadHorizon(&tr.Head), last)
}

// HeadHorizon is the end of a traced run as its header says it, the
// scenario's duration, or 0 when it does not say: a picture drawn from the
// trace's events as they stream past (WriteTimelineFrom, WriteSVGFrom)
// extends it to the last event, as TraceHorizon does.
func HeadHorizon(h *traces.Head) time.Duration {
	pairs, err := ynode.Pairs("trace", "scenario", h.Scenario)
	if err != nil || h.Scenario == nil {
		return 0
	}
	for _, p := range pairs {
		if p.Key == "duration" {
			// A scenario runs at most a year (sim.MaxHorizon); a longer
			// header duration was edited in and is not trusted for drawing.
			if d, err := ynode.Duration("trace", "scenario.duration", p.Value); err == nil && d <= maxDrawnHorizon {
				return d
			}
		}
	}
	return 0
}

// maxDrawnHorizon bounds the time axis a picture may span: a scenario's
// longest horizon (a year).
const maxDrawnHorizon = 365 * 24 * time.Hour
