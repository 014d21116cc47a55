package expect

import (
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/dapr-sim/sim/traces"
)

// Check is one assertion about a run, built by Parse or in Go.
type Check interface {
	// Describe states the assertion in one line, e.g. `breaker
	// simpleCB-statestore is open at 27s`.
	Describe() string
	// Eval decides the assertion over a run's timeline.
	Eval(tl *Timeline) Result
}

// Result is what evaluating a Check found.
type Result struct {
	OK       bool
	Expected string   // what the assertion wants
	Actual   string   // what the run did
	Nearest  []string // the relevant events nearest to the instant or window, one per line
	Note     string   // a hint worth printing even when OK (e.g. a name no event carries)
}

// Window is a span of virtual time [From, To], both ends included.
type Window struct {
	From, To time.Duration
}

func (w *Window) holds(t time.Duration) bool { return w == nil || (t >= w.From && t <= w.To) }

func (w *Window) String() string {
	if w == nil {
		return "in the run"
	}
	return fmt.Sprintf("within [%s, %s]", w.From, w.To)
}

// distance is how far t lies outside w (0 inside).
func (w *Window) distance(t time.Duration) time.Duration {
	switch {
	case w == nil:
		return 0
	case t < w.From:
		return w.From - t
	case t > w.To:
		return t - w.To
	}
	return 0
}

// Bound is how many times something may happen: at least Min, and at most
// Max unless Max is negative (no upper bound).
type Bound struct {
	Min, Max int
}

// Bounds the YAML vocabulary spells without numbers.
var (
	AtLeastOnce = Bound{Min: 1, Max: -1}
	Never       = Bound{Min: 0, Max: 0}
)

// Exactly is the bound `equals: n` / `times: n`.
func Exactly(n int) Bound { return Bound{Min: n, Max: n} }

func (b Bound) holds(n int) bool { return n >= b.Min && (b.Max < 0 || n <= b.Max) }

func (b Bound) String() string {
	switch {
	case b.Max < 0 && b.Min == 0:
		return "any number of times"
	case b.Max < 0 && b.Min == 1:
		return "at least once"
	case b.Max < 0:
		return "at least " + times(b.Min)
	case b.Min == b.Max && b.Min == 0:
		return "never"
	case b.Min == b.Max:
		return "exactly " + times(b.Min)
	case b.Min == 0:
		return "at most " + times(b.Max)
	}
	return fmt.Sprintf("between %d and %s", b.Min, times(b.Max))
}

// times renders a count of occurrences: "never", "once", "3 times".
func times(n int) string {
	switch n {
	case 0:
		return "0 times"
	case 1:
		return "once"
	}
	return strconv.Itoa(n) + " times"
}

// The breaker states Dapr logs (gobreaker's names).
const (
	Closed   = "closed"
	Open     = "open"
	HalfOpen = "half-open"
)

var breakerStates = []string{Closed, Open, HalfOpen}

// appPrefix starts the app's own lines in the log projection.
const appPrefix = "== APP == "

// LogLine is one line of the sidecar-log projection (traces.LogWriter, in
// the run's Dapr wording) with the time of the event it comes from.
type LogLine struct {
	T    time.Duration
	Text string // without the newline
}

func (l LogLine) String() string { return l.T.String() + "  " + l.Text }

// Timeline is a run's events with the log lines they project to.
type Timeline struct {
	Events []traces.Event
	Lines  []LogLine
}

// NewTimeline indexes a run's events; wording is the run's Dapr release's
// (traces.WordingFor), so log assertions read the lines the run printed.
func NewTimeline(events []traces.Event, wording traces.Wording) *Timeline {
	return NewTimelineFor(events, traces.NewLogWriter(io.Discard, wording))
}

// NewTimelineFor indexes a run's events with the lines lw projects them to:
// set lw as the run's log is set (its Sidecars, for a run with several), so
// log assertions read exactly the lines `sim run` prints.
func NewTimelineFor(events []traces.Event, lw *traces.LogWriter) *Timeline {
	tl := &Timeline{Events: events}
	for i := range events {
		tl.Lines = linesOf(lw, &events[i], tl.Lines)
	}
	return tl
}

