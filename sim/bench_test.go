package sim

import (
	"io"
	"runtime"
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
	benchmarkEngine(b, "../examples/quickstart/scenario.yaml", time.Hour, Options{})
}

// BenchmarkEngineNullStore is the engine alone on examples/day — queue,
// breaker, retry and timeout machines, event recording into a sink that
// keeps nothing — with a store that keeps nothing either (issue 6's goal:
// 5 million events a second). The store's own cost is BenchmarkStoreDay.
func BenchmarkEngineNullStore(b *testing.B) {
	benchmarkEngine(b, "../examples/day/scenario.yaml", 0, Options{nullStore: true})
}

// BenchmarkEngineNullStoreWeek is BenchmarkEngineNullStore over seven
// virtual days: its events/s beside the day's says whether the engine alone
// scales linearly with the horizon (BenchmarkWeek includes miniredis, whose
// maps hold seven times the keys).
func BenchmarkEngineNullStoreWeek(b *testing.B) {
	benchmarkEngine(b, "../examples/day/scenario.yaml", 7*24*time.Hour, Options{nullStore: true})
}

func benchmarkEngine(b *testing.B, scenario string, horizon time.Duration, opt Options) {
	sc, err := LoadScenario(scenario)
	if err != nil {
		b.Fatal(err)
	}
	if horizon > 0 {
		sc.Duration = horizon
	}
	setup, err := Prepare(sc, Overrides{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	var events int64
	for i := 0; i < b.N; i++ {
		var sink countSink
		eng := NewEngine(setup, &sink, opt)
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

// BenchmarkStoreDay is the floor under BenchmarkDay set by miniredis: the
// day's state operations (a save and a get of a new order every second,
// 86,400 keys by the end) through StateStore.do alone, without the engine.
// live-B/key is what miniredis holds per stored key once the day is
// written (issue 16 sets it beside Redis's own: docs/speed.md).
func BenchmarkStoreDay(b *testing.B) {
	const keys = 86400
	save := &Step{Op: Save, Target: "statestore", Key: DefaultKey, Value: DefaultValue}
	get := &Step{Op: Get, Target: "statestore", Key: DefaultKey}
	b.ReportAllocs()
	var base, live uint64
	for i := 0; i < b.N; i++ {
		if i == 0 {
			b.StopTimer()
			base = heapAlloc()
			b.StartTimer()
		}
		s := newStore(Store{Name: "statestore", Latency: time.Millisecond}, false)
		for it := 1; it <= keys; it++ {
			if e := s.do("order-processor", save, it, 0); e != "" {
				b.Fatal(e)
			}
			if e := s.do("order-processor", get, it, 0); e != "" {
				b.Fatal(e)
			}
		}
		b.StopTimer()
		if i == 0 {
			// What the store holds once the day is written: the floor
			// under a day's peak memory.
			live = heapAlloc() - base
		}
		s.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(live)/(1<<20), "live-MB")
	b.ReportMetric(float64(live)/keys, "live-B/key")
}

// heapAlloc is the heap's live bytes after a collection.
func heapAlloc() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// BenchmarkStreamDay is the floor under BenchmarkPubsubDay set by
// miniredis: the day's stream commands for its 86,400 messages (each
// XADD MAXLEN ~ 10000, the consumer's XREADGROUP COUNT 100 and XACK)
// through the connection the engine uses, without the engine, the
// CloudEvent or the outage. Its time over the pub/sub day's events
// (events/day, 353,897) is what miniredis alone costs per event.
func BenchmarkStreamDay(b *testing.B) {
	b.ReportAllocs()
	event := string(cloudEvent(publication{id: "3f2b1c9e-8d4a-4b7e-9c1d-2a5f6e7b8c9d", source: "checkout",
		topic: "orders", pubsub: "orderpubsub", contentType: "application/json", data: []byte(`{"orderId":1}`)}))
	for i := 0; i < b.N; i++ {
		c, err := newRedisConn()
		if err != nil {
			b.Fatal(err)
		}
		if err := c.xgroupCreate("orders", "order-processor"); err != nil {
			b.Fatal(err)
		}
		for s := 1; s <= 86400; s++ {
			c.at(time.Duration(s) * time.Second)
			if _, err := c.xadd("orders", 10000, "data", event); err != nil {
				b.Fatal(err)
			}
			msgs, err := c.xreadgroup("order-processor", "order-processor", "orders", 100)
			if err != nil || len(msgs) != 1 {
				b.Fatalf("read %d messages: %v", len(msgs), err)
			}
			if err := c.xack("orders", "order-processor", msgs[0].ID); err != nil {
				b.Fatal(err)
			}
		}
		c.close()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/353897, "ns/pubsub-day-event")
}
