package traces

import (
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-cmp/cmp"
)

// ContextEvents is how many equal events a Divergence shows before the
// first difference.
const ContextEvents = 3

// Divergence is where two event sequences first differ.
type Divergence struct {
	// Index is the 0-based position of the first differing event; the
	// report numbers events from 1 (#Index+1).
	Index int
	// Want is the recorded event at Index, nil when the recording ended
	// before it; Got is the replayed one, nil when the replay ended first.
	Want, Got *Event
	// Context holds up to ContextEvents events just before Index, equal in
	// both sequences.
	Context []Event
	// Fields lists the differing fields when both events exist, each as
	// "key: recorded X, replayed Y", named as the trace names them.
	Fields []string
}

// Compare returns the first difference between the recorded events want
// and the replayed events got, or nil when they are identical. An event of
// got is compared as the trace records it (see Recorded).
func Compare(want, got []Event) *Divergence {
	n := min(len(want), len(got))
	for i := 0; i < n; i++ {
		g := Recorded(got[i])
		if want[i] == g {
			continue
		}
		d := divergence(want, i)
		d.Want, d.Got = &want[i], &g
		d.Fields = fieldDiff(&want[i], &g)
		return d
	}
	if len(want) == len(got) {
		return nil
	}
	d := divergence(want, n)
	if n < len(want) {
		d.Want = &want[n]
	} else {
		g := Recorded(got[n])
		d.Got = &g
	}
	return d
}

func divergence(want []Event, i int) *Divergence {
	from := max(0, i-ContextEvents)
	return &Divergence{Index: i, Context: append([]Event(nil), want[from:i]...)}
}

// At is the virtual time of the first difference: the recorded event's, or
// the replayed one's when the recording ended first.
func (d *Divergence) At() time.Duration {
	if d.Want != nil {
		return d.Want.T
	}
	return d.Got.T
}

// String renders the report: a headline, the context events in trace-line
// form, the two events (- recorded, + replayed), and the field-level diff.
func (d *Divergence) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "replay: diverged at event #%d (t=%s)", d.Index+1, d.At())
	switch {
	case d.Want == nil:
		b.WriteString(": the trace ends here, the replay goes on")
	case d.Got == nil:
		b.WriteString(": the replay ends here, the trace goes on")
	}
	b.WriteByte('\n')
	for i, e := range d.Context {
		fmt.Fprintf(&b, "  #%d %s\n", d.Index-len(d.Context)+i+1, Describe(&e))
	}
	if d.Want != nil {
		fmt.Fprintf(&b, "- #%d %s\n", d.Index+1, Describe(d.Want))
	} else {
		fmt.Fprintf(&b, "- #%d (no event: the trace ends)\n", d.Index+1)
	}
	if d.Got != nil {
		fmt.Fprintf(&b, "+ #%d %s\n", d.Index+1, Describe(d.Got))
	} else {
		fmt.Fprintf(&b, "+ #%d (no event: the replay ends)\n", d.Index+1)
	}
	if len(d.Fields) > 0 {
		b.WriteString("fields (recorded, replayed):\n")
		for _, f := range d.Fields {
			fmt.Fprintf(&b, "  %s\n", f)
		}
	}
	return b.String()
}

// fieldDiff compares two events with go-cmp and reports each differing
// field under its trace name.
func fieldDiff(want, got *Event) []string {
	var r fieldReporter
	cmp.Equal(*want, *got, cmp.Reporter(&r))
	return r.diffs
}

// fieldReporter is a go-cmp reporter collecting one line per differing
// leaf value.
type fieldReporter struct {
	path  cmp.Path
	diffs []string
}

func (r *fieldReporter) PushStep(ps cmp.PathStep) { r.path = append(r.path, ps) }
func (r *fieldReporter) PopStep()                 { r.path = r.path[:len(r.path)-1] }

func (r *fieldReporter) Report(rs cmp.Result) {
	if rs.Equal() {
		return
	}
	sf, ok := r.path.Last().(cmp.StructField)
	if !ok {
		return
	}
	vx, vy := sf.Values()
	r.diffs = append(r.diffs, fmt.Sprintf("%s: %s, %s", traceName(sf.Name()), value(vx), value(vy)))
}

// traceName is the key a trace writes an Event field under.
func traceName(field string) string {
	switch field {
	case "T":
		return "t"
	case "EventID":
		return "event"
	}
	return strings.ToLower(field[:1]) + field[1:]
}

func value(v reflect.Value) string {
	if !v.IsValid() {
		return "(none)"
	}
	switch x := v.Interface().(type) {
	case Kind:
		if x == 0 {
			return "(none)"
		}
	case Outcome:
		if x == 0 {
			return "(none)"
		}
	}
	switch x := v.Interface().(type) {
	case string:
		return strconv.Quote(x)
	case fmt.Stringer:
		return x.String()
	}
	return fmt.Sprint(v.Interface())
}

