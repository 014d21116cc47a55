package sim

import (
	"io"
	"testing"
	"time"

	"github.com/dapr-sim/sim/traces"
)

// countSink counts events and keeps nothing: the engine alone.
type countSink struct{ n int64 }

func (c *countSink) Record(*traces.Event) error { c.n++; return nil }

// BenchmarkQuickstart is `sim run examples/quickstart/scenario.yaml --trace`
// end to end, minus the process: load and validate the scenario and its
// resources, run 60 virtual seconds, project the log and write the trace.
func BenchmarkQuickstart(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		sc, err := LoadScenario("../examples/quickstart/scenario.yaml")
		if err != nil {
			b.Fatal(err)
		}
		setup, err := Prepare(sc, Overrides{})
		if err != nil {
			b.Fatal(err)
		}
		wording, err := traces.WordingFor(setup.Profile.Version)
		if err != nil {
			b.Fatal(err)
		}
		lw := traces.NewLogWriter(io.Discard, wording)
		tw, err := traces.NewTraceWriter(io.Discard, setup.Header())
		if err != nil {
			b.Fatal(err)
		}
		eng := NewEngine(setup, traces.Sinks{lw, tw}, Options{})
		if err := eng.Run(); err != nil {
			b.Fatal(err)
		}
		lw.Flush()
		tw.Close()
		eng.Close()
	}
}

// BenchmarkEngine is the engine alone on the quickstart's policies and app
// stretched to one virtual hour, with the store down from 6s to 33s: queue,
// machines, miniredis and event recording into a sink that keeps nothing.
// events/s counts recorded events (what a trace would hold).
func BenchmarkEngine(b *testing.B) {
	sc, err := LoadScenario("../examples/quickstart/scenario.yaml")
	if err != nil {
		b.Fatal(err)
	}
	sc.Duration = time.Hour
	setup, err := Prepare(sc, Overrides{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	var events int64
	for i := 0; i < b.N; i++ {
		var sink countSink
		eng := NewEngine(setup, &sink, Options{})
		if err := eng.Run(); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		eng.Close()
		events += sink.n
		b.StartTimer()
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(events)/float64(b.N), "events/op")
}
