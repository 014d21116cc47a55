package main

// The docs' commands are tests. Every fenced block with info string
// `console` in README.md, CONTRIBUTING.md, docs/**/*.md and examples/**/*.md
// is a transcript: a line starting with "$ " is a command, the lines after it
// (up to the next "$ " line or the fence) are what it prints, stdout and
// stderr as a terminal interleaves them. TestDocs runs each command and
// compares:
//
//   - A shown line "..." stands for any number of lines (none included);
//     every other line must match exactly.
//   - A command ends with "# exit N" (a shell comment, so copying the line
//     still works) when its exit status is N; without it the status must be 0.
//     In a pipeline the status is sim's own, as under `set -o pipefail`.
//   - Commands: `sim ARGS` and `go run ./cmd/sim ARGS` (both run the test
//     binary as sim, as the testscripts do), `make TARGET` when the Makefile's
//     recipe for TARGET is one `$(GO) run ./cmd/sim ARGS` line (run as such,
//     so the doc and the Makefile cannot disagree), `cat FILE` (a file an
//     earlier command wrote, such as a trace), and a pipe into `head -n N`
//     or `tail -n N`. Words split as a shell splits them ('…',
//     "…", \); no variables, globs, redirections or `&&`. What the test will
//     not run (it installs, or takes minutes) is listed in docSkipped, and
//     such a command may show no output.
//   - Each document runs in its own scratch directory holding a copy of the
//     repository's examples/ and docs/, its commands in order, so a trace one
//     command writes is there for the next; nothing in the repository is
//     written.
//   - An example folder's README.md (examples/NAME/README.md) is run by
//     TestExamples, with this runner, so that its commands run once: there
//     its plain `sim run` is also the folder's golden run, and the
//     timeline.svg its commands write in the scratch copy must be the
//     committed one (examples_test.go).
//
// A block that looks like a shell session but is not `console` fails the
// test, so no command escapes it: a block (``` or ~~~) with info string sh,
// bash, shell or zsh, or one with none whose lines start with "$ ", "sim ",
// "go run " or "make ". A synopsis goes in a `text` block.
//
// SIM_UPDATE_GOLDEN=1 rewrites the shown output of every command whose
// block shows it whole (no "..." line) from the real run; review that diff
// like code.

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// docSkipped lists the commands the docs may show that this test does not
// run, by prefix, with the reason. Anything else unknown fails.
var docSkipped = []struct{ prefix, why string }{
	{"make test", "the whole suite; it runs this test"},
	{"make conformance", "compiles Dapr's dependencies, minutes"},
	{"make fuzz", "minutes of fuzzing"},
	{"make bench", "benchmarks take minutes"},
	{"make golden", "rewrites the repository's goldens"},
	{"make build", "writes bin/sim into the repository"},
	{"go install ", "installs into GOPATH/bin"},
	{"git clone ", "needs the network"},
	{"cd sim", "follows the clone"},
}

// skips reports whether a docSkipped prefix covers command: the prefix's
// words are command's first words, whole (`make test` is not `make
// testdata`, `cd sim` not `cd simulations`).
func skips(prefix, command string) bool {
	p := strings.TrimSuffix(prefix, " ")
	rest, ok := strings.CutPrefix(command, p)
	return ok && (rest == "" || rest[0] == ' ')
}

// docGenerated are folders of generated Markdown the test leaves alone:
// docs/cli is cobra/doc's output, whose usage synopses sit in bare fences
// (`sim run SCENARIO [flags]`), and its own test fails when it is stale.
var docGenerated = []string{"docs/cli"}

