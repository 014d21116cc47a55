package daprlog

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/dapr-sim/sim/traces"
)

// Tolerance is how far a sub-second stamp may stray from the simulated
// instants before it is reported early or late. The runs' spread covers
// what the model draws at random (go-redis's backoff); this covers what
// it does not: a real sidecar's scheduling and a real network's round
// trips, milliseconds each, over a few attempts.
const Tolerance = 100 * time.Millisecond

// Expected is one line the simulation of a Plan says the log must hold: a
// breaker transition or a Recovered line, at instants on the log's own
// time (since its first line).
type Expected struct {
	Kind           Kind
	Name, From, To string // Breaker
	Operation      string // Recovered
	Attempts       []int  // Recovered: the attempts the runs counted, ascending
	// Lo and Hi are the earliest and latest instant the runs put it at.
	Lo, Hi time.Duration
	// Runs is how many runs had it; one that not every run has is not
	// required (the model's random draws decide it).
	Runs, Of int
	// GaveUp marks a call that failed in the runs instead of recovering
	// (its retries exhausted, say): Dapr logs no line for it, so it is
	// not compared, but it tells why a Recovered line is extra. Why is
	// the first run's reason.
	GaveUp bool
	Why    string
}

// Sure reports whether every run had the line.
func (x *Expected) Sure() bool { return x.Runs == x.Of }

func (x *Expected) label() string {
	switch {
	case x.Kind == Breaker:
		return x.Name + "\x00" + x.From + "\x00" + x.To
	case x.GaveUp:
		return x.Operation + "\x00gave up"
	}
	return x.Operation
}

func (x *Expected) text() string {
	if x.Kind == Breaker {
		return fmt.Sprintf("Circuit breaker %q changed state from %s to %s", x.Name, x.From, x.To)
	}
	return "Recovered processing operation " + x.Operation
}

func entryLabel(e *Entry) string {
	if e.Kind == Breaker {
		return e.Name + "\x00" + e.From + "\x00" + e.To
	}
	return e.Operation
}

// Expect gathers what the runs of p's simulation (one event list per seed)
// logged for p's components: each breaker transition and Recovered line,
// the k-th of its kind in one run paired with the k-th in the others. Each
// run's instants are moved so that its first retry notice for the anchor's
// operation falls on the anchor's stamp: the simulation issues each call at
// its notice's instant, and the time a failing attempt takes before the
// notice is the model's.
func Expect(p *Plan, runs [][]traces.Event) []Expected {
	x := NewExpectation(p)
	for _, events := range runs {
		run := make([]Simulated, len(events))
		for i := range events {
			run[i] = SimulatedOf(&events[i])
		}
		x.Add(run)
	}
	return x.Lines()
}

// Simulated is what Expect reads of a run's event, a fifth of a
// traces.Event's size: a long log's runs keep tens of thousands.
type Simulated struct {
	T        time.Duration
	Kind     traces.Kind
	Notice   bool           // retry
	Outcome  traces.Outcome // op
	Attempts int            // op, recovered
	// Operation (retry, recovered), Target (op), Name, From, To (breaker),
	// and Why: a failed op's WhyText.
	Operation, Target, Name, From, To, Why string
}

// SimulatedOf is the part of e Expect reads.
func SimulatedOf(e *traces.Event) Simulated {
	s := Simulated{T: e.T, Kind: e.Kind, Notice: e.Notice, Outcome: e.Outcome, Attempts: e.Attempts,
		Operation: e.Operation, Target: e.Target, Name: e.Name, From: e.From, To: e.To}
	if e.Kind == traces.Op && e.Outcome == traces.Error {
		s.Why = e.WhyText()
	}
	return s
}

// Expectation is Expect a run at a time: a caller adds the runs in their
// order as each ends, and keeps none of their events (a long log's runs
// each have thousands).
type Expectation struct {
	p        *Plan
	breakers map[string]bool
	ops      map[string]bool
	opOf     map[string]string // component → its operation
	out      []Expected
	at       map[expectKey]int
	runs     int
}

type expectKey struct {
	label string
	k     int
}

