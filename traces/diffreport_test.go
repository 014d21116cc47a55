package traces

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestFailedRunsGroupStretches: operations that failed on one side only are
// listed as stretches of one worker's adjacent iterations with the same fate
// on the other side, so a day-long regression is one line, not thousands.
func TestFailedRunsGroupStretches(t *testing.T) {
	k := func(w, it, step int) OpKey {
		return OpKey{App: "app", Worker: w, Iteration: it, Step: step}
	}
	other := Metrics{Succeeded: map[OpKey]time.Duration{}}
	var keys []OpKey
	for it := 5; it <= 9; it++ { // a stretch, both steps, ok in the other run
		for step := 1; step <= 2; step++ {
			keys = append(keys, k(0, it, step))
			other.Succeeded[k(0, it, step)] = time.Duration(it*10+step) * time.Second
		}
	}
	keys = append(keys, k(0, 10, 1))              // not reached in the other run: a new stretch
	keys = append(keys, k(0, 12, 1), k(0, 13, 1)) // iteration 11 skipped: another
	keys = append(keys, k(1, 13, 1))              // another worker: another
	other.Succeeded[k(0, 12, 1)] = 121 * time.Second
	other.Succeeded[k(0, 13, 1)] = 131 * time.Second
	other.Succeeded[k(1, 13, 1)] = 132 * time.Second

	var got []string
	for _, r := range failedRuns(keys, "B", other) {
		got = append(got, fmt.Sprintf("%s | %s %v-%v", r.label(), r.other, r.from, r.to))
	}
	want := []string{
		"app worker 0 iterations 5–9 steps 1,2 (10 operations) | ok 51s-1m32s",
		"app worker 0 iteration 10 step 1 | not reached 0s-0s", // one operation: its own label
		"app worker 0 iterations 12–13 step 1 (2 operations) | ok 2m1s-2m11s",
		"app worker 1 iteration 13 step 1 | ok 2m12s-2m12s",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("stretches:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestFailedSectionIsBounded: past maxFailedLines stretches the rest is one
// line with how many stretches and operations it stands for.
func TestFailedSectionIsBounded(t *testing.T) {
	var d MetricsDiff
	for it := 1; it <= 2*(maxFailedLines+5); it += 2 { // every other iteration: no two adjacent
		d.FailedOnlyB = append(d.FailedOnlyB, OpKey{App: "app", Iteration: it, Step: 1})
	}
	var b strings.Builder
	writeFailed(&b, d)
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != maxFailedLines+1 {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), maxFailedLines+1, b.String())
	}
	if want := "  ... 5 more stretches, 5 operations"; lines[len(lines)-1] != want {
		t.Errorf("last line %q, want %q", lines[len(lines)-1], want)
	}
}

// TestTransitionsSectionIsBounded: a long outage's many probes show as the
// first and last changes with the middle summed up by kind.
func TestTransitionsSectionIsBounded(t *testing.T) {
	var d MetricsDiff
	for i := 1; i <= 120; i++ { // the tail's labels (#115)… are wider than the head's
		tr := BreakerTransition{Name: "cb", From: "open", To: "half-open", N: i, T: time.Duration(i) * time.Second}
		if i <= 10 {
			d.Moved = append(d.Moved, MovedTransition{BreakerTransition: tr, B: tr.T + time.Minute})
		} else {
			d.Gone = append(d.Gone, tr)
		}
	}
	var b strings.Builder
	writeTransitions(&b, d)
	out := b.String()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != transitionHead+1+transitionTail {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), transitionHead+1+transitionTail, out)
	}
	// In time order: A's 1s–10s moved, 11s–120s gone; the head shows the
	// first 14 (10 moved, 4 gone), the tail the last 6, the middle 100 gone.
	if want := "  ... 100 more changes: 100 only in A"; lines[transitionHead] != want {
		t.Errorf("summary %q, want %q\n%s", lines[transitionHead], want, out)
	}
	// Head and tail are aligned as one table.
	col := strings.Index(lines[0], " A ")
	for i, l := range lines {
		if i != transitionHead && strings.Index(l, " A ") != col {
			t.Errorf("line %d's A column at %d, the first line's at %d:\n%s", i, strings.Index(l, " A "), col, out)
		}
	}
	if !strings.Contains(lines[0], "A 1s") {
		t.Errorf("first line %q should be the first change", lines[0])
	}
	if !strings.Contains(lines[len(lines)-1], "(#120)") {
		t.Errorf("last line %q should be the last change", lines[len(lines)-1])
	}
}