// docFiles are the Markdown files whose console blocks are run, relative to
// the repository root.
func docFiles(root string) ([]string, error) {
	files := []string{"README.md", "CONTRIBUTING.md"}
	for _, dir := range []string{"docs", "examples"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			rel = filepath.ToSlash(rel)
			if d.IsDir() && slices.Contains(docGenerated, rel) {
				return filepath.SkipDir
			}
			if !d.IsDir() && strings.HasSuffix(rel, ".md") {
				files = append(files, rel)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return files, nil
}

func TestDocs(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	files, err := docFiles(root)
	if err != nil {
		t.Fatal(err)
	}
	makefile, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	update := os.Getenv("SIM_UPDATE_GOLDEN") != ""
	for _, name := range files {
		if exampleFolderDoc(name) {
			continue // TestExamples runs it
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := docRunner{dir: docScratch(t, root), makefile: string(makefile)}
			for _, p := range r.checkFile(root, name, update) {
				t.Error(p)
			}
		})
	}
}

// exampleFolderDoc reports whether name (relative to the repository root)
// is an example folder's README, which TestExamples runs with this runner.
func exampleFolderDoc(name string) bool {
	ok, _ := path.Match("examples/*/README.md", name)
	return ok
}

// docScratch makes a scratch directory for one document's commands: a copy
// of root's examples/ and docs/ (those of them root has).
func docScratch(t *testing.T, root string) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{"examples", "docs"} {
		if _, err := os.Stat(filepath.Join(root, d)); errors.Is(err, fs.ErrNotExist) {
			continue // a test's small repository
		}
		if err := os.CopyFS(filepath.Join(dir, d), os.DirFS(filepath.Join(root, d))); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// checkFile runs the console blocks of the document root/name in r.dir and
// returns the problems found; with update set it rewrites the document's
// whole shown outputs from the real ones.
func (r docRunner) checkFile(root, name string, update bool) []error {
	src, err := os.ReadFile(filepath.Join(root, name))
	if err != nil {
		return []error{err}
	}
	out, problems := r.check(name, src, update)
	if update && !bytes.Equal(out, src) {
		if err := os.WriteFile(filepath.Join(root, name), out, 0o644); err != nil {
			problems = append(problems, err)
		}
	}
	return problems
}

// TestDocsCatches shows the checker failing where it must: a wrong line of
// output, a wrong exit status, a command in a shell block, an unknown
// command; and passing a correct transcript with an elision.
func TestDocsCatches(t *testing.T) {
	makefile, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "examples"), os.DirFS("../../examples")); err != nil {
		t.Fatal(err)
	}
	r := docRunner{dir: dir, makefile: string(makefile)}
	fence := "```"
	for _, c := range []struct {
		name, doc string
		want      string // a problem containing this; "" for none
	}{
		{"right", fence + "console\n$ sim lint examples/quickstart/resources\n" + fence + "\n" +
			fence + "console\n$ sim run examples/quickstart/scenario.yaml | head -n 3\n== APP == Saving Order: { orderId: '1' }\n...\n" + fence + "\n", ""},
		{"elision in the middle", fence + "console\n$ make run\n== APP == Saving Order: { orderId: '1' }\n...\nINFO[0026] Circuit breaker \"simpleCB-statestore\" changed state from closed to open\n...\n" + fence + "\n", ""},
		{"wrong line", "text\n\n" + fence + "console\n$ sim run examples/quickstart/scenario.yaml | head -n 2\n== APP == Saving Order: { orderId: '1' }\n== APP == Getting Order: { orderId: '2' }\n" + fence + "\n",
			"doc.md:4: sim run examples/quickstart/scenario.yaml | head -n 2: output differs at line 6"},
		{"missing line", fence + "console\n$ sim run examples/quickstart/scenario.yaml | head -n 2\n== APP == Saving Order: { orderId: '1' }\n" + fence + "\n",
			"doc.md:2: sim run examples/quickstart/scenario.yaml | head -n 2: output differs: it goes on after line 3"},
		{"exit status", fence + "console\n$ sim lint nothing-here.yaml\n...\n" + fence + "\n", "exit status 2, the doc shows 0"},
		{"shown status", fence + "console\n$ sim lint examples/quickstart/resources  # exit 1\n" + fence + "\n", "exit status 0, the doc shows 1"},
		{"bash block", fence + "bash\nsim run examples/quickstart/scenario.yaml\n" + fence + "\n", "doc.md:1: a ```bash block: shell commands go in a ```console block"},
		{"bare block", "\n" + fence + "\n$ sim lint x\n" + fence + "\n", "doc.md:3: a ``` block with a command"},
		{"bare go run", fence + "\ngo run ./cmd/sim run x\n" + fence + "\n", "doc.md:2: a ``` block with a command"},
		{"cat outside", fence + "console\n$ cat ../../go.mod\n" + fence + "\n", "the doc test runs cat with one relative path only"},
		{"tilde fence", "~~~sh\nsim run x\n~~~\n", "doc.md:1: a ```sh block"},
		{"unknown command", fence + "console\n$ rm -rf examples\n" + fence + "\n", `doc.md:2: rm -rf examples: the doc test runs sim`},
		{"redirection", fence + "console\n$ sim run examples/quickstart/scenario.yaml > out\n" + fence + "\n", "cannot run `>`"},
		{"unclosed", fence + "console\n$ sim lint examples/quickstart/resources\n", "doc.md:1: the fence is never closed"},
		{"skipped with output", fence + "console\n$ make test\nok\n" + fence + "\n", "is not run by the doc test (the whole suite; it runs this test), so it may show no output"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, problems := r.check("doc.md", []byte(c.doc), false)
			var got []string
			for _, p := range problems {
				got = append(got, p.Error())
			}
			if c.want == "" {
				if len(got) > 0 {
					t.Fatalf("want no problem, got:\n%s", strings.Join(got, "\n"))
				}
				return
			}
			if !slices.ContainsFunc(got, func(s string) bool { return strings.Contains(s, c.want) }) {
				t.Fatalf("want a problem containing %q, got:\n%s", c.want, strings.Join(got, "\n"))
			}
		})
	}
}