// breakersNote names the breakers the run has when name has no event, so
// that a misspelt name does not pass silently.
func (r *runFacts) breakersNote(name string) string {
	if _, ok := r.seen[name]; ok {
		return ""
	}
	names := append([]string(nil), r.breakers...)
	sort.Strings(names)
	if len(names) == 0 {
		return fmt.Sprintf("no breaker changed state in this run, %q included", name)
	}
	return fmt.Sprintf("breaker %q never changed state in this run (breakers that did: %s)", name, strings.Join(names, ", "))
}

// StateAt is the state of breaker name at t: the `to` of its last event at
// or before t (closed before its first), and that event's index (-1: none).
func (tl *Timeline) StateAt(name string, t time.Duration) (string, int) {
	state, at := Closed, -1
	for i := range tl.Events {
		e := &tl.Events[i]
		if e.T > t {
			break
		}
		if e.Kind == traces.Breaker && e.Name == name {
			state, at = e.To, i
		}
	}
	return state, at
}

// around returns up to before of evs (in time order) at or before t and up
// to after ones later, in order, rendered.
func around(evs []traces.Event, t time.Duration, before, after int) []string {
	split := sort.Search(len(evs), func(k int) bool { return evs[k].T > t })
	lo := max(split-before, 0)
	hi := min(split+after, len(evs))
	return describeAll(evs[lo:hi])
}

func describeAll(evs []traces.Event) []string {
	out := make([]string, 0, len(evs))
	for i := range evs {
		out = append(out, traces.Describe(&evs[i]))
	}
	return out
}

// breakerFold keeps breaker name's events, which assertions about a
// breaker quote: as many as the breaker's transitions, not the run's
// events.
type breakerFold struct {
	name string
	evs  []traces.Event
}

func (b *breakerFold) add(e *traces.Event) {
	if e.Kind == traces.Breaker && e.Name == b.name {
		b.evs = append(b.evs, *e)
	}
}

// BreakerState: breaker Breaker is in State at instant At, or, with
// Throughout set, at every instant of that window (a state entered and left
// at one instant counts as leaving).
type BreakerState struct {
	Breaker    string
	State      string
	At         time.Duration
	Throughout *Window
}

// Describe implements Check.
func (c *BreakerState) Describe() string {
	if c.Throughout != nil {
		return fmt.Sprintf("breaker %s is %s from %s to %s", c.Breaker, c.State, c.Throughout.From, c.Throughout.To)
	}
	return fmt.Sprintf("breaker %s is %s at %s", c.Breaker, c.State, c.At)
}

// Eval implements Check.
func (c *BreakerState) Eval(tl *Timeline) Result { return evalFold(c.newFold(), tl) }

func (c *BreakerState) newFold() fold {
	f := &breakerStateFold{c: c, breaker: breakerFold{name: c.Breaker}, start: c.At, state: Closed, at: -1}
	if c.Throughout != nil {
		f.start = c.Throughout.From
	}
	return f
}

type breakerStateFold struct {
	c       *BreakerState
	breaker breakerFold
	start   time.Duration
	// The state at start, as Timeline.StateAt finds it: the last of the
	// breaker's events (at, in breaker.evs; -1 none) before the first
	// event of the run later than start.
	state  string
	at     int
	passed bool
}

func (f *breakerStateFold) event(_ int, e *traces.Event, _ traces.Fate) {
	f.passed = f.passed || e.T > f.start
	f.breaker.add(e)
	if !f.passed && e.Kind == traces.Breaker && e.Name == f.c.Breaker {
		f.state, f.at = e.To, len(f.breaker.evs)-1
	}
}

func (f *breakerStateFold) line(int, LogLine) {}

func (f *breakerStateFold) result(run *runFacts) Result {
	c, evs, start, state := f.c, f.breaker.evs, f.start, f.state
	r := Result{Note: run.breakersNote(c.Breaker)}
	if c.Throughout != nil {
		r.Expected = fmt.Sprintf("%s at every instant from %s to %s", c.State, c.Throughout.From, c.Throughout.To)
	} else {
		r.Expected = fmt.Sprintf("%s at %s", c.State, c.At)
	}
	if state != c.State {
		r.Actual = fmt.Sprintf("%s at %s (%s)", state, start, since(evs, f.at))
		r.Nearest = around(evs, start, 2, 2)
		return r
	}
	if c.Throughout != nil {
		for k := range evs {
			e := &evs[k]
			if e.T > c.Throughout.From && e.T <= c.Throughout.To && e.To != c.State {
				r.Actual = fmt.Sprintf("%s at %s, then %s at %s", state, start, e.To, e.T)
				// The one that left the state, one before it, two after.
				near := evs[max(k-1, 0):min(k+3, len(evs))]
				r.Nearest = render(near, len(near), 4)
				return r
			}
		}
		r.Actual = fmt.Sprintf("%s throughout", state)
	} else {
		r.Actual = fmt.Sprintf("%s (%s)", state, since(evs, f.at))
	}
	r.OK = true
	return r
}

