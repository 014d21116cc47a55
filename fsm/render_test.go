package fsm

import (
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
		`press [power &quot;ok&quot;]`,
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