// TestDocsUpdate shows SIM_UPDATE_GOLDEN's rewrite: a wrong output shown
// whole is replaced by the real one, an elided one is left and reported.
func TestDocsUpdate(t *testing.T) {
	makefile, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "examples"), os.DirFS("../../examples")); err != nil {
		t.Fatal(err)
	}
	r := docRunner{dir: dir, makefile: string(makefile)}
	fence := "```"
	doc := "Intro.\n\n" + fence + "console\n$ sim run examples/quickstart/scenario.yaml | head -n 2\nwrong\n" +
		"$ sim run examples/quickstart/scenario.yaml | head -n 2\nwrong\n...\n" + fence + "\nEnd.\n"
	want := "Intro.\n\n" + fence + "console\n$ sim run examples/quickstart/scenario.yaml | head -n 2\n" +
		"== APP == Saving Order: { orderId: '1' }\n== APP == Getting Order: { orderId: '1' }\n" +
		"$ sim run examples/quickstart/scenario.yaml | head -n 2\nwrong\n...\n" + fence + "\nEnd.\n"
	got, problems := r.check("doc.md", []byte(doc), true)
	if string(got) != want {
		t.Errorf("rewritten doc:\n%s\nwant:\n%s", got, want)
	}
	if len(problems) != 1 || !strings.Contains(problems[0].Error(), "doc.md:6: ") {
		t.Errorf("want one problem, at the elided command (doc.md:6), got %v", problems)
	}
}

// TestDocsRan shows a command whose output the runner was handed compared
// with that output and its status, not run again (nothing.yaml does not
// exist, so a run would fail), unless it goes through a pipe.
func TestDocsRan(t *testing.T) {
	r := docRunner{dir: t.TempDir(), ran: map[string]simRun{"run\x00nothing.yaml": {out: []string{"known"}}}}
	fence := "```"
	for _, c := range []struct{ doc, want string }{
		{"$ sim run nothing.yaml\nknown\n", ""},
		{"$ sim run nothing.yaml\nother\n", "doc.md:2: sim run nothing.yaml: output differs at line 3"},
		{"$ sim run nothing.yaml  # exit 1\nknown\n", "exit status 0, the doc shows 1"},
		{"$ sim run nothing.yaml | head -n 1\nknown\n", "exit status 2, the doc shows 0"},
	} {
		_, problems := r.check("doc.md", []byte(fence+"console\n"+c.doc+fence+"\n"), false)
		got := fmt.Sprint(problems)
		switch {
		case c.want == "" && len(problems) > 0:
			t.Errorf("%q: want no problem, got %s", c.doc, got)
		case !strings.Contains(got, c.want):
			t.Errorf("%q: want a problem containing %q, got %s", c.doc, c.want, got)
		}
	}
}