// NewExpectation starts the Expect of p's runs.
func NewExpectation(p *Plan) *Expectation {
	x := &Expectation{p: p, breakers: map[string]bool{}, ops: map[string]bool{}, opOf: map[string]string{}, at: map[expectKey]int{}}
	for _, c := range p.Components {
		if c.Breaker != "" {
			x.breakers[c.Breaker] = true
		}
		x.ops[c.Operation] = true
		x.opOf[c.Name] = c.Operation
	}
	return x
}

// Add folds in the next run's events.
func (x *Expectation) Add(events []Simulated) {
	p := x.p
	if p.Anchor == nil {
		return
	}
	x.runs++
	shift := time.Duration(0)
	for i := range events {
		e := &events[i]
		if e.Kind == traces.Retry && e.Notice && e.Operation == p.Anchor.Operation {
			shift = p.Anchor.Lo() - e.T
			break
		}
	}
	seen := map[string]int{}
	for i := range events {
		e := &events[i]
		var w Expected
		switch {
		case e.Kind == traces.Breaker && x.breakers[e.Name]:
			w = Expected{Kind: Breaker, Name: e.Name, From: e.From, To: e.To}
		case e.Kind == traces.Recovered && x.ops[e.Operation]:
			w = Expected{Kind: Recovered, Operation: e.Operation}
		case e.Kind == traces.Op && e.Outcome == traces.Error && x.opOf[e.Target] != "":
			w = Expected{Kind: Recovered, Operation: x.opOf[e.Target], GaveUp: true, Why: e.Why}
		default:
			continue
		}
		t := e.T + shift
		l := w.label()
		k := expectKey{l, seen[l]}
		seen[l]++
		j, ok := x.at[k]
		if !ok {
			j = len(x.out)
			x.at[k] = j
			w.Lo, w.Hi = t, t
			x.out = append(x.out, w)
		}
		y := &x.out[j]
		y.Lo, y.Hi = min(y.Lo, t), max(y.Hi, t)
		y.Runs++
		if (e.Kind == traces.Recovered || y.GaveUp) && !slices.Contains(y.Attempts, e.Attempts) {
			y.Attempts = append(y.Attempts, e.Attempts)
			slices.Sort(y.Attempts)
		}
	}
}

// Lines returns the lines the runs added expect, by their earliest
// instant (nil when the plan has nothing to simulate).
func (x *Expectation) Lines() []Expected {
	out := x.out
	for i := range out {
		out[i].Of = x.runs
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Lo < out[j].Lo })
	return out
}

