package picture

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dapr-sim/sim/internal/escape"
	"github.com/dapr-sim/sim/traces"
)

// TimelineOptions shape a terminal timeline.
type TimelineOptions struct {
	// Horizon is the end of the run (the scenario's duration); see BuildLanes.
	Horizon time.Duration
	// From and To are the window shown; To 0 means the horizon.
	From, To time.Duration
	// Width is the length of each line in columns, labels included;
	// 0 means DefaultTimelineWidth.
	Width int
	// Title heads the picture, e.g. the scenario's name; "" prints none.
	Title string
	// Hosts names the called app hosting each actor type (sim.Setup's
	// Hosts): the events name a fault by the host, and an actor type's
	// lane follows it. nil draws an actor type's lane up throughout.
	Hosts map[string]string
	// BreakerOf names the breaker an attempt (a call event) went through,
	// "" for none, as the engine creates it (sim.Setup.BreakerOf): a
	// breaker's lane shows it closed from its first request. nil starts
	// the lane at the breaker's first transition, all the events say.
	BreakerOf func(*traces.Event) string
	// Color adds ANSI colours (for a terminal, and only when NO_COLOR is
	// unset: the caller decides). Without it the output is plain text.
	Color bool
}

// DefaultTimelineWidth is the width of a timeline that is not on a terminal.
const DefaultTimelineWidth = 100

// MaxTimelineChanges bounds the list of changes under a timeline; zooming
// with From and To shows the rest.
const MaxTimelineChanges = 40

// ErrEmptyWindow: the window to draw holds no time (To at or before From).
var ErrEmptyWindow = errors.New("the window is empty: --to must be after --from")

// glyphs and colours per State. A column covering several states shows the
// greatest (Lane.Cells): down > error > flaky > slow > up on a target,
// half-open > open > closed on a breaker, failed > retrying > ok > waiting on
// a worker.
var (
	glyphs = [...]rune{
		LaneIdle: ' ',
		TargetUp: '·', TargetSlow: '░', TargetFlaky: '▒', TargetFailing: '▓', TargetDown: '█',
		BreakerClosed: '─', BreakerOpen: '█', BreakerHalfOpen: '▒',
		WorkerWaiting: '-', WorkerOK: '=', WorkerRetrying: 'x', WorkerFailed: 'X',
	}
	ansi = [...]string{
		LaneIdle: "",
		TargetUp: "32", TargetSlow: "33", TargetFlaky: "35", TargetFailing: "31", TargetDown: "1;31",
		BreakerClosed: "32", BreakerOpen: "31", BreakerHalfOpen: "33",
		WorkerWaiting: "2", WorkerOK: "32", WorkerRetrying: "33", WorkerFailed: "1;31",
	}
)

const markGlyph = '^'

// legendRows name each lane kind's states in the order shown.
var legendRows = []struct {
	title  string
	states []State
	extra  string
}{
	{"targets", []State{TargetUp, TargetSlow, TargetFlaky, TargetFailing, TargetDown}, ""},
	{"breakers", []State{BreakerClosed, BreakerOpen, BreakerHalfOpen}, "^ transition"},
	{"workers", []State{WorkerOK, WorkerRetrying, WorkerFailed, WorkerWaiting}, "(blank: idle)"},
}

var legendText = [...]string{
	WorkerOK: "ok", WorkerRetrying: "failed, retried", WorkerFailed: "failed", WorkerWaiting: "backoff",
}

func stateLegend(s State) string {
	if int(s) < len(legendText) && legendText[s] != "" {
		return legendText[s]
	}
	return s.String()
}

// WriteTimeline draws the run's events as swimlanes for a terminal: a time
// axis in seconds over the window, one row per lane (targets, breakers,
// workers; see BuildLanes) with a glyph per column, a row of ^ under each
// breaker at its transitions, the list of target and breaker changes in the
// window, and a legend. A column covering several states shows the most
// telling (see State). The output depends only on events and opt.
func WriteTimeline(w io.Writer, events []traces.Event, opt TimelineOptions) error {
	return WriteTimelineFrom(w, SliceEvents(events), opt)
}

