package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const quickstart = "../../examples/quickstart/scenario.yaml"

// grid3x3 is the grid: three retry durations by three breaker
// open periods on the quickstart.
var grid3x3 = []string{"sweep", quickstart,
	"--set", "retries.retryForever.duration=1s,2s,5s",
	"--set", "circuitBreakers.simpleCB.timeout=5s,30s,60s"}

func args(base []string, more ...string) []string {
	return append(slices.Clone(base), more...)
}

// runSim runs sim in-process and returns stdout, stderr and the status.
func runSim(t *testing.T, a ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	status := Main(a, &out, &errb)
	return out.String(), errb.String(), status
}

// sweepOK runs a sweep that must succeed and print nothing on stderr.
func sweepOK(t *testing.T, a ...string) string {
	t.Helper()
	out, errs, status := runSim(t, a...)
	if status != exitOK || errs != "" {
		t.Fatalf("sim %s: exit %d\n%s", strings.Join(a, " "), status, errs)
	}
	return out
}

// firstDifference describes the first line where got and want differ, or
// returns "" when they are the same bytes.
func firstDifference(got, want string) string {
	if got == want {
		return ""
	}
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for i := range max(len(g), len(w)) {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			return fmt.Sprintf("line %d:\n got %q\nwant %q", i+1, gl, wl)
		}
	}
	return "the same lines, different bytes"
}

// golden compares got with testdata/sweep/name; SIM_UPDATE_GOLDEN=1
// rewrites the file from got (review that diff like code).
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "sweep", name)
	if os.Getenv("SIM_UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if d := firstDifference(got, string(want)); d != "" {
		t.Errorf("%s differs at %s", path, d)
	}
}

var sweepGoldens = []struct {
	file string
	args []string
}{
	{"quickstart.table", args(grid3x3)},
	{"quickstart.csv", args(grid3x3, "--format", "csv")},
	{"quickstart.json", args(grid3x3, "--format", "json")},
	{"quickstart.md", args(grid3x3, "--format", "markdown")},
	// A | in a trip is escaped; two seeds add a seed column.
	{"trips.md", []string{"sweep", quickstart, "--format", "markdown", "--seeds", "2",
		"--set", "circuitBreakers.simpleCB.trip=consecutiveFailures >= 5,consecutiveFailures > 2 || requests > 100,requests > 100000"}},
	// A sharded table numbers its rows.
	{"shard.table", args(grid3x3, "--shard", "1/4")},
}

func TestSweepGolden(t *testing.T) {
	for _, g := range sweepGoldens {
		t.Run(g.file, func(t *testing.T) {
			golden(t, g.file, sweepOK(t, g.args...))
		})
	}
}

// The goldens catch a change of one number, and the output of another grid.
func TestSweepGoldenCatchesAMismatch(t *testing.T) {
	for _, g := range sweepGoldens {
		t.Run(g.file, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join("testdata", "sweep", g.file))
			if err != nil {
				t.Fatal(err)
			}
			// One digit of the last row's last number changed.
			got := sweepOK(t, g.args...)
			i := strings.LastIndexAny(got, "0123456789")
			edited := got[:i] + string('0'+(got[i]-'0'+1)%10) + got[i+1:]
			line := fmt.Sprintf("line %d:", strings.Count(got[:i], "\n")+1)
			if d := firstDifference(edited, string(want)); !strings.HasPrefix(d, line) {
				t.Errorf("a digit changed: difference %q, want one at %s", d, line)
			}
			// Another value of the first --set.
			other := slices.Clone(g.args)
			for i, a := range other {
				other[i] = strings.Replace(a, "retryForever.duration=1s,", "retryForever.duration=3s,", 1)
				other[i] = strings.Replace(other[i], "trip=consecutiveFailures >= 5,", "trip=consecutiveFailures >= 4,", 1)
			}
			if firstDifference(sweepOK(t, other...), string(want)) == "" {
				t.Errorf("another grid printed the golden output")
			}
		})
	}
}

