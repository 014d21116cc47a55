package daprlog

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/dapr-sim/sim/policies"
)

// outageLog is a 1.8-era terminal log of n quickstart outages, one after
// the other, 40 s apart: a notice, the breaker opening, half-opening,
// opening again, half-opening, closing, and the call recovering — seven
// resiliency lines an outage, each consistent with the quickstart's
// resources. The first outage starts at start seconds.
func outageLog(n, start int) []byte {
	var b bytes.Buffer
	for i := 0; i < n; i++ {
		t := start + 40*i
		fmt.Fprintf(&b, "INFO[%04d] Error processing operation component[statestore] output. Retrying...\n", t+6)
		for _, tr := range []struct {
			at       int
			from, to string
		}{{26, "closed", "open"}, {31, "open", "half-open"}, {31, "half-open", "open"}, {36, "open", "half-open"}, {36, "half-open", "closed"}} {
			fmt.Fprintf(&b, "INFO[%04d] Circuit breaker \"simpleCB-statestore\" changed state from %s to %s\n", t+tr.at, tr.from, tr.to)
		}
		fmt.Fprintf(&b, "INFO[%04d] Recovered processing operation component[statestore] output.\n", t+36)
	}
	return b.Bytes()
}

func quickstartSpec(tb testing.TB) *policies.Spec {
	tb.Helper()
	p, err := policies.ProfileFor("1.8")
	if err != nil {
		tb.Fatal(err)
	}
	spec, _, err := policies.Load([]string{"../policies/testdata/quickstart"}, "order-processor", p)
	if err != nil {
		tb.Fatal(err)
	}
	return spec
}

func readOutages(tb testing.TB, n int) []Entry {
	tb.Helper()
	lg, err := Read("daprd.log", bytes.NewReader(outageLog(n, 0)))
	if err != nil {
		tb.Fatal(err)
	}
	return lg.Entries
}

// BenchmarkCheck: Check over a 40,005-line log (5,715 outages, 28,575
// breaker transitions), the size that took 43 s when each open scanned the
// whole log.
func BenchmarkCheck(b *testing.B) {
	entries := readOutages(b, 5715)
	spec := quickstartSpec(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if p := Check(entries, spec, "1.8"); len(p) != 0 {
			b.Fatalf("%d problems, first %s", len(p), p[0])
		}
	}
}

// Check's steps (entries visited, notices indexed, passed by a cursor or
// summed for a trip bound) grow linearly with the log: twice the outages,
// at most twice the steps, and a few steps a line.
func TestCheckIsLinear(t *testing.T) {
	spec := quickstartSpec(t)
	steps := func(n int) (int, int) {
		entries := readOutages(t, n)
		c := newChecker(spec)
		if p := c.check(entries, "1.8"); len(p) != 0 {
			t.Fatalf("%d outages: %d problems, first %s", n, len(p), p[0])
		}
		return c.steps, len(entries)
	}
	for _, n := range []int{100, 1000} {
		s1, lines := steps(n)
		s2, _ := steps(2 * n)
		t.Logf("%d outages (%d lines): %d steps; %d outages: %d steps", n, lines, s1, 2*n, s2)
		if s2 > 2*s1 {
			t.Errorf("%d outages: %d steps, %d outages: %d steps: more than twice", n, s1, 2*n, s2)
		}
		if s1 > 3*lines {
			t.Errorf("%d outages: %d steps for %d lines: more than 3 a line", n, s1, lines)
		}
	}
}

// The trip bound still sees only the notices before an open, in a long
// log and in one whose stamps are out of order. An open at [0004], 3 s
// after the one notice (at most 1 + (5s - 0.99s)/5s = 1 failure), then
// closing, then 1000 good outages: only the first open is too early.
func TestCheckTripInLongLog(t *testing.T) {
	spec := quickstartSpec(t)
	head := "INFO[0001] Error processing operation component[statestore] output. Retrying...\n" +
		"INFO[0004] Circuit breaker \"simpleCB-statestore\" changed state from closed to open\n" +
		"INFO[0010] Circuit breaker \"simpleCB-statestore\" changed state from open to half-open\n" +
		"INFO[0010] Circuit breaker \"simpleCB-statestore\" changed state from half-open to closed\n" +
		"INFO[0010] Recovered processing operation component[statestore] output.\n"
	data := append([]byte(head), outageLog(1000, 100)...)
	lg, err := Read("daprd.log", bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	got := Check(lg.Entries, spec, "1.8")
	want := "daprd.log:2: opened at [0004], but trip `consecutiveFailures >= 5` needs at least 5 failures and at most 1 can have reached the breaker by then (1 retried call(s)"
	if len(got) != 1 || !strings.HasPrefix(got[0].String(), want) {
		t.Errorf("got %d problems %v, want one: %s…", len(got), got, want)
	}
	// Out of order: the outages backwards, each one's lines in order; the
	// opens look the notices up by binary search, and each open but the
	// first follows a close stamped after it. (The count that gives is
	// below zero; the naive scan said the same.)
	entries := readOutages(t, 50)
	var rev []Entry
	for i := len(entries) - 7; i >= 0; i -= 7 {
		rev = append(rev, entries[i:i+7]...)
	}
	c := newChecker(spec)
	got = c.check(rev, "1.8")
	if len(got) != 49 || !strings.HasPrefix(got[0].String(), "daprd.log:338: opened at [1946]") {
		t.Errorf("outages in reverse order: %d problems, want 49, first %v", len(got), got)
	}
	if c.steps > 3*len(rev)+49*10 {
		t.Errorf("outages in reverse order: %d steps for %d lines", c.steps, len(rev))
	}
}