// TestMatchShown pins what "..." may stand for in a console block: any
// number of lines, none included; the lines between are consecutive lines
// of the output, in order, the first at its start and the last at its end
// unless a "..." stands there.
func TestMatchShown(t *testing.T) {
	got := []string{"a", "b", "c", "d", "e"}
	for _, c := range []struct {
		shown string
		ok    bool
	}{
		{"a\nb\nc\nd\ne", true},
		{"a\nb\nc\nd", false},          // no "...": all of it
		{"a\n...\ne", true},            // start and end anchored
		{"b\n...\ne", false},           // the first run starts the output
		{"a\n...\nd", false},           // the last run ends it
		{"...\nb\nc\n...", true},       // consecutive lines in between
		{"...\nb\nd\n...", false},      // not consecutive
		{"...\nd\n...\nb\n...", false}, // out of order
		{"a\n...\n...\ne", true},       // "..." twice is "..."
		{"a\n...\ne\n...\ne", false},   // a line of output is matched once
		{"...", true},
		{"", false},
	} {
		var shown []string
		if c.shown != "" {
			shown = strings.Split(c.shown, "\n")
		}
		if msg := matchShown(docCommand{shown: shown}, got); (msg == "") != c.ok {
			t.Errorf("shown %q against %q: match %v, want %v (%s)", c.shown, got, msg == "", c.ok, msg)
		}
	}
}

// TestMatchShownExcerpt shows a long output around the mismatch, not whole.
func TestMatchShownExcerpt(t *testing.T) {
	long := make([]string, 1000)
	for i := range long {
		long[i] = fmt.Sprintf("line %d", i+1)
	}
	msg := matchShown(docCommand{first: 10, shown: []string{"line 1", "...", "line 500", "wrong", "..."}}, long)
	for _, want := range []string{"output differs at line 14:\n  shown: \"wrong\"\n  got:   \"line 501\" (output line 501)\n", "got (lines 491-520 of 1000):\n", "\nline 501\n"} {
		if !strings.Contains(msg, want) {
			t.Errorf("long output: want a message containing %q, got:\n%s", want, msg)
		}
	}
	if n := strings.Count(msg, "\n"); n > excerptLimit+3 {
		t.Errorf("long output: the message has %d lines, want at most %d", n, excerptLimit+3)
	}
	// After a "...", the line shown is nowhere further on.
	msg = matchShown(docCommand{shown: []string{"line 1", "...", "line 500", "...", "line 400", "..."}}, long)
	if want := "got:   no such line after output line 500\n"; !strings.Contains(msg, want) {
		t.Errorf("long output: want a message containing %q, got:\n%s", want, msg)
	}
	msg = matchShown(docCommand{shown: []string{"...", "line 0", "..."}}, long)
	if want := "got:   no such line in the output\n"; !strings.Contains(msg, want) {
		t.Errorf("long output: want a message containing %q, got:\n%s", want, msg)
	}
}

// docRunner runs one document's commands in dir.
type docRunner struct {
	dir      string
	makefile string
	// ran holds what sim has already printed in dir, by argument list
	// (joined by NUL): a command with those arguments and no pipe is
	// compared with it instead of running again. TestExamples runs an
	// example's scenario once, for its golden and for its README.
	ran map[string]simRun
}

// simRun is what one sim command printed, and its exit status: out holds
// stdout and stderr in the order written, or stdout alone when err holds
// stderr apart (the command's output went through a pipe).
type simRun struct {
	out, err []string
	status   int
}

// docCommand is one "$ " line of a console block and the output shown
// under it.
type docCommand struct {
	line   int // 1-based line of the "$ " line in the document
	text   string
	status int
	shown  []string
	// first and end delimit the shown output's lines in the document
	// (0-based, end exclusive), for SIM_UPDATE_GOLDEN.
	first, end int
}

var shellInfo = map[string]bool{"": true, "sh": true, "bash": true, "shell": true, "zsh": true}

// commandStarts are how a line of a block without info string starts when
// it is a command.
var commandStarts = []string{"$ ", "sim ", "go run ", "make "}

var exitComment = regexp.MustCompile(`\s+# exit (\d+)$`)

