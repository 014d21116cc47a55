package clock

import (
	"fmt"
	"math"
	"time"

	bclock "github.com/benbjohnson/clock"
)

var _ bclock.Clock = (*Virtual)(nil)

// never is the deadline of the private mock timers behind the Timers and
// Tickers that Virtual hands out; their mocks are never advanced, so it is
// never reached.
const never = time.Duration(math.MaxInt64)

// Virtual is a virtual clock: a Queue of callbacks whose Now is an epoch
// plus the elapsed virtual time. It satisfies github.com/benbjohnson/clock's
// Clock interface so that code written against that interface runs in
// virtual time.
//
// Nothing happens behind the caller's back: Virtual starts no goroutines,
// never sleeps for real and never reads the wall clock. Callbacks, timer
// sends and context deadlines happen only while the queue is being run, by
// RunUntil or Sleep, on the goroutine running it, in (time, seq) order.
// A Virtual is not safe for concurrent use.
type Virtual struct {
	q     *Queue[func()]
	epoch time.Time
}

// NewVirtual returns a virtual clock whose Now is epoch and whose Elapsed
// is 0.
func NewVirtual(epoch time.Time) *Virtual {
	return &Virtual{q: NewQueue[func()](), epoch: epoch}
}

// Elapsed is the virtual time since the clock was created.
func (v *Virtual) Elapsed() time.Duration { return v.q.Now() }

// ScheduleAt arranges for f to run when the queue reaches elapsed time t.
// t before Elapsed() panics, and so does a nil f.
func (v *Virtual) ScheduleAt(t time.Duration, f func()) Handle {
	if f == nil {
		panic("clock: ScheduleAt with a nil func")
	}
	return v.q.At(t, f)
}

// ScheduleAfter arranges for f to run d after Elapsed(). A negative d
// panics, and so does a nil f.
func (v *Virtual) ScheduleAfter(d time.Duration, f func()) Handle {
	if f == nil {
		panic("clock: ScheduleAfter with a nil func")
	}
	return v.q.After(d, f)
}

// Cancel removes a scheduled callback and reports whether it was still
// pending.
func (v *Virtual) Cancel(h Handle) bool { return v.q.Cancel(h) }

// RunUntil runs, on the caller's goroutine and in (time, seq) order, every
// callback due at or before horizon, including callbacks scheduled by the
// ones it runs, then leaves Elapsed() at horizon. It returns how many
// callbacks it ran; those run by a nested Sleep are counted by that Sleep's
// own run, not here. A horizon before Elapsed() panics. If a callback sleeps
// past horizon, time stays where the Sleep left it.
func (v *Virtual) RunUntil(horizon time.Duration) int {
	if horizon < v.q.Now() {
		panic(fmt.Sprintf("clock: RunUntil(%v) is before now (%v)", horizon, v.q.Now()))
	}
	n := 0
	for {
		f, _, ok := v.q.Pop(horizon)
		if !ok {
			break
		}
		f()
		n++
	}
	if v.q.Now() < horizon {
		v.q.AdvanceTo(horizon)
	}
	return n
}

// Now returns the epoch plus the elapsed virtual time.
func (v *Virtual) Now() time.Time { return v.epoch.Add(v.q.Now()) }

// Since returns Now() - t.
func (v *Virtual) Since(t time.Time) time.Duration { return v.Now().Sub(t) }

// Until returns t - Now().
func (v *Virtual) Until(t time.Time) time.Duration { return t.Sub(v.Now()) }

// Sleep advances virtual time by d: it runs the queue on the caller's
// goroutine up to and including Elapsed()+d, firing everything due
// meanwhile in order, and then returns. In a single-goroutine simulation
// there is nobody else to move the clock, so a sleeping caller moves it
// itself. Called from inside a callback, it runs later callbacks before the
// current one finishes. A negative d counts as 0; Sleep(0) still runs what is
// due now.
func (v *Virtual) Sleep(d time.Duration) {
	v.RunUntil(v.q.Now() + max(d, 0))
}