func since(evs []traces.Event, at int) string {
	if at < 0 {
		return "no transition before"
	}
	e := &evs[at]
	return fmt.Sprintf("since %s->%s at %s", e.From, e.To, e.T)
}

// Transition: breaker Breaker changes state From -> To, within Window (nil:
// anywhere in the run), a number of times within Times.
type Transition struct {
	Breaker  string
	From, To string
	Window   *Window
	Times    Bound
}

// Describe implements Check.
func (c *Transition) Describe() string {
	if c.Times == Never {
		return fmt.Sprintf("breaker %s never goes %s->%s %s", c.Breaker, c.From, c.To, c.Window)
	}
	return fmt.Sprintf("breaker %s goes %s->%s %s, %s", c.Breaker, c.From, c.To, c.Window, c.Times)
}

// Eval implements Check.
func (c *Transition) Eval(tl *Timeline) Result { return evalFold(c.newFold(), tl) }

func (c *Transition) newFold() fold {
	return &transitionFold{c: c, breaker: breakerFold{name: c.Breaker}}
}

type transitionFold struct {
	c       *Transition
	breaker breakerFold
}

func (f *transitionFold) event(_ int, e *traces.Event, _ traces.Fate) { f.breaker.add(e) }
func (f *transitionFold) line(int, LogLine)                           {}

func (f *transitionFold) result(run *runFacts) Result {
	c := f.c
	r := Result{Expected: fmt.Sprintf("%s->%s %s %s", c.From, c.To, c.Times, c.Window), Note: run.breakersNote(c.Breaker)}
	var in, all []traces.Event
	for _, e := range f.breaker.evs {
		if e.From == c.From && e.To == c.To {
			all = append(all, e)
			if c.Window.holds(e.T) {
				in = append(in, e)
			}
		}
	}
	r.OK = c.Times.holds(len(in))
	r.Actual = fmt.Sprintf("%s %s", times(len(in)), c.Window)
	if c.Window != nil && len(all) > len(in) {
		var outside []string
		for _, e := range all {
			if !c.Window.holds(e.T) {
				outside = append(outside, e.T.String())
			}
		}
		r.Actual += "; outside it at " + strings.Join(outside, ", ")
	}
	if r.OK {
		return r
	}
	switch {
	case len(in) > 0:
		r.Nearest = render(in[:min(len(in), 5)], len(in), 5)
	case len(all) > 0:
		r.Nearest = nearestTo(all, c.Window, 3)
	default:
		// No such transition at all: show what the breaker did instead.
		r.Nearest = nearestTo(f.breaker.evs, c.Window, 5)
	}
	return r
}

// render describes the first events of a list of count (at most limit of
// them), then says how many more there are.
func render(first []traces.Event, count, limit int) []string {
	if count == 0 {
		return nil
	}
	out := describeAll(first[:min(len(first), limit)])
	if count > limit {
		out = append(out, fmt.Sprintf("… and %d more", count-limit))
	}
	return out
}

// nearestTo returns the n events of evs closest to w (the first n when w
// is nil), in time order.
func nearestTo(evs []traces.Event, w *Window, n int) []string {
	near := nearestK[traces.Event]{k: n}
	for i, e := range evs {
		near.offer(i, w.distance(e.T), e)
	}
	return describeAll(near.kept())
}

// Log: a line of the sidecar log (or an app line, `== APP == …`) that
// contains Text, or matches Regexp when it is set, appears within Window
// (nil: anywhere) a number of times within Times.
type Log struct {
	Text   string
	Regexp *regexp.Regexp
	Window *Window
	Times  Bound
}

func (c *Log) pattern() string {
	if c.Regexp != nil {
		return "/" + c.Regexp.String() + "/"
	}
	return strconv.Quote(c.Text)
}

func (c *Log) match(s string) bool {
	if c.Regexp != nil {
		return c.Regexp.MatchString(s)
	}
	return strings.Contains(s, c.Text)
}

// Describe implements Check.
func (c *Log) Describe() string {
	if c.Times == Never {
		return fmt.Sprintf("log %s never appears %s", c.pattern(), c.Window)
	}
	return fmt.Sprintf("log %s appears %s, %s", c.pattern(), c.Window, c.Times)
}

