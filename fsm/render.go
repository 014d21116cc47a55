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
// lower left (three states make a triangle), each arrow a curve labelled at
// its middle, a row that keeps the state a loop above it — and returns an
// <svg> element to inline in an HTML page (it has no xmlns, which inline
// SVG does not need). id prefixes the element ids, so several diagrams can
// share a page. Every state is a <g class="state" data-state="NAME"> and
// every arrow a <g class="edge" data-from="A" data-to="B">, so a page can
// highlight them; styling is left to the page's CSS.
func (d Diagram) SVG(id string) string {
	const (
		charW  = 6.6 // average width of a 12px sans-serif character
		nodeH  = 34.0
		margin = 12.0
	)
	n := len(d.States)
	radius := math.Max(150, float64(n)*45)
	type node struct{ x, y, w float64 }
	pos := map[string]node{}
	for i, s := range d.States {
		a := math.Pi/2 + math.Pi/float64(n) - 2*math.Pi*float64(i)/float64(n)
		if n == 1 {
			a = 0
		}
		x, y := radius*math.Cos(a), radius*math.Sin(a)
		if n == 1 {
			x, y = 0, 0
		}
		pos[s] = node{x, y, float64(len([]rune(s)))*8 + 28}
	}
	// The bounding box grows with every element drawn.
	minX, minY, maxX, maxY := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	grow := func(x0, y0, x1, y1 float64) {
		minX, minY = math.Min(minX, x0), math.Min(minY, y0)
		maxX, maxY = math.Max(maxX, x1), math.Max(maxY, y1)
	}
	var body strings.Builder
	// clip moves from the centre of nd towards (tx, ty) to the border of
	// its box.
	clip := func(nd node, tx, ty float64) (float64, float64) {
		dx, dy := tx-nd.x, ty-nd.y
		hw, hh := nd.w/2+3, nodeH/2+3
		s := math.Inf(1)
		if dx != 0 {
			s = math.Min(s, hw/math.Abs(dx))
		}
		if dy != 0 {
			s = math.Min(s, hh/math.Abs(dy))
		}
		if math.IsInf(s, 1) {
			return nd.x, nd.y
		}
		return nd.x + dx*s, nd.y + dy*s
	}
	// label writes text at (x, y), leaning away from the centre so labels
	// of different arrows spread outwards instead of meeting in the middle.
	label := func(x, y float64, text string) {
		w := float64(len([]rune(text))) * charW
		anchor, x0 := "middle", x-w/2
		switch {
		case x < -20:
			anchor, x0 = "end", x-w
		case x > 20:
			anchor, x0 = "start", x
		}
		grow(x0-2, y-13, x0+w+2, y+5)
		fmt.Fprintf(&body, `<text class="label" x="%.1f" y="%.1f" text-anchor="%s">%s</text>`, x, y, anchor, xmlText(text))
	}
	pairCount := map[[2]string]int{}
	loops := map[string]int{}
	for _, e := range d.Edges {
		a, b := pos[e.From], pos[e.To]
		fmt.Fprintf(&body, `<g class="edge" data-from="%s" data-to="%s">`, xmlText(e.From), xmlText(e.To))
		if e.From == e.To {
			k := float64(loops[e.From])
			loops[e.From]++
			top := a.y - nodeH/2
			h := 30 + 22*k
			fmt.Fprintf(&body, `<path d="M%.1f %.1f C%.1f %.1f %.1f %.1f %.1f %.1f" marker-end="url(#%s-arrow)"/>`,
				a.x-12, top, a.x-34-8*k, top-h, a.x+34+8*k, top-h, a.x+12, top-3, id)
			label(a.x, top-h*0.75-4, e.Label())
		} else {
			// Arrows between the same two states, either way, bow
			// outwards from the centre, each further than the last.
			p := [2]string{e.From, e.To}
			if p[0] > p[1] {
				p[0], p[1] = p[1], p[0]
			}
			k := float64(pairCount[p])
			pairCount[p]++
			mx, my := (a.x+b.x)/2, (a.y+b.y)/2
			dx, dy := b.x-a.x, b.y-a.y
			l := math.Hypot(dx, dy)
			nx, ny := dy/l, -dx/l
			if nx*mx+ny*my < 0 {
				nx, ny = -nx, -ny
			}
			off := 24 + 50*k
			cx, cy := mx+nx*off, my+ny*off
			x0, y0 := clip(a, cx, cy)
			x1, y1 := clip(b, cx, cy)
			fmt.Fprintf(&body, `<path d="M%.1f %.1f Q%.1f %.1f %.1f %.1f" marker-end="url(#%s-arrow)"/>`, x0, y0, cx, cy, x1, y1, id)
			lx, ly := 0.25*x0+0.5*cx+0.25*x1+nx*6, 0.25*y0+0.5*cy+0.25*y1+ny*6
			label(lx, ly+4, e.Label())
		}
		body.WriteString("</g>")
	}
	final := map[string]bool{}
	for _, s := range d.Final {
		final[s] = true
	}
	for i, s := range d.States {
		nd := pos[s]
		x, y := nd.x-nd.w/2, nd.y-nodeH/2
		grow(x-4, y-4, x+nd.w+4, y+nodeH+4)
		class := "state"
		if i == 0 {
			class += " initial"
		}
		if final[s] {
			class += " final"
		}
		fmt.Fprintf(&body, `<g class="%s" data-state="%s"><rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" rx="10"/>`+
			`<text x="%.1f" y="%.1f" text-anchor="middle">%s</text></g>`,
			class, xmlText(s), x, y, nd.w, nodeH, nd.x, nd.y+5, xmlText(s))
	}
	if n == 0 {
		grow(0, 0, 1, 1)
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

func xmlText(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}
