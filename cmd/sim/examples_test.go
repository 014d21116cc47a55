package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/diff"
	"github.com/rogpeppe/go-internal/txtar"
)

// The examples gallery (examples/README.md indexes it; issue 15) is tested
// folder by folder: each must be indexed and hold scenario.yaml, README.md and
// timeline.svg; `sim run` of its scenario must print what its golden file
// (testdata/examples/NAME.txtar) holds; its README's console blocks run
// under the docs test's runner and rules (docs_test.go) in a scratch copy of
// the repository, from which the committed timeline.svg is removed first: the
// README's commands must draw it again there, byte for byte. TestDocs leaves
// these READMEs to this test so that each command runs once; the golden's
// run stands for the README's plain `sim run` (examples/day's prints 7.7 MB).
// SIM_UPDATE_GOLDEN=1 rewrites the goldens, the SVGs and the READMEs' whole
// shown outputs.

const (
	exampleGoldenDir = "testdata/examples"
	// exampleLogLimit is the number of lines above which a golden keeps the
	// log with long runs of app lines elided, and the whole log's SHA-256
	// (examples/day prints 170,000 lines, 7.7 MB).
	exampleLogLimit = 2000
	// appRunLimit is the longest run of app lines an elided golden keeps.
	appRunLimit = 6
)

// exampleFiles are what every example folder holds.
var exampleFiles = []string{"scenario.yaml", "README.md", "timeline.svg"}

func TestExamples(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	goldens, err := filepath.Abs(exampleGoldenDir)
	if err != nil {
		t.Fatal(err)
	}
	makefile, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	x := exampleChecker{root: root, goldens: goldens, makefile: string(makefile), update: os.Getenv("SIM_UPDATE_GOLDEN") != ""}
	names, problems := checkIndex(root)
	for _, p := range append(problems, checkGoldens(names, goldens)...) {
		t.Error(p)
	}
	if len(names) < 10 {
		t.Errorf("examples/ has %d folders, want at least the 10 the gallery promises", len(names))
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			for _, p := range x.check(t, name) {
				t.Error(p)
			}
		})
	}
}

// TestExamplesCatchStaleness shows that each check fails when it should: a
// copy of one small example is tampered with in turn.
func TestExamplesCatchStaleness(t *testing.T) {
	src, err := filepath.Abs("../../examples/bindings")
	if err != nil {
		t.Fatal(err)
	}
	golden, err := os.ReadFile(filepath.Join(exampleGoldenDir, "bindings.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	makefile, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		tamper func(root string)
		want   string
	}{
		{"intact", func(string) {}, ""},
		{"stale SVG", func(root string) {
			appendFile(t, filepath.Join(root, "examples/bindings/timeline.svg"), "<!-- -->\n")
		}, "examples/bindings/timeline.svg is not what the commands of examples/bindings/README.md draw now"},
		{"no render command", func(root string) {
			edit(t, filepath.Join(root, "examples/bindings/README.md"), "$ sim render examples/bindings/scenario.yaml -o examples/bindings/timeline.svg\n", "")
		}, "examples/bindings/README.md: no command in it writes examples/bindings/timeline.svg"},
		{"stale golden", func(root string) {
			edit(t, filepath.Join(root, "golden/bindings.txtar"), "Processing batch 3", "Processing batch 33")
		}, "sim run examples/bindings/scenario.yaml: output differs from "},
		{"stale README output", func(root string) {
			edit(t, filepath.Join(root, "examples/bindings/README.md"), "after 4 attempts", "after 5 attempts")
		}, "examples/bindings/README.md:"},
		{"missing SVG", func(root string) {
			if err := os.Remove(filepath.Join(root, "examples/bindings/timeline.svg")); err != nil {
				t.Fatal(err)
			}
		}, "examples/bindings: no timeline.svg"},
		{"not indexed", func(root string) {
			edit(t, filepath.Join(root, "examples/README.md"), "(bindings/)", "(elsewhere/)")
		}, "examples/README.md does not link to bindings/"},
		{"folder without files", func(root string) {
			if err := os.Mkdir(filepath.Join(root, "examples/new"), 0o755); err != nil {
				t.Fatal(err)
			}
		}, "examples/new: no scenario.yaml"},
		{"golden without folder", func(root string) {
			writeFile(t, filepath.Join(root, "golden/gone.txtar"), string(golden))
		}, "no folder examples/gone"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			if err := os.CopyFS(filepath.Join(root, "examples/bindings"), os.DirFS(src)); err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(root, "examples/README.md"), "# Examples\n\n- [bindings](bindings/)\n")
			writeFile(t, filepath.Join(root, "golden/bindings.txtar"), string(golden))
			c.tamper(root)
			goldens := filepath.Join(root, "golden")
			x := exampleChecker{root: root, goldens: goldens, makefile: string(makefile)}
			names, problems := checkIndex(root)
			problems = append(problems, checkGoldens(names, goldens)...)
			for _, name := range names {
				problems = append(problems, x.check(t, name)...)
			}
			got := strings.Join(problems, "\n")
			switch {
			case c.want == "" && got != "":
				t.Errorf("intact copy: want no problem, got:\n%s", got)
			case c.want != "" && !strings.Contains(got, c.want):
				t.Errorf("want a problem containing %q, got:\n%s", c.want, got)
			}
		})
	}
}