// check runs every console block of src and returns src with shown output
// rewritten (when update is set and a block shows its output whole) and the
// problems found, each starting with name:line.
func (r docRunner) check(name string, src []byte, update bool) ([]byte, []error) {
	lines := strings.Split(string(src), "\n")
	var problems []error
	fail := func(line int, format string, args ...any) {
		problems = append(problems, fmt.Errorf("%s:%d: %s", name, line, fmt.Sprintf(format, args...)))
	}
	type edit struct {
		first, end int
		with       []string
	}
	var edits []edit
	for i := 0; i < len(lines); i++ {
		fenceLine := strings.TrimLeft(lines[i], " ")
		if len(lines[i])-len(fenceLine) > 3 || !strings.HasPrefix(fenceLine, "```") && !strings.HasPrefix(fenceLine, "~~~") {
			continue
		}
		marker := fenceLine[:len(fenceLine)-len(strings.TrimLeft(fenceLine, fenceLine[:1]))]
		info := strings.TrimSpace(fenceLine[len(marker):])
		lang, _, _ := strings.Cut(info, " ")
		start := i
		end := -1
		for j := i + 1; j < len(lines); j++ {
			if strings.TrimSpace(lines[j]) == marker {
				end = j
				break
			}
		}
		if end < 0 {
			fail(start+1, "the fence is never closed")
			break
		}
		body := lines[start+1 : end]
		i = end
		switch {
		case lang == "console":
			cmds := parseConsole(body, start+1)
			for _, c := range cmds {
				got, err := r.run(c)
				if err != nil {
					fail(c.line, "%s: %v", c.text, err)
					continue
				}
				if got == nil { // skipped
					continue
				}
				if update && !slices.Contains(c.shown, "...") {
					if !slices.Equal(got, c.shown) {
						edits = append(edits, edit{c.first, c.end, got})
					}
					continue
				}
				if msg := matchShown(c, got); msg != "" {
					fail(c.line, "%s: %s", c.text, msg)
				}
			}
		case lang == "bash" || lang == "sh" || lang == "shell" || lang == "zsh":
			fail(start+1, "a ```%s block: shell commands go in a ```console block (\"$ \" before each command, its output after it), a synopsis in a ```text block", lang)
		case shellInfo[lang]:
			for k, l := range body {
				if slices.ContainsFunc(commandStarts, func(p string) bool { return strings.HasPrefix(l, p) }) {
					fail(start+2+k, "a ``` block with a command (%q): use ```console for a command and its output, ```text for a synopsis", l)
					break
				}
			}
		}
	}
	if len(edits) == 0 {
		return src, problems
	}
	var out []string
	last := 0
	for _, e := range edits {
		out = append(out, lines[last:e.first]...)
		out = append(out, e.with...)
		last = e.end
	}
	out = append(out, lines[last:]...)
	return []byte(strings.Join(out, "\n")), problems
}

// parseConsole splits a console block's lines into commands; at0 is the
// 0-based document line of body[0].
func parseConsole(body []string, at0 int) []docCommand {
	var cmds []docCommand
	for k, l := range body {
		at := at0 + k // 0-based document line of l
		if text, ok := strings.CutPrefix(l, "$ "); ok {
			c := docCommand{line: at + 1, text: text, first: at + 1, end: at + 1}
			if m := exitComment.FindStringSubmatch(text); m != nil {
				c.status, _ = strconv.Atoi(m[1])
				c.text = strings.TrimSuffix(text, m[0])
			}
			cmds = append(cmds, c)
			continue
		}
		if len(cmds) == 0 {
			// Output before any command: compared with nothing, so refuse it
			// rather than let it stand unchecked.
			cmds = append(cmds, docCommand{line: at + 1, text: "", first: at, end: at})
		}
		c := &cmds[len(cmds)-1]
		c.shown = append(c.shown, l)
		c.end = at + 1
	}
	return cmds
}

// matchShown compares a command's output with the lines shown, "..." in
// the shown lines matching any run of lines, and describes the first
// difference ("" when they match).
func matchShown(c docCommand, got []string) string {
	if globLines(c.shown, got) {
		return ""
	}
	// The longest prefix of shown lines that still matches the start of the
	// output says where it went wrong; the earliest place that match ends
	// is where the output is shown.
	for n := len(c.shown); n >= 0; n-- {
		at := slices.Index(globEnds(c.shown[:n], got), true)
		if at < 0 {
			continue
		}
		if n == len(c.shown) {
			return fmt.Sprintf("output differs: it goes on after line %d; %s", c.first+n, excerpt(got, at))
		}
		// What the output has instead: the line in its place, or, after a
		// "...", that it is nowhere further on.
		instead := "the output ends"
		switch {
		case n > 0 && c.shown[n-1] == "..." && at == 0:
			instead = "no such line in the output"
		case n > 0 && c.shown[n-1] == "...":
			instead = fmt.Sprintf("no such line after output line %d", at)
		case at < len(got):
			instead = fmt.Sprintf("%q (output line %d)", got[at], at+1)
		}
		return fmt.Sprintf("output differs at line %d:\n  shown: %q\n  got:   %s\n%s", c.first+n+1, c.shown[n], instead, excerpt(got, at))
	}
	return "output differs"
}