// Eval implements Check.
func (c *Log) Eval(tl *Timeline) Result { return evalFold(c.newFold(), tl) }

func (c *Log) newFold() fold {
	return &logFold{c: c, in: firstK[LogLine]{k: 5}, near: nearestK[LogLine]{k: 3}, cand: nearestK[LogLine]{k: 4},
		app: strings.Contains(c.pattern(), "APP")}
}

type logFold struct {
	c    *Log
	in   firstK[LogLine]   // matching lines in the window
	all  int               // matching lines anywhere
	near nearestK[LogLine] // matching lines nearest the window
	// cand are the lines nearest the window to show when nothing matches:
	// the sidecar's own lines (app lines too if the pattern is about them),
	// so a wording difference is visible.
	cand nearestK[LogLine]
	app  bool
}

func (f *logFold) event(int, *traces.Event, traces.Fate) {}

func (f *logFold) line(i int, l LogLine) {
	c := f.c
	d := c.Window.distance(l.T)
	if !strings.HasPrefix(l.Text, appPrefix) || f.app {
		f.cand.offer(i, d, l)
	}
	if !c.match(l.Text) {
		return
	}
	f.all++
	f.near.offer(i, d, l)
	if c.Window.holds(l.T) {
		f.in.offer(l)
	}
}

func (f *logFold) result(*runFacts) Result {
	c := f.c
	r := Result{Expected: fmt.Sprintf("a line matching %s %s, %s", c.pattern(), c.Window, c.Times)}
	if c.Times == Never {
		r.Expected = fmt.Sprintf("no line matching %s %s", c.pattern(), c.Window)
	}
	in := f.in.count
	r.OK = c.Times.holds(in)
	r.Actual = fmt.Sprintf("%s %s", times(in), c.Window)
	if c.Window != nil && f.all > in {
		r.Actual += fmt.Sprintf("; %s outside it", times(f.all-in))
	}
	if r.OK {
		return r
	}
	var show []LogLine
	switch {
	case in > 0:
		show = f.in.items
	case f.all > 0:
		show = f.near.kept()
	default:
		show = f.cand.kept()
	}
	for _, l := range show {
		r.Nearest = append(r.Nearest, l.String())
	}
	if in > len(f.in.items) {
		r.Nearest = append(r.Nearest, fmt.Sprintf("… and %d more", in-len(f.in.items)))
	}
	return r
}

// Counter names what a Count counts.
type Counter uint8

const (
	_ Counter = iota
	// Ops: op events, the final results of app steps.
	Ops
	// FailedOps: op events with outcome error (the app saw the step fail).
	FailedOps
	// SucceededOps: op events with outcome ok.
	SucceededOps
	// Attempts: call events, every attempt of an operation, shed ones included.
	Attempts
	// FailedAttempts: call events with outcome error (timeouts included).
	FailedAttempts
	// Shed: call events with outcome rejected: refused by a breaker.
	Shed
	// Retries: retry events, a failed attempt to be retried.
	Retries
	// Timeouts: timeout events, an attempt's deadline fired.
	Timeouts
	// Recoveries: recovered events, success after a logged retry notice.
	Recoveries
	// Published: publish steps that succeeded (op events with op publish
	// and outcome ok), as traces.Metrics.Published.
	Published
	// Delivered: deliver events where the subscriber's handler took the
	// message for the first time (traces.Messages), as
	// traces.Metrics.Delivered.
	Delivered
	// Redelivered: redeliver events, pending messages reclaimed to be
	// delivered again.
	Redelivered
	// DeadLettered: deliver events with result deadletter.
	DeadLettered
	// Duplicates: deliver events where the handler took a message it had
	// taken before.
	Duplicates
	// Deliveries: every deliver event, whatever its result (filter with
	// Result).
	Deliveries
)

var counterNames = [...]string{"", "ops", "failedOps", "succeededOps", "attempts", "failedAttempts", "shed", "retries", "timeouts", "recoveries",
	"published", "delivered", "redelivered", "deadLettered", "duplicates", "deliveries"}

// deliverResults are the results a deliver event may carry, for the
// result filter.
var deliverResults = []string{traces.ResultAck, traces.ResultPending, traces.ResultDeadLetter, traces.ResultDropped,
	traces.ResultNotFound, traces.ResultUnimplemented, traces.ResultLost, traces.ResultUnrouted, traces.ResultAckFailed, traces.ResultFailed}

