package page

import (
	"strings"
	"testing"
)

// Text from a run (log lines, names) cannot end the data's <script>
// element or inject markup: JSON escapes <, > and &, and the title is
// HTML-escaped.
func TestWriteEscapes(t *testing.T) {
	d := &Data{Title: `a <b> "c"`, To: 1e9,
		Snapshots: []Snapshot{{Breakers: []Breaker{}, Targets: []Target{}, Requests: []string{}, Happened: []string{}}},
		Log:       []LogLine{{T: 1, Text: `</script><script>alert(1)</script>`}},
		Diagrams:  []Diagram{{Breaker: `x"<y`, Title: "t", SVG: `<svg class="fsm"></svg>`}}}
	var b strings.Builder
	if err := Write(&b, d); err != nil {
		t.Fatal(err)
	}
	s := b.String()
	if strings.Count(s, "</script>") != 3 { // the CSP listener, the data, the page script
		t.Errorf("the page has %d </script>, want 3: run text broke out of the data", strings.Count(s, "</script>"))
	}
	for _, want := range []string{`<title>a &lt;b&gt; &#34;c&#34;</title>`, `\u003c/script\u003e`, `data-breaker="x&#34;&lt;y"`} {
		if !strings.Contains(s, want) {
			t.Errorf("page lacks %s", want)
		}
	}
	if strings.Contains(s, "{{") {
		t.Error("a placeholder was left in the page")
	}
}
