package clock

import (
	"testing"
	"time"
)

// BenchmarkQueuePushPop measures the engine's hot path: one push and one pop
// per op on a queue holding about 1000 pending entries.
func BenchmarkQueuePushPop(b *testing.B) {
	q := NewQueue[func()]()
	f := func() {}
	const pending = 1000
	for i := range pending {
		q.After(time.Duration(i)*time.Millisecond, f)
	}
	b.ReportAllocs()
	var i time.Duration
	for b.Loop() {
		// Spread the delays so that new entries land all over the heap.
		i++
		q.After(time.Duration(i*7919%pending)*time.Millisecond, f)
		q.Pop(q.Now() + time.Hour)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkQueuePushPopFew is the engine's hot path on a day like
// examples/day's: the queue holds the entry being pushed and two that wait
// far ahead (the fault script's), so the heap is shallow and the per-entry
// bookkeeping is most of the cost. Its entry is the engine's: a few small
// fields, no pointers.
func BenchmarkQueuePushPopFew(b *testing.B) {
	type event struct {
		kind, depth uint8
		w           int32
		token       uint32
	}
	q := NewQueue[event]()
	q.At(1<<62, event{})
	q.At(1<<62+1, event{})
	b.ReportAllocs()
	for b.Loop() {
		q.After(time.Millisecond, event{kind: 1, depth: 2, w: 3, token: 7})
		if _, _, ok := q.Pop(q.Now() + time.Hour); !ok {
			b.Fatal("nothing popped")
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkQueuePushCancelPop adds the timeout pattern: a timer that is
// cancelled before it fires.
func BenchmarkQueuePushCancelPop(b *testing.B) {
	q := NewQueue[func()]()
	f := func() {}
	const pending = 1000
	for i := range pending {
		q.After(time.Duration(i)*time.Millisecond, f)
	}
	b.ReportAllocs()
	var i time.Duration
	for b.Loop() {
		i++
		h := q.After(5*time.Second, f)
		q.After(time.Duration(i*7919%pending)*time.Millisecond, f)
		q.Cancel(h)
		q.Pop(q.Now() + time.Hour)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkVirtualAfterFunc measures the benbjohnson-compatible path: each
// callback schedules the next through AfterFunc, with ~1000 pending.
func BenchmarkVirtualAfterFunc(b *testing.B) {
	v := NewVirtual(time.Unix(0, 0))
	var f func()
	f = func() { v.AfterFunc(time.Second, f) }
	for i := range 1000 {
		v.AfterFunc(time.Duration(i)*time.Millisecond, f)
	}
	b.ReportAllocs()
	for b.Loop() {
		// One callback per op; RunUntil would add an AdvanceTo per call.
		g, _, _ := v.q.Pop(v.q.Now() + time.Hour)
		g()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkVirtualScheduleAfter is the native path the engine uses.
func BenchmarkVirtualScheduleAfter(b *testing.B) {
	v := NewVirtual(time.Unix(0, 0))
	var f func()
	f = func() { v.ScheduleAfter(time.Second, f) }
	for i := range 1000 {
		v.ScheduleAfter(time.Duration(i)*time.Millisecond, f)
	}
	b.ReportAllocs()
	for b.Loop() {
		g, _, _ := v.q.Pop(v.q.Now() + time.Hour)
		g()
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
