package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Colour: --color always or never wins; auto colours a terminal unless
// NO_COLOR is set (to anything but ""); a pipe is never coloured on auto.
func TestWantColor(t *testing.T) {
	for _, c := range []struct {
		mode    string
		tty     bool
		noColor string
		want    bool
	}{
		{"auto", true, "", true},
		{"auto", true, "1", false},
		{"auto", false, "", false},
		{"auto", false, "1", false},
		{"always", false, "1", true},
		{"never", true, "", false},
	} {
		if got := wantColor(c.mode, c.tty, c.noColor); got != c.want {
			t.Errorf("wantColor(%q, tty %v, NO_COLOR %q) = %v, want %v", c.mode, c.tty, c.noColor, got, c.want)
		}
	}
}

func TestDefaultWidth(t *testing.T) {
	for _, c := range []struct {
		tty     bool
		columns string
		want    int
	}{
		{true, "132", 132}, {true, "", 100}, {true, "wide", 100}, {true, "3", 100}, {false, "132", 100},
	} {
		if got := defaultWidth(c.tty, c.columns); got != c.want {
			t.Errorf("defaultWidth(tty %v, COLUMNS %q) = %d, want %d", c.tty, c.columns, got, c.want)
		}
	}
}

// Forced colour emits ANSI codes; NO_COLOR alone cannot colour a pipe, and
// the buffer a test hands Main is not a terminal.
func TestTimelineColourThroughMain(t *testing.T) {
	scenario := filepath.Join("..", "..", "examples", "quickstart", "scenario.yaml")
	run := func(args ...string) string {
		var out, errb bytes.Buffer
		if st := Main(append([]string{"timeline", scenario}, args...), &out, &errb); st != 0 {
			t.Fatalf("exit %d: %s", st, errb.String())
		}
		return out.String()
	}
	if out := run("--color", "always"); !strings.Contains(out, "\x1b[") {
		t.Errorf("--color always: no ANSI code in\n%s", out)
	}
	t.Setenv("NO_COLOR", "1")
	if out := run(); strings.Contains(out, "\x1b") {
		t.Errorf("NO_COLOR: an escape code in\n%q", out)
	}
	if isTerminal(&bytes.Buffer{}) {
		t.Error("a buffer is a terminal")
	}
}

// TestTraceFile: the file is opened as every reader opens it; what it
// holds is traces.LooksLikeTrace's to say.
func TestTraceFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "t.yaml")
	if err := os.WriteFile(p, []byte("# sim trace\nformat: 1\nsim: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := traceFile(p); !got || err != nil {
		t.Errorf("a trace: traceFile = %v, %v", got, err)
	}
	if got, err := traceFile(filepath.Join(dir, "missing")); got || err == nil {
		t.Errorf("a missing file: traceFile = %v, %v, want false and an error", got, err)
	}
}