// checkIndex lists the folders of root/examples and reports those that
// examples/README.md does not link to, and links to folders that do not exist.
func checkIndex(root string) (names, problems []string) {
	entries, err := os.ReadDir(filepath.Join(root, "examples"))
	if err != nil {
		return nil, []string{err.Error()}
	}
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	index, err := os.ReadFile(filepath.Join(root, "examples", "README.md"))
	if err != nil {
		return names, []string{fmt.Sprintf("examples/README.md: %v", err)}
	}
	linked := map[string]bool{}
	for _, m := range regexp.MustCompile(`\]\(([a-z0-9-]+)/\)`).FindAllStringSubmatch(string(index), -1) {
		linked[m[1]] = true
	}
	for _, name := range names {
		if !linked[name] {
			problems = append(problems, fmt.Sprintf("examples/README.md does not link to %s/: index every folder", name))
		}
	}
	for name := range linked {
		if !slices.Contains(names, name) {
			problems = append(problems, fmt.Sprintf("examples/README.md links to %s/, which is not a folder of examples/", name))
		}
	}
	slices.Sort(problems)
	return names, problems
}

// checkGoldens reports the golden files in goldens that belong to no
// example folder: left over from a renamed or removed example.
func checkGoldens(names []string, goldens string) []string {
	files, err := filepath.Glob(filepath.Join(goldens, "*.txtar"))
	if err != nil {
		return []string{err.Error()}
	}
	var problems []string
	for _, g := range files {
		if name := strings.TrimSuffix(filepath.Base(g), ".txtar"); !slices.Contains(names, name) {
			problems = append(problems, fmt.Sprintf("%s: no folder examples/%s: remove the golden with the example", g, name))
		}
	}
	return problems
}

// exampleChecker checks the example folders of the repository at root
// against the golden files in goldens.
type exampleChecker struct {
	root, goldens string
	makefile      string // root's, for the docs runner's `make` commands
	update        bool   // SIM_UPDATE_GOLDEN: rewrite instead of compare
}