// excerptLimit is the longest output a mismatch prints whole; a longer one
// (examples/day prints 170,000 lines) is shown around the mismatch.
const excerptLimit = 40

// excerpt shows the output lines got, or those around the 0-based line at
// when there are more than excerptLimit.
func excerpt(got []string, at int) string {
	if len(got) <= excerptLimit {
		return "got:\n" + strings.Join(got, "\n")
	}
	from, to := max(at-excerptLimit/4, 0), min(at+excerptLimit/2, len(got))
	return fmt.Sprintf("got (lines %d-%d of %d):\n%s", from+1, to, len(got), strings.Join(got[from:to], "\n"))
}

// globLines reports whether got matches pattern, where a pattern line "..."
// matches any number of lines.
func globLines(pattern, got []string) bool {
	return globEnds(pattern, got)[len(got)]
}

// globEnds reports for each j in 0..len(got) whether got[:j] matches
// pattern, where a pattern line "..." matches any number of lines.
func globEnds(pattern, got []string) []bool {
	// match[j] is whether pattern[:i] matches got[:j], row by row.
	match := make([]bool, len(got)+1)
	match[0] = true
	for _, p := range pattern {
		next := make([]bool, len(got)+1)
		if p == "..." {
			seen := false
			for j := range next {
				seen = seen || match[j]
				next[j] = seen
			}
		} else {
			for j := 1; j <= len(got); j++ {
				next[j] = match[j-1] && got[j-1] == p
			}
		}
		match = next
	}
	return match
}

// run runs one command in r.dir and returns its output lines, or nil for a
// skipped command.
func (r docRunner) run(c docCommand) ([]string, error) {
	if c.text == "" {
		return nil, errors.New("output shown before any \"$ \" command")
	}
	for _, s := range docSkipped {
		if skips(s.prefix, c.text) {
			if len(c.shown) > 0 {
				return nil, fmt.Errorf("is not run by the doc test (%s), so it may show no output", s.why)
			}
			return nil, nil
		}
	}
	words, err := shellWords(c.text)
	if err != nil {
		return nil, err
	}
	stages := [][]string{nil}
	for _, w := range words {
		if w == "|" {
			stages = append(stages, nil)
			continue
		}
		stages[len(stages)-1] = append(stages[len(stages)-1], w)
	}
	if stages[0][0] == "cat" {
		// A file a command wrote (a trace), shown: read it, in the
		// scratch directory only.
		if len(stages[0]) != 2 || c.status != 0 || !filepath.IsLocal(stages[0][1]) {
			return nil, fmt.Errorf("the doc test runs cat with one relative path only, not %q", strings.Join(stages[0], " "))
		}
		data, err := os.ReadFile(filepath.Join(r.dir, stages[0][1]))
		if err != nil {
			return nil, err
		}
		got := splitLines(string(data))
		for _, stage := range stages[1:] {
			if got, err = filterLines(stage, got); err != nil {
				return nil, err
			}
		}
		return got, nil
	}
	args, err := r.simArgs(stages[0])
	if err != nil {
		return nil, err
	}
	// In a pipeline stderr does not go through the pipe: a terminal shows it
	// beside the filtered stdout; the test puts it after.
	pipe := len(stages) > 1
	res, ok := r.ran[strings.Join(args, "\x00")]
	if !ok || pipe {
		if res, err = r.sim(args, pipe); err != nil {
			return nil, err
		}
	}
	if res.status != c.status {
		return nil, fmt.Errorf("exit status %d, the doc shows %d (a command that fails ends with \"# exit N\"); output:\n%s",
			res.status, c.status, strings.Join(append(slices.Clone(res.out), res.err...), "\n"))
	}
	got := res.out
	for _, stage := range stages[1:] {
		if got, err = filterLines(stage, got); err != nil {
			return nil, err
		}
	}
	return append(got, res.err...), nil
}