func (c Counter) String() string {
	if int(c) < len(counterNames) && c != 0 {
		return counterNames[c]
	}
	return fmt.Sprintf("counter(%d)", uint8(c))
}

// ParseCounter is the inverse of Counter.String.
func ParseCounter(s string) (Counter, bool) {
	for i, n := range counterNames {
		if i > 0 && n == s {
			return Counter(i), true
		}
	}
	return 0, false
}

// Counters lists every counter name, for messages.
func Counters() []string { return append([]string(nil), counterNames[1:]...) }

// counts reports whether c counts e; fate is what e was for its message
// (traces.Messages.Add), which Delivered and Duplicates need.
func (c Counter) counts(e *traces.Event, fate traces.Fate) bool {
	switch c {
	case Ops:
		return e.Kind == traces.Op
	case FailedOps:
		return e.Kind == traces.Op && e.Outcome == traces.Error
	case SucceededOps:
		return e.Kind == traces.Op && e.Outcome == traces.OK
	case Attempts:
		return e.Kind == traces.Call
	case FailedAttempts:
		return e.Kind == traces.Call && e.Outcome == traces.Error
	case Shed:
		return e.Kind == traces.Call && e.Outcome == traces.Rejected
	case Retries:
		return e.Kind == traces.Retry
	case Timeouts:
		return e.Kind == traces.Timeout
	case Recoveries:
		return e.Kind == traces.Recovered
	case Published:
		return e.Kind == traces.Op && e.Op == "publish" && e.Outcome == traces.OK
	case Delivered:
		return fate == traces.FirstTaken
	case Redelivered:
		return e.Kind == traces.Redeliver
	case DeadLettered:
		return e.Kind == traces.Deliver && e.Result == traces.ResultDeadLetter
	case Duplicates:
		return fate == traces.DuplicateTaken
	case Deliveries:
		return e.Kind == traces.Deliver
	}
	return false
}

// Count: the number of events What counts, among those of Target, App, Op
// and Result (a deliver event's; each "" for any) within Window (nil: the
// whole run), is within Bound.
type Count struct {
	What   Counter
	Target string
	App    string
	Op     string
	Result string
	Window *Window
	Bound  Bound
}