// WriteTimelineFrom is WriteTimeline over events as they stream past:
// it holds each lane's columns and changes, not the events, and writes
// nothing until the last event has passed (ErrEmptyWindow, or a problem
// reading the events, leaves w untouched).
func WriteTimelineFrom(w io.Writer, events Events, opt TimelineOptions) error {
	width := opt.Width
	if width <= 0 {
		width = DefaultTimelineWidth
	}
	d, err := draw(events, opt.Horizon, opt.From, opt.To, func(label int) int { return max(width-(label+1), 10) }, false, topology{opt.Hosts, opt.BreakerOf})
	if err != nil {
		return err
	}
	lanes, from, to, n := d.lanes, d.from, d.to, d.n
	labelW := d.label + 1

	bw := bufio.NewWriter(w)
	p := &painter{w: bw, color: opt.Color}
	pad := strings.Repeat(" ", labelW)

	if opt.Title != "" {
		fmt.Fprintf(bw, "%s: ", escape.Text(opt.Title))
	}
	fmt.Fprintf(bw, "%s to %s, one column ≈ %s\n", seconds(from), seconds(to), approxSeconds((to-from)/time.Duration(n)))
	labels, ruler := axis(from, to, n)
	bw.WriteString(strings.TrimRight(pad+labels, " ") + "\n")
	bw.WriteString(pad + ruler + "\n")

	group := LaneKind(0)
	for i := range lanes {
		l := &lanes[i]
		if l.Kind != group {
			group = l.Kind
			bw.WriteString(groupTitle(group) + "\n")
		}
		bw.WriteString(fitLabel("  "+termLabel(l.Lane), labelW))
		p.row(l.cells)
		if l.Kind == BreakerLane {
			marks := []rune(strings.Repeat(" ", n))
			any := false
			for _, m := range l.Marks {
				if m.T >= from && m.T <= to {
					marks[column(m.T, from, to, n)] = markGlyph
					any = true
				}
			}
			if any {
				bw.WriteString(strings.TrimRight(pad+string(marks), " ") + "\n")
			}
		}
	}

	writeChanges(bw, lanes, from, to)

	bw.WriteString("\nlegend\n")
	for _, row := range legendRows {
		bw.WriteString(fitLabel("  "+row.title, 12))
		for j, s := range row.states {
			if j > 0 {
				bw.WriteString("  ")
			}
			p.run(s, string(glyphs[s]))
			p.reset()
			bw.WriteString(" " + stateLegend(s))
		}
		if row.extra != "" {
			bw.WriteString("  " + row.extra)
		}
		bw.WriteString("\n")
	}
	bw.WriteString("  a column covering several states shows the most telling:\n" +
		"  down > error > flaky > slow > up; half-open > open > closed;\n" +
		"  failed > retried > ok > backoff\n")
	return bw.Flush()
}

func groupTitle(k LaneKind) string {
	switch k {
	case TargetLane:
		return "targets"
	case BreakerLane:
		return "breakers"
	case SubscriptionLane:
		return "deliveries"
	}
	return "workers"
}

// writeChanges lists the target and breaker changes in [from, to], in time
// order (lane order at one instant), at most MaxTimelineChanges of them.
func writeChanges(bw *bufio.Writer, lanes []drawnLane, from, to time.Duration) {
	type change struct {
		t          time.Duration
		lane, seq  int
		label, how string
	}
	var cs []change
	lw := 0
	for i := range lanes {
		for j, m := range lanes[i].Marks {
			if m.T >= from && m.T <= to {
				label := termLabel(lanes[i].Lane)
				cs = append(cs, change{m.T, i, j, label, escape.Text(m.Text)})
				lw = max(lw, utf8.RuneCountInString(label))
			}
		}
	}
	if len(cs) == 0 {
		return
	}
	sort.SliceStable(cs, func(i, j int) bool {
		a, b := cs[i], cs[j]
		if a.t != b.t {
			return a.t < b.t
		}
		if a.lane != b.lane {
			return a.lane < b.lane
		}
		return a.seq < b.seq
	})
	tw := 0
	for _, c := range cs {
		tw = max(tw, len(seconds(c.t)))
	}
	bw.WriteString("\nchanges\n")
	for i, c := range cs {
		if i == MaxTimelineChanges {
			fmt.Fprintf(bw, "  … and %d more: zoom in with --from and --to\n", len(cs)-i)
			break
		}
		fmt.Fprintf(bw, "  %-*s  %s%*s  %s\n", tw, seconds(c.t), c.label, lw-utf8.RuneCountInString(c.label), "", c.how)
	}
}

