package picture

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/dapr-sim/sim/traces"
)

// The README's picture (docs/quickstart-timeline.svg) is this test's golden file: `make golden`
// (SIM_UPDATE_GOLDEN=1) rewrites it from the code; review it like code.
const quickstartSVG = "../docs/quickstart-timeline.svg"

func quickstartSVGBytes(t *testing.T) []byte {
	t.Helper()
	events, horizon := quickstart(t)
	var b bytes.Buffer
	// The quickstart's one breaker guards its one store, as
	// sim.Setup.BreakerOf says; the README's picture is sim render's.
	breakerOf := func(e *traces.Event) string {
		if e.Target == "statestore" {
			return "simpleCB-statestore"
		}
		return ""
	}
	if err := WriteSVG(&b, events, SVGOptions{Horizon: horizon, Title: "quickstart", BreakerOf: breakerOf}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestSVGGolden(t *testing.T) {
	got := quickstartSVGBytes(t)
	if !bytes.Equal(got, quickstartSVGBytes(t)) {
		t.Fatal("two renderings differ")
	}
	if os.Getenv("SIM_UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(quickstartSVG, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(quickstartSVG)
	if err != nil {
		t.Fatalf("%v (SIM_UPDATE_GOLDEN=1 writes it)", err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) && i < len(wl); i++ {
			if gl[i] != wl[i] {
				t.Fatalf("%s differs at line %d:\n got  %s\n want %s\n(SIM_UPDATE_GOLDEN=1 rewrites it; review the diff)", quickstartSVG, i+1, gl[i], wl[i])
			}
		}
		t.Fatalf("%s: %d lines, want %d (SIM_UPDATE_GOLDEN=1 rewrites it)", quickstartSVG, len(gl), len(wl))
	}
}

// checkSVG parses b as XML and checks it is a self-contained SVG: the root
// is <svg> in the SVG namespace, and nothing refers outside the file.
func checkSVG(t *testing.T, b []byte) (titles []string) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	depth, roots := 0, 0
	inTitle := false
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			if depth == 0 {
				roots++
				if tok.Name.Local != "svg" || tok.Name.Space != "http://www.w3.org/2000/svg" {
					t.Errorf("root element %v, want svg in the SVG namespace", tok.Name)
				}
			}
			switch tok.Name.Local {
			case "script", "image", "use", "foreignObject", "a", "style":
				t.Errorf("element <%s>: the picture must be static and self-contained", tok.Name.Local)
			}
			for _, a := range tok.Attr {
				if a.Name.Local == "href" || a.Name.Space == "xmlns" || (strings.Contains(a.Value, "url(") || strings.Contains(a.Value, "://")) && a.Name.Local != "xmlns" {
					t.Errorf("attribute %s=%q refers outside the file", a.Name.Local, a.Value)
				}
			}
			inTitle = tok.Name.Local == "title"
			depth++
		case xml.EndElement:
			depth--
			inTitle = false
		case xml.CharData:
			if inTitle {
				titles = append(titles, string(tok))
			}
		}
	}
	if roots != 1 || depth != 0 {
		t.Errorf("%d root elements, depth %d at the end", roots, depth)
	}
	return titles
}

func TestSVGIsValid(t *testing.T) {
	titles := checkSVG(t, quickstartSVGBytes(t))
	for _, want := range []string{
		"statestore: down 6s to 33s (stopped)",
		"simpleCB-statestore: open 26.405988957s to 31.405989957s",
		"simpleCB-statestore: half-open 31.405989957s to 31.495401889s",
		"26.405988957s closed → open",
		"33s started",
	} {
		found := false
		for _, s := range titles {
			found = found || s == want
		}
		if !found {
			t.Errorf("no tooltip %q among %q", want, titles)
		}
	}
}

// Names and texts from a trace are escaped: a hostile one cannot break the
// XML or inject markup.
func TestSVGEscapes(t *testing.T) {
	events := []traces.Event{
		{T: 1, Kind: traces.Fault, Target: `<db a="1">&'` + "\x01", Change: "slow", Detail: "latency </text><script>"},
		{T: 2, Kind: traces.Breaker, Name: "cb]]>", From: "closed", To: "open"},
	}
	var b bytes.Buffer
	if err := WriteSVG(&b, events, SVGOptions{Horizon: 10, Title: "a & b"}); err != nil {
		t.Fatal(err)
	}
	checkSVG(t, b.Bytes())
	if err := WriteSVG(&b, events, SVGOptions{Horizon: 10, From: 5, To: 5}); !errors.Is(err, ErrEmptyWindow) {
		t.Errorf("an empty window: %v", err)
	}
}

// svgShape is one <rect>, <line> or <text> of an SVG, with the class of
// the <g> it is in.
type svgShape struct {
	el, group, text string
	attr            map[string]string
}

func (s svgShape) num(t *testing.T, name string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s.attr[name], 64)
	if err != nil {
		t.Fatalf("<%s %s=%q>: %v", s.el, name, s.attr[name], err)
	}
	return v
}

