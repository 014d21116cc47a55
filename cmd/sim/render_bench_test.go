package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/dapr-sim/sim/internal/rss"
)

// dayFiles is the day's trace (examples/day: 24 virtual hours, Redis down
// from 6h00m to 6h30m, 340,600 events, a 61 MB YAML file) and a copy of
// its scenario with an expect: list, written once per process, outside any
// benchmark's timing, into a directory removed when the benchmarks end
// (removesBenchDay).
var dayFiles struct {
	once     sync.Once
	dir      string
	trace    string
	scenario string
	err      error
}

// benchDay returns the day's files, writing them on first use.
func benchDay(b *testing.B) (trace, scenario string) {
	b.Helper()
	dayFiles.once.Do(func() {
		if dayFiles.dir, dayFiles.err = os.MkdirTemp("", "sim-bench-day-"); dayFiles.err != nil {
			return
		}
		dayFiles.trace = filepath.Join(dayFiles.dir, "day.yaml")
		var stdout, stderr bytes.Buffer
		if status := Main([]string{"run", "../../examples/day/scenario.yaml", "--trace", dayFiles.trace}, &stdout, &stderr); status != exitOK {
			dayFiles.err = fmt.Errorf("run --trace: exit %d: %s", status, stderr.String())
			return
		}
		dayFiles.scenario, dayFiles.err = writeDayCheck(dayFiles.dir)
	})
	if dayFiles.err != nil {
		b.Fatal(dayFiles.err)
	}
	return dayFiles.trace, dayFiles.scenario
}

// removesBenchDay runs the tests and benchmarks, then removes the day's
// files: TestMain hands it to testscript.Main, which exits the process.
type removesBenchDay struct{ m *testing.M }

func (r removesBenchDay) Run() int {
	code := r.m.Run()
	if dayFiles.dir != "" {
		os.RemoveAll(dayFiles.dir)
	}
	return code
}

// dayChecks is what `sim check` evaluates on the day: one assertion of each
// kind that reads the whole run (a state throughout a window, transitions,
// a log line never seen, counts), each holding, so the report is all ok.
const dayChecks = `expect:
  - {breaker: simpleCB-statestore, state: closed, from: 0s, to: 6h}
  - {breaker: simpleCB-statestore, transition: closed->open, within: [6h, 6h1m], times: 1}
  - {breaker: simpleCB-statestore, state: closed, from: 6h31m, to: 24h}
  - {log: "Recovered processing operation", within: [6h30m, 6h31m]}
  - {log: "/Retrying in \\d+m/", never: true}
  - {count: failedOps, equals: 0}
  - {count: attempts, target: statestore, op: save, atLeast: 80000}
`

// writeDayCheck writes examples/day's scenario with dayChecks added into
// dir, its resources named by absolute path, and returns its path.
func writeDayCheck(dir string) (string, error) {
	src, err := os.ReadFile("../../examples/day/scenario.yaml")
	if err != nil {
		return "", err
	}
	resources, err := filepath.Abs("../../examples/quickstart/resources")
	if err != nil {
		return "", err
	}
	const rel = "resourcesPath: ../quickstart/resources\n"
	if !bytes.Contains(src, []byte(rel)) {
		return "", os.ErrInvalid
	}
	text := strings.Replace(string(src), rel, "resourcesPath: "+resources+"\n", 1) + dayChecks
	path := filepath.Join(dir, "daycheck.yaml")
	return path, os.WriteFile(path, []byte(text), 0o644)
}

// benchCommand runs args through Main b.N times and reports allocations
// and peak-RSS-MiB, the most the process held resident during an op (the
// highest of the ops), as `/usr/bin/time -v sim ARGS` would show, the
// test binary's own few MB included (internal/rss; left out where
// /proc/self cannot be read). want is the exit status the command ends
// with.
func benchCommand(b *testing.B, want int, args ...string) {
	b.Helper()
	benchCommandTo(b, nil, want, args...)
}

// benchCommandTo is benchCommand with the command's standard output going
// to stdout rather than a buffer (nil: a buffer, as a test reads it).
func benchCommandTo(b *testing.B, stdout io.Writer, want int, args ...string) {
	b.Helper()
	b.ReportAllocs()
	var mem rss.Ops
	// Not the day's files, written on the first call (benchDay).
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		mem.Begin()
		var out, stderr bytes.Buffer
		w := stdout
		if w == nil {
			w = &out
		}
		b.StartTimer()
		if status := Main(args, w, &stderr); status != want {
			b.Fatalf("%s: exit %d, want %d: %s", strings.Join(args, " "), status, want, stderr.String())
		}
		b.StopTimer()
		mem.End()
		b.StartTimer()
	}
	mem.Report(b)
}

