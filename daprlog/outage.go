package daprlog

import (
	"fmt"
	"strings"
	"time"

	"github.com/dapr-sim/sim/policies"
)

// Plan is the outage a log implies, as a simulation can replay it: the
// calls that failed (one per retry notice: Dapr logs a notice at a call's
// first retried failure), when each component went down and came back,
// and how far the log reaches.
type Plan struct {
	Components []Component
	// Horizon is how long to simulate: a minute past the log's last
	// line, so that a line the log has and the simulation puts later is
	// reported late, not missing from the simulation.
	Horizon time.Duration
	// Anchor is the first notice of a simulated component: the
	// simulation's instants are moved so that its own first notice falls
	// on it (nil: nothing to simulate).
	Anchor *Entry
	// Notes are what the log leaves open: a component whose outage began
	// before the log, one the simulation does not model. Each names a
	// line and says what the comparison did instead of guessing.
	Notes []Problem
}

// Component is one component's outages as the log shows them.
type Component struct {
	Name      string
	Type      string // its Component resource's spec.type
	Operation string // component[NAME] output
	Breaker   string // the name its breaker is logged under ("" none)
	Calls     []*Entry
	Outages   []Outage
}

// Outage is one stretch during which a component failed: down from the
// first failure notice, up again before the line that shows a success.
type Outage struct {
	First *Entry // the first line showing the failure (a retry notice)
	Last  *Entry // the last failure line before the recovery (nil: First)
	Up    *Entry // the first line showing a success: Recovered, or the breaker closing (nil: not within the log)
	// Down and Back are the instants the simulation stops and starts the
	// component: just before the first failing call, and between the last
	// failure and the first success (Back 0 when Up is nil).
	Down, Back time.Duration
}

// simulated reports whether the simulation can replay calls to a
// component of type typ: state stores (a get through the state API) and
// pub/sub components (a publish); other kinds are noted and left out.
func simulated(typ string) bool {
	return strings.HasPrefix(typ, "state.") || typ == "pubsub.redis"
}

// componentOf returns NAME for an operation `component[NAME] output`.
func componentOf(op string) (string, bool) {
	name, ok := strings.CutPrefix(op, "component[")
	if !ok {
		return "", false
	}
	name, ok = strings.CutSuffix(name, "] output")
	return name, ok
}

// Infer reads the outages off the log's resiliency lines. For each
// component whose operation has a retry notice, in the order they first
// appear: the first notice starts an outage, each later notice is a call
// that failed, and the first success after a failure (Recovered, or its
// breaker going from half-open to closed) ends it; a notice after that
// starts the next outage. A component whose first line is not a notice
// (a breaker already open, a Recovered with no notice before it) was
// already failing when the log began: it is noted and left out, as are
// inbound operations, service invocation and actors, which the
// simulation does not replay from a log.
func Infer(lg *Log, spec *policies.Spec) *Plan {
	p := &Plan{Horizon: lg.End + time.Minute}
	byName := map[string]int{}
	skipped := map[string]bool{}
	note := func(e *Entry, format string, args ...any) {
		p.Notes = append(p.Notes, Problem{Entry: e, Msg: "note: " + fmt.Sprintf(format, args...)})
	}
	breakerOf := map[string]string{} // breaker name → component
	for c := range spec.Components {
		if r := spec.ComponentOutbound(c); r.Breaker != nil {
			breakerOf[r.Breaker.Name] = c
		}
	}
	for i := range lg.Entries {
		e := &lg.Entries[i]
		var name string
		switch e.Kind {
		case Notice, Recovered:
			c, ok := componentOf(e.Operation)
			if !ok {
				if e.Kind == Notice && !skipped[e.Operation] {
					skipped[e.Operation] = true
					note(e, "%s is not simulated from a log (only components' outbound calls are): its lines are checked one-sided only", e.Operation)
				}
				continue
			}
			name = c
		case Breaker:
			c, ok := breakerOf[e.Name]
			if !ok {
				continue
			}
			name = c
		}
		if skipped[name] {
			continue
		}
		ci, seen := byName[name]
		if !seen {
			typ := spec.Components[name]
			switch {
			case e.Kind != Notice:
				skipped[name] = true
				note(e, "the log's first line about %s is not a retry notice: its outage began before the log, so when and how it began is unknown and its lines are checked one-sided only", name)
				continue
			case !simulated(typ):
				skipped[name] = true
				what := "no Component resource"
				if typ != "" {
					what = "type " + typ
				}
				note(e, "component %s (%s) is not simulated from a log (state stores and pubsub.redis are): its lines are checked one-sided only", name, what)
				continue
			}
			r := spec.ComponentOutbound(name)
			ci = len(p.Components)
			byName[name] = ci
			c := Component{Name: name, Type: typ, Operation: r.Operation}
			if r.Breaker != nil {
				c.Breaker = r.Breaker.Name
			}
			p.Components = append(p.Components, c)
			if p.Anchor == nil {
				p.Anchor = e
			}
		}
		c := &p.Components[ci]
		open := len(c.Outages) > 0 && c.Outages[len(c.Outages)-1].Up == nil
		failure := e.Kind == Notice || (e.Kind == Breaker && e.To == "open")
		success := e.Kind == Recovered || (e.Kind == Breaker && e.From == "half-open" && e.To == "closed")
		if e.Kind == Notice {
			c.Calls = append(c.Calls, e)
		}
		switch {
		case failure && !open:
			if e.Kind != Notice {
				break // a breaker opening with no failing call seen: left to the comparison
			}
			down := e.Lo() - time.Millisecond
			if n := len(c.Outages); n > 0 && down < c.Outages[n-1].Back {
				down = c.Outages[n-1].Back
			}
			c.Outages = append(c.Outages, Outage{First: e, Down: max(down, 0)})
		case failure:
			c.Outages[len(c.Outages)-1].Last = e
		case success && open:
			o := &c.Outages[len(c.Outages)-1]
			last := o.First
			if o.Last != nil {
				last = o.Last
			}
			o.Up, o.Back = e, back(last, e)
		}
	}
	for _, c := range p.Components {
		if n := len(c.Outages); n > 0 && c.Outages[n-1].Up == nil {
			note(c.Outages[n-1].First, "the log ends before %s recovers from the outage that begins here: the simulation's lines after the log's last line are not required", c.Name)
		}
	}
	return p
}

// back is when the simulation starts a component again: as late as the
// line showing a success allows (its stamp, less a second for a terminal
// stamp, whose fraction and the first notice's are unknown, less
// Tolerance), so that every retry the log does not show before it fails
// as it did; but after the last line showing a failure (half-way between
// the two when they are closer than that).
func back(last, up *Entry) time.Duration {
	res := time.Duration(0)
	if up.Form == TTY {
		res = time.Second
	}
	if b := up.Lo() - res - Tolerance; b > last.Hi() {
		return b
	}
	if gap := up.Lo() - last.Hi(); gap > 0 {
		return last.Hi() + gap/2
	}
	return up.Lo()
}