// Compare holds the log's breaker transitions and Recovered lines for p's
// components against what the simulation expects, both ways: a line the
// simulation has and the log lacks (named at the log line it should come
// before, with the instant), a line the log has and the simulation does
// not, a line both have at instants further apart than the stamps allow
// (early or late), and a Recovered line whose attempts differ.
//
// Lines of one label (a breaker's from→to, an operation's Recovered) are
// paired in time order: a logged line pairs with the simulated one whose
// neighbourhood (half-way to the label's next and previous simulated
// lines) it falls in. Terminal stamps are whole seconds and the first
// notice's fraction is unknown, so there an instant may lie up to a second
// after the simulated one; sub-second stamps are held to the runs' spread,
// Slack and Tolerance. A simulated line after the log's end is not
// required.
func Compare(lg *Log, p *Plan, exp []Expected) []Problem {
	var out []Problem
	res := time.Duration(0)
	if lg.Form == TTY {
		res = time.Second
	}
	end := lg.End + res + Tolerance
	observed := map[string][]*Entry{}
	want := map[string]bool{}
	for _, c := range p.Components {
		want[c.Operation] = true
		if c.Breaker != "" {
			want[c.Breaker] = true
		}
	}
	for i := range lg.Entries {
		e := &lg.Entries[i]
		if (e.Kind == Breaker && want[e.Name]) || (e.Kind == Recovered && want[e.Operation]) {
			observed[entryLabel(e)] = append(observed[entryLabel(e)], e)
		}
	}
	expected := map[string][]*Expected{}
	gaveUp := map[string][]*Expected{} // by operation
	var labels []string
	for i := range exp {
		if exp[i].GaveUp {
			gaveUp[exp[i].Operation] = append(gaveUp[exp[i].Operation], &exp[i])
			continue
		}
		l := exp[i].label()
		if _, ok := expected[l]; !ok {
			labels = append(labels, l)
		}
		expected[l] = append(expected[l], &exp[i])
	}
	for l := range observed {
		if _, ok := expected[l]; !ok {
			labels = append(labels, l)
		}
	}
	sort.Strings(labels)
	for _, l := range labels {
		xs, os := expected[l], observed[l]
		radius := make([]time.Duration, len(xs))
		for i := range xs {
			r := time.Duration(math.MaxInt64 / 4)
			if i > 0 {
				r = min(r, (xs[i].Lo-xs[i-1].Hi)/2)
			}
			if i+1 < len(xs) {
				r = min(r, (xs[i+1].Lo-xs[i].Hi)/2)
			}
			radius[i] = max(r, res+2*Tolerance)
		}
		i, j := 0, 0
		for i < len(xs) || j < len(os) {
			switch {
			case j < len(os) && (i == len(xs) || os[j].Hi() < xs[i].Lo-radius[i]):
				out = append(out, Problem{Entry: os[j], Msg: extra(lg, p, os[j], xs, gaveUp[os[j].Operation])})
				j++
			case j == len(os) || os[j].Lo()-Slack > xs[i].Hi+res+radius[i]:
				// A simulated line after the log's last one is not
				// required: the log may simply end first.
				if xs[i].Sure() && xs[i].Lo <= end {
					out = append(out, Problem{Entry: before(lg, xs[i].Lo), Msg: missing(lg, p, xs[i]), at: xs[i].Lo})
				}
				i++
			case j+1 < len(os) && closer(os[j+1], os[j], xs, i, res):
				// The next logged line fits this simulated one better:
				// this one has no counterpart.
				out = append(out, Problem{Entry: os[j], Msg: extra(lg, p, os[j], xs, gaveUp[os[j].Operation])})
				j++
			default:
				if m := skew(lg, xs[i], os[j], res); m != "" {
					out = append(out, Problem{Entry: os[j], Msg: m})
				}
				if m := attempts(xs[i], os[j]); m != "" {
					out = append(out, Problem{Entry: os[j], Msg: m})
				}
				i++
				j++
			}
		}
	}
	sort.SliceStable(out, func(a, b int) bool {
		if out[a].Entry.Line != out[b].Entry.Line {
			return out[a].Entry.Line < out[b].Entry.Line
		}
		return out[a].at < out[b].at
	})
	return out
}

// dist is how far apart a logged line's instants and a simulated line's
// are (0 when they overlap).
func dist(e *Entry, x *Expected, res time.Duration) time.Duration {
	return max(0, x.Lo-e.Hi(), e.Lo()-(x.Hi+res))
}

// closer reports whether next lies nearer xs[i] than cur does, and no
// nearer the simulated line after it.
func closer(next, cur *Entry, xs []*Expected, i int, res time.Duration) bool {
	d := dist(next, xs[i], res)
	if d >= dist(cur, xs[i], res) {
		return false
	}
	return i+1 == len(xs) || d <= dist(next, xs[i+1], res)
}

// before returns the first resiliency line stamped after at, where a line
// expected at at belongs (a line of its own for the log's end when none).
func before(lg *Log, at time.Duration) *Entry {
	for i := range lg.Entries {
		if lg.Entries[i].Lo() > at {
			return &lg.Entries[i]
		}
	}
	return &Entry{File: lg.File, Line: lg.EndLine, Form: lg.Form, At: lg.End}
}

// window writes the instants a simulated line lies in, in the log's
// stamps, and in how many runs when not in all.
//
// In the terminal form the first notice's fraction of a second is unknown,
// so a line may be stamped up to a second after the simulated instant.
func window(lg *Log, x *Expected) string {
	res := time.Duration(0)
	if lg.Form == TTY {
		res = time.Second
	}
	w := lg.Stamp(x.Lo)
	if hi := lg.Stamp(x.Hi + res); hi != w {
		w += "–" + hi
	}
	if !x.Sure() {
		w += fmt.Sprintf(" in %d of %d runs", x.Runs, x.Of)
	}
	return w
}

