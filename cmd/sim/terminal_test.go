package main

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dapr-sim/sim/internal/escape"
)

// TestTerminalSafety runs every command on testdata/terminal, where every
// name (scenario, apps, store, policies, breakers, errors, expectations) and
// several flag values hold control characters, and finds none of them raw in
// what sim prints: names are escaped (package escape) wherever they are
// printed. The app's own log text is the one exception, kept as the app
// wrote it, and the test checks that too.
func TestTerminalSafety(t *testing.T) {
	dir, err := filepath.Abs("testdata/terminal")
	if err != nil {
		t.Fatal(err)
	}
	scenario := filepath.Join(dir, "scenario.yaml")
	resources := filepath.Join(dir, "resources")
	resiliency := filepath.Join(resources, "resiliency.yaml")
	tmp := t.TempDir()
	trace := filepath.Join(tmp, "trace.yaml")
	if status := Main([]string{"run", scenario, "--trace", trace}, new(bytes.Buffer), new(bytes.Buffer)); status != exitOK {
		t.Fatalf("run --trace: exit %d", status)
	}

	cases := []struct {
		name string
		args []string
		file string // what the command writes, when it prints nothing
	}{
		{"run", []string{"run", scenario, "--explain"}, ""},
		{"run --dapr 1.12", []string{"run", scenario, "--dapr", "1.12"}, ""},
		{"check", []string{"check", scenario}, ""},
		{"lint", []string{"lint", resources, "--level", "note"}, ""},
		{"lint bad", []string{"lint", filepath.Join(dir, "bad-resiliency.yaml")}, ""},
		{"lint --app-id", []string{"lint", resiliency, "--app-id", "x\x1b[2J"}, ""},
		{"replay", []string{"replay", trace}, ""},
		{"replay --at", []string{"replay", trace, "--at", "27s"}, ""},
		{"replay --print", []string{"replay", trace, "--print"}, ""},
		{"timeline", []string{"timeline", scenario}, ""},
		{"timeline trace", []string{"timeline", trace}, ""},
		{"render", []string{"render", trace, "-o", filepath.Join(tmp, "run.svg")}, filepath.Join(tmp, "run.svg")},
		{"render html", []string{"render", scenario, "-o", filepath.Join(tmp, "run.html")}, filepath.Join(tmp, "run.html")},
		{"metrics", []string{"metrics", scenario}, ""},
		{"metrics --promtool-test", []string{"metrics", scenario, "--promtool-test", filepath.Join(dir, "promtool-tests.yaml"), "-o", filepath.Join(tmp, "t.yaml")}, filepath.Join(tmp, "t.yaml")},
		{"graph", []string{"graph", "--spec", resources, "--policy", "cb\x1b[2J"}, ""},
		{"graph dot", []string{"graph", "--format", "dot", "--spec", resources, "--policy", "re\x1b[2Jtry"}, ""},
		{"graph missing", []string{"graph", "--spec", resources, "--policy", "zz\x1b[2J"}, ""},
		{"diff", []string{"diff", scenario, "--set", "circuitBreakers.cb\x1b[2J.timeout=9s"}, ""},
		{"sweep", []string{"sweep", scenario, "--set", "circuitBreakers.cb\x1b[2J.timeout=1s,9s"}, ""},
		{"sweep markdown", []string{"sweep", scenario, "--set", "circuitBreakers.cb\x1b[2J.timeout=1s", "--format", "markdown"}, ""},
		{"sweep csv", []string{"sweep", scenario, "--set", "circuitBreakers.cb\x1b[2J.timeout=1s", "--format", "csv"}, ""},
		{"sweep unknown policy", []string{"sweep", scenario, "--set", "retries.zz\x1b[2J.duration=1s"}, ""},
		{"sweep bad value", []string{"sweep", scenario, "--set", "retries.re\x1b[2Jtry.duration=1\x1b[2Js"}, ""},
		{"missing file", []string{"run", filepath.Join(dir, "no\x1b[2Jfile.yaml")}, ""},
		{"bad flag", []string{"run", scenario, "--dapr", "1.\x1b[2J"}, ""},
		{"unknown command", []string{"ru\x1b[2Jn"}, ""},
	}
	covered := map[string]bool{}
	for _, c := range cases {
		covered[c.args[0]] = true
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			Main(c.args, &stdout, &stderr)
			outputs := map[string]string{"stdout": stdout.String(), "stderr": stderr.String()}
			if c.file != "" {
				data, err := os.ReadFile(c.file)
				if err != nil {
					t.Fatal(err)
				}
				outputs[c.file] = string(data)
			}
			for stream, text := range outputs {
				if line, ok := rawControl(text); ok {
					t.Errorf("%s prints a raw control character:\n%q", stream, line)
				}
			}
			// The names reached the output, escaped: the command did not
			// just stop before printing any.
			if out := stdout.String() + stderr.String() + outputs[c.file]; !strings.Contains(out, `\x1b`) {
				t.Errorf("no escaped name in the output; got\n%s", out)
			}
		})
	}
	var missing []string
	for _, c := range newRoot(nil, nil).Commands() {
		// help, completion and version print no name read from input.
		if name := c.Name(); !covered[name] && name != "help" && name != "completion" && name != "version" {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("commands with no case here: %v (every command prints names from input files)", missing)
	}

	var stdout bytes.Buffer
	Main([]string{"run", scenario}, &stdout, new(bytes.Buffer))
	if want := "== APP == own \x1b[1mbold\x1b[0m log\n"; !strings.Contains(stdout.String(), want) {
		t.Errorf("the app's own log text was changed: want %q in\n%s", want, stdout.String())
	}
}

// rawControl returns the first line of out that holds a rune a terminal
// would obey, outside the app's own `== APP ==` lines.
func rawControl(out string) (string, bool) {
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "== APP == ") {
			continue
		}
		if !escape.Safe(strings.ReplaceAll(line, "\t", " ")) && utf8.ValidString(line) || !utf8.ValidString(line) {
			return line, true
		}
	}
	return "", false
}

// TestRawControlIsCaught: the detector TestTerminalSafety relies on finds
// what it must and lets the app's text through.
func TestRawControlIsCaught(t *testing.T) {
	for _, c := range []struct {
		out  string
		want bool
	}{
		{"INFO[0026] Circuit breaker \"cb\\x1b[2J\" changed state\n", false},
		{"WARN[0006] Error processing operation component[st\x1b[2Jore] output\n", true},
		{"ok\nsecond \x1b]0;t\a line\n", true},
		{"carriage\rreturn", true},
		{"== APP == own \x1b[1mbold\n", false},
		{"  name\twith tab\n", false},
		{"bad utf8 \xff\n", true},
	} {
		if _, got := rawControl(c.out); got != c.want {
			t.Errorf("rawControl(%q) = %v, want %v", c.out, got, c.want)
		}
	}
}