// painter writes glyphs, wrapping each run of one colour in its ANSI
// escape when colour is on.
type painter struct {
	w     *bufio.Writer
	color bool
	cur   string // the colour in effect, "" for none
}

func (p *painter) run(s State, text string) {
	code := ""
	if p.color {
		code = ansi[s]
	}
	if code != p.cur {
		p.reset()
		if code != "" {
			p.w.WriteString("\x1b[" + code + "m")
		}
		p.cur = code
	}
	p.w.WriteString(text)
}

func (p *painter) reset() {
	if p.cur != "" {
		p.w.WriteString("\x1b[0m")
		p.cur = ""
	}
}

// row writes a lane's cells, without its trailing idle columns.
func (p *painter) row(cells []State) {
	last := len(cells)
	for last > 0 && cells[last-1] == LaneIdle {
		last--
	}
	for _, c := range cells[:last] {
		p.run(c, string(glyphs[c]))
	}
	p.reset()
	p.w.WriteString("\n")
}

// axis returns the tick labels and the ruler (+ at each tick) for n
// columns over [from, to].
func axis(from, to time.Duration, n int) (labels, ruler string) {
	step := tickStep(to-from, n)
	lab := []rune(strings.Repeat(" ", n))
	rul := []rune(strings.Repeat("-", n))
	free := 0 // first column a label may use
	first := (from + step - 1) / step * step
	if from < 0 {
		first = 0
	}
	for t := first; t <= to; t += step {
		c := column(t, from, to, n)
		rul[c] = '+'
		s := []rune(seconds(t))
		at := c
		if at+len(s) > n {
			at = n - len(s)
		}
		if at < free || at < 0 {
			continue
		}
		copy(lab[at:], s)
		free = at + len(s) + 1
	}
	return string(lab), string(rul)
}

// tickStep is the smallest 1-2-5 step (1ms, 2ms, 5ms, 10ms, … 1s, 2s, 5s,
// 10s, …) that leaves at least 8 columns between ticks.
func tickStep(span time.Duration, n int) time.Duration {
	step := time.Millisecond
	for {
		for _, m := range []time.Duration{1, 2, 5} {
			s := step * m
			// Compare s*n with 8*span without overflowing int64 (a span of
			// centuries would wrap and loop for ever).
			if s >= span || float64(s)*float64(n) >= 8*float64(span) {
				return s
			}
		}
		if step > time.Duration(1<<62)/10 {
			return span
		}
		step *= 10
	}
}

// seconds formats an instant as seconds, exact to the nanosecond, as the
// axis reads: "6s", "26.013013s", "3600s".
func seconds(d time.Duration) string {
	sign := ""
	if d < 0 {
		sign, d = "-", -d
	}
	s := sign + strconv.FormatInt(int64(d/time.Second), 10)
	if f := d % time.Second; f != 0 {
		s += "." + strings.TrimRight(fmt.Sprintf("%09d", int64(f)), "0")
	}
	return s + "s"
}

// approxSeconds formats a duration as seconds rounded to three
// significant digits: "0.769s", "1110s".
func approxSeconds(d time.Duration) string {
	unit := time.Duration(1)
	for d/unit >= 1000 {
		unit *= 10
	}
	return seconds((d + unit/2) / unit * unit)
}

// termLabel is a lane's label as a terminal may show it: a name from the
// input holding control characters is quoted and escaped (package escape).
func termLabel(l *Lane) string { return l.labelOf(escape.Name(l.Name)) }

// fitLabel pads or cuts s to exactly w columns, keeping one space after it.
func fitLabel(s string, w int) string {
	r := []rune(s)
	if len(r) >= w {
		return string(r[:w-2]) + "… "
	}
	return s + strings.Repeat(" ", w-len(r))
}