// outageOf names the outage a simulated instant belongs to.
func outageOf(p *Plan, x *Expected) string {
	for _, c := range p.Components {
		if (x.Kind == Breaker && c.Breaker != x.Name) || (x.Kind != Breaker && c.Operation != x.Operation) {
			continue
		}
		var best *Outage
		for i := range c.Outages {
			if c.Outages[i].First.Lo() <= x.Lo || best == nil {
				best = &c.Outages[i]
			}
		}
		if best == nil {
			return "the outages of " + c.Name
		}
		if best.Up == nil {
			return fmt.Sprintf("the outage of %s from line %d to the log's end", c.Name, best.First.Line)
		}
		return fmt.Sprintf("the outage of %s from line %d to line %d", c.Name, best.First.Line, best.Up.Line)
	}
	return ""
}

func missing(lg *Log, p *Plan, x *Expected) string {
	return fmt.Sprintf("missing before this line: `%s` at %s: the simulation of %s has it in every run", x.text(), window(lg, x), outageOf(p, x))
}

func extra(lg *Log, p *Plan, e *Entry, xs, gaveUp []*Expected) string {
	x := &Expected{Kind: e.Kind, Name: e.Name, From: e.From, To: e.To, Operation: e.Operation, Lo: e.Lo()}
	msg := fmt.Sprintf("`%s` at %s, but the simulation of %s has no such line then", x.text(), stampOf(lg, e), outageOf(p, x))
	if len(xs) == 0 {
		msg += " (nor any up to " + lg.Stamp(p.Horizon) + ")"
	} else {
		var at []string
		for _, y := range xs {
			at = append(at, window(lg, y))
		}
		msg += " (it has it at " + strings.Join(at, ", ") + ")"
	}
	// A Recovered line where the runs' call failed: say how it failed,
	// the last failure before the line (or the first after it).
	var g *Expected
	for _, y := range gaveUp {
		if g == nil || y.Lo <= e.Hi() {
			g = y
		}
	}
	if e.Kind == Recovered && g != nil {
		msg += fmt.Sprintf("; there the call fails at %s: %s", window(lg, g), g.Why)
	}
	return msg
}

// stampOf writes a line's own stamp.
func stampOf(_ *Log, e *Entry) string { return stamp(e) }

// skew reports a line further from its simulated instant than the stamps
// allow: the line's true instant lies in [Lo-Slack, Hi]; the simulated one
// in [x.Lo, x.Hi+res] (res: the first notice's unknown fraction of a
// second in the terminal form), give or take Tolerance.
func skew(lg *Log, x *Expected, e *Entry, res time.Duration) string {
	lo, hi := x.Lo-Tolerance, x.Hi+res+Tolerance
	switch {
	case e.Hi() < lo:
		return fmt.Sprintf("`%s` at %s is at least %s early: the simulation puts it at %s", x.text(), stampOf(lg, e), round(x.Lo-e.Hi()), window(lg, x))
	case e.Lo()-Slack > hi:
		return fmt.Sprintf("`%s` at %s is at least %s late: the simulation puts it at %s", x.text(), stampOf(lg, e), round(e.Lo()-x.Hi-res), window(lg, x))
	}
	return ""
}

func attempts(x *Expected, e *Entry) string {
	if e.Kind != Recovered || e.Attempts == 0 || len(x.Attempts) == 0 || slices.Contains(x.Attempts, e.Attempts) {
		return ""
	}
	var ns []string
	for _, n := range x.Attempts {
		ns = append(ns, fmt.Sprint(n))
	}
	return fmt.Sprintf("recovered after %d attempts, but in the simulation the call recovers after %s", e.Attempts, strings.Join(ns, " or "))
}

// round writes a skew to the millisecond: stamps and the model agree no
// closer.
func round(d time.Duration) time.Duration { return d.Round(time.Millisecond) }
