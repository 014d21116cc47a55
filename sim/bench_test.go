package sim

import (
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/dapr-sim/sim/internal/rss"
	"github.com/dapr-sim/sim/policies/breaker"
	"github.com/dapr-sim/sim/policies/client"
	"github.com/dapr-sim/sim/policies/retry"
	"github.com/dapr-sim/sim/policies/timeout"
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
	var events, pops int64
	var cpu cpuMeter
	for i := 0; i < b.N; i++ {
		var sink countSink
		cpu.start()
		eng := NewEngine(setup, &sink, opt)
		if err := eng.Run(); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		cpu.stop()
		eng.Close()
		events += sink.n
		pops += eng.events
		b.StartTimer()
	}
	cpu.report(b)
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(events)/float64(b.N), "events/op")
	b.ReportMetric(float64(pops)/float64(b.N), "pops/op")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(events), "ns/event")
}

// BenchmarkFloorDay is the floor under BenchmarkEngineNullStore: the least
// any engine must do to play examples/day's events (issue 16: the engine
// alone within 3x of it). A bare 4-ary heap of {time, seq, func} entries
// pops the day's wake-ups — as many as the null-store engine pops, at the
// same virtual instants, in the same order — and each wake-up records as
// many events as the engine recorded while handling that entry, one fixed
// traces.Event (only its time set) through the traces.Sink interface into a
// countSink, checking the error as the engine does.
//
// The wake-ups and their events are not written down here: they come from
// a null-store run of the day before the timer starts (Options.popped), so
// the floor follows the engine and its scenario, and the benchmark fails if
// it pops or records a different number than that run did.
//
// Left out, as work the day's output does not need of every engine: the
// policy machines (retry, breaker, component client) and the decisions they
// make, the store adapter, filling each event's fields and reasons, the
// engine's stale-entry tokens, event budget and stuck-run checks, and the
// entries it pushes that never pop (none on this day: it has no timeout
// policy). Each wake-up schedules the next one when it runs, as the
// engine's events schedule their successors, so the floor's heap holds one
// entry where the engine's holds up to three (the two fault entries wait
// from the start). Reading the script is the floor's own extra: a load of
// 16 bytes a wake-up, streamed.
func BenchmarkFloorDay(b *testing.B) {
	script, events := floorScript(b, "../examples/day/scenario.yaml")
	b.ReportAllocs()
	b.ResetTimer()
	var cpu cpuMeter
	cpu.start()
	for i := 0; i < b.N; i++ {
		var sink countSink
		f := newFloorDay(script, &sink)
		if err := f.run(); err != nil {
			b.Fatal(err)
		}
		if f.pops != int64(len(script)) || sink.n != events {
			b.Fatalf("floor popped %d entries and recorded %d events; the engine %d and %d", f.pops, sink.n, len(script), events)
		}
	}
	cpu.stop()
	cpu.report(b)
	b.ReportMetric(float64(events), "events/op")
	b.ReportMetric(float64(len(script)), "pops/op")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(events), "ns/event")
}

