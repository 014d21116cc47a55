package sim

import (
	"io"
	"testing"
	"time"

	"github.com/dapr-sim/sim/traces"
)

// BenchmarkDay is examples/day end to end with the full trace written (to
// io.Discard): 24 virtual hours, one save + get per second, Redis down from
// 6h00m to 6h30m (issue 6's speed goal: 0.15 s a run on 2 cores).
func BenchmarkDay(b *testing.B) { benchmarkDays(b, "../examples/day/scenario.yaml", 1) }

// BenchmarkWeek is the day's loop and outage over seven virtual days: its
// ns/op over BenchmarkDay's says how the cost scales with the horizon (a
// linear engine gives 7; miniredis holding seven times the keys is what
// can bend it).
func BenchmarkWeek(b *testing.B) { benchmarkDays(b, "../examples/day/scenario.yaml", 7) }

// BenchmarkPubsubDay is the state day's shape on a topic
// (testdata/pubsubday): 24 virtual hours, one publish a second delivered
// to a subscriber through an inbound retry, the subscriber down from 6h00m
// to 6h30m, the stream trimmed by maxLenApprox (issue 14's speed goal: no
// more per event than BenchmarkDay, memory within its own).
func BenchmarkPubsubDay(b *testing.B) { benchmarkDays(b, "testdata/pubsubday/scenario.yaml", 1) }

func benchmarkDays(b *testing.B, scenario string, days int) {
	b.ReportAllocs()
	var events int64
	for i := 0; i < b.N; i++ {
		sc, err := LoadScenario(scenario)
		if err != nil {
			b.Fatal(err)
		}
		sc.Duration = time.Duration(days) * 24 * time.Hour
		setup, err := Prepare(sc, Overrides{})
		if err != nil {
			b.Fatal(err)
		}
		wording, err := traces.WordingFor(setup.Profile.Version)
		if err != nil {
			b.Fatal(err)
		}
		var count countSink
		lw := traces.NewLogWriter(io.Discard, wording)
		tw, err := traces.NewTraceWriter(io.Discard, setup.Header())
		if err != nil {
			b.Fatal(err)
		}
		eng := NewEngine(setup, traces.Sinks{lw, tw, &count}, Options{})
		if err := eng.Run(); err != nil {
			b.Fatal(err)
		}
		lw.Flush()
		tw.Close()
		eng.Close()
		events += count.n
	}
	b.ReportMetric(float64(events)/float64(b.N), "events/op")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(events), "ns/event")
}