// After returns a channel that receives Now() once d has elapsed, as
// Timer(d).C.
func (v *Virtual) After(d time.Duration) <-chan time.Time { return v.Timer(d).C }

// Timer returns a timer that sends Now() on its buffered channel C (capacity
// 1, non-blocking send) when d has elapsed. A d <= 0 fires when the queue is
// next run, not during this call (benbjohnson's Mock fires it at once),
// because firing early would overtake entries already due.
//
// Stop works as usual: it returns true if the timer had not fired yet, and a
// stopped timer never sends.
//
// Limitation: Reset does not move the deadline. *bclock.Timer is a concrete
// type whose Reset only updates a private, never-advanced Mock; Virtual
// cannot see the call. Reset returns what the real one would (true if the
// timer was pending), but the timer fires at the deadline it was created
// with, if it is pending then: a Reset on a pending timer leaves the
// original deadline; Stop then Reset before the original deadline revives
// it at the original deadline; Reset after the original deadline never fires
// it again. To reschedule, Stop the timer and create a new one.
func (v *Virtual) Timer(d time.Duration) *bclock.Timer {
	ch := make(chan time.Time, 1)
	t := stoppableTimer()
	t.C = ch
	v.q.After(max(d, 0), func() {
		// The private mock is never advanced, so Stop reports true exactly
		// when the user has not stopped the timer; it also leaves the timer
		// in the stopped state a fired timer has.
		if t.Stop() {
			select {
			case ch <- v.Now():
			default:
			}
		}
	})
	return t
}

// AfterFunc runs f once d has elapsed, synchronously on the goroutine that
// is running the queue (benbjohnson's Mock uses a new goroutine, which would
// make the order of effects nondeterministic). The returned timer's C is nil.
// A d <= 0 runs f when the queue is next run. Stop and Reset behave as for
// Timer, including its Reset limitation.
func (v *Virtual) AfterFunc(d time.Duration, f func()) *bclock.Timer {
	t := stoppableTimer()
	v.q.After(max(d, 0), func() {
		if t.Stop() {
			f()
		}
	})
	return t
}

// Tick returns the channel of a new Ticker(d); like time.Tick, it cannot be
// stopped.
func (v *Virtual) Tick(d time.Duration) <-chan time.Time { return v.Ticker(d).C }

// Ticker returns a ticker that sends Now() on its buffered channel C
// (capacity 1, non-blocking send, so a slow reader drops ticks) every d of
// virtual time. A d <= 0 panics, as time.NewTicker does.
//
// Limitation: Stop and Reset are not seen. *bclock.Ticker is a concrete type
// whose Stop returns nothing and changes only unexported state of a private
// Mock, so Virtual cannot tell that it was called. The ticker keeps its
// period d and keeps sending on C for as long as the queue is run; each
// tick is one queue entry, so a stopped ticker costs one entry per period
// up to the run's horizon. Code that must stop a periodic event should use
// ScheduleAfter and Cancel, or a chain of AfterFunc timers.
func (v *Virtual) Ticker(d time.Duration) *bclock.Ticker {
	if d <= 0 {
		panic(fmt.Sprintf("clock: Ticker(%v): non-positive interval", d))
	}
	ch := make(chan time.Time, 1)
	t := bclock.NewMock().Ticker(never)
	t.C = ch
	var tick func()
	tick = func() {
		select {
		case ch <- v.Now():
		default:
		}
		v.q.After(d, tick)
	}
	v.q.After(d, tick)
	return t
}

// stoppableTimer returns a timer whose Stop and Reset work without
// panicking: hand-built Timers have a nil mock and panic on Stop. Each has
// its own Mock so that Stop stays O(1) however many timers are pending.
func stoppableTimer() *bclock.Timer {
	return bclock.NewMock().AfterFunc(never, func() {})
}