// BenchmarkRunDay is `sim run examples/day/scenario.yaml --trace FILE`
// as a user runs it, its log going where a redirected stdout would: the
// run, the log, and the trace encoded on a second goroutine and written to
// a file. It is issue 16's day row, beside conformance's
// BenchmarkOracleDay (Dapr v1.14's own code over the same day).
func BenchmarkRunDay(b *testing.B) {
	trace := filepath.Join(b.TempDir(), "day.yaml")
	benchCommandTo(b, io.Discard, exitOK, "run", "../../examples/day/scenario.yaml", "--trace", trace)
}

// BenchmarkReplayDay is `sim replay` of the day's trace: read it, run the
// header's scenario again, compare event by event.
func BenchmarkReplayDay(b *testing.B) {
	trace, _ := benchDay(b)
	benchCommand(b, exitOK, "replay", trace)
}

// BenchmarkReplayAtDay is `sim replay --at 6h15m` on the day's trace:
// the state mid-outage, replaying the run up to that instant. Its
// peak-RSS-MiB is issue 16's bound for check, timeline and the SVG, which
// also read the whole trace once.
func BenchmarkReplayAtDay(b *testing.B) {
	trace, _ := benchDay(b)
	benchCommand(b, exitOK, "replay", trace, "--at", "6h15m")
}

// BenchmarkRenderDayWindow is `sim render` to HTML of a 40-minute window
// of the same trace, around the outage (5h50m to 6h30m): a snapshot at
// each of its event instants, taken while replaying the run once, so it
// costs about what BenchmarkReplayDay does (before, a fold per instant
// made it run for more than ten minutes).
func BenchmarkRenderDayWindow(b *testing.B) {
	trace, _ := benchDay(b)
	benchCommand(b, exitOK, "render", trace, "-o", filepath.Join(b.TempDir(), "day.html"), "--from", "5h50m", "--to", "6h30m")
}

// BenchmarkRenderDayMinute is the same for the outage's first minute
// (6h00m to 6h01m), issue 16's other window: beside the 40-minute one it
// says how the page's cost follows the window's instants.
func BenchmarkRenderDayMinute(b *testing.B) {
	trace, _ := benchDay(b)
	benchCommand(b, exitOK, "render", trace, "-o", filepath.Join(b.TempDir(), "day.html"), "--from", "6h", "--to", "6h1m")
}

// BenchmarkRenderDayPageLimit is the same for the widest window a page
// may draw: 5h00m to 7h45m holds nearly the 20,000 event instants a page
// takes (picture.MaxPageInstants), the outage inside it. Issue 16 asks for any
// window up to the limit in seconds.
func BenchmarkRenderDayPageLimit(b *testing.B) {
	trace, _ := benchDay(b)
	benchCommand(b, exitOK, "render", trace, "-o", filepath.Join(b.TempDir(), "day.html"), "--from", "5h", "--to", "7h45m")
}

// BenchmarkRenderDaySVG is `sim render` of the whole day's trace to SVG:
// the timeline's lanes, which fold every event from the start.
func BenchmarkRenderDaySVG(b *testing.B) {
	trace, _ := benchDay(b)
	benchCommand(b, exitOK, "render", trace, "-o", filepath.Join(b.TempDir(), "day.svg"))
}

// BenchmarkTimelineDay is `sim timeline` of the whole day's trace, drawn
// 100 columns wide without colour (as piped).
func BenchmarkTimelineDay(b *testing.B) {
	trace, _ := benchDay(b)
	benchCommand(b, exitOK, "timeline", trace, "--width", "100", "--color", "never")
}

// BenchmarkCheckDay is `sim check` of the day with an expect: list
// (dayChecks): it runs the scenario, as check always does, then evaluates
// the assertions over every event. Its time over BenchmarkDay's is what
// checking adds to a run.
func BenchmarkCheckDay(b *testing.B) {
	_, scenario := benchDay(b)
	benchCommand(b, exitOK, "check", scenario)
}
