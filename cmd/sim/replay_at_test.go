package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// replay --at on a trace that differs from the run its header describes
// still prints the run's state, counts every recorded event, and says at
// which event the two part.
func TestReplayAtTamperedTrace(t *testing.T) {
	dir := t.TempDir()
	trace := filepath.Join(dir, "t.yaml")
	var stdout, stderr bytes.Buffer
	if status := Main([]string{"run", "../../examples/quickstart/scenario.yaml", "--trace", trace}, &stdout, &stderr); status != exitOK {
		t.Fatalf("run --trace: exit %d: %s", status, stderr.String())
	}
	data, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	// The 14th event, get(4)'s answer, made a failure.
	lines := strings.Split(string(data), "\n")
	n := 0
	for i, l := range lines {
		if strings.HasPrefix(l, "  - {t: ") {
			if n++; n == 14 {
				lines[i] = strings.Replace(l, "outcome: ok", "outcome: error", 1)
			}
		}
	}
	if err := os.WriteFile(trace, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout.Reset()
	stderr.Reset()
	if status := Main([]string{"replay", trace, "--at", "26.5s"}, &stdout, &stderr); status != exitOK {
		t.Fatalf("replay --at: exit %d: %s", status, stderr.String())
	}
	for _, want := range []string{
		"state at 26.5s: 13 of 156 events folded, the last at 5.007007s\n",
		"\nnotes\n  the trace differs from the run its header describes at event #14 (5.007007s): the state is the run's\n",
	} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout.String())
		}
	}
}
