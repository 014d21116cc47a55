package fsm

import (
	"html"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// lamp is a small table for rendering tests: a guarded row, its else
// row, a self-loop and a final state whose name needs quoting.
func lamp() *Table[lampState, lampEvent, bool] {
	yes := func(c bool) bool { return c }
	return NewTable("light",
		Transition[lampState, lampEvent, bool]{From: off, On: press, To: on, Guard: yes, GuardText: "power \"ok\""},
		Transition[lampState, lampEvent, bool]{From: off, On: press, To: off, Note: "no power"},
		Transition[lampState, lampEvent, bool]{From: on, On: breaks, To: brokenBulb},
	)
}

type lampState uint8

const (
	off lampState = iota
	on
	brokenBulb
)

func (s lampState) String() string { return [...]string{"off", "on", "broken-bulb"}[s] }

type lampEvent uint8

const (
	press lampEvent = iota
	breaks
)

func (e lampEvent) String() string { return [...]string{"press", "break"}[e] }

func TestMermaid(t *testing.T) {
	got := DiagramOf(lamp()).Mermaid()
	want := `stateDiagram-v2
    state "broken-bulb" as broken_bulb
    [*] --> off
    off --> on : press [power #quot;ok#quot;]
    off --> off : press [else]
    on --> broken_bulb : break
    broken_bulb --> [*]
`
	if got != want {
		t.Errorf("Mermaid:\n%s\nwant:\n%s", got, want)
	}
}

func TestDOT(t *testing.T) {
	d := DiagramOf(lamp())
	d.Title = `a "light"`
	got := d.DOT()
	for _, want := range []string{
		`digraph "light" {`,
		`label="a \"light\"";`,
		`"broken-bulb" [peripheries=2];`,
		`__start -> "off";`,
		`"off" -> "on" [label="press [power \"ok\"]"];`,
		`"off" -> "off" [label="press [else]", tooltip="no power"];`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("DOT lacks %s:\n%s", want, got)
		}
	}
}

func TestChangesOnly(t *testing.T) {
	d := DiagramOf(lamp()).ChangesOnly()
	if len(d.Edges) != 2 || d.Edges[0].To != "on" || d.Edges[1].To != "broken-bulb" {
		t.Errorf("ChangesOnly edges: %+v", d.Edges)
	}
	if len(d.States) != 3 {
		t.Errorf("ChangesOnly keeps every state, got %v", d.States)
	}
}

func TestSVG(t *testing.T) {
	d := DiagramOf(lamp())
	got := d.SVG("x")
	for _, want := range []string{
		`<svg class="fsm" id="x" viewBox=`,
		`<g class="state initial" data-state="off">`,
		`<g class="state final" data-state="broken-bulb">`,
		`<g class="edge" data-from="off" data-to="on">`,
		`marker-end="url(#x-arrow)"`,
		`<tspan x="1.0" dy="0">press</tspan><tspan x="1.0" dy="13">[power &quot;ok&quot;]</tspan>`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("SVG lacks %s:\n%s", want, got)
		}
	}
	if strings.Contains(got, "NaN") || strings.Contains(got, "Inf") {
		t.Errorf("SVG has a non-finite coordinate:\n%s", got)
	}
	if got != d.SVG("x") {
		t.Error("SVG differs between two calls")
	}
	if one := (Diagram{Name: "one", States: []string{"only"}}).SVG("o"); strings.Contains(one, "NaN") {
		t.Errorf("one-state SVG: %s", one)
	}
}

// breakerDiagram is the circuit breaker's diagram of moves as the replay
// page draws it, with a policy's numbers in its guards.
func breakerDiagram() Diagram {
	return Diagram{Name: "breaker", States: []string{"closed", "open", "half-open"}, Edges: []Edge{
		{From: "open", To: "half-open", Event: "consulted", Guard: "timeout 5s elapsed (expiry < now)"},
		{From: "half-open", To: "closed", Event: "succeeded", Guard: "consecutiveSuccesses >= maxRequests 1"},
		{From: "closed", To: "open", Event: "failed", Guard: "consecutiveFailures >= 5"},
		{From: "half-open", To: "open", Event: "failed", Otherwise: true},
	}}
}

