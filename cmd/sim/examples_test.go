package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/diff"
	"github.com/rogpeppe/go-internal/txtar"
)

// The examples gallery (examples/README.md indexes it; issue 15) is tested
// folder by folder: each must be indexed and hold scenario.yaml, README.md and
// timeline.svg; `sim run` of its scenario must print what its golden file
// (testdata/examples/NAME.txtar) holds; and every `$ sim …` command its
// README shows in a console block must print the lines shown there, the
// `sim render … -o examples/NAME/timeline.svg` one producing the committed
// SVG byte for byte. SIM_UPDATE_GOLDEN=1 rewrites the goldens and the SVGs.

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
	goldens, err := filepath.Abs(exampleGoldenDir)
	if err != nil {
		t.Fatal(err)
	}
	update := os.Getenv("SIM_UPDATE_GOLDEN") != ""
	t.Chdir("../..") // commands in the READMEs run from the repository root
	names, problems := checkIndex(".")
	index, _ := checkCommands("examples/README.md", map[string]string{}, "", false)
	for _, p := range append(problems, index...) {
		t.Error(p)
	}
	// A golden without its folder is left over from a renamed or removed
	// example.
	goldenFiles, err := filepath.Glob(filepath.Join(goldens, "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range goldenFiles {
		if name := strings.TrimSuffix(filepath.Base(g), ".txtar"); !slices.Contains(names, name) {
			t.Errorf("%s: no folder examples/%s: remove the golden with the example", g, name)
		}
	}
	if len(names) < 10 {
		t.Errorf("examples/ has %d folders, want at least the 10 the gallery promises", len(names))
	}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			for _, p := range checkExample(name, goldens, update) {
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
	cases := []struct {
		name   string
		tamper func(root string)
		want   string
	}{
		{"intact", func(string) {}, ""},
		{"stale SVG", func(root string) {
			appendFile(t, filepath.Join(root, "examples/bindings/timeline.svg"), "<!-- -->\n")
		}, "examples/bindings/timeline.svg is not what `sim render examples/bindings/scenario.yaml -o examples/bindings/timeline.svg` draws now"},
		{"stale golden", func(root string) {
			edit(t, filepath.Join(root, "golden/bindings.txtar"), "Processing batch 3", "Processing batch 33")
		}, "sim run examples/bindings/scenario.yaml: output differs from golden/bindings.txtar"},
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
			t.Chdir(root)
			names, problems := checkIndex(".")
			for _, name := range names {
				problems = append(problems, checkExample(name, "golden", false)...)
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

// checkExample checks one folder, from the repository root (the working
// directory); goldens is the folder of the golden files.
func checkExample(name, goldens string, update bool) []string {
	dir := "examples/" + name
	var problems []string
	for _, f := range exampleFiles {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			problems = append(problems, fmt.Sprintf("%s: no %s (every example folder holds %s)", dir, f, strings.Join(exampleFiles, ", ")))
		}
	}
	if len(problems) > 0 {
		return problems
	}

	// The log, against the golden.
	var stdout, stderr bytes.Buffer
	run := []string{"run", dir + "/scenario.yaml"}
	if st := Main(run, &stdout, &stderr); st != exitOK {
		return append(problems, fmt.Sprintf("sim %s: exit %d\n%s", strings.Join(run, " "), st, stderr.String()))
	}
	got := exampleGolden(strings.Join(run, " "), stdout.String(), stderr.String())
	golden := filepath.Join(goldens, name+".txtar")
	want, err := os.ReadFile(golden)
	switch {
	case update:
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			problems = append(problems, err.Error())
		}
	case err != nil:
		problems = append(problems, fmt.Sprintf("%v (SIM_UPDATE_GOLDEN=1 writes it; review it)", err))
	case !bytes.Equal(got, want):
		problems = append(problems, fmt.Sprintf("sim %s: output differs from %s (SIM_UPDATE_GOLDEN=1 rewrites it; review the diff):\n%s",
			strings.Join(run, " "), golden, diff.Diff(golden, want, "got", got)))
	}

	// Every command the README shows, and the SVG its render command draws.
	// The plain run is not run again (the day's costs a second).
	ran := map[string]string{strings.Join(run, "\x00"): stderr.String() + stdout.String()}
	svg := dir + "/timeline.svg"
	shown, rendered := checkCommands(dir+"/README.md", ran, svg, update)
	problems = append(problems, shown...)
	if !rendered {
		problems = append(problems, fmt.Sprintf("%s/README.md shows no `$ sim render %s/scenario.yaml -o %s` in a console block", dir, dir, svg))
	}
	return problems
}

// checkCommands runs every `$ sim …` command in the console blocks of the
// Markdown file readme and reports where the output shown differs from the
// real one. ran holds outputs already known, by argument list. A command
// writing `-o svg` writes to a temporary file instead, which must be the
// committed svg byte for byte (update: replaces it); rendered says whether
// one did.
func checkCommands(readme string, ran map[string]string, svg string, update bool) (problems []string, rendered bool) {
	cmds, err := consoleCommands(readme)
	if err != nil {
		return []string{err.Error()}, false
	}
	tmp, err := os.MkdirTemp("", "sim-example-")
	if err != nil {
		return []string{err.Error()}, false
	}
	defer os.RemoveAll(tmp)
	for _, c := range cmds {
		args := slices.Clone(c.args)
		out := ""
		for i := range args {
			if i > 0 && args[i-1] == "-o" {
				out = args[i]
				args[i] = filepath.Join(tmp, filepath.Base(out))
			}
		}
		shown, ok := ran[strings.Join(args, "\x00")]
		if !ok {
			var stdout, stderr bytes.Buffer
			if st := Main(args, &stdout, &stderr); st >= exitBadInput {
				problems = append(problems, fmt.Sprintf("%s:%d: $ sim %s: exit %d\n%s", readme, c.line, strings.Join(c.args, " "), st, stderr.String()))
				continue
			}
			// Warnings come first on a terminal: sim writes them before the run.
			shown = stderr.String() + stdout.String()
		}
		if p := matchExampleShown(shown, c.output); p != "" {
			problems = append(problems, fmt.Sprintf("%s:%d: $ sim %s: %s", readme, c.line, strings.Join(c.args, " "), p))
		}
		if out == "" || out != svg {
			continue
		}
		rendered = true
		drawn, err := os.ReadFile(filepath.Join(tmp, filepath.Base(out)))
		if err != nil {
			problems = append(problems, err.Error())
			continue
		}
		committed, err := os.ReadFile(svg)
		switch {
		case update:
			if err := os.WriteFile(svg, drawn, 0o644); err != nil {
				problems = append(problems, err.Error())
			}
		case err != nil:
			problems = append(problems, err.Error())
		case !bytes.Equal(drawn, committed):
			problems = append(problems, fmt.Sprintf("%s is not what `sim %s` draws now (SIM_UPDATE_GOLDEN=1 rewrites it; look at it)", svg, strings.Join(c.args, " ")))
		}
	}
	return problems, rendered
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

// shownCommand is one `$ sim …` line of a console block and the output shown
// after it.
type shownCommand struct {
	line   int
	args   []string // without the leading "sim"
	output []string
}

// consoleCommands reads the console blocks of a Markdown file. Every command
// in them must be a sim command: the gallery shows nothing else.
func consoleCommands(path string) ([]shownCommand, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var cmds []shownCommand
	in := false
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		l := sc.Text()
		switch {
		case !in && l == "```console":
			in = true
		case in && l == "```":
			in = false
		case in && strings.HasPrefix(l, "$ "):
			cmdline, _, _ := strings.Cut(strings.TrimPrefix(l, "$ "), " # exit ") // the docs test checks the status
			args, err := splitWords(cmdline)
			if err != nil || len(args) < 2 || args[0] != "sim" {
				return nil, fmt.Errorf("%s:%d: want a `$ sim …` command without pipes or redirections, got %q", path, n, l)
			}
			cmds = append(cmds, shownCommand{line: n, args: args[1:]})
		case in && len(cmds) > 0:
			cmds[len(cmds)-1].output = append(cmds[len(cmds)-1].output, l)
		case in:
			return nil, fmt.Errorf("%s:%d: a console block starts with output, not a `$ ` command", path, n)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if in {
		return nil, fmt.Errorf("%s: a console block is not closed", path)
	}
	return cmds, nil
}

// splitWords splits a command line as a POSIX shell would for the quoting
// the docs use ('…' and "…" without escapes), and refuses shell syntax the
// test does not run.
func splitWords(s string) ([]string, error) {
	var words []string
	var w strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case ' ', '\t':
			if inWord {
				words = append(words, w.String())
				w.Reset()
				inWord = false
			}
		case '\'', '"':
			j := strings.IndexByte(s[i+1:], c)
			if j < 0 {
				return nil, fmt.Errorf("unclosed %c", c)
			}
			w.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case '|', '>', '<', '&', ';', '$', '`', '\\':
			return nil, fmt.Errorf("shell syntax %c", c)
		default:
			w.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, w.String())
	}
	return words, nil
}

// matchExampleShown reports how shown differs from the real output ("" when it
// matches). A line `...` stands for any number of lines; the runs between
// them must appear in order, each as consecutive lines, the first at the
// start and the last at the end unless a `...` stands there.
func matchExampleShown(real string, shown []string) string {
	lines := strings.Split(strings.TrimSuffix(real, "\n"), "\n")
	if real == "" {
		lines = nil
	}
	var segs [][]string
	seg := []string{}
	for _, l := range shown {
		if l == "..." {
			segs = append(segs, seg)
			seg = []string{}
			continue
		}
		seg = append(seg, l)
	}
	segs = append(segs, seg)
	pos := 0
	for i, s := range segs {
		first, last := i == 0, i == len(segs)-1
		switch {
		case first && last:
			if !slices.Equal(lines, s) {
				return fmt.Sprintf("shown output is not the real output:\n%s", diff.Diff("shown", []byte(strings.Join(s, "\n")+"\n"), "real", []byte(real)))
			}
		case first:
			if len(s) > len(lines) || !slices.Equal(lines[:len(s)], s) {
				return fmt.Sprintf("the real output does not start with the lines shown before the first `...`:\n%s", strings.Join(s, "\n"))
			}
			pos = len(s)
		case last:
			if len(s) > len(lines)-pos || !slices.Equal(lines[len(lines)-len(s):], s) {
				return fmt.Sprintf("the real output does not end with the lines shown after the last `...`:\n%s", strings.Join(s, "\n"))
			}
		default:
			at := indexRun(lines[pos:], s)
			if at < 0 {
				return fmt.Sprintf("these lines are not in the real output, in this order:\n%s", strings.Join(s, "\n"))
			}
			pos += at + len(s)
		}
	}
	return ""
}

// indexRun is the first index of run in lines as consecutive lines, or -1.
func indexRun(lines, run []string) int {
	for i := 0; i+len(run) <= len(lines); i++ {
		if slices.Equal(lines[i:i+len(run)], run) {
			return i
		}
	}
	return -1
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

// TestMatchExampleShown pins what `...` may stand for in a console block.
func TestMatchExampleShown(t *testing.T) {
	const real = "a\nb\nc\nd\ne\n"
	cases := []struct {
		shown string
		ok    bool
	}{
		{"a\nb\nc\nd\ne", true},
		{"a\nb\nc\nd", false},          // no `...`: all of it
		{"a\n...\ne", true},            // start and end anchored
		{"b\n...\ne", false},           // the first run starts the output
		{"a\n...\nd", false},           // the last run ends it
		{"...\nb\nc\n...", true},       // consecutive lines in between
		{"...\nb\nd\n...", false},      // not consecutive
		{"...\nd\n...\nb\n...", false}, // out of order
		{"...", true},
		{"", false},
	}
	for _, c := range cases {
		shown := strings.Split(c.shown, "\n")
		if c.shown == "" {
			shown = nil
		}
		if got := matchExampleShown(real, shown) == ""; got != c.ok {
			t.Errorf("shown %q against %q: match %v, want %v", c.shown, real, got, c.ok)
		}
	}
}
