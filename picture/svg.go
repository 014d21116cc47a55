package picture

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dapr-sim/sim/traces"
)

// SVGOptions shape an SVG timeline.
type SVGOptions struct {
	// Horizon is the end of the run (the scenario's duration); see BuildLanes.
	Horizon time.Duration
	// From and To are the window drawn; To 0 means the horizon.
	From, To time.Duration
	// Width is the picture's width in pixels; 0 means DefaultSVGWidth.
	Width int
	// Title heads the picture, e.g. the scenario's name; "" draws none.
	Title string
	// Hosts and BreakerOf say where calls go, as in TimelineOptions.
	Hosts     map[string]string
	BreakerOf func(*traces.Event) string
}

// DefaultSVGWidth is the width of an SVG timeline in pixels.
const DefaultSVGWidth = 960

// fills per State.
var fills = [...]string{
	LaneIdle: "none",
	TargetUp: "#cfe8cf", TargetSlow: "#f6d55c", TargetFlaky: "#ed9b40", TargetFailing: "#e4572e", TargetDown: "#b3261e",
	BreakerClosed: "#7fb77e", BreakerOpen: "#b3261e", BreakerHalfOpen: "#f6c344",
	WorkerWaiting: "#d0d0d0", WorkerOK: "#4f9d69", WorkerRetrying: "#f6a33b", WorkerFailed: "#b3261e",
}

// SVG geometry, in pixels. Text is monospace, so its width is known
// without a font: charW per character at fontSize.
const (
	svgFontSize = 11
	svgCharW    = 6.6
	svgMargin   = 12
	svgLaneH    = 16
	svgGap      = 8
	svgMarkRowH = 13
	svgGroupH   = 18
	// svgProbeW is the least width of a half-open run: a probe of a
	// millisecond in a window of an hour covers a fraction of a pixel,
	// and the state a learner looks for must not depend on the zoom.
	svgProbeW = 5
)

// WriteSVG draws the run's events as a static SVG picture: the lanes of
// BuildLanes over a time axis in seconds, one pixel column per slice of the
// window (a column covering several states shows the most telling, as in
// WriteTimeline), each target and breaker change marked by a line and a
// label (time to the millisecond and the new state), a tooltip (<title>)
// on every run of one state with its exact times, and a legend. The file is
// self-contained (no external reference, no script, no font) and its bytes
// depend only on events and opt.
func WriteSVG(w io.Writer, events []traces.Event, opt SVGOptions) error {
	return WriteSVGFrom(w, SliceEvents(events), opt)
}

