package picture

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

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
	breakers    []string
	log         []page.LogLine
	logDone     bool // an event after the window ends the log
	// The walk matching events with instants (see match).
	scan  int
	stuck bool
}

func foldPage(run PageRun, to time.Duration, snapshots func() PageSnapshots, events func(traces.Sink) error) (*pageFold, error) {
	f := &pageFold{run: run, to: to, snaps: snapshots(), lw: traces.NewLogWriter(io.Discard, run.Wording),
		instants: []time.Duration{run.From}, count: 1, lastInstant: run.From, happened: [][]string{nil}}
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
		}
	}
	if f.count <= MaxPageInstants {
		f.match(e)
	}
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
	}
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
	for i, t := range f.instants {
		d.Snapshots = append(d.Snapshots, pageSnapshot(t, f.shots[i], f.happened[i]))
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
	return ps
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
