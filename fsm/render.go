package fsm

import (
	"fmt"
	"math"
	"strings"
)

// Diagram is a Table reduced to what a picture of it shows: its states and
// one arrow per row, labelled with the event and the guard's text. It is
// plain data, so a caller can fill numbers into the labels (a named
// policy's settings) before rendering it as Mermaid, DOT or SVG.
type Diagram struct {
	Name string // the table's Name
	// Title is an optional caption, e.g. the policy and its settings.
	Title string
	// States in the table's order of first appearance; States[0] is the
	// initial state.
	States []string
	// Final are the states no row leaves for another state.
	Final []string
	Edges []Edge
}

// Edge is one row of the table as an arrow.
type Edge struct {
	From, To string
	Event    string
	// Guard is the row's GuardText; "" when the row has no guard.
	Guard string
	// Otherwise marks an unguarded row that follows guarded rows for the
	// same (From, Event): it applies when none of them does.
	Otherwise bool
	Note      string
}

// Label is the text written on the arrow: the event, then the guard in
// brackets ("failed [trip(counts)]", "failed [else]").
func (e Edge) Label() string {
	switch {
	case e.Guard != "":
		return e.Event + " [" + e.Guard + "]"
	case e.Otherwise:
		return e.Event + " [else]"
	}
	return e.Event
}

// DiagramOf returns the diagram of t: every row, in declaration order.
func DiagramOf[S, E Enum, C any](t *Table[S, E, C]) Diagram {
	d := Diagram{Name: t.Name}
	for _, s := range t.states {
		d.States = append(d.States, describe(s))
	}
	guarded := map[key[S, E]]bool{}
	leaves := map[string]bool{}
	for _, r := range t.rows {
		k := key[S, E]{r.From, r.On}
		e := Edge{From: describe(r.From), To: describe(r.To), Event: describe(r.On), Guard: r.GuardText, Note: r.Note}
		if r.Guard == nil && guarded[k] {
			e.Otherwise = true
		}
		if r.Guard != nil {
			guarded[k] = true
		}
		if e.From != e.To {
			leaves[e.From] = true
		}
		d.Edges = append(d.Edges, e)
	}
	for _, s := range d.States {
		if !leaves[s] {
			d.Final = append(d.Final, s)
		}
	}
	return d
}

// ChangesOnly returns d without the rows that keep the state (self-loops):
// the picture of how the machine moves between states.
func (d Diagram) ChangesOnly() Diagram {
	out := d
	out.Edges = nil
	for _, e := range d.Edges {
		if e.From != e.To {
			out.Edges = append(out.Edges, e)
		}
	}
	return out
}

// Mermaid renders d as a Mermaid stateDiagram-v2, the title (if any) in a
// front-matter block. States whose names are not identifiers get an alias
// (`state "half-open" as half_open`). The output ends with a newline and is
// the same bytes for the same diagram.
func (d Diagram) Mermaid() string {
	var b strings.Builder
	if d.Title != "" {
		// A quoted YAML scalar: titles hold ": ", which plain YAML refuses.
		fmt.Fprintf(&b, "---\ntitle: \"%s\"\n---\n", strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", " ").Replace(d.Title))
	}
	b.WriteString("stateDiagram-v2\n")
	ids := mermaidIDs(d.States)
	for _, s := range d.States {
		if ids[s] != s {
			fmt.Fprintf(&b, "    state \"%s\" as %s\n", mermaidText(s), ids[s])
		}
	}
	if len(d.States) > 0 {
		fmt.Fprintf(&b, "    [*] --> %s\n", ids[d.States[0]])
	}
	for _, e := range d.Edges {
		fmt.Fprintf(&b, "    %s --> %s : %s\n", ids[e.From], ids[e.To], mermaidText(e.Label()))
	}
	for _, s := range d.Final {
		fmt.Fprintf(&b, "    %s --> [*]\n", ids[s])
	}
	return b.String()
}

// mermaidIDs maps each state to an identifier Mermaid accepts.
func mermaidIDs(states []string) map[string]string {
	ids := map[string]string{}
	used := map[string]bool{}
	for _, s := range states {
		id := []byte(s)
		for i, c := range id {
			if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' && i > 0) {
				id[i] = '_'
			}
		}
		base := string(id)
		if base == "" {
			base = "_"
		}
		name := base
		for n := 2; used[name]; n++ {
			name = fmt.Sprintf("%s_%d", base, n)
		}
		used[name] = true
		ids[s] = name
	}
	return ids
}