// check checks one folder. It changes the working directory (t.Chdir), so
// neither its test nor any ancestor may be parallel.
func (x exampleChecker) check(t *testing.T, name string) []string {
	dir := "examples/" + name
	var problems []string
	for _, f := range exampleFiles {
		if _, err := os.Stat(filepath.Join(x.root, dir, f)); err != nil {
			problems = append(problems, fmt.Sprintf("%s: no %s (every example folder holds %s)", dir, f, strings.Join(exampleFiles, ", ")))
		}
	}
	if len(problems) > 0 {
		return problems
	}
	scratch := docScratch(t, x.root)
	svg := dir + "/timeline.svg"
	if err := os.Remove(filepath.Join(scratch, svg)); err != nil {
		return []string{err.Error()}
	}

	// The log, against the golden. sim runs in the scratch copy as the
	// docs runner runs it (paths in warnings are relative to it), but in
	// this process: stdout and stderr apart for the golden, and together,
	// in the order written, for the README.
	t.Chdir(scratch)
	run := []string{"run", dir + "/scenario.yaml"}
	var stdout, stderr bytes.Buffer
	var both lockedBuffer
	status := Main(run, io.MultiWriter(&stdout, &both), io.MultiWriter(&stderr, &both))
	if status != exitOK {
		return append(problems, fmt.Sprintf("sim %s: exit %d\n%s", strings.Join(run, " "), status, stderr.String()))
	}
	got := exampleGolden(strings.Join(run, " "), stdout.String(), stderr.String())
	golden := filepath.Join(x.goldens, name+".txtar")
	want, err := os.ReadFile(golden)
	switch {
	case x.update:
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			problems = append(problems, err.Error())
		}
	case err != nil:
		problems = append(problems, fmt.Sprintf("%v (SIM_UPDATE_GOLDEN=1 writes it; review it)", err))
	case !bytes.Equal(got, want):
		problems = append(problems, fmt.Sprintf("sim %s: output differs from %s (SIM_UPDATE_GOLDEN=1 rewrites it; review the diff):\n%s",
			strings.Join(run, " "), golden, diff.Diff(golden, want, "got", got)))
	}

	// The README's commands; the run above stands for its plain `sim run`.
	r := docRunner{dir: scratch, makefile: x.makefile, ran: map[string]simRun{
		strings.Join(run, "\x00"): {out: splitLines(both.String()), status: status},
	}}
	readme := dir + "/README.md"
	for _, p := range r.checkFile(x.root, readme, x.update) {
		problems = append(problems, p.Error())
	}

	// The picture they drew.
	drawn, err := os.ReadFile(filepath.Join(scratch, svg))
	if err != nil {
		return append(problems, fmt.Sprintf("%s: no command in it writes %s (show `$ sim render %s/scenario.yaml -o %s` in a console block)", readme, svg, dir, svg))
	}
	committed, err := os.ReadFile(filepath.Join(x.root, svg))
	switch {
	case x.update:
		if err := os.WriteFile(filepath.Join(x.root, svg), drawn, 0o644); err != nil {
			problems = append(problems, err.Error())
		}
	case err != nil:
		problems = append(problems, err.Error())
	case !bytes.Equal(drawn, committed):
		problems = append(problems, fmt.Sprintf("%s is not what the commands of %s draw now (SIM_UPDATE_GOLDEN=1 rewrites it; look at it)", svg, readme))
	}
	return problems
}

// lockedBuffer is a buffer stdout and stderr can share: it holds what
// both printed in the order written, as a terminal shows it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// exampleGolden is the golden file of one run: a txtar archive of stdout and
// stderr. A log longer than exampleLogLimit lines keeps only the first and
// last lines of each long run of app lines, with the whole log's SHA-256 in
// the comment, so any change still fails while the file stays small.
func exampleGolden(cmd, stdout, stderr string) []byte {
	comment := "sim " + cmd + "\n"
	lines := strings.SplitAfter(stdout, "\n")
	if n := strings.Count(stdout, "\n"); n > exampleLogLimit {
		comment += fmt.Sprintf("stdout: %d lines, sha256 %x; runs of more than %d app lines elided\n", n, sha256.Sum256([]byte(stdout)), appRunLimit)
		stdout = elideAppRuns(lines)
	}
	return txtar.Format(&txtar.Archive{
		Comment: []byte(comment),
		Files:   []txtar.File{{Name: "stdout", Data: []byte(stdout)}, {Name: "stderr", Data: []byte(stderr)}},
	})
}

// elideAppRuns keeps the first and last appRunLimit/2 lines of each run of
// more than appRunLimit `== APP` lines, and says how many it left out.
func elideAppRuns(lines []string) string {
	var b strings.Builder
	flush := func(run []string) {
		if len(run) <= appRunLimit {
			b.WriteString(strings.Join(run, ""))
			return
		}
		half := appRunLimit / 2
		b.WriteString(strings.Join(run[:half], ""))
		fmt.Fprintf(&b, "[… %d app lines …]\n", len(run)-2*half)
		b.WriteString(strings.Join(run[len(run)-half:], ""))
	}
	var run []string
	for _, l := range lines {
		if strings.HasPrefix(l, "== APP") {
			run = append(run, l)
			continue
		}
		flush(run)
		run = run[:0]
		b.WriteString(l)
	}
	flush(run)
	return b.String()
}

func appendFile(t *testing.T, path, s string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func edit(t *testing.T, path, old, new string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(old)) {
		t.Fatalf("%s holds no %q", path, old)
	}
	writeFile(t, path, strings.Replace(string(data), old, new, 1))
}

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}
