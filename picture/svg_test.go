package picture

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/dapr-sim/sim/traces"
)

// The README's picture (docs/quickstart-timeline.svg) is this test's golden file: `make golden`
// (SIM_UPDATE_GOLDEN=1) rewrites it from the code; review it like code.
const quickstartSVG = "../docs/quickstart-timeline.svg"

func quickstartSVGBytes(t *testing.T) []byte {
	t.Helper()
	events, horizon := quickstart(t)
	var b bytes.Buffer
	if err := WriteSVG(&b, events, SVGOptions{Horizon: horizon, Title: "quickstart"}); err != nil {
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
