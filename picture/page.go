package picture

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/dapr-sim/sim/internal/escape"
	"github.com/dapr-sim/sim/picture/page"
	"github.com/dapr-sim/sim/policies"
	"github.com/dapr-sim/sim/policies/breaker"
	"github.com/dapr-sim/sim/traces"
)

// MaxPageInstants bounds the HTML page: each event instant carries a
// snapshot of every machine, so a longer run is drawn a window at a time.
const MaxPageInstants = 20000

// ErrPageWindow marks the window a page cannot draw: it starts at or after
// the end of the run, or holds more than MaxPageInstants event instants.
var ErrPageWindow = errors.New("the window cannot be drawn")

// pageWindowError words a window a page cannot draw; it is ErrPageWindow.
type pageWindowError string

func (e pageWindowError) Error() string        { return string(e) }
func (e pageWindowError) Is(target error) bool { return target == ErrPageWindow }

// PageRun is the run a page draws, besides its events.
type PageRun struct {
	Name    string
	Dapr    string // the release, as the trace header or the profile says
	Seed    int64
	Horizon time.Duration // the scenario's duration
	Wording traces.Wording
	// Sidecars: the run has several, so the log says whose each line is
	// (traces.LogWriter.Sidecars).
	Sidecars bool
	// From and To are the window to draw; without To, the end of the run
	// (the horizon, or the last event if later).
	From, To time.Duration
	HasTo    bool
	// Settings leads a breaker's name back to its policy, for its diagram
	// (sim.Setup.BreakerSettings); a breaker it does not know gets the
	// generic machine's.
	Settings func(name string) (breaker.Settings, bool)
}

// PageSnapshots is the engine's side of a page (sim.Snapshotter): the
// state of every machine at the instants taken, in ascending order, from a
// replay of the run, worded by Finish against the events recorded.
type PageSnapshots interface {
	Take(at time.Duration) *traces.Snapshot
	// Breakers names, in name order, the breaker instances the run lists
	// by end (those of Take(end)).
	Breakers(end time.Duration) []string
	Record(e *traces.Event) error
	Finish(again func(traces.Sink) error) error
	Close()
}

// BuildPage folds a run into what its page shows: a snapshot at every
// event instant of the window (from snapshots, one replay of the run), the
// events at each, the sidecar log up to the window's end and each breaker's
// diagram with its policy's numbers.
//
// events records the run's events, in order, into the sink it is handed; it
// may be called more than once (each time with a fresh replay from
// snapshots), though a run recorded in time order is read once and its
// events pass without being held: only the window's snapshots, the events
// at its instants and the log lines are kept.
func BuildPage(run PageRun, snapshots func() PageSnapshots, events func(traces.Sink) error) (*page.Data, error) {
	to := time.Duration(1<<63 - 1)
	if run.HasTo {
		to = run.To
	}
	f, err := foldPage(run, to, snapshots, events)
	if err != nil {
		return nil, err
	}
	if !run.HasTo && f.latest > f.end {
		// An event later than the run's last one: the window ends at the
		// last, which only the end of the events told. Fold again to it.
		run.To, run.HasTo = f.end, true
		if f, err = foldPage(run, f.end, snapshots, events); err != nil {
			return nil, err
		}
	}
	return f.data()
}

// pageFold is one pass of BuildPage over the run's events, with the window
// ending at to (known, or after every event).
type pageFold struct {
	run   PageRun
	to    time.Duration
	snaps PageSnapshots
	lw    *traces.LogWriter
	total int
	last  time.Duration // the last event's instant
	// latest is the latest instant of any event: a trace not in time order
	// may have one after its last.
	latest time.Duration
	end    time.Duration
	// instants are the window's event instants (From first); taken how many
	// have a snapshot (from is taken with the first instant after it).
	instants    []time.Duration
	count       int // instants, counted on past MaxPageInstants
	lastInstant time.Duration
	shots       []*traces.Snapshot
	happened    [][]string
	// plain words each event of happened as `sim run --explain` prints it
	// ("" for one that prints nothing).
	plain    [][]string
	breakers []string
	log      []page.LogLine
	logDone  bool // an event after the window ends the log
	// The walk matching events with instants (see match).
	scan  int
	stuck bool
	// The deliveries lanes (see deliveryFold).
	dlv deliveryFold
}

