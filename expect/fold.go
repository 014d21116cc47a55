package expect

import (
	"strings"
	"time"

	"github.com/dapr-sim/sim/traces"
)

// A fold decides one assertion as a run passes: its events, then (in
// their own order) the log lines they project to, each once, numbered
// from 0 in run order. It keeps what the assertion's result shows — counts,
// the few events or lines it quotes, a breaker's transitions — never the
// run, so a run of any length is checked in the memory of its report.
//
// Each Check type of this package evaluates through its fold, over a whole
// Timeline (Eval) or as the run streams past (Evaluator), so the two
// cannot disagree.
type fold interface {
	event(i int, e *traces.Event, fate traces.Fate)
	line(i int, l LogLine)
	result(run *runFacts) Result
}

// folder is a Check that decides itself by a fold.
type folder interface {
	newFold() fold
}

// runFacts are what every assertion may need to know about the whole run:
// the names its events carry (to point out a misspelt one) and, through
// the messages fold, what each delivery was for its message.
type runFacts struct {
	msgs     *traces.Messages
	breakers []string            // breakers with an event, in first-event order
	names    map[[2]string]bool  // {"target"|"app"|"op"|"result", value}
	seen     map[string]struct{} // breakers
}

func newRunFacts() *runFacts {
	return &runFacts{msgs: traces.NewMessages(), names: map[[2]string]bool{}, seen: map[string]struct{}{}}
}

// add notes e and returns its fate for its message (traces.Messages.Add).
func (r *runFacts) add(e *traces.Event) traces.Fate {
	fate := r.msgs.Add(e)
	if e.Kind == traces.Breaker {
		if _, ok := r.seen[e.Name]; !ok {
			r.seen[e.Name] = struct{}{}
			r.breakers = append(r.breakers, e.Name)
		}
	}
	for _, f := range [...][2]string{{"target", e.Target}, {"app", e.App}, {"op", e.Op}, {"result", e.Result}} {
		if !r.names[f] {
			r.names[f] = true
		}
	}
	return fate
}

// evalFold decides a fold over a whole timeline.
func evalFold(f fold, tl *Timeline) Result {
	run := newRunFacts()
	for i := range tl.Events {
		e := &tl.Events[i]
		f.event(i, e, run.add(e))
	}
	for i, l := range tl.Lines {
		f.line(i, l)
	}
	return f.result(run)
}

// linesOf is the log lines event e projects to through lw: none, one, or
// two (a pub/sub delivery's), each with e's time.
func linesOf(lw *traces.LogWriter, e *traces.Event, out []LogLine) []LogLine {
	line, ok := lw.Line(e)
	if !ok {
		return out
	}
	for _, l := range strings.Split(strings.TrimSuffix(line, "\n"), "\n") {
		out = append(out, LogLine{T: e.T, Text: l})
	}
	return out
}

// nearestK keeps, of the items offered in order, the k with the smallest
// distance, an earlier one first on a tie: what nearest picks from a
// whole list, kept as the list streams past.
type nearestK[T any] struct {
	k     int
	items []ranked[T]
}

type ranked[T any] struct {
	dist time.Duration
	pos  int
	item T
}

// offer considers item at position pos (later than any offered before).
func (n *nearestK[T]) offer(pos int, dist time.Duration, item T) {
	if len(n.items) < n.k {
		n.items = append(n.items, ranked[T]{dist, pos, item})
		return
	}
	// The one to give way is the farthest, the latest of those on a tie;
	// item, later than all, beats it only by being nearer.
	worst := 0
	for j := 1; j < len(n.items); j++ {
		if a, b := n.items[j], n.items[worst]; a.dist > b.dist || (a.dist == b.dist && a.pos > b.pos) {
			worst = j
		}
	}
	if dist < n.items[worst].dist {
		n.items = append(n.items[:worst], n.items[worst+1:]...)
		n.items = append(n.items, ranked[T]{dist, pos, item})
	}
}

// kept returns the items kept, in the order they were offered.
func (n *nearestK[T]) kept() []T {
	out := make([]T, len(n.items))
	for j, r := range n.items {
		out[j] = r.item
	}
	return out
}

// firstK keeps the first k items offered and counts them all.
type firstK[T any] struct {
	k     int
	items []T
	count int
}

func (f *firstK[T]) offer(item T) {
	if len(f.items) < f.k {
		f.items = append(f.items, item)
	}
	f.count++
}

// Evaluator decides assertions as a run's events stream past: a
// traces.Sink for the engine or a trace reader. It keeps what the report
// shows (each assertion's fold), not the run, except for an assertion
// built in Go whose Check has no fold of this package: for it, the events
// are kept and the Check's Eval reads them at the end.
type Evaluator struct {
	as    []Assertion
	folds []fold // nil for an assertion evaluated by its Eval
	lw    *traces.LogWriter
	lines bool // some fold reads log lines
	run   *runFacts
	nev   int
	nline int
	buf   []LogLine
	// kept is the run, for assertions without a fold.
	kept *Timeline
}

// NewEvaluator returns an Evaluator of as over a run whose log lw
// projects (set as the run's log is set; see NewTimelineFor).
func NewEvaluator(as []Assertion, lw *traces.LogWriter) *Evaluator {
	ev := &Evaluator{as: as, folds: make([]fold, len(as)), lw: lw, run: newRunFacts()}
	for i, a := range as {
		f, ok := a.Check.(folder)
		if !ok {
			ev.kept, ev.lines = &Timeline{}, true
			continue
		}
		ev.folds[i] = f.newFold()
		if _, ok := ev.folds[i].(*logFold); ok {
			ev.lines = true
		}
	}
	return ev
}

// Record implements traces.Sink: it folds e in and keeps no reference to
// it.
func (ev *Evaluator) Record(e *traces.Event) error {
	fate := ev.run.add(e)
	for _, f := range ev.folds {
		if f != nil {
			f.event(ev.nev, e, fate)
		}
	}
	ev.nev++
	if ev.kept != nil {
		ev.kept.Events = append(ev.kept.Events, *e)
	}
	if !ev.lines {
		return nil
	}
	ev.buf = linesOf(ev.lw, e, ev.buf[:0])
	for _, l := range ev.buf {
		for _, f := range ev.folds {
			if f != nil {
				f.line(ev.nline, l)
			}
		}
		ev.nline++
		if ev.kept != nil {
			ev.kept.Lines = append(ev.kept.Lines, l)
		}
	}
	return nil
}

// Report decides every assertion over the events recorded, in order.
func (ev *Evaluator) Report() Report {
	var r Report
	for i, a := range ev.as {
		var res Result
		if f := ev.folds[i]; f != nil {
			res = f.result(ev.run)
		} else {
			res = a.Check.Eval(ev.kept)
		}
		r.add(a, res)
	}
	return r
}