// Summary describes a sequence of events in one line's worth of facts.
type Summary struct {
	Events      int
	First, Last time.Duration // virtual times of the first and last events
	Breakers    []string      // breaker names, in order of first transition
}

// Summarize returns the summary of events.
func Summarize(events []Event) Summary {
	var s Summarizer
	for i := range events {
		s.Add(&events[i])
	}
	return s.Summary()
}

// Summarizer builds a Summary one event at a time.
type Summarizer struct {
	s    Summary
	seen map[string]bool
}

// Add counts e, the next event.
func (z *Summarizer) Add(e *Event) {
	if z.s.Events == 0 {
		z.s.First = e.T
	}
	z.s.Events++
	z.s.Last = e.T
	if e.Kind == Breaker && !z.seen[e.Name] {
		if z.seen == nil {
			z.seen = map[string]bool{}
		}
		z.seen[e.Name] = true
		z.s.Breakers = append(z.s.Breakers, e.Name)
	}
}

// Summary returns the summary of the events added so far.
func (z *Summarizer) Summary() Summary { return z.s }

// ErrDiverged is what a Comparer's Record returns at the first difference,
// so the run feeding it stops there.
var ErrDiverged = errors.New("the replay diverged from the trace")

// EventSource yields recorded events in order, io.EOF after the last one
// (a *Reader).
type EventSource interface {
	Next() (Event, error)
}

// Comparer is a Sink that compares each replayed event, as it is recorded,
// with the next event of a trace, keeping only the last ContextEvents equal
// events for the report: Compare for a run that is not held in memory.
// Record returns the trace's problem (a *diag.Error) if reading it fails,
// and, with Stop set, ErrDiverged at the first difference (else it goes on
// accepting events, so the run ends as it would have); Finish reports the
// outcome.
type Comparer struct {
	// Stop makes Record return ErrDiverged from the first difference on.
	Stop bool

	src  EventSource
	n    int // events compared equal
	ring [ContextEvents]Event
	d    *Divergence
	err  error
	sum  Summarizer
}

// NewComparer compares replayed events with the events src yields.
func NewComparer(src EventSource) *Comparer { return &Comparer{src: src} }

// Record implements Sink.
func (c *Comparer) Record(e *Event) error {
	if c.err != nil {
		return c.err
	}
	if c.d != nil {
		return c.diverged()
	}
	w, err := c.src.Next()
	g := Recorded(*e)
	switch {
	case errors.Is(err, io.EOF):
		c.d = c.divergence()
		c.d.Got = kept(g)
		return c.diverged()
	case err != nil:
		c.err = err
		return err
	case w != g:
		c.d = c.divergence()
		c.d.Want, c.d.Got = kept(w), kept(g)
		c.d.Fields = fieldDiff(c.d.Want, c.d.Got)
		return c.diverged()
	}
	c.ring[c.n%ContextEvents] = w
	c.n++
	c.sum.Add(&w)
	return nil
}

// kept copies e to the heap for a Divergence: taking the address of
// Record's own w and g would move them there for every event compared.
func kept(e Event) *Event { return &e }

func (c *Comparer) diverged() error {
	if c.Stop {
		return ErrDiverged
	}
	return nil
}

func (c *Comparer) divergence() *Divergence {
	d := &Divergence{Index: c.n}
	for i := max(0, c.n-ContextEvents); i < c.n; i++ {
		d.Context = append(d.Context, c.ring[i%ContextEvents])
	}
	return d
}

// Finish is called when the run has ended (or stopped at ErrDiverged). It
// reads the rest of the trace — every event is checked, as Read checks
// them, even past a difference — and returns the first difference (nil
// when the trace holds exactly the replayed events) or the trace's problem.
func (c *Comparer) Finish() (*Divergence, error) {
	if c.err != nil {
		return nil, c.err
	}
	if c.d == nil {
		w, err := c.src.Next()
		switch {
		case errors.Is(err, io.EOF):
			return nil, nil
		case err != nil:
			c.err = err
			return nil, err
		}
		c.d = c.divergence()
		c.d.Want = &w
	}
	for {
		_, err := c.src.Next()
		if errors.Is(err, io.EOF) {
			return c.d, nil
		}
		if err != nil {
			c.err = err
			return nil, err
		}
	}
}

// Err returns the problem reading the trace, if Record or Finish met one.
func (c *Comparer) Err() error { return c.err }

// Summary describes the events compared equal: all of them when Finish
// found no difference.
func (c *Comparer) Summary() Summary { return c.sum.Summary() }