// mermaidText keeps a label on one line and away from Mermaid's
// statement separator and entity syntax.
func mermaidText(s string) string {
	return strings.NewReplacer("\n", " ", "#", "#35;", ";", "#59;", "\"", "#quot;").Replace(s)
}

// DOT renders d as a Graphviz digraph: the initial state marked by an
// arrow from a point, final states with a double border, each row's note
// as the arrow's tooltip.
func (d Diagram) DOT() string {
	var b strings.Builder
	fmt.Fprintf(&b, "digraph %s {\n", dotQuote(d.Name))
	if d.Title != "" {
		fmt.Fprintf(&b, "    label=%s;\n    labelloc=t;\n", dotQuote(d.Title))
	}
	b.WriteString("    rankdir=LR;\n")
	b.WriteString("    node [shape=box, style=rounded, fontname=\"Helvetica\"];\n")
	b.WriteString("    edge [fontname=\"Helvetica\", fontsize=10];\n")
	final := map[string]bool{}
	for _, s := range d.Final {
		final[s] = true
	}
	for _, s := range d.States {
		if final[s] {
			fmt.Fprintf(&b, "    %s [peripheries=2];\n", dotQuote(s))
		} else {
			fmt.Fprintf(&b, "    %s;\n", dotQuote(s))
		}
	}
	if len(d.States) > 0 {
		b.WriteString("    __start [shape=point, label=\"\"];\n")
		fmt.Fprintf(&b, "    __start -> %s;\n", dotQuote(d.States[0]))
	}
	for _, e := range d.Edges {
		fmt.Fprintf(&b, "    %s -> %s [label=%s", dotQuote(e.From), dotQuote(e.To), dotQuote(e.Label()))
		if e.Note != "" {
			fmt.Fprintf(&b, ", tooltip=%s", dotQuote(e.Note))
		}
		b.WriteString("];\n")
	}
	b.WriteString("}\n")
	return b.String()
}

func dotQuote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}