func svgShapes(t *testing.T, b []byte) []svgShape {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	var out []svgShape
	var groups []string
	cur := -1 // the <text> being read
	inTitle := false
	depth := 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			depth++
			attr := map[string]string{}
			for _, a := range tok.Attr {
				attr[a.Name.Local] = a.Value
			}
			switch tok.Name.Local {
			case "g":
				groups = append(groups, attr["class"])
			case "rect", "line", "text":
				g := ""
				if len(groups) > 0 {
					g = groups[len(groups)-1]
				}
				out = append(out, svgShape{el: tok.Name.Local, group: g, attr: attr})
				if tok.Name.Local == "text" {
					cur = len(out) - 1
				}
			case "title":
				inTitle = true // a tooltip is not drawn
			}
		case xml.EndElement:
			depth--
			switch tok.Name.Local {
			case "g":
				groups = groups[:len(groups)-1]
			case "text":
				cur = -1
			case "title":
				inTitle = false
			}
		case xml.CharData:
			if cur >= 0 && !inTitle {
				out[cur].text += string(tok)
			}
		}
	}
}

// A half-open period of a millisecond in a window of an hour covers a
// thousandth of a pixel; it is drawn svgProbeW pixels wide all the same,
// over the open and closed runs beside it.
func TestSVGHalfOpenIsVisibleAtAnyZoom(t *testing.T) {
	at := 30 * time.Minute
	events := []traces.Event{
		{T: 10 * time.Minute, Kind: traces.Breaker, Name: "cb", From: "closed", To: "open"},
		{T: at, Kind: traces.Breaker, Name: "cb", From: "open", To: "half-open"},
		{T: at + time.Millisecond, Kind: traces.Breaker, Name: "cb", From: "half-open", To: "closed"},
	}
	for _, width := range []int{400, DefaultSVGWidth, 4000} {
		var b bytes.Buffer
		if err := WriteSVG(&b, events, SVGOptions{Horizon: time.Hour, Width: width}); err != nil {
			t.Fatal(err)
		}
		shapes := svgShapes(t, b.Bytes())
		found := false
		for i, s := range shapes {
			if s.el != "rect" || s.attr["fill"] != fills[BreakerHalfOpen] {
				continue
			}
			found = true
			if w := s.num(t, "width"); w < svgProbeW {
				t.Errorf("width %d: the half-open run is %g px wide, want at least %d", width, w, svgProbeW)
			}
			for _, later := range shapes[i+1:] {
				if later.el == "rect" && later.attr["y"] == s.attr["y"] && later.attr["fill"] != fills[BreakerHalfOpen] &&
					later.num(t, "x") < s.num(t, "x")+s.num(t, "width") && later.num(t, "x")+later.num(t, "width") > s.num(t, "x") {
					t.Errorf("width %d: a %s run is drawn over the half-open one", width, later.attr["fill"])
				}
			}
		}
		if !found {
			t.Errorf("width %d: no half-open run drawn", width)
		}
	}
}

// textBox is the extent of an SVG <text> as drawn in monospace: its
// font size (11 unless it says) times 0.6 per character, from a little
// under its baseline to its ascent.
func textBox(t *testing.T, s svgShape) (x0, x1, y0, y1 float64) {
	size := float64(svgFontSize)
	if s.attr["font-size"] != "" {
		size = s.num(t, "font-size")
	}
	// Trailing spaces (a padded lane label) put no ink down.
	w := float64(utf8.RuneCountInString(strings.TrimRight(s.text, " "))) * size * 0.6
	x, y := s.num(t, "x"), s.num(t, "y")
	switch s.attr["text-anchor"] {
	case "middle":
		x -= w / 2
	case "end":
		x -= w
	}
	return x, x + w, y - size*0.8, y + size*0.25
}

// No grid line runs through a text: not the mark labels, which stack over
// the lanes where the lines go, nor any other.
func TestSVGGridMissesTexts(t *testing.T) {
	events, horizon := quickstart(t)
	// A busy picture: many changes close together, labels stacked.
	busy := []traces.Event{}
	for i := 0; i < 30; i++ {
		at := time.Duration(i) * 7 * time.Second
		busy = append(busy, traces.Event{T: at, Kind: traces.Fault, Target: "db", Change: "slow", Detail: "latency 3s"},
			traces.Event{T: at + 3*time.Second, Kind: traces.Fault, Target: "db", Change: "end"},
			traces.Event{T: at + time.Second, Kind: traces.Breaker, Name: "cb", From: "closed", To: "open"},
			traces.Event{T: at + 2*time.Second, Kind: traces.Breaker, Name: "cb", From: "open", To: "closed"})
	}
	for _, c := range []struct {
		name    string
		events  []traces.Event
		horizon time.Duration
	}{{"quickstart", events, horizon}, {"busy", busy, 210 * time.Second}} {
		var b bytes.Buffer
		if err := WriteSVG(&b, c.events, SVGOptions{Horizon: c.horizon, Title: c.name}); err != nil {
			t.Fatal(err)
		}
		shapes := svgShapes(t, b.Bytes())
		lines := 0
		for _, l := range shapes {
			if l.el != "line" || l.group != "grid" {
				continue
			}
			lines++
			x, y0, y1 := l.num(t, "x1"), l.num(t, "y1"), l.num(t, "y2")
			for _, s := range shapes {
				if s.el != "text" {
					continue
				}
				bx0, bx1, by0, by1 := textBox(t, s)
				if x > bx0 && x < bx1 && y0 < by1 && y1 > by0 {
					t.Errorf("%s: the grid line at x=%g from y=%g to %g runs through %q (%g..%g × %g..%g)", c.name, x, y0, y1, s.text, bx0, bx1, by0, by1)
				}
			}
		}
		if lines == 0 {
			t.Errorf("%s: no grid line", c.name)
		}
	}
}
