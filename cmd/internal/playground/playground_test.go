package playground

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"io"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestWrite: the page carries the engine, gzipped and base64-encoded, that
// decodes back to the same bytes; the gallery as JSON a file's text cannot
// break out of; the same inputs give the same bytes; and its own parts
// (HTML, CSS, script) name no network resource.
func TestWrite(t *testing.T) {
	wasm := bytes.Repeat([]byte("\x00asm engine "), 1000)
	gallery := []Example{{Name: "x", Scenario: "examples/x/scenario.yaml", Resiliency: "examples/x/r.yaml",
		Files: map[string]string{"examples/x/scenario.yaml": "name: </script><script>alert(1)</script>", "examples/x/r.yaml": "kind: Resiliency\n"}}}
	var a, b bytes.Buffer
	if err := Write(&a, wasm, "/* wasm_exec */", gallery); err != nil {
		t.Fatal(err)
	}
	if err := Write(&b, wasm, "/* wasm_exec */", gallery); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Errorf("two writes of the same page differ")
	}
	page := a.String()
	csp := `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline' 'wasm-unsafe-eval'; worker-src blob:; style-src 'unsafe-inline'; img-src data:">`
	if i := strings.Index(page, csp); i < 0 || i > strings.Index(page, "<style>") {
		t.Errorf("the page does not open its <head> with the CSP %s", csp)
	}
	if n := strings.Count(strings.ToLower(page), "</script"); n != strings.Count(pageHTML, "</script") {
		t.Errorf("the page has %d </script> tags, its template %d: a file's text broke out of its script", n, strings.Count(pageHTML, "</script"))
	}
	m := regexp.MustCompile(`(?s)<script id="wasm" type="application/octet-stream">(.*?)</script>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no engine in the page")
	}
	z, err := base64.StdEncoding.DecodeString(m[1])
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(z))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(got, wasm) {
		t.Errorf("the engine in the page decodes to %d bytes (%v), want the %d given", len(got), err, len(wasm))
	}
	g := regexp.MustCompile(`(?s)<script id="gallery" type="application/json">(.*?)</script>`).FindStringSubmatch(page)
	var back []Example
	if g == nil || json.Unmarshal([]byte(g[1]), &back) != nil || len(back) != 1 || back[0].Files["examples/x/scenario.yaml"] != gallery[0].Files["examples/x/scenario.yaml"] {
		t.Errorf("the gallery does not read back from the page")
	}
	for name, text := range map[string]string{"page.html": pageHTML, "page.css": pageCSS, "page.js": pageJS} {
		for _, re := range []string{`(?i)https?:`, `(?i)\s(src|href|action|srcset|poster|data)\s*=`, `(?i)\burl\(`, `(?i)@import`, `(?i)\bfetch\(`, `(?i)XMLHttpRequest`} {
			if f := regexp.MustCompile(re).FindString(text); f != "" {
				t.Errorf("%s names a network resource: %q matches %s", name, f, re)
			}
		}
	}
}

// TestGallery: the repository's gallery in examples/README.md's order,
// the virtual day left out, every file a scenario names carried along.
func TestGallery(t *testing.T) {
	examples, skipped, err := Gallery(os.DirFS("../../.."))
	if err != nil {
		t.Fatal(err)
	}
	if len(examples) < 10 || examples[0].Name != "quickstart" {
		t.Fatalf("%d examples, the first %+v; want the table's, quickstart first", len(examples), examples[0].Name)
	}
	if len(skipped) != 1 || !strings.HasPrefix(skipped[0], "day: a run of 24h0m0s") {
		t.Errorf("left out: %q; want only the day", skipped)
	}
	q := examples[0]
	names := slices.Sorted(maps.Keys(q.Files))
	want := "examples/quickstart/resources/config.yaml examples/quickstart/resources/resiliency.yaml examples/quickstart/resources/statestore.yaml examples/quickstart/scenario.yaml"
	if strings.Join(names, " ") != want || q.Resiliency != "examples/quickstart/resources/resiliency.yaml" {
		t.Errorf("the quickstart carries %q, Resiliency %q; want %s", names, q.Resiliency, want)
	}
	for _, ex := range examples {
		if ex.Name == "pubsub-grpc" && ex.Resiliency != "examples/pubsub/resources/resiliency.yaml" {
			t.Errorf("pubsub-grpc's Resiliency is %q; want the one its resourcesPath names, ../pubsub/resources", ex.Resiliency)
		}
	}
}