// sim runs sim with args in r.dir; apart keeps stderr apart from stdout.
func (r docRunner) sim(args []string, apart bool) (simRun, error) {
	cmd := exec.Command("sim", args...)
	cmd.Dir = r.dir
	// Not a terminal, no colour, whatever the environment says.
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "COLUMNS=")
	var out, errOut bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out // one pipe: the order a terminal shows
	if apart {
		cmd.Stderr = &errOut
	}
	status := 0
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			return simRun{}, err
		}
		status = exit.ExitCode()
	}
	return simRun{out: splitLines(out.String()), err: splitLines(errOut.String()), status: status}, nil
}

// simArgs turns a command's words into sim's arguments.
func (r docRunner) simArgs(words []string) ([]string, error) {
	switch {
	case len(words) >= 1 && words[0] == "sim":
		return words[1:], nil
	case len(words) >= 3 && words[0] == "go" && words[1] == "run" && words[2] == "./cmd/sim":
		return words[3:], nil
	case len(words) == 2 && words[0] == "make":
		return r.makeArgs(words[1])
	}
	return nil, fmt.Errorf("the doc test runs sim, go run ./cmd/sim, cat and make targets that are `$(GO) run ./cmd/sim` (see docSkipped for what it skips), not %q", strings.Join(words, " "))
}

// makeArgs reads target's recipe from the Makefile: it must be one line,
// `$(GO) run ./cmd/sim ARGS`.
func (r docRunner) makeArgs(target string) ([]string, error) {
	lines := strings.Split(r.makefile, "\n")
	for i, l := range lines {
		if !strings.HasPrefix(l, target+":") {
			continue
		}
		var recipe []string
		for _, rl := range lines[i+1:] {
			if !strings.HasPrefix(rl, "\t") {
				break
			}
			recipe = append(recipe, strings.TrimSpace(rl))
		}
		if len(recipe) == 1 {
			if args, ok := strings.CutPrefix(recipe[0], "$(GO) run ./cmd/sim "); ok {
				return shellWords(args)
			}
		}
		return nil, fmt.Errorf("make %s: its recipe is not one `$(GO) run ./cmd/sim ARGS` line; skip it in docSkipped with a reason", target)
	}
	return nil, fmt.Errorf("make %s: no such target in the Makefile", target)
}

// filterLines applies `head -n N` or `tail -n N`.
func filterLines(stage []string, lines []string) ([]string, error) {
	if len(stage) == 3 && (stage[0] == "head" || stage[0] == "tail") && stage[1] == "-n" {
		n, err := strconv.Atoi(stage[2])
		if err == nil && n >= 0 {
			n = min(n, len(lines))
			if stage[0] == "head" {
				return lines[:n], nil
			}
			return lines[len(lines)-n:], nil
		}
	}
	return nil, fmt.Errorf("the doc test pipes only into head -n N or tail -n N, not %q", strings.Join(stage, " "))
}

func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// shellWords splits a command line as a POSIX shell splits words, with
// quotes and backslashes; "|" is a word of its own. It refuses what it
// would have to interpret: variables, globs, redirections, lists,
// substitutions.
func shellWords(s string) ([]string, error) {
	var words []string
	var w strings.Builder
	inWord := false
	flush := func() {
		if inWord {
			words = append(words, w.String())
			w.Reset()
			inWord = false
		}
	}
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch ch {
		case ' ', '\t':
			flush()
		case '|':
			flush()
			words = append(words, "|")
		case '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, errors.New("unclosed '")
			}
			w.WriteString(s[i+1 : i+1+j])
			inWord = true
			i += 1 + j
		case '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				switch s[i] {
				case '\\':
					if i+1 < len(s) && strings.IndexByte("$`\"\\", s[i+1]) >= 0 {
						i++
					}
				case '$', '`':
					return nil, fmt.Errorf("the doc test cannot run `%c` inside quotes", s[i])
				}
				w.WriteByte(s[i])
			}
			if i == len(s) {
				return nil, errors.New(`unclosed "`)
			}
			inWord = true
		case '\\':
			if i+1 < len(s) {
				i++
			}
			w.WriteByte(s[i])
			inWord = true
		case '$', '`', '>', '<', ';', '&', '*', '?', '(', ')', '#', '~':
			if ch == '#' && inWord || ch == '~' && inWord {
				w.WriteByte(ch)
				continue
			}
			return nil, fmt.Errorf("the doc test cannot run `%c` (write the command without it)", ch)
		default:
			w.WriteByte(ch)
			inWord = true
		}
	}
	flush()
	if len(words) == 0 || words[0] == "|" || words[len(words)-1] == "|" {
		return nil, errors.New("an empty command")
	}
	return words, nil
}

