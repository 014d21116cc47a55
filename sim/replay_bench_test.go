package sim

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/dapr-sim/sim/traces"
)

// writeTraceFile runs sc and writes its trace (YAML, or JSON lines) to a
// file in dir, returning the path and the number of events.
func writeTraceFile(b *testing.B, sc *Scenario, dir string, jsonl bool) (string, int64) {
	b.Helper()
	setup, err := Prepare(sc, Overrides{})
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(dir, "trace.yaml")
	newWriter := traces.NewTraceWriter
	if jsonl {
		path = filepath.Join(dir, "trace.jsonl")
		newWriter = traces.NewJSONLWriter
	}
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	tw, err := newWriter(f, setup.Header())
	if err != nil {
		b.Fatal(err)
	}
	var n countSink
	eng := NewEngine(setup, traces.Sinks{tw, &n}, Options{})
	defer eng.Close()
	if err := eng.Run(); err != nil {
		b.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		b.Fatal(err)
	}
	return path, n.n
}

// replayFile is `sim replay TRACE` minus the process: open the trace, build
// the setup from its header, run it again comparing event by event.
func replayFile(b *testing.B, path string) {
	tr, err := traces.OpenTrace(path)
	if err != nil {
		b.Fatal(err)
	}
	defer tr.Close()
	setup, err := PrepareTrace(path, tr)
	if err != nil {
		b.Fatal(err)
	}
	cmp := traces.NewComparer(tr)
	eng := NewEngine(setup, cmp, Options{})
	defer eng.Close()
	if err := eng.Run(); err != nil {
		b.Fatal(err)
	}
	if d, err := cmp.Finish(); err != nil || d != nil {
		b.Fatalf("replay: %v %v", d, err)
	}
}

func benchReplay(b *testing.B, scenario string, duration time.Duration) {
	sc, err := LoadScenario(scenario)
	if err != nil {
		b.Fatal(err)
	}
	if duration > 0 {
		sc.Duration = duration
	}
	for _, form := range []string{"yaml", "jsonl"} {
		b.Run(form, func(b *testing.B) {
			path, events := writeTraceFile(b, sc, b.TempDir(), form == "jsonl")
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				replayFile(b, path)
			}
			b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
			b.ReportMetric(float64(events), "events/op")
		})
	}
}

// BenchmarkReplayHour is `sim replay` of the quickstart stretched to one
// virtual hour (~14,300 events), both trace forms: streaming read, engine
// and comparison. Allocations per op are the figure to watch: the reader
// and the comparer hold no event beyond the last few.
func BenchmarkReplayHour(b *testing.B) {
	benchReplay(b, "../examples/quickstart/scenario.yaml", time.Hour)
}

// BenchmarkReplayDay is the same over examples/day (339,836 events, a
// 61 MB YAML trace); about a second an op.
func BenchmarkReplayDay(b *testing.B) {
	benchReplay(b, "../examples/day/scenario.yaml", 0)
}

// BenchmarkReadTrace is the streaming reader alone over the hour's trace.
func BenchmarkReadTrace(b *testing.B) {
	sc, err := LoadScenario("../examples/quickstart/scenario.yaml")
	if err != nil {
		b.Fatal(err)
	}
	sc.Duration = time.Hour
	for _, form := range []string{"yaml", "jsonl"} {
		b.Run(form, func(b *testing.B) {
			path, events := writeTraceFile(b, sc, b.TempDir(), form == "jsonl")
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				tr, err := traces.OpenTrace(path)
				if err != nil {
					b.Fatal(err)
				}
				if err := tr.Drain(); err != nil {
					b.Fatal(err)
				}
				tr.Close()
			}
			b.ReportMetric(float64(events)*float64(b.N)/b.Elapsed().Seconds(), "events/s")
		})
	}
}