func (c *Count) filters() string {
	var parts []string
	for _, f := range [...][2]string{{"target", c.Target}, {"app", c.App}, {"op", c.Op}, {"result", c.Result}} {
		if f[1] != "" {
			parts = append(parts, f[0]+" "+f[1])
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

func (c *Count) boundText() string {
	b := c.Bound
	switch {
	case b.Max < 0:
		return "at least " + strconv.Itoa(b.Min)
	case b.Min == b.Max:
		return "equals " + strconv.Itoa(b.Min)
	case b.Min == 0:
		return "at most " + strconv.Itoa(b.Max)
	}
	return fmt.Sprintf("between %d and %d", b.Min, b.Max)
}

// Describe implements Check.
func (c *Count) Describe() string {
	w := ""
	if c.Window != nil {
		w = " " + c.Window.String()
	}
	return fmt.Sprintf("count %s%s%s %s", c.What, c.filters(), w, c.boundText())
}

// Eval implements Check.
func (c *Count) Eval(tl *Timeline) Result { return evalFold(c.newFold(), tl) }

func (c *Count) newFold() fold { return &countFold{c: c, hit: firstK[traces.Event]{k: 5}} }

type countFold struct {
	c   *Count
	hit firstK[traces.Event]
}

func (f *countFold) event(_ int, e *traces.Event, fate traces.Fate) {
	c := f.c
	if !c.What.counts(e, fate) || !c.Window.holds(e.T) {
		return
	}
	if (c.Target == "" || e.Target == c.Target) && (c.App == "" || e.App == c.App) && (c.Op == "" || e.Op == c.Op) &&
		(c.Result == "" || e.Result == c.Result) {
		f.hit.offer(*e)
	}
}

func (f *countFold) line(int, LogLine) {}

func (f *countFold) result(run *runFacts) Result {
	c, hits := f.c, f.hit.count
	r := Result{Expected: fmt.Sprintf("%s%s %s", c.What, c.filters(), c.boundText()), OK: c.Bound.holds(hits)}
	if c.Window != nil {
		r.Expected = fmt.Sprintf("%s%s %s %s", c.What, c.filters(), c.Window, c.boundText())
	}
	r.Actual = strconv.Itoa(hits)
	r.Note = run.unseen([][2]string{{"target", c.Target}, {"app", c.App}, {"op", c.Op}, {"result", c.Result}})
	if !r.OK {
		r.Nearest = render(f.hit.items, hits, 5)
	}
	return r
}

// unseen notes the filters (field, value; "" for none) that no event of
// the run names, to catch a misspelt one; "" when all are named.
func (r *runFacts) unseen(filters [][2]string) string {
	var unseen []string
	for _, f := range filters {
		if f[1] != "" && !r.names[f] {
			unseen = append(unseen, fmt.Sprintf("%s %q", f[0], f[1]))
		}
	}
	if len(unseen) == 0 {
		return ""
	}
	return fmt.Sprintf("no event of the run names %s", strings.Join(unseen, " or "))
}

// Delay: every message delivered (its subscriber's handler took it for
// the first time) to App (the subscriber) from Target (the pub/sub), each
// "" for any, in a delivery ending within Window (nil: the whole run),
// took at most Max from its publish (the XADD, its stream entry id's
// millisecond) to the end of that delivery: the end-to-end delay whose
// worst traces.Metrics.WorstDelay measures.
type Delay struct {
	Max    time.Duration
	Target string
	App    string
	Window *Window
}

func (c *Delay) filters() string {
	var parts []string
	for _, f := range [...][2]string{{"target", c.Target}, {"app", c.App}} {
		if f[1] != "" {
			parts = append(parts, f[0]+" "+f[1])
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// Describe implements Check.
func (c *Delay) Describe() string {
	w := ""
	if c.Window != nil {
		w = " " + c.Window.String()
	}
	return fmt.Sprintf("every message delivered%s%s at most %s after its publish", c.filters(), w, c.Max)
}

// Eval implements Check.
func (c *Delay) Eval(tl *Timeline) Result { return evalFold(c.newFold(), tl) }

func (c *Delay) newFold() fold { return &delayFold{c: c, latest: nearestK[traces.Event]{k: 5}} }

type delayFold struct {
	c         *Delay
	delivered int
	worst     traces.Event // the first delivery of the longest delay
	worstD    time.Duration
	over      int                    // deliveries over c.Max
	latest    nearestK[traces.Event] // of those, the ones that waited longest
}

func (f *delayFold) event(i int, e *traces.Event, fate traces.Fate) {
	c := f.c
	if fate != traces.FirstTaken || !c.Window.holds(e.T) ||
		(c.Target != "" && e.Target != c.Target) || (c.App != "" && e.App != c.App) {
		return
	}
	at, ok := traces.PublishedAt(e.Message)
	if !ok {
		return // an input binding's event: no publish to measure from
	}
	f.delivered++
	if d := e.T - at; f.delivered == 1 || d > f.worstD {
		f.worst, f.worstD = *e, d
	}
	if e.T-at > c.Max {
		f.over++
		f.latest.offer(i, at-e.T, *e) // negated: the nearest are the latest
	}
}

func (f *delayFold) line(int, LogLine) {}

func (f *delayFold) result(run *runFacts) Result {
	c := f.c
	r := Result{Expected: fmt.Sprintf("end-to-end delay%s at most %s", c.filters(), c.Max)}
	if c.Window != nil {
		r.Expected = fmt.Sprintf("end-to-end delay%s of deliveries %s at most %s", c.filters(), c.Window, c.Max)
	}
	r.Note = run.unseen([][2]string{{"target", c.Target}, {"app", c.App}})
	r.OK = f.over == 0
	if f.delivered == 0 {
		r.Actual = "no message delivered"
		if r.Note == "" {
			r.Note = "no message was delivered, so none was late"
		}
		return r
	}
	e := &f.worst
	at, _ := traces.PublishedAt(e.Message)
	r.Actual = fmt.Sprintf("worst %s of %d delivered: message %s to %s, published at %s, delivered at %s",
		f.worstD, f.delivered, e.Message, e.App, at, e.T)
	if f.over > 0 {
		r.Actual += fmt.Sprintf("; %d over %s", f.over, c.Max)
		r.Nearest = describeAll(f.latest.kept())
		if f.over > len(f.latest.items) {
			r.Nearest = append(r.Nearest, fmt.Sprintf("… and %d more", f.over-len(f.latest.items)))
		}
	}
	return r
}
