package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// cliDocs is where the per-command reference lives, from the repository
// root: generated from the commands themselves (their Use, Long, Example
// and flags), so it cannot drift from --help.
const cliDocs = "../../docs/cli"

// generateCLIDocs writes one Markdown file per command into dir with
// cobra's doc generator, without the "Auto generated … on DATE" footer,
// which would change the files every day.
func generateCLIDocs(dir string) error {
	root := newRoot(io.Discard, io.Discard)
	root.DisableAutoGenTag = true
	walk(root, func(c *cobra.Command) { c.DisableAutoGenTag = true })
	return doc.GenMarkdownTree(root, dir)
}

// staleDocs compares the files in want (as generated) with those in got
// and lists, sorted, every file that differs, is missing or is extra.
func staleDocs(want, got string) ([]string, error) {
	read := func(dir string) (map[string][]byte, error) {
		entries, err := os.ReadDir(dir)
		if err != nil && !os.IsNotExist(err) {
			return nil, err
		}
		files := map[string][]byte{}
		for _, e := range entries {
			if e.IsDir() || !strings.HasSuffix(e.Name(), ".md") {
				continue
			}
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				return nil, err
			}
			files[e.Name()] = b
		}
		return files, nil
	}
	w, err := read(want)
	if err != nil {
		return nil, err
	}
	g, err := read(got)
	if err != nil {
		return nil, err
	}
	var stale []string
	for name, b := range w {
		switch gb, ok := g[name]; {
		case !ok:
			stale = append(stale, name+": missing")
		case !bytes.Equal(b, gb):
			stale = append(stale, name+": differs from the commands")
		}
	}
	for name := range g {
		if _, ok := w[name]; !ok {
			stale = append(stale, name+": no such command")
		}
	}
	slices.Sort(stale)
	return stale, nil
}

// TestCLIDocs fails when docs/cli is not what the commands generate.
// SIM_UPDATE_GOLDEN=1 (make docs) rewrites it; review the diff like code.
func TestCLIDocs(t *testing.T) {
	tmp := t.TempDir()
	if err := generateCLIDocs(tmp); err != nil {
		t.Fatal(err)
	}
	if os.Getenv("SIM_UPDATE_GOLDEN") != "" {
		if err := os.RemoveAll(cliDocs); err != nil {
			t.Fatal(err)
		}
		if err := os.CopyFS(cliDocs, os.DirFS(tmp)); err != nil {
			t.Fatal(err)
		}
	}
	stale, err := staleDocs(tmp, cliDocs)
	if err != nil {
		t.Fatal(err)
	}
	if len(stale) > 0 {
		t.Errorf("docs/cli is stale (make docs regenerates it):\n  %s", strings.Join(stale, "\n  "))
	}
	// Generating twice gives the same bytes: no date, no map order.
	again := t.TempDir()
	if err := generateCLIDocs(again); err != nil {
		t.Fatal(err)
	}
	if d, _ := staleDocs(tmp, again); len(d) > 0 {
		t.Errorf("two generations differ: %v", d)
	}
}

// TestStaleDocsCaught: an edited, a deleted and an extra file are each
// reported, so TestCLIDocs can fail.
func TestStaleDocsCaught(t *testing.T) {
	want, got := t.TempDir(), t.TempDir()
	if err := generateCLIDocs(want); err != nil {
		t.Fatal(err)
	}
	if err := os.CopyFS(got, os.DirFS(want)); err != nil {
		t.Fatal(err)
	}
	if d, err := staleDocs(want, got); err != nil || len(d) > 0 {
		t.Fatalf("a fresh copy: %v %v", d, err)
	}
	run := filepath.Join(got, "sim_run.md")
	b, err := os.ReadFile(run)
	if err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(run, bytes.Replace(b, []byte("--trace"), []byte("--trail"), 1), 0o644))
	must(os.Remove(filepath.Join(got, "sim_lint.md")))
	must(os.WriteFile(filepath.Join(got, "sim_gone.md"), []byte("# sim gone\n"), 0o644))
	d, err := staleDocs(want, got)
	want3 := []string{"sim_gone.md: no such command", "sim_lint.md: missing", "sim_run.md: differs from the commands"}
	if err != nil || !slices.Equal(d, want3) {
		t.Errorf("got %q, %v; want %q", d, err, want3)
	}
}
