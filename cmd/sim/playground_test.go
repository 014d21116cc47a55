package main

import (
	"bytes"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/dapr-sim/sim/cmd/internal/play"
	"github.com/dapr-sim/sim/cmd/internal/playground"
)

// cliRun is what `sim run SCENARIO`, `sim render SCENARIO -o x.svg` and
// `sim render SCENARIO -o x.html` print and write, run from dir (a
// repository's root).
type cliRun struct {
	stdout, stderr, svg, page string
	status                    int
}

func runCLI(t *testing.T, dir, scenario string) cliRun {
	t.Helper()
	t.Chdir(dir)
	var r cliRun
	var stdout, stderr bytes.Buffer
	r.status = Main([]string{"run", scenario}, &stdout, &stderr)
	r.stdout, r.stderr = stdout.String(), stderr.String()
	for _, out := range []struct {
		name string
		to   *string
	}{{"x.svg", &r.svg}, {"x.html", &r.page}} {
		path := filepath.Join(t.TempDir(), out.name)
		stdout.Reset()
		stderr.Reset()
		if st := Main([]string{"render", scenario, "-o", path}, &stdout, &stderr); st == 0 {
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			*out.to = string(b)
		} else if st != r.status || stderr.String() != r.stderr {
			t.Fatalf("sim render %s -o %s: exit %d, %q; sim run: exit %d, %q", scenario, out.name, st, stderr.String(), r.status, r.stderr)
		}
	}
	return r
}

func mapFS(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, text := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(text), Mode: 0o644}
	}
	return fsys
}

// TestPlaygroundMatchesCLI: for every scenario the playground's gallery
// carries, and for edits that break it, play.Run over the files in memory
// — what the page's engine returns — is byte for byte what the CLI prints
// from the repository's root for the same files: the log, stderr (errors
// and warnings, which name the files), the exit status, the SVG and the
// HTML replay page the playground embeds.
func TestPlaygroundMatchesCLI(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	gallery, _, err := playground.Gallery(os.DirFS(root))
	if err != nil {
		t.Fatal(err)
	}
	if len(gallery) < 10 || gallery[0].Name != "quickstart" {
		t.Fatalf("the gallery has %d examples, the first %q; want the table of examples/README.md, quickstart first", len(gallery), gallery[0].Name)
	}
	type tc struct {
		name     string
		dir      string // the CLI's working directory
		ex       playground.Example
		status   int
		contains string // in stderr
	}
	var cases []tc
	for _, ex := range gallery {
		cases = append(cases, tc{name: ex.Name, dir: root, ex: ex})
	}
	// Broken inputs, each in a copy of the repository's examples with the
	// edit, so the CLI reads the same bytes under the same names.
	q := gallery[0]
	broken := func(name, file, old, new string, status int, contains string) {
		ex := q
		ex.Files = map[string]string{}
		for k, v := range q.Files {
			ex.Files[k] = v
		}
		if !strings.Contains(ex.Files[file], old) {
			t.Fatalf("%s: %s has no %q", name, file, old)
		}
		ex.Files[file] = strings.Replace(ex.Files[file], old, new, 1)
		dir := t.TempDir()
		for k, v := range ex.Files {
			p := filepath.Join(dir, filepath.FromSlash(k))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(v), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		cases = append(cases, tc{name: name, dir: dir, ex: ex, status: status, contains: contains})
	}
	broken("bad-timeout", q.Resiliency, "timeout: 5s", "timeout: soon", 2, "resiliency.yaml:19: spec.policies.circuitBreakers.simpleCB.timeout:")
	broken("unknown-key", q.Scenario, "pause: 1s", "pase: 1s", 2, "scenario.yaml:")
	broken("no-policy", q.Resiliency, "circuitBreaker: simpleCB", "circuitBreaker: otherCB", 2, "otherCB")
	broken("warning", q.Resiliency, "scopes:\n  - order-processor", "scopes:\n  - checkout", 0, "warning")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := runCLI(t, c.dir, c.ex.Scenario)
			got := play.Run(mapFS(c.ex.Files), c.ex.Scenario)
			if got.Status != want.status || want.status != c.status {
				t.Errorf("exit status: playground %d, CLI %d; want %d (stderr %q)", got.Status, want.status, c.status, want.stderr)
			}
			if !strings.Contains(want.stderr, c.contains) {
				t.Errorf("the CLI's stderr %q lacks %q: the case tests less than it says", want.stderr, c.contains)
			}
			if got.Stderr != want.stderr {
				t.Errorf("stderr differs:\nplayground: %q\nCLI:        %q", got.Stderr, want.stderr)
			}
			if got.Stdout != want.stdout {
				t.Errorf("the log differs: playground %d bytes, CLI %d bytes", len(got.Stdout), len(want.stdout))
			}
			if got.SVG != want.svg {
				t.Errorf("the SVG differs: playground %d bytes, CLI %d bytes", len(got.SVG), len(want.svg))
			}
			if got.Page != want.page || got.PageError != "" {
				t.Errorf("the replay page differs: playground %d bytes (%q), CLI %d bytes; first difference at byte %d",
					len(got.Page), got.PageError, len(want.page), firstDiff(got.Page, want.page))
			}
			if c.status == 0 && !strings.Contains(want.page, `<script type="application/json" id="data">{"title":`) {
				t.Errorf("the CLI wrote no replay page: the case tests less than it says")
			}
		})
	}
}

// firstDiff is the offset of the first byte at which a and b differ (the
// shorter one's length when one is the other's prefix; -1 when equal).
func firstDiff(a, b string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) == len(b) {
		return -1
	}
	return min(len(a), len(b))
}

// TestPlaygroundPageTooLong: a run whose replay page cannot be drawn (more
// event instants than picture.MaxPageInstants) still gives the
// playground its log and SVG, as `sim run` and `sim render -o x.svg` do,
// and, for the page, what `sim render -o x.html` prints on stderr.
func TestPlaygroundPageTooLong(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	gallery, _, err := playground.Gallery(os.DirFS(root))
	if err != nil {
		t.Fatal(err)
	}
	ex := gallery[0]
	ex.Files = maps.Clone(ex.Files)
	sc := ex.Files[ex.Scenario]
	if !strings.Contains(sc, "\nduration: 60s") {
		t.Fatalf("%s has no duration: 60s", ex.Scenario)
	}
	ex.Files[ex.Scenario] = strings.Replace(sc, "\nduration: 60s", "\nduration: 4h", 1)
	dir := t.TempDir()
	for k, v := range ex.Files {
		p := filepath.Join(dir, filepath.FromSlash(k))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(v), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	var stdout, stderr bytes.Buffer
	html := filepath.Join(t.TempDir(), "x.html")
	if st := Main([]string{"render", ex.Scenario, "-o", html}, &stdout, &stderr); st != exitBadInput || !strings.Contains(stderr.String(), "event instants") {
		t.Fatalf("sim render -o x.html over 4h: exit %d, %q; want 2 and too many event instants", st, stderr.String())
	}
	got := play.Run(mapFS(ex.Files), ex.Scenario)
	if got.Status != 0 || got.Stdout == "" || got.SVG == "" || got.Page != "" {
		t.Errorf("the playground over 4h: status %d, a log of %d bytes, an SVG of %d, a page of %d; want 0, a log, an SVG and no page",
			got.Status, len(got.Stdout), len(got.SVG), len(got.Page))
	}
	if got.PageError != stderr.String() {
		t.Errorf("the playground says of the page %q; sim render -o x.html %q", got.PageError, stderr.String())
	}
}
