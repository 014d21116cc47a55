package archtest

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/dapr-sim/sim"

type file struct {
	pkg  string // directory relative to the module root, e.g. "policies/breaker"
	path string
	ast  *ast.File
	fset *token.FileSet
}

// productionFiles parses every non-test Go file of the module.
func productionFiles(t *testing.T) []file {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	var files []file
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && p != root {
			return filepath.SkipDir
		}
		if d.IsDir() && p != root {
			// A nested module (conformance/) has its own rules: it drives
			// Dapr's real code, which reads real (synctest) time.
			if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil {
				return filepath.SkipDir
			}
		}
		if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
			return nil
		}
		fset := token.NewFileSet()
		full, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(p))
		files = append(files, file{pkg: filepath.ToSlash(rel), path: p, ast: full, fset: fset})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 10 {
		t.Fatalf("found only %d files: is the walk rooted right?", len(files))
	}
	return files
}

func top(pkg string) string { return strings.SplitN(pkg, "/", 2)[0] }

// TestImportRules checks DESIGN.md's layout: arrows point down the table;
// clock and fsm import no package of ours; traces never imports sim nor the
// pictures drawn from it (picture); nothing imports cmd.
func TestImportRules(t *testing.T) {
	allowed := map[string][]string{ // top-level folder → our top-level folders it may import
		"clock":    {},
		"fsm":      {},
		"policies": {"fsm", "internal", "policies"},
		"traces":   {"internal", "traces"},
		// picture draws a breaker's diagram on the HTML page from its
		// machine's fsm table with its policy's numbers (policies.BreakerGraph).
		"picture":  {"policies", "traces", "internal", "picture"},
		"sim":      {"clock", "fsm", "policies", "traces", "internal", "sim"},
		"internal": {"internal"},
		"expect":   {"traces", "internal", "expect"},
		"simtest":  {"sim", "traces", "expect", "internal", "simtest"},
		"daprlog":  {"policies", "traces", "internal", "daprlog"},
		"whatif":   {"policies", "sim", "traces", "internal", "whatif"},
		// cmd/internal/play is the part of cmd/sim the browser playground
		// (cmd/playground) runs too; nothing outside cmd imports cmd.
		"cmd": {"clock", "fsm", "policies", "traces", "picture", "sim", "expect", "daprlog", "whatif", "internal", "cmd"},
	}
	for _, f := range productionFiles(t) {
		may, ok := allowed[top(f.pkg)]
		if !ok {
			t.Errorf("%s: package folder %q is not in DESIGN.md's layout table", f.path, f.pkg)
			continue
		}
		for _, imp := range f.ast.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if !strings.HasPrefix(p, module+"/") {
				continue
			}
			dep := strings.TrimPrefix(p, module+"/")
			if !contains(may, top(dep)) {
				t.Errorf("%s imports %s: %s may import only %v of ours", f.path, dep, top(f.pkg), may)
			}
		}
	}
}

// TestLeafPackages: packages that name one small concept import no package
// of ours, so anything may use them without dragging the rest along.
func TestLeafPackages(t *testing.T) {
	leaves := map[string]bool{
		"internal/diag":   true, // the error type every reader reports with
		"internal/grid":   true, // sweep arithmetic: axes, run indexes, shards
		"internal/escape": true, // what input text may reach a terminal
		"internal/report": true, // the envelope of the JSON documents
		"internal/rss":    true, // the process's peak resident size, for benchmarks
	}
	found := map[string]bool{}
	for _, f := range productionFiles(t) {
		if !leaves[f.pkg] {
			continue
		}
		found[f.pkg] = true
		for _, imp := range f.ast.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); strings.HasPrefix(p, module+"/") {
				t.Errorf("%s imports %s: %s is a leaf and imports no package of ours", f.path, p, f.pkg)
			}
		}
	}
	for pkg := range leaves {
		if !found[pkg] {
			t.Errorf("leaf package %s has no production file: moved or renamed?", pkg)
		}
	}
}

// TestPageTakesPlainValues: the HTML page lays out data it is handed as
// plain values; it does not read events itself, so it imports no package of
// ours but the escaping rules every terminal and page output shares.
func TestPageTakesPlainValues(t *testing.T) {
	const pkg, may = "picture/page", "internal/escape"
	found := false
	for _, f := range productionFiles(t) {
		if f.pkg != pkg {
			continue
		}
		found = true
		for _, imp := range f.ast.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(p, module+"/") && p != module+"/"+may {
				t.Errorf("%s imports %s: %s may import only %s of ours", f.path, p, pkg, may)
			}
		}
	}
	if !found {
		t.Errorf("package %s has no production file: moved or renamed?", pkg)
	}
}

// TestChromiumOnlyInTests: internal/chromium, which reads real time to
// drive a browser, is imported by tests only.
func TestChromiumOnlyInTests(t *testing.T) {
	for _, f := range productionFiles(t) {
		for _, imp := range f.ast.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == module+"/internal/chromium" {
				t.Errorf("%s imports %s: only tests may", f.path, p)
			}
		}
	}
}

// TestNoWallClock: outside clock/ and cmd/, production code never reads or
// waits on real time and never starts a goroutine; virtual time enters only
// as events. The one exception is whatif's sweep runner, which plays whole
// runs in parallel, each engine on its own goroutine: it may start
// goroutines, and still never reads the clock. internal/chromium is no
// part of a run: the browser tests drive a real Chromium through it, which
// answers on a pipe in real time (TestChromiumOnlyInTests).
func TestNoWallClock(t *testing.T) {
	for _, f := range productionFiles(t) {
		if top(f.pkg) == "clock" || top(f.pkg) == "cmd" || f.pkg == "internal/chromium" {
			continue
		}
		for _, v := range wallClockViolations(f.fset, f.ast) {
			if f.pkg == "whatif" && strings.Contains(v, ": a go statement:") {
				continue
			}
			t.Error(v)
		}
	}
}

var wallClock = map[string]bool{"Now": true, "Since": true, "Until": true, "Sleep": true, "After": true,
	"AfterFunc": true, "NewTimer": true, "NewTicker": true, "Tick": true}

func wallClockViolations(fset *token.FileSet, f *ast.File) []string {
	timeName := ""
	for _, imp := range f.Imports {
		if p, _ := strconv.Unquote(imp.Path.Value); p == "time" {
			timeName = "time"
			if imp.Name != nil {
				timeName = imp.Name.Name
			}
		}
	}
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.GoStmt:
			out = append(out, fmt.Sprintf("%s: a go statement: the engine runs on one goroutine", fset.Position(n.Pos())))
		case *ast.SelectorExpr:
			if id, ok := n.X.(*ast.Ident); ok && timeName != "" && id.Name == timeName && wallClock[n.Sel.Name] {
				out = append(out, fmt.Sprintf("%s: time.%s reads real time; take virtual time from the engine", fset.Position(n.Pos()), n.Sel.Name))
			}
		}
		return true
	})
	return out
}

// The check must be able to fail: planted violations are caught, under an
// import alias too.
func TestNoWallClockCatchesAViolation(t *testing.T) {
	src := "package x\nimport tm \"time\"\nfunc f() { _ = tm.Now(); go f(); tm.Sleep(1) }\n"
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "x.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := wallClockViolations(fset, f); len(got) != 3 {
		t.Errorf("planted violations found: %q, want 3", got)
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