func foldPage(run PageRun, to time.Duration, snapshots func() PageSnapshots, events func(traces.Sink) error) (*pageFold, error) {
	f := &pageFold{run: run, to: to, snaps: snapshots(), lw: traces.NewLogWriter(io.Discard, run.Wording),
		instants: []time.Duration{run.From}, count: 1, lastInstant: run.From, happened: [][]string{nil}, plain: [][]string{nil}}
	f.lw.Sidecars = run.Sidecars
	defer f.snaps.Close()
	if err := events(f); err != nil {
		return nil, err
	}
	f.end = max(run.Horizon, f.last)
	if !run.HasTo {
		f.to = f.end
	}
	if run.From >= f.to {
		return f, pageWindowError(fmt.Sprintf("--from %s is not before the end of the run (%s)", run.From, f.to))
	}
	if f.latest > f.end && !run.HasTo {
		return f, nil // BuildPage folds again
	}
	if f.count > MaxPageInstants {
		return f, pageWindowError(fmt.Sprintf("%d event instants between %s and %s; a page draws at most %d: choose a window with --from and --to",
			f.count, run.From, f.to, MaxPageInstants))
	}
	f.take(len(f.instants))
	// The diagrams name the breakers of the whole run.
	f.breakers = f.snaps.Breakers(f.end)
	if err := f.snaps.Finish(events); err != nil {
		return nil, err
	}
	return f, nil
}

// take takes the snapshots of the instants before n not yet taken.
func (f *pageFold) take(n int) {
	for ; len(f.shots) < n; f.shots = append(f.shots, f.snaps.Take(f.instants[len(f.shots)])) {
	}
}

// Record folds the run's next event (a traces.Sink).
func (f *pageFold) Record(e *traces.Event) error {
	f.total++
	f.last = e.T
	f.latest = max(f.latest, e.T)
	if t := e.T; t > f.run.From && t <= f.to && t != f.lastInstant {
		f.count++
		f.lastInstant = t
		if f.count <= MaxPageInstants {
			// The engine has dispatched everything before t: take what
			// came before, so the replay keeps pace with the events.
			f.take(len(f.instants))
			f.instants = append(f.instants, t)
			f.happened = append(f.happened, nil)
			f.plain = append(f.plain, nil)
		}
	}
	if f.count <= MaxPageInstants {
		f.match(e)
	}
	f.dlv.record(e, f.run.From, f.to)
	if err := f.snaps.Record(e); err != nil {
		return err
	}
	if !f.logDone {
		if e.T > f.to {
			f.logDone = true
		} else if line, ok := f.lw.Line(e); ok {
			// One event may print two lines (a pub/sub delivery's).
			for _, l := range strings.Split(strings.TrimSuffix(line, "\n"), "\n") {
				f.log = append(f.log, page.LogLine{T: int64(e.T), Text: l})
			}
		}
	}
	return nil
}

// match sets e among the events that happened at an instant. The rule is a
// walk of the events in order with one instant at a time: an event at or
// before the instant is passed (and happened there if at it), a later one
// moves the walk on to the next instant. Every event in the window is at
// or before the latest instant (Record makes it one), so the walk only
// waits for an event after the window, and for good: a run out of time
// order shows nothing more as happened.
func (f *pageFold) match(e *traces.Event) {
	if f.stuck {
		return
	}
	if e.T > f.to {
		f.stuck = true
		return
	}
	for e.T > f.instants[f.scan] {
		f.scan++
	}
	if e.T == f.instants[f.scan] {
		f.happened[f.scan] = append(f.happened[f.scan], traces.Describe(e))
		f.plain[f.scan] = append(f.plain[f.scan], f.explained(e))
	}
}

