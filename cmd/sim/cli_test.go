package main

import (
	"errors"
	"io"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"github.com/dapr-sim/sim/policies"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// commands returns every command of sim (the root included) but cobra's
// help, which sim does not word.
func commands(t *testing.T) []*cobra.Command {
	t.Helper()
	var out []*cobra.Command
	walk(newRoot(io.Discard, io.Discard), func(c *cobra.Command) {
		if c.Name() != "help" {
			out = append(out, c)
		}
	})
	if len(out) < 12 {
		t.Fatalf("only %d commands found", len(out))
	}
	return out
}

// doubled matches an error line with a prefix too many: a problem in a
// file is "file: what" (diag), anything else "sim: what", never with a
// second prefix naming sim or the command.
var doubled = regexp.MustCompile(`^sim: (sim\b|usage: sim\b|.*\bsim: )|^sim \w+:`)

func errorPrefixDoubled(line string) bool { return doubled.MatchString(line) }

// placeholder is what pflag may take from a usage's backquotes: one word
// naming the value (FILE, N, PATH=VALUE, i/n), never prose.
var placeholder = regexp.MustCompile("^[A-Za-z][A-Za-z0-9_=.,/]*$")

// placeholderProblem says what is wrong with f's usage as pflag reads it:
// backquoted text becomes the value's name in --help (`--print sim run`),
// so backquotes may only hold a placeholder.
func placeholderProblem(f *pflag.Flag) string {
	if strings.Count(f.Usage, "`") == 0 {
		return ""
	}
	if strings.Count(f.Usage, "`") != 2 {
		return "more than one backquoted span: pflag takes the first as the value's name, and prints the rest as backquotes"
	}
	name, _ := pflag.UnquoteUsage(f)
	if !placeholder.MatchString(name) {
		return "backquoted " + `"` + name + `"` + " is not a placeholder: pflag shows it as the value's name"
	}
	return ""
}

// TestFlagUsagePlaceholders: no flag of any command has prose in
// backquotes (issue 15: `sim replay --help` showed `--print sim run`).
func TestFlagUsagePlaceholders(t *testing.T) {
	for _, c := range commands(t) {
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			if p := placeholderProblem(f); p != "" {
				t.Errorf("%s --%s: %s", c.CommandPath(), f.Name, p)
			}
		})
	}
	// The check catches the bug it is for.
	bad := &pflag.Flag{Name: "print", Usage: "print the log (the bytes `sim run` printed)"}
	if placeholderProblem(bad) == "" {
		t.Error("the old --print usage passes the check")
	}
}

// TestErrorPrefix: every command's usage errors — an unknown flag, a flag
// without its value, a bad number, a wrong argument count — print "sim: "
// once, then the problem, with exit status 2 (issue 15: `sim: sim run:`).
// The check fails on the old wording (TestErrorPrefixCatches).
func TestErrorPrefix(t *testing.T) {
	for _, c := range commands(t) {
		path := strings.Fields(c.CommandPath())[1:]
		cases := [][]string{
			append(slices.Clone(path), "--no-such-flag"),
			append(slices.Clone(path), "-Z"),
		}
		if c.Flags().Lookup("max-events") != nil {
			cases = append(cases, append(slices.Clone(path), "--max-events", "many"))
		}
		if c.Flags().Lookup("dapr") != nil {
			cases = append(cases, append(slices.Clone(path), "--dapr"))
		}
		if c.Runnable() && len(path) > 0 {
			cases = append(cases, append(slices.Clone(path), "a", "b", "c"))
		}
		for _, args := range cases {
			_, errs, status := runSim(t, args...)
			if status != exitBadInput {
				t.Errorf("sim %s: exit %d, want %d\n%s", strings.Join(args, " "), status, exitBadInput, errs)
			}
			lines := strings.Split(strings.TrimSuffix(errs, "\n"), "\n")
			for _, l := range lines {
				if errorPrefixDoubled(l) {
					t.Errorf("sim %s: stderr line %q, want one \"sim: \" prefix and the problem", strings.Join(args, " "), l)
				}
			}
		}
	}
}

// TestErrorPrefixCatches: the old flag error fails TestErrorPrefix's rule.
func TestErrorPrefixCatches(t *testing.T) {
	if !errorPrefixDoubled("sim: sim run: unknown flag: --bogus (see `sim run --help`)") {
		t.Error("the doubled prefix passes")
	}
	if errorPrefixDoubled("sim: unknown flag: --bogus (see `sim run --help`)") || errorPrefixDoubled("a.yaml:3: apps: unknown field") {
		t.Error("a good line fails")
	}
}

