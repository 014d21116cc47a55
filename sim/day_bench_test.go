package sim

import (
	"io"
	"testing"
	"time"

	"github.com/dapr-sim/sim/internal/rss"
	"github.com/dapr-sim/sim/traces"
)

// BenchmarkDay is examples/day end to end with the full trace written (to
// io.Discard): 24 virtual hours, one save + get per second, Redis down from
// 6h00m to 6h30m (issue 6's speed goal: 0.15 s a run on 2 cores).
func BenchmarkDay(b *testing.B) { benchmarkDays(b, "../examples/day/scenario.yaml", 1, Options{}) }

// BenchmarkDayNullStore is BenchmarkDay with a store that keeps nothing:
// sim's own share of the day (engine, log and trace) without miniredis's.
// BenchmarkDay less this is what miniredis costs the day (BenchmarkStoreDay
// times it alone), and this beside conformance's BenchmarkOracleDay is how
// much faster sim's own code is than Dapr's.
func BenchmarkDayNullStore(b *testing.B) {
	benchmarkDays(b, "../examples/day/scenario.yaml", 1, Options{nullStore: true})
}

// BenchmarkWeek is the day's loop and outage over seven virtual days: its
// ns/op over BenchmarkDay's says how the cost scales with the horizon (a
// linear engine gives 7; miniredis holding seven times the keys is what
// can bend it).
func BenchmarkWeek(b *testing.B) { benchmarkDays(b, "../examples/day/scenario.yaml", 7, Options{}) }

// BenchmarkPubsubDay is the state day's shape on a topic
// (testdata/pubsubday): 24 virtual hours, one publish a second delivered
// to a subscriber through an inbound retry, the subscriber down from 6h00m
// to 6h30m, the stream trimmed by maxLenApprox (issue 14's speed goal: no
// more per event than BenchmarkDay, memory within its own).
func BenchmarkPubsubDay(b *testing.B) {
	benchmarkDays(b, "testdata/pubsubday/scenario.yaml", 1, Options{})
}

// BenchmarkMonth is the day over 30 virtual days (about 10.4 million
// events): its ns/event beside BenchmarkDay's is issue 16's "cost per event
// within 10% of the day's", its peak-RSS-MiB the 2 GB that issue measured.
// About half a minute an op; -short skips it.
func BenchmarkMonth(b *testing.B) {
	if testing.Short() {
		b.Skip("30 virtual days take about half a minute; not under -short")
	}
	benchmarkDays(b, "../examples/day/scenario.yaml", 30, Options{})
}

// BenchmarkMonthNullStore is BenchmarkMonth with a store that keeps
// nothing: its ns/event beside BenchmarkDayNullStore's says whether sim's
// own code (engine, log, trace) keeps its cost per event over 30 days;
// BenchmarkMonth's beside BenchmarkDay's adds miniredis's keys. -short
// skips it.
func BenchmarkMonthNullStore(b *testing.B) {
	if testing.Short() {
		b.Skip("30 virtual days take seconds; not under -short")
	}
	benchmarkDays(b, "../examples/day/scenario.yaml", 30, Options{nullStore: true})
}

// benchmarkDays reports, beside time and allocations, events/op, ns/event
// and peak-RSS-MiB: the most the process held resident during an op (the
// highest of the ops when there are several), as `/usr/bin/time -v` would
// show for a `sim run` of it, the test binary's own few MB included
// (internal/rss; left out where /proc/self cannot be read).
func benchmarkDays(b *testing.B, scenario string, days int, opt Options) {
	b.ReportAllocs()
	var events int64
	var mem rss.Ops
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		mem.Begin()
		b.StartTimer()
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
		// A month processes more queue entries than a run may by default
		// (`sim run --max-events` raises it the same way).
		opt.MaxEvents = int64(days) * DefaultMaxEvents
		eng := NewEngine(setup, traces.Sinks{lw, tw, &count}, opt)
		if err := eng.Run(); err != nil {
			b.Fatal(err)
		}
		lw.Flush()
		tw.Close()
		eng.Close()
		events += count.n
		b.StopTimer()
		mem.End()
		b.StartTimer()
	}
	b.ReportMetric(float64(events)/float64(b.N), "events/op")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(events), "ns/event")
	mem.Report(b)
}