var (
	svgPath  = regexp.MustCompile(`<path d="M([-0-9.]+) ([-0-9.]+) ([QC])([-0-9. ]+)"`)
	svgLabel = regexp.MustCompile(`<text class="label" x="([-0-9.]+)" y="([-0-9.]+)" text-anchor="(\w+)">(.*?)</text>`)
	svgTspan = regexp.MustCompile(`<tspan[^>]*>(.*?)</tspan>`)
	svgRect  = regexp.MustCompile(`<rect x="([-0-9.]+)" y="([-0-9.]+)" width="([-0-9.]+)" height="([-0-9.]+)"`)
)

func atof(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// checkLabels reads an SVG of a diagram back — its arrows, labels and
// states — and reports a label that overlaps another or a state, or that
// an arrow crosses.
func checkLabels(t *testing.T, name, svg string) {
	t.Helper()
	var curves []curve
	for _, m := range svgPath.FindAllStringSubmatch(svg, -1) {
		c := curve{{atof(t, m[1]), atof(t, m[2])}}
		f := strings.Fields(m[4])
		for i := 0; i+1 < len(f); i += 2 {
			c = append(c, [2]float64{atof(t, f[i]), atof(t, f[i+1])})
		}
		curves = append(curves, c)
	}
	var labels []box
	var texts []string
	for _, m := range svgLabel.FindAllStringSubmatch(svg, -1) {
		lines := []string{m[4]}
		if ts := svgTspan.FindAllStringSubmatch(m[4], -1); ts != nil {
			lines = nil
			for _, s := range ts {
				lines = append(lines, s[1])
			}
		}
		w := 0.0
		for _, l := range lines {
			w = max(w, float64(len([]rune(html.UnescapeString(l))))*labelCharW)
		}
		x, y := atof(t, m[1]), atof(t, m[2])
		switch m[3] {
		case "middle":
			x -= w / 2
		case "end":
			x -= w
		}
		labels = append(labels, box{x, y - 10, x + w, y - 10 + float64(len(lines))*labelLineH})
		texts = append(texts, strings.Join(lines, " "))
	}
	var nodes []box
	for _, m := range svgRect.FindAllStringSubmatch(svg, -1) {
		x, y := atof(t, m[1]), atof(t, m[2])
		nodes = append(nodes, box{x, y, x + atof(t, m[3]), y + atof(t, m[4])})
	}
	if len(curves) == 0 || len(labels) != len(curves) || len(nodes) == 0 {
		t.Fatalf("%s: read %d arrows, %d labels, %d states", name, len(curves), len(labels), len(nodes))
	}
	for i, l := range labels {
		for j := i + 1; j < len(labels); j++ {
			if l.overlaps(labels[j]) {
				t.Errorf("%s: labels %q and %q overlap", name, texts[i], texts[j])
			}
		}
		for _, n := range nodes {
			if l.overlaps(n) {
				t.Errorf("%s: label %q overlaps a state", name, texts[i])
			}
		}
		for k, c := range curves {
			for _, p := range c.points(200) {
				if l.contains(p[0], p[1]) {
					t.Errorf("%s: arrow %d crosses label %q", name, k, texts[i])
					break
				}
			}
		}
	}
}

// No arrow crosses a label, and no label sits on another or on a state:
// the breaker's moves (open ↔ half-open both ways) with long guards, the
// generic breaker's, the lamp with its loop.
func TestSVGLabelsKeepClear(t *testing.T) {
	generic := breakerDiagram()
	generic.Edges[0].Guard, generic.Edges[1].Guard, generic.Edges[2].Guard = "expiry < now", "consecutiveSuccesses >= maxRequests", "trip(counts)"
	for name, d := range map[string]Diagram{"breaker": breakerDiagram(), "generic": generic, "lamp": DiagramOf(lamp())} {
		checkLabels(t, name, d.SVG("x"))
	}
}
