package traces

import (
	"fmt"
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
	s := Summary{Events: len(events)}
	if len(events) > 0 {
		s.First, s.Last = events[0].T, events[len(events)-1].T
	}
	seen := map[string]bool{}
	for i := range events {
		if e := &events[i]; e.Kind == Breaker && !seen[e.Name] {
			seen[e.Name] = true
			s.Breakers = append(s.Breakers, e.Name)
		}
	}
	return s
}
