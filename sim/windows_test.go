package sim

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// manyWindows is a day's scenario with n fault windows on one store: 50ms of
// extra latency every 100ms from the start, one after the other.
func manyWindows(n int) string {
	var b strings.Builder
	b.WriteString("version: 1\nduration: 24h\napps:\n  - id: a\n    pause: 1s\n    steps: [{save: s}]\nstores:\n  s: {latency: 1ms}\nfaults:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - {target: s, from: %dms, to: %dms, latency: 5ms}\n", i*100, i*100+50)
	}
	return b.String()
}

// runWindows loads and runs a scenario text, counting events.
func runWindows(t testing.TB, text string, maxEvents int64) (int64, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "s.yaml")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	sc, err := LoadScenario(path)
	if err != nil {
		return 0, err
	}
	setup, err := Prepare(sc, Overrides{})
	if err != nil {
		return 0, err
	}
	var n countSink
	eng := NewEngine(setup, &n, Options{MaxEvents: maxEvents})
	defer eng.Close()
	return n.n, eng.Run()
}

// BenchmarkManyWindows loads and runs a day with 100,000 fault windows
// (issue 11): the time and memory go to holding the windows, not to the run.
func BenchmarkManyWindows(b *testing.B) {
	text := manyWindows(100_000)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := runWindows(b, text, 0); err != nil {
			b.Fatal(err)
		}
	}
}

// TestIssue11WindowIndexAgreesWithScan: the windows an index returns at each
// instant, filtered by matches, are those a scan of every window finds, in
// file order.
func TestIssue11WindowIndexAgreesWithScan(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 11))
	var ws []Window
	for i := range 2000 {
		w := Window{Target: []string{"a", "b"}[rng.IntN(2)], From: time.Duration(rng.IntN(1000)) * time.Millisecond, Index: i}
		if rng.IntN(4) > 0 {
			w.HasTo, w.To = true, w.From+time.Duration(1+rng.IntN(50))*time.Millisecond
		}
		ws = append(ws, w)
	}
	idx := indexWindows(ws)
	for now := time.Duration(0); now < 1100*time.Millisecond; now += time.Duration(rng.IntN(3)) * time.Millisecond {
		for _, target := range []string{"a", "b"} {
			var got, want []int32
			for _, i := range idx[target].at(ws, now) {
				if ws[i].matches(Save, "", now) {
					got = append(got, i)
				}
			}
			for i := range ws {
				if ws[i].Target == target && ws[i].matches(Save, "", now) {
					want = append(want, int32(i))
				}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%s at %s: index gives %v, a scan %v", target, now, got, want)
			}
		}
		if now == 0 {
			now = time.Millisecond
		}
	}
}

// TestIssue11ManyWindowsLookedAtOnce: 20,000 windows one after the other
// on the store: each attempt looks only at the window that holds (at most
// one here), not at all of them, and the run goes to its horizon.
func TestIssue11ManyWindowsLookedAtOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.yaml")
	if err := os.WriteFile(path, []byte(manyWindows(20_000)), 0o644); err != nil {
		t.Fatal(err)
	}
	sc, err := LoadScenario(path)
	if err != nil {
		t.Fatal(err)
	}
	setup, err := Prepare(sc, Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	var n countSink
	eng := NewEngine(setup, &n, Options{})
	defer eng.Close()
	if err := eng.Run(); err != nil {
		t.Fatal(err)
	}
	// Two fault events per window, a call and an op event per attempt:
	// one save a second (and its latency) for a day.
	attempts := (n.n - 2*20_000) / 2
	if attempts < 86_000 || attempts > 86_400 {
		t.Errorf("%d events: %d attempts, want one a second for a day", n.n, attempts)
	}
	if eng.windowLooks > attempts {
		t.Errorf("attempts looked at %d windows, want at most one each (%d)", eng.windowLooks, attempts)
	}
}

// TestIssue11HeldWindowsCapped: at most MaxHeldWindows windows may hold at
// once on one target; the window that makes one more is named by file and
// line. Windows that end before the next starts do not add up.
func TestIssue11HeldWindowsCapped(t *testing.T) {
	head := "version: 1\nduration: 10s\napps:\n  - id: a\n    steps: [{save: s}]\nstores:\n  s: {latency: 1ms}\nfaults:\n"
	stacked := func(n int) string {
		var b strings.Builder
		b.WriteString(head)
		for i := range n {
			fmt.Fprintf(&b, "  - {target: s, from: %dms, latency: 5ms}\n", i)
		}
		return b.String()
	}
	if _, err := runWindows(t, stacked(MaxHeldWindows), 0); err != nil {
		t.Fatalf("%d windows held at once: %v", MaxHeldWindows, err)
	}
	_, err := runWindows(t, stacked(MaxHeldWindows+1), 0)
	if err == nil || !strings.Contains(err.Error(), "s.yaml:109: faults[100]: this window makes 101 hold at once on s at 100ms, more than 100") {
		t.Fatalf("got %v, want faults[100] at line 109 named", err)
	}
	var b strings.Builder
	b.WriteString(head)
	for i := range 1000 {
		fmt.Fprintf(&b, "  - {target: s, from: %dms, to: %dms, latency: 5ms}\n", i, i+1)
	}
	if _, err := runWindows(t, b.String(), 0); err != nil {
		t.Fatalf("1000 windows one after the other: %v", err)
	}
}

// TestIssue11LongFaultsParsedInChunks: a long faults list is decoded a chunk
// at a time (its YAML nodes are never all held at once) into exactly what a
// whole parse gives, and a problem deep in the list is reported at its own
// line, as the whole parse reports it.
func TestIssue11LongFaultsParsedInChunks(t *testing.T) {
	text := manyWindows(3 * faultChunk)
	_, _, ok := parseLongFaults("s.yaml", []byte(text))
	if !ok {
		t.Fatal("a list of 15,000 windows is not decoded in chunks")
	}
	got, err := ParseScenario("s.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	want, err := parseWhole("s.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("chunked parse differs (-whole +chunked):\n%s", d)
	}

	// Window 12,345 ends before it starts; a scripted change follows the
	// list, and a key after it.
	bad := strings.Replace(text, "{target: s, from: 1234500ms, to: 1234550ms", "{target: s, from: 1234500ms, to: 1234400ms", 1)
	bad += "  - {at: 5s, stop: s}\nname: after\n"
	_, werr := parseWhole("s.yaml", []byte(bad))
	sc, cerr := ParseScenario("s.yaml", []byte(bad))
	if werr == nil || cerr == nil || werr.Error() != cerr.Error() {
		t.Fatalf("chunked parse says %v (%v), whole parse %v", cerr, sc, werr)
	}
	if !strings.HasPrefix(cerr.Error(), "s.yaml:12355: faults[12345].to: want a time after from") {
		t.Errorf("got %v, want window 12345 named at line 12355", cerr)
	}
	sc, err = ParseScenario("s.yaml", []byte(strings.Replace(text, "{target: s, from: 1234500ms, to: 1234550ms, latency: 5ms}", "{at: 5s, stop: s}", 1)+"name: after\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Faults) != 1 || sc.Faults[0].Line != 12355 || len(sc.Windows) != 3*faultChunk-1 || sc.Name != "after" {
		t.Errorf("got %d faults (%+v), %d windows, name %q", len(sc.Faults), sc.Faults, len(sc.Windows), sc.Name)
	}
}