// docPending are files the docs link to that other branches add; a link to
// one of them is not checked while it is missing. Empty this list once they
// are merged.
var docPending = []string{}

var mdLink = regexp.MustCompile(`\]\(([^)\s]+)\)`)

// TestDocLinks checks every relative link of the docs: the file exists and,
// for a #fragment into Markdown, a heading makes that anchor (as GitHub
// makes it).
func TestDocLinks(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	files, err := docFiles(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		src, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		for n, line := range proseLines(string(src)) {
			if line == "" {
				continue
			}
			for _, m := range mdLink.FindAllStringSubmatch(line, -1) {
				target := m[1]
				if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") {
					continue
				}
				path, fragment, _ := strings.Cut(target, "#")
				rel := name
				if path != "" {
					rel = filepath.ToSlash(filepath.Join(filepath.Dir(name), path))
				}
				data, err := os.ReadFile(filepath.Join(root, rel))
				if err != nil {
					if _, statErr := os.Stat(filepath.Join(root, rel)); statErr == nil {
						continue // a folder
					}
					if !slices.Contains(docPending, strings.TrimSuffix(rel, "/")) {
						t.Errorf("%s:%d: link %s: no file %s", name, n+1, target, rel)
					}
					continue
				}
				if fragment != "" && strings.HasSuffix(rel, ".md") && !slices.Contains(headingAnchors(string(data)), fragment) {
					t.Errorf("%s:%d: link %s: no heading of %s makes #%s", name, n+1, target, rel, fragment)
				}
			}
		}
	}
}

// proseLines returns src's lines with those inside fenced blocks blanked,
// so line numbers stay.
func proseLines(src string) []string {
	lines := strings.Split(src, "\n")
	marker := ""
	for i, l := range lines {
		trimmed := strings.TrimLeft(l, " ")
		switch {
		case marker != "":
			if strings.TrimSpace(l) == marker {
				marker = ""
			}
			lines[i] = ""
		case strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~"):
			marker = trimmed[:len(trimmed)-len(strings.TrimLeft(trimmed, trimmed[:1]))]
			lines[i] = ""
		}
	}
	return lines
}

// headingAnchors lists the anchors GitHub makes for a Markdown file's
// headings: lower case, punctuation dropped, spaces as hyphens.
func headingAnchors(src string) []string {
	var anchors []string
	for _, l := range proseLines(src) {
		text, ok := strings.CutPrefix(strings.TrimLeft(l, "#"), " ")
		if !ok || !strings.HasPrefix(l, "#") {
			continue
		}
		var b strings.Builder
		for _, r := range strings.ToLower(strings.TrimSpace(text)) {
			switch {
			case r == ' ':
				b.WriteByte('-')
			case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
				b.WriteRune(r)
			}
		}
		anchors = append(anchors, b.String())
	}
	return anchors
}

// TestDocsSkipsWholeWords: a docSkipped entry skips its own command, with
// or without arguments, and not a longer word that begins the same way,
// which the test must run (or refuse).
func TestDocsSkipsWholeWords(t *testing.T) {
	for _, c := range []struct {
		prefix, command string
		want            bool
	}{
		{"make test", "make test", true},
		{"make test", "make test  # exit 2", true},
		{"make test", "make testdata", false},
		{"cd sim", "cd simulations", false},
		{"go install ", "go install ./cmd/sim", true},
		{"go install ", "go installer", false},
		{"make build", "make buildall", false},
	} {
		if got := skips(c.prefix, c.command); got != c.want {
			t.Errorf("skips(%q, %q) = %v, want %v", c.prefix, c.command, got, c.want)
		}
	}
	r := docRunner{dir: t.TempDir()}
	fence := "```"
	_, problems := r.check("doc.md", []byte(fence+"console\n$ make testdata\n"+fence+"\n"), false)
	if len(problems) == 0 {
		t.Errorf("make testdata was skipped as make test")
	}
}