// WriteSVGFrom is WriteSVG over events as they stream past: it holds each
// lane's pixel columns and changes, not the events, and writes nothing
// until the last event has passed (ErrEmptyWindow, or a problem reading
// the events, leaves w untouched).
func WriteSVGFrom(w io.Writer, events Events, opt SVGOptions) error {
	width := opt.Width
	if width <= 0 {
		width = DefaultSVGWidth
	}
	labelX := func(labelChars int) int { return svgMargin + int(float64(labelChars)*svgCharW) + 8 }
	d, err := draw(events, opt.Horizon, opt.From, opt.To, func(label int) int { return max(width-labelX(label)-svgMargin-16, 50) }, true, topology{opt.Hosts, opt.BreakerOf})
	if err != nil {
		return err
	}
	lanes, from, to, n := d.lanes, d.from, d.to, d.n
	labelChars := d.label
	x0 := labelX(labelChars)
	width = x0 + n + svgMargin + 16

	var body strings.Builder
	y := svgMargin
	if opt.Title != "" {
		y += 14
		fmt.Fprintf(&body, "<text x=\"%d\" y=\"%d\" font-size=\"14\" font-weight=\"bold\">%s</text>\n", svgMargin, y, esc(opt.Title))
		y += 8
	}
	// The axis: tick labels, then ticks and grid lines once the height is known.
	y += 14
	axisY := y
	step := tickStep(to-from, n/7) // a tick at least ~56 px apart
	var ticks []int
	first := (from + step - 1) / step * step
	free := -1
	body.WriteString("<g class=\"axis\" fill=\"#333\">\n")
	for t := first; t <= to; t += step {
		c := column(t, from, to, n)
		ticks = append(ticks, c)
		label := seconds(t)
		lw := int(float64(len(label)) * svgCharW)
		anchor, lx := "middle", x0+c
		left := lx - lw/2
		if lx+lw/2 > x0+n+svgMargin {
			anchor, left = "end", lx-lw
		}
		if left < free {
			continue
		}
		free = left + lw + 6
		fmt.Fprintf(&body, "<text x=\"%d\" y=\"%d\" text-anchor=\"%s\">%s</text>\n", lx, axisY, anchor, label)
	}
	body.WriteString("</g>\n")
	y += 6
	top := y

	var lanesSVG strings.Builder
	// boxes are the mark labels drawn over the lanes' area, which the grid
	// lines must not run through (a line behind a text, even with its
	// white halo, reads as a strike-through).
	var boxes []box
	group := LaneKind(0)
	for i := range lanes {
		l := &lanes[i]
		if l.Kind != group {
			group = l.Kind
			y += svgGroupH
			fmt.Fprintf(&lanesSVG, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s</text>\n", svgMargin, y-5, groupTitle(group))
		}
		labels := markLabels(l.Lane, from, to, n)
		rows := 0
		for _, ml := range labels {
			rows = max(rows, ml.row+1)
		}
		y += rows * svgMarkRowH
		laneTop := y
		fmt.Fprintf(&lanesSVG, "<g class=\"lane\" data-kind=\"%s\" data-name=\"%s\">\n", l.Kind, esc(l.Label()))
		fmt.Fprintf(&lanesSVG, "<text x=\"%d\" y=\"%d\">%s</text>\n", svgMargin+8, laneTop+12, esc(fitLabel(termLabel(l.Lane), labelChars)))
		fmt.Fprintf(&lanesSVG, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#f7f7f7\"/>\n", x0, laneTop, n, svgLaneH)
		// Mark lines go under the runs, so a state held for a pixel (a
		// half-open probe) stays visible in the lane.
		for _, ml := range labels {
			ly := laneTop - (rows-ml.row)*svgMarkRowH
			fmt.Fprintf(&lanesSVG, "<line x1=\"%d.5\" y1=\"%d\" x2=\"%d.5\" y2=\"%d\" stroke=\"#222\" stroke-width=\"1\"/>\n", x0+ml.col, ly, x0+ml.col, laneTop+svgLaneH)
		}
		writeRuns(&lanesSVG, l, n, x0, laneTop)
		for _, ml := range labels {
			ly := laneTop - (rows-ml.row)*svgMarkRowH
			fmt.Fprintf(&lanesSVG, "<text x=\"%d\" y=\"%d\" font-size=\"10\" text-anchor=\"%s\" stroke=\"#fff\" stroke-width=\"3\" paint-order=\"stroke\"><title>%s</title>%s</text>\n",
				x0+ml.x, ly+10, ml.anchor, esc(ml.title), esc(ml.text))
			lo, hi := ml.span()
			boxes = append(boxes, box{x0: x0 + lo, x1: x0 + hi, y0: ly, y1: ly + svgMarkRowH})
		}
		lanesSVG.WriteString("</g>\n")
		y += svgLaneH + svgGap
	}
	bottom := y

	// Ticks and grid lines under the lanes, broken where a label is.
	body.WriteString("<g class=\"grid\" stroke=\"#ccc\" stroke-width=\"1\">\n")
	for _, c := range ticks {
		for _, seg := range gridSegments(x0+c, top, bottom-svgGap, boxes) {
			fmt.Fprintf(&body, "<line x1=\"%d.5\" y1=\"%d\" x2=\"%d.5\" y2=\"%d\"/>\n", x0+c, seg[0], x0+c, seg[1])
		}
	}
	body.WriteString("</g>\n")
	body.WriteString(lanesSVG.String())

	// The legend.
	y += 6
	for _, row := range legendRows {
		y += 16
		fmt.Fprintf(&body, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">%s</text>\n", svgMargin, y, row.title)
		x := svgMargin + 80
		for _, s := range row.states {
			fmt.Fprintf(&body, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\" stroke=\"#888\" stroke-width=\"0.5\"/>\n", x, y-10, fills[s])
			text := stateLegend(s)
			fmt.Fprintf(&body, "<text x=\"%d\" y=\"%d\">%s</text>\n", x+16, y, esc(text))
			x += 16 + int(float64(utf8.RuneCountInString(text))*svgCharW) + 14
		}
		if row.title == "breakers" {
			fmt.Fprintf(&body, "<line x1=\"%d.5\" y1=\"%d\" x2=\"%d.5\" y2=\"%d\" stroke=\"#222\"/>\n", x+5, y-11, x+5, y+2)
			fmt.Fprintf(&body, "<text x=\"%d\" y=\"%d\">transition</text>\n", x+10, y)
		}
	}
	y += 18
	fmt.Fprintf(&body, "<text x=\"%d\" y=\"%d\" font-size=\"10\" fill=\"#555\">%s</text>\n", svgMargin, y,
		esc(fmt.Sprintf("%s to %s, one pixel ≈ %s; a pixel covering several states shows the most telling", seconds(from), seconds(to), approxSeconds((to-from)/time.Duration(n)))))
	height := y + svgMargin

	bw := bufio.NewWriter(w)
	bw.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
	fmt.Fprintf(bw, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"monospace\" font-size=\"%d\">\n", width, height, width, height, svgFontSize)
	if opt.Title != "" {
		fmt.Fprintf(bw, "<title>%s</title>\n", esc(opt.Title+" timeline"))
	}
	fmt.Fprintf(bw, "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>\n", width, height)
	bw.WriteString(body.String())
	bw.WriteString("</svg>\n")
	return bw.Flush()
}

// box is a text's extent in the picture, in pixels: [x0, x1] × [y0, y1].
type box struct{ x0, x1, y0, y1 int }

// gridSegments splits the grid line at x, from y0 to y1, into the pieces
// that run through no box (a pixel of air on each side of one).
func gridSegments(x, y0, y1 int, boxes []box) [][2]int {
	var cut [][2]int
	for _, b := range boxes {
		if x >= b.x0-1 && x <= b.x1+1 && b.y1 >= y0 && b.y0 <= y1 {
			cut = append(cut, [2]int{b.y0 - 1, b.y1 + 1})
		}
	}
	sort.Slice(cut, func(i, j int) bool { return cut[i][0] < cut[j][0] })
	var out [][2]int
	at := y0
	for _, c := range cut {
		if c[0] > at {
			out = append(out, [2]int{at, c[0]})
		}
		at = max(at, c[1])
	}
	if at < y1 {
		out = append(out, [2]int{at, y1})
	}
	return out
}

// writeRuns draws a lane's columns as one rect per run of one state, each
// with a tooltip giving the exact extent of the spans behind it. A
// half-open run narrower than svgProbeW is widened to it, centred on its
// columns and drawn over its neighbours, so a probe shows at any zoom.
func writeRuns(b *strings.Builder, l *drawnLane, n, x0, y int) {
	cells, ext := l.cells, l.ext
	var probes strings.Builder
	defer func() { b.WriteString(probes.String()) }()
	for c := 0; c < n; {
		s := cells[c]
		end := c + 1
		for end < n && cells[end] == s {
			end++
		}
		if s != LaneIdle {
			var run extent
			several := false
			for k := c; k < end; k++ {
				e := ext[k]
				if !e.set {
					continue
				}
				if !run.set {
					run = e
				}
				run.from, run.to = min(run.from, e.from), max(run.to, e.to)
				if e.detail != run.detail || e.several {
					several = true
				}
			}
			title := fmt.Sprintf("%s: %s %s to %s", termLabel(l.Lane), s, seconds(run.from), seconds(run.to))
			if !several && run.detail != "" {
				title += " (" + run.detail + ")"
			}
			x, w, out := x0+c, end-c, b
			if s == BreakerHalfOpen && w < svgProbeW {
				x, w, out = x-(svgProbeW-w)/2, svgProbeW, &probes
				x = min(max(x, x0), x0+n-w)
			}
			fmt.Fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"><title>%s</title></rect>\n",
				x, y, w, svgLaneH, fills[s], esc(title))
		}
		c = end
	}
}

// markLabel is one label over a lane: the changes that fall within a few
// pixels of each other, drawn at the first one's column.
type markLabel struct {
	col, x int
	row    int
	anchor string
	text   string
	title  string
}

// span is the label's text extent, in pixels from the lanes' left edge.
func (ml *markLabel) span() (lo, hi int) {
	w := int(float64(utf8.RuneCountInString(ml.text))*svgCharW) + 1
	if ml.anchor == "end" {
		return ml.x - w, ml.x
	}
	return ml.x, ml.x + w
}

// markLabels groups a lane's marks in the window and stacks their labels
// in rows so none overlaps another.
func markLabels(l *Lane, from, to time.Duration, n int) []markLabel {
	var out []markLabel
	var group []Mark
	flush := func() {
		if len(group) == 0 {
			return
		}
		m0 := group[0]
		var text, title strings.Builder
		text.WriteString(milliseconds(m0.T) + " ")
		if l.Kind == BreakerLane {
			text.WriteString(m0.From.String())
			for _, m := range group {
				text.WriteString(" → " + m.To.String())
			}
		} else {
			for i, m := range group {
				if i > 0 {
					text.WriteString(", ")
				}
				text.WriteString(m.Short)
			}
		}
		for i, m := range group {
			if i > 0 {
				title.WriteString("; ")
			}
			title.WriteString(seconds(m.T) + " " + m.Text)
		}
		out = append(out, markLabel{col: column(m0.T, from, to, n), text: text.String(), title: title.String()})
		group = group[:0]
	}
	for _, m := range l.Marks {
		if m.T < from || m.T > to {
			continue
		}
		if len(group) > 0 && column(m.T, from, to, n)-column(group[0].T, from, to, n) > 2 {
			flush()
		}
		group = append(group, m)
	}
	flush()

	// Stack the labels in rows above the lane, row 0 nearest to it, right
	// to left: each takes the lowest row where its text overlaps no other
	// text and no line going down to the lane, and where its own line
	// crosses no text in the rows below it.
	type row struct {
		texts [][2]int
		lines []int
	}
	var rows []row
	overlaps := func(r row, lo, hi int) bool {
		for _, iv := range r.texts {
			if lo < iv[1]+6 && iv[0] < hi+6 {
				return true
			}
		}
		for _, x := range r.lines {
			if x >= lo-3 && x <= hi+3 {
				return true
			}
		}
		return false
	}
	for i := len(out) - 1; i >= 0; i-- {
		ml := &out[i]
		w := int(float64(utf8.RuneCountInString(ml.text))*svgCharW) + 1
		ml.anchor, ml.x = "start", ml.col+3
		lo, hi := ml.x, ml.x+w
		if hi > n+svgMargin+16 {
			ml.anchor, ml.x = "end", ml.col-3
			lo, hi = ml.x-w, ml.x
		}
		// The lowest row where nothing is crossed, else the lowest where
		// texts do not overlap (a line may then pass behind a text: texts
		// have a white halo), else a new row on top.
		r, fallback := 0, -1
		for ; r < len(rows); r++ {
			if overlaps(row{texts: rows[r].texts}, lo, hi) {
				continue
			}
			if fallback < 0 {
				fallback = r
			}
			if overlaps(rows[r], lo, hi) {
				continue
			}
			crosses := false
			for q := 0; q < r && !crosses; q++ {
				crosses = overlaps(row{texts: rows[q].texts}, ml.col, ml.col)
			}
			if !crosses {
				break
			}
		}
		if r == len(rows) && fallback >= 0 {
			r = fallback
		}
		if r == len(rows) {
			rows = append(rows, row{})
		}
		rows[r].texts = append(rows[r].texts, [2]int{lo, hi})
		for q := 0; q <= r; q++ {
			rows[q].lines = append(rows[q].lines, ml.col)
		}
		ml.row = r
	}
	// The caller counts rows from the top.
	for i := range out {
		out[i].row = len(rows) - 1 - out[i].row
	}
	return out
}

// milliseconds formats an instant as seconds rounded to the millisecond:
// "26.013s", "6s".
func milliseconds(d time.Duration) string {
	return seconds((d + time.Millisecond/2) / time.Millisecond * time.Millisecond)
}

var xmlEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", "\"", "&quot;", "'", "&#39;")

// esc escapes text for XML content and attribute values.
func esc(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	// Control characters other than tab and newline are not allowed in XML 1.0.
	s = strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' && r != '\n' {
			return -1
		}
		return r
	}, s)
	return xmlEscaper.Replace(s)
}