// BenchmarkMachinesDay is the policy machines' share of
// BenchmarkEngineNullStore: the steps a successful state operation of
// examples/day makes through them, in the engine's order — breaker
// consulted on resolve; retry attempt started; breaker requested; client
// command sent; timeout started; client answered; timeout answered; breaker
// succeeded; retry attempt succeeded — 172,800 times (a save and a get a
// second for 24 h), on the machines and settings the engine builds for the
// day, with no queue, store or events. The outage's failed attempts, about
// 2% of the day's operations, are left out. ns/event divides by the day's
// recorded events, as the other two benchmarks do, so the three read side
// by side: floor, machines, engine.
func BenchmarkMachinesDay(b *testing.B) {
	sc, err := LoadScenario("../examples/day/scenario.yaml")
	if err != nil {
		b.Fatal(err)
	}
	setup, err := Prepare(sc, Overrides{})
	if err != nil {
		b.Fatal(err)
	}
	_, events := floorScript(b, "../examples/day/scenario.yaml")
	eng := NewEngine(setup, &countSink{}, Options{nullStore: true})
	defer eng.Close()
	refs := &eng.workers[0].steps[0]
	ly, cs := &refs.pl.layers[0], refs.client
	if ly.breaker == nil || ly.retry == nil || cs == nil {
		b.Fatal("examples/day's save has no breaker, retry or component client")
	}
	var (
		brEff []breaker.Effect
		rtEff []retry.Effect
		toEff []timeout.Effect
		clEff []client.Effect
	)
	b.ReportAllocs()
	b.ResetTimer()
	var cpu cpuMeter
	cpu.start()
	for i := 0; i < b.N; i++ {
		bi := &breakerInst{settings: ly.breaker.settings}
		bi.ensure(0)
		for op := 1; op <= 172800; op++ {
			now := time.Duration(op) * 500 * time.Millisecond
			brEff, _ = breaker.Apply(&bi.state, &bi.settings, breaker.Event{Kind: breaker.Consulted, Now: now}, brEff[:0])
			call := retry.Start(ly.retry, now)
			rtEff, _ = retry.Apply(ly.retry, &call, retry.Event{Kind: retry.AttemptStarted, Now: now}, rtEff[:0])
			brEff, _ = breaker.Apply(&bi.state, &bi.settings, breaker.Event{Kind: breaker.Requested, Now: now}, brEff[:0])
			if len(brEff) != 1 || brEff[0].Kind != breaker.Admitted {
				b.Fatalf("operation %d: breaker %v, want admitted", op, brEff)
			}
			gen := brEff[0].Generation
			var cmd client.Command
			clEff, _ = client.Apply(cs, &cmd, client.Event{Kind: client.Sent, Now: now}, clEff[:0])
			tp, tm := ly.timeout, timeout.New()
			toEff, _ = timeout.Apply(&tp, &tm, timeout.Event{Kind: timeout.Started, Now: now}, toEff[:0])
			clEff, _ = client.Apply(cs, &cmd, client.Event{Kind: client.Answered, Now: now}, clEff[:0])
			if len(clEff) != 1 || clEff[0].Kind != client.Done || !clEff[0].OK {
				b.Fatalf("operation %d: client %v, want done", op, clEff)
			}
			toEff, _ = timeout.Apply(&tp, &tm, timeout.Event{Kind: timeout.Answered, Now: now}, toEff[:0])
			if len(toEff) != 1 || toEff[0].Kind != timeout.Deliver {
				b.Fatalf("operation %d: timeout %v, want deliver", op, toEff)
			}
			brEff, _ = breaker.Apply(&bi.state, &bi.settings, breaker.Event{Kind: breaker.Succeeded, Now: now, Generation: gen}, brEff[:0])
			rtEff, _ = retry.Apply(ly.retry, &call, retry.Event{Kind: retry.AttemptSucceeded, Now: now}, rtEff[:0])
			if len(rtEff) != 1 || rtEff[0].Kind != retry.Done {
				b.Fatalf("operation %d: retry %v, want done", op, rtEff)
			}
		}
	}
	cpu.stop()
	cpu.report(b)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(events), "ns/event")
}

// cpuMeter adds up the process's CPU time (all threads: the collector's
// too) over the spans a benchmark times, for cpu-ns/op. On a machine other
// processes keep busy, wall time per op also counts the time the benchmark
// waited for a core; CPU time does not, so ratios of it hold still under a
// load that makes ns/op jump (it still pays for what the other processes
// do to the caches).
type cpuMeter struct {
	from, total time.Duration
	ok          bool
}

func (m *cpuMeter) start() { m.from, m.ok = rss.CPUTime() }

func (m *cpuMeter) stop() {
	if now, ok := rss.CPUTime(); ok && m.ok {
		m.total += now - m.from
	}
}