// SVG lays d out simply — the states evenly on a circle, the first at the
// lower left (three states make a triangle), each arrow a curve, a row
// that keeps the state a loop above it — and returns an <svg> element to
// inline in an HTML page (it has no xmlns, which inline SVG does not
// need). Two arrows between the same states bow to opposite sides, so
// their labels do not stack. Each label (the event, then the guard on a
// line of its own) takes the first place along its arrow, on either side
// of it, where it overlaps no state, no other label and no arrow, so no
// arrow crosses a label. id prefixes the element ids, so several diagrams
// can share a page. Every state is a <g class="state" data-state="NAME">
// and every arrow a <g class="edge" data-from="A" data-to="B">, so a page
// can highlight them; styling is left to the page's CSS.
func (d Diagram) SVG(id string) string {
	const (
		nodeH  = 34.0
		margin = 12.0
	)
	n := len(d.States)
	radius := math.Max(120, float64(n)*40)
	pos := map[string]box{}
	var nodes []box
	for i, s := range d.States {
		a := math.Pi/2 + math.Pi/float64(n) - 2*math.Pi*float64(i)/float64(n)
		x, y := radius*math.Cos(a), radius*math.Sin(a)
		if n == 1 {
			x, y = 0, 0
		}
		w := float64(len([]rune(s)))*8 + 28
		b := box{x - w/2, y - nodeH/2, x + w/2, y + nodeH/2}
		pos[s] = b
		nodes = append(nodes, b)
	}
	// The bounding box grows with every element drawn.
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	grow := func(b box) {
		minX, minY = math.Min(minX, b.X0), math.Min(minY, b.Y0)
		maxX, maxY = math.Max(maxX, b.X1), math.Max(maxY, b.Y1)
	}
	// clip moves from the centre of nd towards (tx, ty) to the border of
	// its box.
	clip := func(nd box, tx, ty float64) (float64, float64) {
		cx, cy := nd.center()
		dx, dy := tx-cx, ty-cy
		hw, hh := (nd.X1-nd.X0)/2+3, nodeH/2+3
		s := math.Inf(1)
		if dx != 0 {
			s = math.Min(s, hw/math.Abs(dx))
		}
		if dy != 0 {
			s = math.Min(s, hh/math.Abs(dy))
		}
		if math.IsInf(s, 1) {
			return cx, cy
		}
		return cx + dx*s, cy + dy*s
	}
	// First every arrow's curve, then the labels, which must keep off all
	// of them.
	type arrow struct {
		e    Edge
		path curve
		// side is the normal pointing away from the arrow's bow, for
		// the label's first choice.
		nx, ny float64
	}
	var arrows []arrow
	pairCount := map[[2]string]int{}
	loops := map[string]int{}
	for _, e := range d.Edges {
		a, b := pos[e.From], pos[e.To]
		ax, ay := a.center()
		if e.From == e.To {
			k := float64(loops[e.From])
			loops[e.From]++
			h := 30 + 22*k
			arrows = append(arrows, arrow{e: e, ny: -1, path: curve{
				{ax - 12, a.Y0}, {ax - 34 - 8*k, a.Y0 - h}, {ax + 34 + 8*k, a.Y0 - h}, {ax + 12, a.Y0 - 3}}})
			continue
		}
		bx, by := b.center()
		// Arrows between the same two states, either way, bow to
		// alternate sides, further out each pair: the first outwards
		// from the centre, the second inwards.
		p := [2]string{e.From, e.To}
		if p[0] > p[1] {
			p[0], p[1] = p[1], p[0]
		}
		k := pairCount[p]
		pairCount[p]++
		mx, my := (ax+bx)/2, (ay+by)/2
		dx, dy := bx-ax, by-ay
		l := math.Hypot(dx, dy)
		nx, ny := dy/l, -dx/l
		if nx*mx+ny*my < 0 || (nx*mx+ny*my == 0 && p[0] != e.From) {
			nx, ny = -nx, -ny
		}
		if k%2 == 1 {
			nx, ny = -nx, -ny
		}
		off := 30 + 40*float64(k/2)
		cx, cy := mx+nx*off, my+ny*off
		x0, y0 := clip(a, cx, cy)
		x1, y1 := clip(b, cx, cy)
		arrows = append(arrows, arrow{e: e, nx: nx, ny: ny, path: curve{{x0, y0}, {cx, cy}, {x1, y1}}})
	}
	var labels []box
	var body strings.Builder
	for _, ar := range arrows {
		lines := labelLines(ar.e)
		lb := placeLabel(ar.path, ar.nx, ar.ny, lines, nodes, labels, func(yield func(curve) bool) {
			for _, o := range arrows {
				if !yield(o.path) {
					return
				}
			}
		})
		labels = append(labels, lb)
		grow(lb)
		for _, pt := range ar.path.points(24) {
			grow(box{pt[0] - 4, pt[1] - 4, pt[0] + 4, pt[1] + 4})
		}
		fmt.Fprintf(&body, `<g class="edge" data-from="%s" data-to="%s">`, xmlText(ar.e.From), xmlText(ar.e.To))
		c := ar.path
		if len(c) == 4 {
			fmt.Fprintf(&body, `<path d="M%.1f %.1f C%.1f %.1f %.1f %.1f %.1f %.1f" marker-end="url(#%s-arrow)"/>`,
				c[0][0], c[0][1], c[1][0], c[1][1], c[2][0], c[2][1], c[3][0], c[3][1], id)
		} else {
			fmt.Fprintf(&body, `<path d="M%.1f %.1f Q%.1f %.1f %.1f %.1f" marker-end="url(#%s-arrow)"/>`, c[0][0], c[0][1], c[1][0], c[1][1], c[2][0], c[2][1], id)
		}
		lx, _ := lb.center()
		fmt.Fprintf(&body, `<text class="label" x="%.1f" y="%.1f" text-anchor="middle">`, lx, lb.Y0+labelLineH-3)
		for i, line := range lines {
			dy := "0"
			if i > 0 {
				dy = fmt.Sprint(labelLineH)
			}
			fmt.Fprintf(&body, `<tspan x="%.1f" dy="%s">%s</tspan>`, lx, dy, xmlText(line))
		}
		body.WriteString("</text></g>")
	}
	final := map[string]bool{}
	for _, s := range d.Final {
		final[s] = true
	}
	for i, s := range d.States {
		nd := pos[s]
		grow(box{nd.X0 - 4, nd.Y0 - 4, nd.X1 + 4, nd.Y1 + 4})
		class := "state"
		if i == 0 {
			class += " initial"
		}
		if final[s] {
			class += " final"
		}
		cx, cy := nd.center()
		fmt.Fprintf(&body, `<g class="%s" data-state="%s"><rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="10"/>`+
			`<text x="%.1f" y="%.1f" text-anchor="middle">%s</text></g>`,
			class, xmlText(s), nd.X0, nd.Y0, nd.X1-nd.X0, nodeH, cx, cy+5, xmlText(s))
	}
	if n == 0 {
		grow(box{0, 0, 1, 1})
	}
	minX, minY, maxX, maxY = minX-margin, minY-margin, maxX+margin, maxY+margin
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="fsm" id="%s" viewBox="%.1f %.1f %.1f %.1f" width="%.0f" height="%.0f" role="img" aria-label="%s state machine">`,
		id, minX, minY, maxX-minX, maxY-minY, maxX-minX, maxY-minY, xmlText(d.Name))
	fmt.Fprintf(&b, `<defs><marker id="%s-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse">`+
		`<path d="M0 0 L10 5 L0 10 z"/></marker></defs>`, id)
	b.WriteString(body.String())
	b.WriteString("</svg>")
	return b.String()
}

// Label metrics of SVG, in its units: a label is drawn at 11 px (the
// page's CSS), whose characters average under labelCharW in a sans-serif
// font; each of its lines takes labelLineH.
const (
	labelCharW = 6.6
	labelLineH = 13
)

// labelLines is an arrow's label as SVG writes it, a line each: the
// event, then the guard in brackets (the two read as Label does).
func labelLines(e Edge) []string {
	switch {
	case e.Guard != "":
		return []string{e.Event, "[" + e.Guard + "]"}
	case e.Otherwise:
		return []string{e.Event, "[else]"}
	}
	return []string{e.Event}
}

// box is an axis-aligned rectangle, [X0, X1] × [Y0, Y1].
type box struct{ X0, Y0, X1, Y1 float64 }

func (b box) center() (float64, float64) { return (b.X0 + b.X1) / 2, (b.Y0 + b.Y1) / 2 }

// overlaps: the boxes share more than an edge.
func (b box) overlaps(o box) bool { return b.X0 < o.X1 && o.X0 < b.X1 && b.Y0 < o.Y1 && o.Y0 < b.Y1 }

// contains: (x, y) is inside b.
func (b box) contains(x, y float64) bool { return x > b.X0 && x < b.X1 && y > b.Y0 && y < b.Y1 }

// curve is a Bézier curve by its control points: three for a quadratic,
// four for a cubic.
type curve [][2]float64

// points samples c at n+1 evenly spaced parameters, both ends included.
func (c curve) points(n int) [][2]float64 {
	out := make([][2]float64, 0, n+1)
	for i := 0; i <= n; i++ {
		out = append(out, c.at(float64(i)/float64(n)))
	}
	return out
}

// at is the point of c at parameter t in [0, 1].
func (c curve) at(t float64) [2]float64 {
	u := 1 - t
	if len(c) == 4 {
		a, b, cc, d := u*u*u, 3*u*u*t, 3*u*t*t, t*t*t
		return [2]float64{a*c[0][0] + b*c[1][0] + cc*c[2][0] + d*c[3][0], a*c[0][1] + b*c[1][1] + cc*c[2][1] + d*c[3][1]}
	}
	a, b, cc := u*u, 2*u*t, t*t
	return [2]float64{a*c[0][0] + b*c[1][0] + cc*c[2][0], a*c[0][1] + b*c[1][1] + cc*c[2][1]}
}

// placeLabel finds the box of a label of lines beside the curve along: tried at
// points along it from the middle outwards, first on the side (nx, ny)
// then on the other, just clear of the curve; the first that overlaps no
// node, no label placed and no arrow wins, else the one with the fewest
// such overlaps (the earliest among equals).
func placeLabel(along curve, nx, ny float64, lines []string, nodes, labels []box, arrows func(func(curve) bool)) box {
	w := 0.0
	for _, l := range lines {
		w = math.Max(w, float64(len([]rune(l)))*labelCharW)
	}
	w += 4
	h := float64(len(lines))*labelLineH + 3
	best, bestHits := box{}, -1
	for _, t := range []float64{0.5, 0.4, 0.6, 0.3, 0.7, 0.2, 0.8} {
		p := along.at(t)
		for _, side := range []float64{1, -1} {
			sx, sy := nx*side, ny*side
			// The distance from the box's centre to its edge along the
			// normal, and 4 units of air.
			d := math.Abs(sx)*w/2 + math.Abs(sy)*h/2 + 4
			cx, cy := p[0]+sx*d, p[1]+sy*d
			b := box{cx - w/2, cy - h/2, cx + w/2, cy + h/2}
			hits := 0
			for _, o := range nodes {
				if b.overlaps(o) {
					hits++
				}
			}
			for _, o := range labels {
				if b.overlaps(o) {
					hits++
				}
			}
			for c := range arrows {
				for _, q := range c.points(48) {
					if b.contains(q[0], q[1]) {
						hits++
						break
					}
				}
			}
			if hits == 0 {
				return b
			}
			if bestHits < 0 || hits < bestHits {
				best, bestHits = b, hits
			}
		}
	}
	return best
}

func xmlText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}
