package main

import (
	"bytes"
	"path/filepath"
	"testing"
)

// dayTracePath writes the day's trace (examples/day: 24 virtual hours,
// Redis down from 6h00m to 6h30m) for a benchmark, outside its timing.
func dayTracePath(b *testing.B) string {
	b.Helper()
	path := filepath.Join(b.TempDir(), "day.yaml")
	var stdout, stderr bytes.Buffer
	if status := Main([]string{"run", "../../examples/day/scenario.yaml", "--trace", path}, &stdout, &stderr); status != exitOK {
		b.Fatalf("run --trace: exit %d: %s", status, stderr.String())
	}
	return path
}

// BenchmarkReplayDay is `sim replay` of the day's trace: read it, run the
// header's scenario again, compare event by event.
func BenchmarkReplayDay(b *testing.B) {
	path := dayTracePath(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var stdout, stderr bytes.Buffer
		if status := Main([]string{"replay", path}, &stdout, &stderr); status != exitOK {
			b.Fatalf("replay: exit %d: %s", status, stderr.String())
		}
	}
}

// BenchmarkRenderDayWindow is `sim render` to HTML of a 40-minute window
// of the same trace, around the outage (5h50m to 6h30m): a snapshot at
// each of its event instants, taken while replaying the run once, so it
// costs about what BenchmarkReplayDay does (before, a fold per instant
// made it run for more than ten minutes).
func BenchmarkRenderDayWindow(b *testing.B) {
	path := dayTracePath(b)
	out := filepath.Join(b.TempDir(), "day.html")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var stdout, stderr bytes.Buffer
		if status := Main([]string{"render", path, "-o", out, "--from", "5h50m", "--to", "6h30m"}, &stdout, &stderr); status != exitOK {
			b.Fatalf("render: exit %d: %s", status, stderr.String())
		}
	}
}