// explained is what `sim run --explain` prints for e — its log lines,
// then the lines saying why (traces.Explanation) — without their
// indentation or final newline; "" when it prints nothing. One wording,
// the log's, for the terminal and the page.
func (f *pageFold) explained(e *traces.Event) string {
	var b strings.Builder
	if line, ok := f.lw.Line(e); ok {
		b.WriteString(line)
	}
	if why, ok := traces.Explanation(e); ok {
		for _, l := range strings.SplitAfter(why, "\n") {
			b.WriteString(strings.TrimLeft(l, " "))
		}
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// data lays the fold out as the page's data.
func (f *pageFold) data() (*page.Data, error) {
	run := f.run
	d := &page.Data{
		Title:    "sim: " + run.Name,
		Subtitle: fmt.Sprintf("Dapr %s · seed %d · %d events · %s to %s of virtual time", run.Dapr, run.Seed, f.total, run.From, f.to),
		From:     int64(run.From),
		To:       int64(f.to),
		Log:      f.log,
	}
	d.Deliveries = f.dlv.lanes()
	for i, t := range f.instants {
		ps := pageSnapshot(t, f.shots[i], f.happened[i])
		ps.Plain = f.plain[i]
		if ps.Plain == nil {
			ps.Plain = []string{}
		}
		d.Snapshots = append(d.Snapshots, ps)
	}
	if d.Log == nil {
		d.Log = []page.LogLine{}
	}
	// One diagram per breaker the run created, in name order.
	for i, name := range f.breakers {
		id := fmt.Sprintf("breaker%d", i)
		if s, ok := run.Settings(name); ok {
			s.Name = name
			fd := policies.BreakerGraph(s).ChangesOnly()
			d.Diagrams = append(d.Diagrams, page.Diagram{Breaker: name, Title: fd.Title, SVG: fd.SVG(id)})
			continue
		}
		fd, err := policies.Graph("breaker")
		if err != nil {
			return nil, err
		}
		fd = fd.ChangesOnly()
		d.Diagrams = append(d.Diagrams, page.Diagram{Breaker: name, Title: "circuit breaker " + name, SVG: fd.SVG(id)})
	}
	return d, nil
}

// pageSnapshot is the page's view of snap, taken at t, with the events
// that happened at t.
func pageSnapshot(t time.Duration, snap *traces.Snapshot, happened []string) page.Snapshot {
	ps := page.Snapshot{T: int64(t), Events: snap.Folded, Notes: snap.Notes, Requests: []string{}, Happened: happened,
		Breakers: []page.Breaker{}, Targets: []page.Target{}}
	if ps.Happened == nil {
		ps.Happened = []string{}
	}
	for _, b := range snap.Breakers {
		exp := int64(-1)
		if b.Expires {
			exp = int64(b.Expiry)
		}
		ps.Breakers = append(ps.Breakers, page.Breaker{Name: b.Name, State: b.State, Generation: b.Generation,
			Requests: b.Requests, TotalSuccesses: b.TotalSuccesses, ConsecutiveSuccesses: b.ConsecutiveSuccesses,
			TotalFailures: b.TotalFailures, ConsecutiveFailures: b.ConsecutiveFailures, Expiry: exp})
	}
	for _, tg := range snap.Targets {
		pt := page.Target{Kind: tg.Kind, Name: tg.Name, Up: tg.Up, Since: -1}
		if tg.Changed {
			pt.Since = int64(tg.Since)
		}
		for _, w := range tg.Windows {
			pt.Windows = append(pt.Windows, strings.TrimSpace(w.Mode+" "+w.Detail))
		}
		ps.Targets = append(ps.Targets, pt)
	}
	for _, q := range snap.Requests {
		ps.Requests = append(ps.Requests, requestText(q))
	}
	ps.Messages = messagesInFlight(snap)
	return ps
}

// messagesInFlight lists snap's messages in flight as the page shows them:
// per consumer its summary, each delivery in hand and each message queued
// or held, tied to its lane; per input binding each event being delivered.
// The words are traces' (the Describe methods), as `replay --at` prints.
func messagesInFlight(snap *traces.Snapshot) []page.Flight {
	out := []page.Flight{}
	for _, c := range snap.Consumers {
		out = append(out, page.Flight{Text: escape.Text(c.App + " ← " + c.Pubsub + ": " + c.Describe())})
		for _, d := range c.Deliveries {
			out = append(out, page.Flight{Lane: escape.Text(d.Topic + " → " + c.App), Message: escape.Name(d.Message),
				Text: escape.Text(fmt.Sprintf("w%d %s", d.Worker, d.Describe()))})
		}
		for _, q := range c.Queue {
			where := "queued"
			if q.HeldBy != "" {
				where = "held by the " + q.HeldBy
			}
			out = append(out, page.Flight{Lane: escape.Text(q.Topic + " → " + c.App), Message: escape.Name(q.Message),
				Text: escape.Text(fmt.Sprintf("%s: %s %s, delivery %d", where, q.Topic, q.Message, q.Delivery))})
		}
	}
	for _, t := range snap.Triggers {
		out = append(out, page.Flight{Lane: escape.Text(t.Binding + " → " + t.App), Message: fmt.Sprintf("event %d", t.Fire),
			Text: escape.Text(fmt.Sprintf("%s w%d %s", t.Binding, t.Worker, t.Describe()))})
	}
	return out
}

// deliveryFold gathers the deliveries lanes from the run's events as they
// stream past: a delivery's bar from its deliver event (deliverySpan, the
// SVG's colours), the app's answer from the last call event of that
// delivery, and its number from the entry's other deliveries.
type deliveryFold struct {
	answers map[deliveryKey]string
	// starts holds each stream entry's deliveries' starts, for numbering:
	// an entry's deliveries begin in the order of their numbers (the
	// consumer's queue is first in, first out), so a delivery's number is
	// its rank by start. Every delivery of the run counts, not only the
	// window's.
	starts map[entryKey][]time.Duration
	byName map[string]*laneFold
}

type deliveryKey struct {
	app, target       string
	worker, iteration int
}

type entryKey struct{ app, target, topic, message string }

type laneFold struct {
	name string
	bars []bar
}

type bar struct {
	page.Delivery
	from, to time.Duration
	entry    entryKey // zero for an input binding's event
}

// record folds e; a delivery is kept when it overlaps [from, to].
func (d *deliveryFold) record(e *traces.Event, from, to time.Duration) {
	switch {
	case (e.Kind == traces.Call || e.Kind == traces.Timeout) && (e.Op == "deliver" || e.Op == "trigger"):
		if d.answers == nil {
			d.answers = map[deliveryKey]string{}
		}
		d.answers[deliveryKey{e.App, e.Target, e.Worker, e.Iteration}] = answerText(e)
	case e.Kind == traces.Deliver:
		k := deliveryKey{e.App, e.Target, e.Worker, e.Iteration}
		answer := d.answers[k]
		delete(d.answers, k)
		start := e.T - e.Took
		var ek entryKey
		if e.Message != "" {
			ek = entryKey{e.App, e.Target, e.Topic, e.Message}
			if d.starts == nil {
				d.starts = map[entryKey][]time.Duration{}
			}
			d.starts[ek] = append(d.starts[ek], start)
		}
		if e.T < from || start > to {
			return
		}
		if answer == "" && e.Result == traces.ResultUnrouted {
			answer = "none: no route matched, acknowledged without a delivery"
		}
		name := escape.Text(subscriptionName(e))
		if d.byName == nil {
			d.byName = map[string]*laneFold{}
		}
		l, ok := d.byName[name]
		if !ok {
			l = &laneFold{name: name}
			d.byName[name] = l
		}
		sp := deliverySpan(e, false) // its state; the page words the delivery itself
		errText := e.Error
		if answer != "" && strings.HasSuffix(answer, errText) {
			errText = "" // the runner ended on the app's answer: said once
		}
		l.bars = append(l.bars, bar{from: start, to: e.T, entry: ek, Delivery: page.Delivery{
			From: int64(start), To: int64(e.T), State: sp.State.String(), Result: e.Result,
			Message: escape.Name(deliveryWhat(e)), EventID: escape.Name(e.EventID), Attempts: e.Attempts,
			Answer: escape.Text(answer), Error: escape.Text(errText)}})
	}
}

// lanes lays the lanes out: in name order, each delivery numbered, and
// given the first row free at its start (bars in start order).
func (d *deliveryFold) lanes() []page.DeliveryLane {
	out := []page.DeliveryLane{}
	for _, name := range sortedKeys(d.byName) {
		l := d.byName[name]
		sort.SliceStable(l.bars, func(i, j int) bool { return l.bars[i].from < l.bars[j].from })
		var ends []time.Duration // per row, the end of its last bar
		pl := page.DeliveryLane{Name: l.name, Deliveries: make([]page.Delivery, len(l.bars))}
		for i, b := range l.bars {
			if b.entry != (entryKey{}) {
				b.Delivery.Delivery = 1
				for _, t := range d.starts[b.entry] {
					if t < b.from {
						b.Delivery.Delivery++
					}
				}
			}
			row := 0
			for row < len(ends) && ends[row] > b.from {
				row++
			}
			if row == len(ends) {
				ends = append(ends, 0)
			}
			ends[row] = b.to
			b.Row = row
			pl.Deliveries[i] = b.Delivery
		}
		pl.Rows = max(1, len(ends))
		out = append(out, pl)
	}
	return out
}

// answerText words the app's answer to one attempt of a delivery, from
// its call event: its status and body, its RETRY or DROP, or why no
// answer came.
func answerText(e *traces.Event) string {
	switch {
	case e.Kind == traces.Timeout:
		return "none: the attempt timed out"
	case e.Status != 0 && e.Body != "":
		return fmt.Sprintf("HTTP %d: %s", e.Status, e.Body)
	case e.Status != 0:
		return fmt.Sprintf("HTTP %d", e.Status)
	case e.Answer != "":
		return "HTTP 200, status " + e.Answer
	case e.Outcome == traces.OK:
		return "HTTP 200: taken"
	case e.Outcome == traces.Rejected:
		return "none: not sent, " + e.Error
	}
	return "none: " + e.Error
}

// requestText is one in-flight request as the page lists it.
func requestText(q traces.RequestState) string {
	s := fmt.Sprintf("%s w%d it%d step%d %s %s: attempt %d", q.App, q.Worker, q.Iteration, q.Step, q.Op, q.Target, q.Attempt)
	switch q.Phase {
	case traces.Issued:
		s += " starts at " + q.Until.String()
	case traces.Answering:
		s += " started " + q.Since.String() + ", waiting for the answer"
	case traces.Backoff:
		s += fmt.Sprintf(" at %s (attempt %d failed %s)", q.Until, q.Attempt-1, q.Since)
	}
	if q.Breaker != "" {
		s += " via " + q.Breaker
	}
	return s
}
