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
		if line, ok := lw.Line(&events[i]); ok {
			// One event may print two lines (a pub/sub delivery's).
			for _, l := range strings.Split(strings.TrimSuffix(line, "\n"), "\n") {
				tl.Lines = append(tl.Lines, LogLine{T: events[i].T, Text: l})
			}
		}
	}
	return tl
}

// breakerEvents returns the indexes of name's breaker events.
func (tl *Timeline) breakerEvents(name string) []int {
	var out []int
	for i := range tl.Events {
		if e := &tl.Events[i]; e.Kind == traces.Breaker && e.Name == name {
			out = append(out, i)
		}
	}
	return out
}

// breakersNote names the breakers the run has when name has no event, so
// that a misspelt name does not pass silently.
func (tl *Timeline) breakersNote(name string) string {
	seen := map[string]bool{}
	var names []string
	for i := range tl.Events {
		if e := &tl.Events[i]; e.Kind == traces.Breaker && !seen[e.Name] {
			seen[e.Name] = true
			names = append(names, e.Name)
		}
	}
	if seen[name] {
		return ""
	}
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

func (tl *Timeline) describe(i int) string { return traces.Describe(&tl.Events[i]) }

// around returns up to before indexes of idx at or before t and up to after
// ones later, in order, rendered.
func (tl *Timeline) around(idx []int, t time.Duration, before, after int) []string {
	split := sort.Search(len(idx), func(k int) bool { return tl.Events[idx[k]].T > t })
	lo := max(split-before, 0)
	hi := min(split+after, len(idx))
	out := make([]string, 0, hi-lo)
	for _, i := range idx[lo:hi] {
		out = append(out, tl.describe(i))
	}
	return out
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
func (c *BreakerState) Eval(tl *Timeline) Result {
	idx := tl.breakerEvents(c.Breaker)
	r := Result{Note: tl.breakersNote(c.Breaker)}
	start := c.At
	if c.Throughout != nil {
		start = c.Throughout.From
		r.Expected = fmt.Sprintf("%s at every instant from %s to %s", c.State, c.Throughout.From, c.Throughout.To)
	} else {
		r.Expected = fmt.Sprintf("%s at %s", c.State, c.At)
	}
	state, at := tl.StateAt(c.Breaker, start)
	if state != c.State {
		r.Actual = fmt.Sprintf("%s at %s (%s)", state, start, since(tl, at))
		r.Nearest = tl.around(idx, start, 2, 2)
		return r
	}
	if c.Throughout != nil {
		for k, i := range idx {
			e := &tl.Events[i]
			if e.T > c.Throughout.From && e.T <= c.Throughout.To && e.To != c.State {
				r.Actual = fmt.Sprintf("%s at %s, then %s at %s", state, start, e.To, e.T)
				// The one that left the state, one before it, two after.
				r.Nearest = tl.render(idx[max(k-1, 0):min(k+3, len(idx))], 4)
				return r
			}
		}
		r.Actual = fmt.Sprintf("%s throughout", state)
	} else {
		r.Actual = fmt.Sprintf("%s (%s)", state, since(tl, at))
	}
	r.OK = true
	return r
}

func since(tl *Timeline, at int) string {
	if at < 0 {
		return "no transition before"
	}
	e := &tl.Events[at]
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
func (c *Transition) Eval(tl *Timeline) Result {
	r := Result{Expected: fmt.Sprintf("%s->%s %s %s", c.From, c.To, c.Times, c.Window), Note: tl.breakersNote(c.Breaker)}
	var in, all []int
	for _, i := range tl.breakerEvents(c.Breaker) {
		e := &tl.Events[i]
		if e.From == c.From && e.To == c.To {
			all = append(all, i)
			if c.Window.holds(e.T) {
				in = append(in, i)
			}
		}
	}
	r.OK = c.Times.holds(len(in))
	r.Actual = fmt.Sprintf("%s %s", times(len(in)), c.Window)
	if c.Window != nil && len(all) > len(in) {
		var outside []string
		for _, i := range all {
			if !c.Window.holds(tl.Events[i].T) {
				outside = append(outside, tl.Events[i].T.String())
			}
		}
		r.Actual += "; outside it at " + strings.Join(outside, ", ")
	}
	if r.OK {
		return r
	}
	switch {
	case len(in) > 0:
		r.Nearest = tl.render(in, 5)
	case len(all) > 0:
		r.Nearest = tl.nearestTo(all, c.Window, 3)
	default:
		// No such transition at all: show what the breaker did instead.
		r.Nearest = tl.nearestTo(tl.breakerEvents(c.Breaker), c.Window, 5)
	}
	return r
}

func (tl *Timeline) render(idx []int, limit int) []string {
	var out []string
	for k, i := range idx {
		if k == limit {
			out = append(out, fmt.Sprintf("… and %d more", len(idx)-limit))
			break
		}
		out = append(out, tl.describe(i))
	}
	return out
}

// nearestTo returns the n events of idx closest to w (the first n when w is
// nil), in time order.
func (tl *Timeline) nearestTo(idx []int, w *Window, n int) []string {
	pick := nearest(len(idx), n, func(k int) time.Duration { return w.distance(tl.Events[idx[k]].T) })
	out := make([]string, len(pick))
	for j, k := range pick {
		out[j] = tl.describe(idx[k])
	}
	return out
}

// nearest returns the positions (0…count-1, in order) of the n items with
// the smallest dist, earlier ones first on ties.
func nearest(count, n int, dist func(int) time.Duration) []int {
	pos := make([]int, count)
	for i := range pos {
		pos[i] = i
	}
	sort.SliceStable(pos, func(a, b int) bool { return dist(pos[a]) < dist(pos[b]) })
	if len(pos) > n {
		pos = pos[:n]
	}
	sort.Ints(pos)
	return pos
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
func (c *Log) Eval(tl *Timeline) Result {
	r := Result{Expected: fmt.Sprintf("a line matching %s %s, %s", c.pattern(), c.Window, c.Times)}
	if c.Times == Never {
		r.Expected = fmt.Sprintf("no line matching %s %s", c.pattern(), c.Window)
	}
	var in, all []int
	for i, l := range tl.Lines {
		if c.match(l.Text) {
			all = append(all, i)
			if c.Window.holds(l.T) {
				in = append(in, i)
			}
		}
	}
	r.OK = c.Times.holds(len(in))
	r.Actual = fmt.Sprintf("%s %s", times(len(in)), c.Window)
	if c.Window != nil && len(all) > len(in) {
		r.Actual += fmt.Sprintf("; %s outside it", times(len(all)-len(in)))
	}
	if r.OK {
		return r
	}
	switch {
	case len(in) > 0:
		for k, i := range in {
			if k == 5 {
				r.Nearest = append(r.Nearest, fmt.Sprintf("… and %d more", len(in)-5))
				break
			}
			r.Nearest = append(r.Nearest, tl.Lines[i].String())
		}
	case len(all) > 0:
		for _, k := range nearest(len(all), 3, func(k int) time.Duration { return c.Window.distance(tl.Lines[all[k]].T) }) {
			r.Nearest = append(r.Nearest, tl.Lines[all[k]].String())
		}
	default:
		// Nothing matches anywhere: show the sidecar's own lines printed
		// nearest the window (app lines too if the pattern is about them),
		// so a wording difference is visible.
		var cand []int
		for i, l := range tl.Lines {
			if !strings.HasPrefix(l.Text, appPrefix) || strings.Contains(c.pattern(), "APP") {
				cand = append(cand, i)
			}
		}
		for _, k := range nearest(len(cand), 4, func(k int) time.Duration { return c.Window.distance(tl.Lines[cand[k]].T) }) {
			r.Nearest = append(r.Nearest, tl.Lines[cand[k]].String())
		}
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
func (c *Count) Eval(tl *Timeline) Result {
	var hit []int
	seen := map[[2]string]bool{} // the names any event of the run carries, to catch a misspelt filter
	// Every event goes through the fold, counted or not: whether a
	// delivery is a message's first take depends on all before it.
	msgs := traces.NewMessages()
	for i := range tl.Events {
		e := &tl.Events[i]
		fate := msgs.Add(e)
		seen[[2]string{"target", e.Target}], seen[[2]string{"app", e.App}], seen[[2]string{"op", e.Op}] = true, true, true
		seen[[2]string{"result", e.Result}] = true
		if !c.What.counts(e, fate) || !c.Window.holds(e.T) {
			continue
		}
		if (c.Target == "" || e.Target == c.Target) && (c.App == "" || e.App == c.App) && (c.Op == "" || e.Op == c.Op) &&
			(c.Result == "" || e.Result == c.Result) {
			hit = append(hit, i)
		}
	}
	r := Result{Expected: fmt.Sprintf("%s%s %s", c.What, c.filters(), c.boundText()), OK: c.Bound.holds(len(hit))}
	if c.Window != nil {
		r.Expected = fmt.Sprintf("%s%s %s %s", c.What, c.filters(), c.Window, c.boundText())
	}
	r.Actual = strconv.Itoa(len(hit))
	var unseen []string
	for _, f := range [...][2]string{{"target", c.Target}, {"app", c.App}, {"op", c.Op}, {"result", c.Result}} {
		if f[1] != "" && !seen[[2]string{f[0], f[1]}] {
			unseen = append(unseen, fmt.Sprintf("%s %q", f[0], f[1]))
		}
	}
	if len(unseen) > 0 {
		r.Note = fmt.Sprintf("no event of the run names %s", strings.Join(unseen, " or "))
	}
	if !r.OK {
		r.Nearest = tl.render(hit, 5)
	}
	return r
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
func (c *Delay) Eval(tl *Timeline) Result {
	r := Result{Expected: fmt.Sprintf("end-to-end delay%s at most %s", c.filters(), c.Max)}
	if c.Window != nil {
		r.Expected = fmt.Sprintf("end-to-end delay%s of deliveries %s at most %s", c.filters(), c.Window, c.Max)
	}
	msgs := traces.NewMessages()
	worst, delivered := -1, 0
	var worstD time.Duration
	var over []int
	seen := map[[2]string]bool{}
	for i := range tl.Events {
		e := &tl.Events[i]
		fate := msgs.Add(e)
		seen[[2]string{"target", e.Target}], seen[[2]string{"app", e.App}] = true, true
		if fate != traces.FirstTaken || !c.Window.holds(e.T) ||
			(c.Target != "" && e.Target != c.Target) || (c.App != "" && e.App != c.App) {
			continue
		}
		at, ok := traces.PublishedAt(e.Message)
		if !ok {
			continue // an input binding's event: no publish to measure from
		}
		delivered++
		if d := e.T - at; worst < 0 || d > worstD {
			worst, worstD = i, d
		}
		if e.T-at > c.Max {
			over = append(over, i)
		}
	}
	var unseen []string
	for _, f := range [...][2]string{{"target", c.Target}, {"app", c.App}} {
		if f[1] != "" && !seen[[2]string{f[0], f[1]}] {
			unseen = append(unseen, fmt.Sprintf("%s %q", f[0], f[1]))
		}
	}
	if len(unseen) > 0 {
		r.Note = fmt.Sprintf("no event of the run names %s", strings.Join(unseen, " or "))
	}
	r.OK = len(over) == 0
	if worst < 0 {
		r.Actual = "no message delivered"
		if r.Note == "" {
			r.Note = "no message was delivered, so none was late"
		}
		return r
	}
	e := &tl.Events[worst]
	at, _ := traces.PublishedAt(e.Message)
	r.Actual = fmt.Sprintf("worst %s of %d delivered: message %s to %s, published at %s, delivered at %s",
		worstD, delivered, e.Message, e.App, at, e.T)
	if len(over) > 0 {
		r.Actual += fmt.Sprintf("; %d over %s", len(over), c.Max)
		r.Nearest = tl.latest(over, 5)
	}
	return r
}

// latest renders the n deliveries of idx whose messages waited longest
// since their publish (earlier ones first on ties), in time order.
func (tl *Timeline) latest(idx []int, n int) []string {
	wait := func(k int) time.Duration {
		e := &tl.Events[idx[k]]
		at, _ := traces.PublishedAt(e.Message)
		return at - e.T // negated: nearest picks the smallest
	}
	var out []string
	for _, k := range nearest(len(idx), n, wait) {
		out = append(out, tl.describe(idx[k]))
	}
	if len(idx) > n {
		out = append(out, fmt.Sprintf("… and %d more", len(idx)-n))
	}
	return out
}