// TestSuggestions: a mistyped flag gets the nearest flag of its command,
// as a mistyped command gets the nearest command, in diag's one wording.
func TestSuggestions(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--trac", "t.yaml"}, "sim: unknown flag: --trac (did you mean \"--trace\"?) (see `sim run --help`)\n"},
		{[]string{"lint", "--levle", "note"}, "sim: unknown flag: --levle (did you mean \"--level\"?) (see `sim lint --help`)\n"},
		{[]string{"replay", "--daprdlog", "x"}, "sim: unknown flag: --daprdlog (did you mean \"--daprd-log\"?) (see `sim replay --help`)\n"},
		{[]string{"run", "--zzzzzz"}, "sim: unknown flag: --zzzzzz (see `sim run --help`)\n"},
		{[]string{"rn"}, "sim: unknown command \"rn\" (did you mean \"run\"?) (see `sim --help`)\n"},
		{[]string{"zzzzzz"}, "sim: unknown command \"zzzzzz\" (see `sim --help`)\n"},
	} {
		_, errs, status := runSim(t, tc.args...)
		if errs != tc.want || status != exitBadInput {
			t.Errorf("sim %s: exit %d, stderr\n%q\nwant exit 2 and\n%q", strings.Join(tc.args, " "), status, errs, tc.want)
		}
	}
}

// TestHelpStatesExitStatuses: every command's help says which exit
// statuses it uses, and each that writes output names the write status.
func TestHelpStatesExitStatuses(t *testing.T) {
	for _, c := range commands(t) {
		i := strings.Index(c.Long, "Exit status")
		if i < 0 {
			t.Errorf("%s: the help does not state the exit statuses", c.CommandPath())
			continue
		}
		if !strings.Contains(c.Long[i:], "4 ") {
			t.Errorf("%s: the help's exit statuses leave out 4, an output not written", c.CommandPath())
		}
	}
}

// complete runs cobra's hidden __complete command as a shell does and
// returns the offered values and the directive line.
func complete(t *testing.T, args ...string) ([]string, string) {
	t.Helper()
	out, errs, status := runSim(t, append([]string{"__complete"}, args...)...)
	if status != exitOK {
		t.Fatalf("__complete %s: exit %d: %s", strings.Join(args, " "), status, errs)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	return lines[:len(lines)-1], lines[len(lines)-1]
}

// TestCompletion: the fixed-choice flags complete their values (and no
// file names), through cobra's __complete command as shells call it.
func TestCompletion(t *testing.T) {
	const noFiles = ":4" // cobra.ShellCompDirectiveNoFileComp
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"run", "--dapr", ""}, policies.Releases()},
		{[]string{"run", "--dapr", "1.1"}, []string{"1.10", "1.11", "1.12", "1.13", "1.14", "1.15", "1.16"}},
		{[]string{"check", "--dapr", "1.8"}, []string{"1.8"}},
		{[]string{"run", "--trace-format", ""}, []string{"yaml", "jsonl"}},
		{[]string{"sweep", "x.yaml", "--format", ""}, []string{"table", "csv", "json", "markdown"}},
		{[]string{"graph", "--format", ""}, []string{"mermaid", "dot"}},
		{[]string{"render", "--format", ""}, []string{"html", "svg"}},
		{[]string{"graph", "--machine", ""}, []string{"breaker", "retry", "timeout", "all"}},
		{[]string{"lint", "--level", ""}, []string{"note", "warning", "hazard"}},
		{[]string{"timeline", "--color", ""}, []string{"auto", "always", "never"}},
		{[]string{"lint", "--explain", "retry-before"}, []string{"retry-before-breaker-timeout"}},
	} {
		got, directive := complete(t, tc.args...)
		if !slices.Equal(got, tc.want) || directive != noFiles {
			t.Errorf("__complete %s: %q %s, want %q %s", strings.Join(tc.args, " "), got, directive, tc.want, noFiles)
		}
	}
	// Every release offered is one --dapr accepts, and every lint id one
	// `sim lint --explain` explains.
	for _, r := range policies.Releases() {
		if _, err := policies.ProfileFor(r); err != nil {
			t.Errorf("--dapr completes %s: %v", r, err)
		}
	}
	ids, _ := complete(t, "lint", "--explain", "")
	if len(ids) != len(policies.LintChecks()) {
		t.Errorf("lint --explain completes %d ids, want %d", len(ids), len(policies.LintChecks()))
	}
	// Every --format of every command (those added later too) lists its
	// values in the wording usageChoices reads.
	for _, c := range commands(t) {
		if f := c.LocalFlags().Lookup("format"); f != nil {
			if got := usageChoices(f.Usage); len(got) < 2 {
				t.Errorf("%s --format: usage %q lists %q: word it \"LABEL: a, b or c\" so its values complete", c.CommandPath(), f.Usage, got)
			}
		}
	}
	// Scenario arguments still complete file names.
	if _, directive := complete(t, "run", ""); directive != ":0" {
		t.Errorf("run's argument: directive %s, want :0 (files)", directive)
	}
}