// The same bytes whatever the cores and the pool size. `make test` runs
// this under -race, with 4 workers on the 3x3 grid.
func TestSweepSameOnAnyCores(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	var outs []string
	for _, procs := range []int{1, 2, 4} {
		runtime.GOMAXPROCS(procs)
		for _, jobs := range []string{"", "1", "4", "9", "50"} {
			a := args(grid3x3, "--format", "csv", "--seeds", "2")
			if jobs != "" {
				a = append(a, "--jobs", jobs)
			}
			outs = append(outs, sweepOK(t, a...))
			if d := firstDifference(outs[len(outs)-1], outs[0]); d != "" {
				t.Errorf("GOMAXPROCS=%d --jobs %q differs from GOMAXPROCS=1 at %s", procs, jobs, d)
			}
		}
	}
}

// Concatenated in shard order, the CSVs of every shard are one CSV (one
// header, one row shape), and sorted by run they are the whole grid's.
func TestSweepShardsUnionToTheGrid(t *testing.T) {
	base := args(grid3x3, "--format", "csv", "--seeds", "2")
	full := readCSV(t, sweepOK(t, base...))
	for _, n := range []int{1, 2, 3, 4, 7, 18, 25} {
		var cat strings.Builder
		for i := range n {
			out, errs, status := runSim(t, args(base, "--shard", fmt.Sprintf("%d/%d", i, n))...)
			if status != exitOK {
				t.Fatalf("shard %d/%d: exit %d: %s", i, n, status, errs)
			}
			if (errs != "") != (i >= 18) {
				t.Errorf("shard %d/%d of 18 runs: stderr %q", i, n, errs)
			}
			cat.WriteString(out)
		}
		union := readCSV(t, cat.String())
		if !reflect.DeepEqual(union[0], full[0]) {
			t.Fatalf("n=%d: header %v, want %v", n, union[0], full[0])
		}
		rows := union[1:]
		slices.SortStableFunc(rows, func(a, b []string) int {
			x, _ := strconv.Atoi(a[0])
			y, _ := strconv.Atoi(b[0])
			return x - y
		})
		if !reflect.DeepEqual(rows, full[1:]) {
			t.Errorf("n=%d: sorted union of the shards\n%v\nwant\n%v", n, rows, full[1:])
		}
	}
}

// readCSV parses text as one CSV whose records all have the header's width.
func readCSV(t *testing.T, text string) [][]string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		t.Fatalf("not one CSV: %v\n%s", err, text)
	}
	for _, r := range recs[1:] {
		if r[0] == "run" {
			t.Fatalf("a second header:\n%s", text)
		}
	}
	return recs
}

// The bar goes to stderr only when it is a terminal, redraws with \r and
// is cleared at the end; stdout is the same bytes either way.
func TestSweepProgressBar(t *testing.T) {
	run := func(tty bool) (string, string) {
		var out, errb bytes.Buffer
		c := sweepCommand(&out, &errb, func(io.Writer) bool { return tty })
		c.SetArgs(grid3x3[1:])
		if err := c.Execute(); err != nil {
			t.Fatal(err)
		}
		return out.String(), errb.String()
	}
	plainOut, plainErr := run(false)
	if plainErr != "" {
		t.Errorf("no terminal, yet stderr %q", plainErr)
	}
	out, bar := run(true)
	if out != plainOut || strings.Contains(out, "\r") {
		t.Errorf("the bar changed stdout:\n%q", out)
	}
	const first = "\rsweep  [....................]  0/9 runs"
	const last = "\rsweep  [####################]  9/9 runs"
	clear := "\r" + strings.Repeat(" ", len(last)-1) + "\r"
	if !strings.HasPrefix(bar, first) || !strings.HasSuffix(bar, last+clear) {
		t.Errorf("bar %q: want it to start with %q and end with %q", bar, first, last+clear)
	}
	if n := strings.Count(bar, "\r"); n != 12 {
		t.Errorf("%d carriage returns in %q, want one per draw (10) and two to clear", n, bar)
	}
}

func TestProgressBarThrottles(t *testing.T) {
	var b bytes.Buffer
	p := progressBar{w: &b, total: 1_000_000, on: true}
	for i := 0; i <= 1_000_000; i += 7 {
		p.draw(i)
	}
	p.draw(1_000_000)
	if n := strings.Count(b.String(), "\r"); n > 1002 {
		t.Errorf("%d redraws for a million runs, want at most one per thousandth", n)
	}
	if !strings.HasSuffix(b.String(), "1000000/1000000 runs") {
		t.Errorf("the last draw is not complete: %q", b.String()[b.Len()-40:])
	}
}

