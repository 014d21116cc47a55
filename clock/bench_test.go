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