// TestUsageChoices: the --format values read from a usage text, in each
// wording the flags use (a label before a colon, glosses in parentheses).
func TestUsageChoices(t *testing.T) {
	for usage, want := range map[string][]string{
		"output: table, csv, json or markdown":                                       {"table", "csv", "json", "markdown"},
		"mermaid (stateDiagram-v2) or dot (Graphviz)":                                {"mermaid", "dot"},
		"report: text, json or sarif (SARIF 2.1.0)":                                  {"text", "json", "sarif"},
		"the form of the report: text|json|junit":                                    {"text", "json", "junit"},
		"the picture: html or svg (default: from the -o file's name; html for -o -)": {"html", "svg"},
	} {
		if got := usageChoices(usage); !slices.Equal(got, want) {
			t.Errorf("usageChoices(%q) = %q, want %q", usage, got, want)
		}
	}
}

// TestVersionText: the version comes from the build information, in one
// wording whatever the toolchain recorded.
func TestVersionText(t *testing.T) {
	for _, tc := range []struct {
		info *debug.BuildInfo
		want string
	}{
		{nil, "(devel)"},
		{&debug.BuildInfo{}, "(devel)"},
		{&debug.BuildInfo{Main: debug.Module{Version: "v0.2.0"}}, "v0.2.0"},
		{&debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: []debug.BuildSetting{
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: "3d91be8c0ffee"},
			{Key: "vcs.time", Value: "2026-12-06T19:00:00Z"},
			{Key: "vcs.modified", Value: "true"},
		}}, "(devel) (revision 3d91be8c0ffee, 2026-12-06T19:00:00Z, modified)"},
		{&debug.BuildInfo{Main: debug.Module{Version: "v0.2.1-0.20261206190000-3d91be8c0ffe"}, Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "3d91be8c0ffee"},
			{Key: "vcs.modified", Value: "false"},
		}}, "v0.2.1-0.20261206190000-3d91be8c0ffe (revision 3d91be8c0ffee)"},
	} {
		if got := versionText(tc.info); got != tc.want {
			t.Errorf("versionText(%+v) = %q, want %q", tc.info, got, tc.want)
		}
	}
	// sim version and sim --version print what this binary's build
	// information says, not a constant.
	info, _ := debug.ReadBuildInfo()
	want := "sim version " + versionText(info) + "\n"
	for _, args := range [][]string{{"version"}, {"--version"}} {
		if out, errs, status := runSim(t, args...); out != want || status != exitOK {
			t.Errorf("sim %s: exit %d, %q %q; want %q", args[0], status, out, errs, want)
		}
	}
}

// failingWriter fails every write, as a full disk does (not a closed pipe,
// which ends quietly with 141).
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// TestWriteFailureStatus: every command whose output cannot be written
// exits 4, never 1 (findings, failures), whatever its answer would be.
func TestWriteFailureStatus(t *testing.T) {
	dir := t.TempDir()
	trace := filepath.Join(dir, "t.yaml")
	if _, errs, status := runSim(t, "run", quickstart, "--trace", trace); status != exitOK {
		t.Fatalf("run: exit %d: %s", status, errs)
	}
	resources := filepath.Join(filepath.Dir(quickstart), "resources")
	cases := [][]string{
		{"run", quickstart},
		{"run", quickstart, "--trace", "-"},
		{"check", quickstart},
		{"lint", "--level", "note", resources},
		{"lint", "--explain"},
		{"lint", "--explain", "unknown-key"},
		{"diff", quickstart, "--set", "circuitBreakers.simpleCB.timeout=30s"},
		{"sweep", quickstart, "--set", "circuitBreakers.simpleCB.timeout=5s,30s"},
		{"replay", trace},
		{"replay", trace, "--print"},
		{"replay", trace, "--at", "30s"},
		{"timeline", quickstart},
		{"render", quickstart, "-o", "-", "--format", "svg"},
		{"metrics", quickstart},
		{"graph"},
		{"version"},
		{"completion", "bash"},
	}
	covered := map[string]bool{}
	for _, args := range cases {
		covered[args[0]] = true
		var errs strings.Builder
		status := Main(args, failingWriter{}, &errs)
		if status != exitWrite || !strings.Contains(errs.String(), "no space left on device") {
			t.Errorf("sim %s to a full stdout: exit %d, stderr %q; want exit %d naming the failure", strings.Join(args, " "), status, errs.String(), exitWrite)
		}
	}
	for _, c := range newRoot(io.Discard, io.Discard).Commands() {
		if !covered[c.Name()] && c.Name() != "help" {
			t.Errorf("sim %s: no case here", c.Name())
		}
	}
}