// A run that fails stops the sweep with the first failing run in grid
// order, whatever the pool: runs 4 (2s/30s), 5, 7 and 8 need more than 210
// events (the state.redis client's tries and backoffs are events too).
func TestSweepFailureNamesTheFirstFailingRun(t *testing.T) {
	a := []string{"sweep", quickstart, "--max-events", "210",
		"--set", "retries.retryForever.duration=5s,2s,1s",
		"--set", "circuitBreakers.simpleCB.timeout=60s,30s,5s"}
	const want = "sim: run 4 (retries.retryForever.duration=2s, circuitBreakers.simpleCB.timeout=30s, seed 1): stopped after 210 events"
	for _, jobs := range []string{"1", "2", "4", "9"} {
		for range 3 {
			out, errs, status := runSim(t, args(a, "--jobs", jobs)...)
			if status != exitBadInput || out != "" || !strings.HasPrefix(errs, want) || strings.Count(errs, "\n") != 1 {
				t.Errorf("--jobs %s: exit %d, stdout %q, stderr %q; want 2 and %q", jobs, status, out, errs, want)
			}
		}
	}
}

// Every value is checked before any run: with a budget no run can meet, the
// bad value is still what is reported.
func TestSweepChecksValuesBeforeRunning(t *testing.T) {
	_, errs, status := runSim(t, "sweep", quickstart, "--max-events", "1",
		"--set", "retries.retryForever.duration=1s,soon", "--set", "retries.retryForever.maxRetries=3,-1,x")
	want := "--set retries.retryForever.duration=soon: want a duration such as \"5s\" (a bare number means milliseconds), got \"soon\"\n" +
		"--set retries.retryForever.maxRetries=x: want a whole number, got \"x\"\n"
	if status != exitBadInput || errs != want {
		t.Errorf("exit %d, stderr\n%s\nwant 2 and\n%s", status, errs, want)
	}
}

// TestSweepWhatIfAcrossSeeds: the what-if retry fields sweep like the YAML's
// (through the scenario's overrides rules), and --seeds shows what the
// randomization factor does: with 0 every seed gives the same row, with 0.5
// the jitter drawn from each seed moves the timings. On Dapr 1.16: up to
// 1.10 the state.redis client's own backoffs are drawn from the seed too
// (go-redis's jitter), from 1.11 they are the 512ms cap whatever the draw.
func TestSweepWhatIfAcrossSeeds(t *testing.T) {
	out := sweepOKWarned(t, "sweep", quickstart, "--format", "csv", "--seeds", "3", "--dapr", "1.16",
		"--set", "retries.retryForever.policy=exponential",
		"--set", "retries.retryForever.maxInterval=8s",
		"--set", "retries.retryForever.randomizationFactor=0,0.5")
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 7 {
		t.Fatalf("%d rows, want a header and 6:\n%s", len(rows), out)
	}
	metrics := func(r []string) string { return strings.Join(r[5:], ",") } // run, 3 paths, seed, then metrics
	if metrics(rows[1]) != metrics(rows[2]) || metrics(rows[1]) != metrics(rows[3]) {
		t.Errorf("randomizationFactor 0: seeds differ:\n%s", out)
	}
	if metrics(rows[4]) == metrics(rows[5]) && metrics(rows[4]) == metrics(rows[6]) {
		t.Errorf("randomizationFactor 0.5: every seed gave the same row:\n%s", out)
	}
	if metrics(rows[1]) == metrics(rows[4]) {
		t.Errorf("randomizationFactor 0 and 0.5 gave the same row on seed 1:\n%s", out)
	}
}

// sweepOKWarned runs a sweep that must succeed; warnings are expected.
func sweepOKWarned(t *testing.T, a ...string) string {
	t.Helper()
	out, errs, status := runSim(t, a...)
	if status != exitOK {
		t.Fatalf("sim %s: exit %d\n%s", strings.Join(a, " "), status, errs)
	}
	return out
}