// report adds cpu-ns/op, where the platform measures CPU time.
func (m *cpuMeter) report(b *testing.B) {
	if m.ok && b.N > 0 {
		b.ReportMetric(float64(m.total.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// floorWake is one wake-up of the floor's script: when it is due and how
// many events the engine recorded while handling it.
type floorWake struct {
	at     time.Duration
	events int64
}

// floorScript runs scenario on the null store, as BenchmarkEngineNullStore
// does, and returns the entries it popped and the events it recorded.
func floorScript(b *testing.B, scenario string) ([]floorWake, int64) {
	sc, err := LoadScenario(scenario)
	if err != nil {
		b.Fatal(err)
	}
	setup, err := Prepare(sc, Overrides{})
	if err != nil {
		b.Fatal(err)
	}
	var script []floorWake
	sink := scriptSink{script: &script}
	eng := NewEngine(setup, &sink, Options{nullStore: true, popped: func(at time.Duration) {
		script = append(script, floorWake{at: at})
	}})
	defer eng.Close()
	if err := eng.Run(); err != nil {
		b.Fatal(err)
	}
	if sink.early != 0 || int64(len(script)) != eng.events {
		b.Fatalf("script of %d wake-ups (%d events before the first) for %d pops", len(script), sink.early, eng.events)
	}
	return script, sink.n
}

// scriptSink counts each recorded event against the wake-up being handled.
type scriptSink struct {
	script   *[]floorWake
	n, early int64
}

func (s *scriptSink) Record(*traces.Event) error {
	s.n++
	if w := *s.script; len(w) > 0 {
		w[len(w)-1].events++
	} else {
		s.early++
	}
	return nil
}

// floorDay is BenchmarkFloorDay's heap and the wake-up it runs.
type floorDay struct {
	heap   []floorEntry // 4-ary min-heap by (at, seq)
	seq    uint64
	now    time.Duration
	pops   int64
	script []floorWake
	next   int // the script's next wake-up to run
	sink   traces.Sink
	ev     traces.Event
	wake   func() // f.onWake, bound once so pushing it does not allocate
	err    error
}

type floorEntry struct {
	at  time.Duration
	seq uint64
	fn  func()
}

func newFloorDay(script []floorWake, sink traces.Sink) *floorDay {
	f := &floorDay{heap: make([]floorEntry, 0, 4), script: script, sink: sink,
		ev: traces.Event{Kind: traces.Call, App: "order-processor", Worker: 0, Iteration: 1, Step: 1,
			Target: "statestore", Op: "save", Attempt: 1, Outcome: traces.OK}}
	f.wake = f.onWake
	return f
}

func (f *floorDay) run() error {
	if len(f.script) > 0 {
		f.push(f.script[0].at, f.wake)
	}
	for len(f.heap) > 0 && f.err == nil {
		e := f.pop()
		f.now = e.at
		f.pops++
		e.fn()
	}
	return f.err
}

// onWake records the wake-up's events and schedules the next wake-up.
func (f *floorDay) onWake() {
	w := &f.script[f.next]
	f.next++
	for range w.events {
		f.ev.T = f.now
		if err := f.sink.Record(&f.ev); err != nil {
			f.err = err
			return
		}
	}
	if f.next < len(f.script) {
		f.push(f.script[f.next].at, f.wake)
	}
}

func (a *floorEntry) before(b *floorEntry) bool {
	return a.at < b.at || (a.at == b.at && a.seq < b.seq)
}

func (f *floorDay) push(at time.Duration, fn func()) {
	f.seq++
	f.heap = append(f.heap, floorEntry{at: at, seq: f.seq, fn: fn})
	h := f.heap
	i := len(h) - 1
	x := h[i]
	for i > 0 {
		p := (i - 1) / 4
		if !x.before(&h[p]) {
			break
		}
		h[i] = h[p]
		i = p
	}
	h[i] = x
}

func (f *floorDay) pop() floorEntry {
	h := f.heap
	top := h[0]
	last := len(h) - 1
	x := h[last]
	h[last] = floorEntry{}
	h = h[:last]
	f.heap = h
	if last == 0 {
		return top
	}
	i := 0
	for {
		c := 4*i + 1
		if c >= last {
			break
		}
		m := c
		for j := c + 1; j < min(c+4, last); j++ {
			if h[j].before(&h[m]) {
				m = j
			}
		}
		if !h[m].before(&x) {
			break
		}
		h[i] = h[m]
		i = m
	}
	h[i] = x
	return top
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
	b.ReportMetric(float64(live)/(1<<20), "live-MiB")
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
