package clock

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

var epoch = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

// recorder collects what callbacks did, with the virtual time they did it
// at. It has no lock on purpose: the race detector then proves that
// callbacks run on the test's goroutine.
type recorder struct {
	v   *Virtual
	got []string
}

func (r *recorder) note(what string) func() {
	return func() { r.got = append(r.got, fmt.Sprintf("%v %s", r.v.Elapsed(), what)) }
}

func (r *recorder) check(t *testing.T, want ...string) {
	t.Helper()
	if !slices.Equal(r.got, want) {
		t.Errorf("callbacks ran as\n  %q\nwant\n  %q", r.got, want)
	}
	r.got = nil
}

func TestVirtualNow(t *testing.T) {
	v := NewVirtual(epoch)
	if !v.Now().Equal(epoch) || v.Elapsed() != 0 {
		t.Fatalf("new clock: Now() = %v, Elapsed() = %v; want %v, 0", v.Now(), v.Elapsed(), epoch)
	}
	v.RunUntil(90 * time.Second)
	if want := epoch.Add(90 * time.Second); !v.Now().Equal(want) {
		t.Errorf("Now() = %v, want %v", v.Now(), want)
	}
	if got := v.Since(epoch); got != 90*time.Second {
		t.Errorf("Since(epoch) = %v, want 1m30s", got)
	}
	if got := v.Until(epoch.Add(2 * time.Minute)); got != 30*time.Second {
		t.Errorf("Until(epoch+2m) = %v, want 30s", got)
	}
}

func TestVirtualRunUntil(t *testing.T) {
	v := NewVirtual(epoch)
	r := &recorder{v: v}
	v.ScheduleAt(2*time.Second, r.note("b"))
	v.ScheduleAt(1*time.Second, func() {
		r.note("a")()
		// Callbacks may schedule more, at Now included; those run in the
		// same RunUntil, after what is already due at that instant.
		v.ScheduleAfter(0, r.note("a+0"))
		v.ScheduleAfter(time.Second, r.note("a+1s"))
		v.ScheduleAfter(10*time.Second, r.note("a+10s"))
	})
	h := v.ScheduleAt(3*time.Second, r.note("cancelled"))
	if !v.Cancel(h) {
		t.Error("Cancel of a pending callback = false")
	}

	if n := v.RunUntil(5 * time.Second); n != 4 {
		t.Errorf("RunUntil(5s) ran %d callbacks, want 4", n)
	}
	r.check(t, "1s a", "1s a+0", "2s b", "2s a+1s")
	if v.Elapsed() != 5*time.Second {
		t.Errorf("Elapsed() = %v after RunUntil(5s), want 5s", v.Elapsed())
	}
	if n := v.RunUntil(11 * time.Second); n != 1 {
		t.Errorf("RunUntil(11s) ran %d callbacks, want 1", n)
	}
	r.check(t, "11s a+10s") // horizon is inclusive
}

func TestVirtualPanics(t *testing.T) {
	tests := []struct {
		name string
		f    func(v *Virtual)
		want string
	}{
		{"RunUntil in the past", func(v *Virtual) { v.RunUntil(time.Second) }, "clock: RunUntil(1s) is before now (2s)"},
		{"ScheduleAt in the past", func(v *Virtual) { v.ScheduleAt(time.Second, func() {}) }, "clock: At(1s) is before now (2s)"},
		{"ScheduleAfter negative", func(v *Virtual) { v.ScheduleAfter(-time.Second, func() {}) }, "clock: After(-1s): negative delay"},
		{"ScheduleAt nil", func(v *Virtual) { v.ScheduleAt(3*time.Second, nil) }, "clock: ScheduleAt with a nil func"},
		{"Ticker zero", func(v *Virtual) { v.Ticker(0) }, "clock: Ticker(0s): non-positive interval"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := NewVirtual(epoch)
			v.RunUntil(2 * time.Second)
			defer func() {
				if got := fmt.Sprint(recover()); got != tt.want {
					t.Errorf("panic = %q, want %q", got, tt.want)
				}
			}()
			tt.f(v)
		})
	}
}

func TestVirtualSleep(t *testing.T) {
	v := NewVirtual(epoch)
	r := &recorder{v: v}
	v.ScheduleAt(1*time.Second, r.note("a"))
	v.ScheduleAt(3*time.Second, r.note("b"))
	v.ScheduleAt(3*time.Second+1, r.note("c"))

	v.Sleep(3 * time.Second)
	r.check(t, "1s a", "3s b")
	if v.Elapsed() != 3*time.Second {
		t.Errorf("Elapsed() after Sleep(3s) = %v, want 3s", v.Elapsed())
	}

	v.ScheduleAfter(0, r.note("now"))
	v.Sleep(-time.Second) // counts as 0: runs what is due now, time stays
	r.check(t, "3s now")
	if v.Elapsed() != 3*time.Second {
		t.Errorf("Elapsed() after Sleep(-1s) = %v, want 3s", v.Elapsed())
	}
}

func TestVirtualSleepInsideCallback(t *testing.T) {
	v := NewVirtual(epoch)
	r := &recorder{v: v}
	v.ScheduleAt(1*time.Second, func() {
		r.note("sleep start")()
		v.Sleep(5 * time.Second) // runs the 2s and 6s callbacks before returning
		r.note("sleep end")()
	})
	v.ScheduleAt(2*time.Second, r.note("during"))
	v.ScheduleAt(6*time.Second, r.note("at wake-up"))
	v.ScheduleAt(7*time.Second, r.note("after"))

	// The sleep carries time past the horizon; RunUntil leaves it there.
	if n := v.RunUntil(3 * time.Second); n != 1 {
		t.Errorf("RunUntil(3s) ran %d callbacks itself, want 1", n)
	}
	r.check(t, "1s sleep start", "2s during", "6s at wake-up", "6s sleep end")
	if v.Elapsed() != 6*time.Second {
		t.Errorf("Elapsed() = %v, want 6s", v.Elapsed())
	}
}

func TestVirtualAfterFunc(t *testing.T) {
	v := NewVirtual(epoch)
	r := &recorder{v: v}
	v.AfterFunc(2*time.Second, r.note("2s first"))
	v.AfterFunc(time.Second, r.note("1s"))
	v.ScheduleAfter(2*time.Second, r.note("2s second"))
	v.AfterFunc(2*time.Second, r.note("2s third"))
	v.AfterFunc(-time.Second, r.note("negative runs at once"))
	stopped := v.AfterFunc(time.Second, r.note("stopped"))
	if !stopped.Stop() {
		t.Error("Stop on a pending AfterFunc timer = false, want true")
	}
	if stopped.Stop() {
		t.Error("second Stop = true, want false")
	}
	fired := v.AfterFunc(time.Second, r.note("fired"))
	if fired.C != nil {
		t.Error("AfterFunc timer has a channel; time.AfterFunc's has none")
	}

	v.RunUntil(10 * time.Second)
	r.check(t, "0s negative runs at once", "1s 1s", "1s fired", "2s 2s first", "2s 2s second", "2s 2s third")
	if fired.Stop() {
		t.Error("Stop after the timer fired = true, want false")
	}
}

func TestVirtualTimer(t *testing.T) {
	v := NewVirtual(epoch)
	tm := v.Timer(3 * time.Second)
	after := v.After(4 * time.Second)
	stopped := v.Timer(time.Second)
	if !stopped.Stop() {
		t.Error("Stop on a pending timer = false, want true")
	}

	v.RunUntil(2 * time.Second)
	select {
	case got := <-tm.C:
		t.Fatalf("timer fired early, at %v", got)
	default:
	}
	v.RunUntil(10 * time.Second)
	if got, want := <-tm.C, epoch.Add(3*time.Second); !got.Equal(want) {
		t.Errorf("Timer(3s) sent %v, want %v", got, want)
	}
	if got, want := <-after, epoch.Add(4*time.Second); !got.Equal(want) {
		t.Errorf("After(4s) sent %v, want %v", got, want)
	}
	select {
	case got := <-stopped.C:
		t.Errorf("stopped timer sent %v", got)
	default:
	}
	if tm.Stop() {
		t.Error("Stop after the timer fired = true, want false")
	}
	if cap(tm.C) != 1 {
		t.Errorf("cap(C) = %d, want 1", cap(tm.C))
	}
}

// stopResetter is what Timer and AfterFunc timers have in common.
type stopResetter interface {
	Stop() bool
	Reset(time.Duration) bool
}

// TestVirtualTimerResetLimitation pins the documented behaviour of Reset,
// which Virtual cannot observe: the deadline never moves.
func TestVirtualTimerResetLimitation(t *testing.T) {
	tests := []struct {
		name string
		// do runs at elapsed 1s on a timer created at 0 with deadline 5s.
		do        func(tm stopResetter) bool
		wantReset bool
		wantFire  time.Duration // -1: never fires
	}{
		{"reset a pending timer to later: still fires at the original deadline",
			func(tm stopResetter) bool { return tm.Reset(20 * time.Second) },
			true, 5 * time.Second},
		{"reset a pending timer to sooner: still fires at the original deadline",
			func(tm stopResetter) bool { return tm.Reset(time.Second) },
			true, 5 * time.Second},
		{"stop then reset before the deadline: revived at the original deadline",
			func(tm stopResetter) bool {
				tm.Stop()
				return tm.Reset(20 * time.Second)
			},
			false, 5 * time.Second},
		{"stop only: never fires",
			func(tm stopResetter) bool { return !tm.Stop() },
			false, -1},
	}
	for _, tt := range tests {
		for _, kind := range []string{"Timer", "AfterFunc"} {
			t.Run(kind+"/"+tt.name, func(t *testing.T) {
				v := NewVirtual(epoch)
				fired := time.Duration(-1)
				var tm stopResetter
				var c <-chan time.Time
				if kind == "Timer" {
					timer := v.Timer(5 * time.Second)
					tm, c = timer, timer.C
				} else {
					tm = v.AfterFunc(5*time.Second, func() { fired = v.Elapsed() })
				}
				v.RunUntil(time.Second)
				if got := tt.do(tm); got != tt.wantReset {
					t.Errorf("Reset returned %v, want %v", got, tt.wantReset)
				}
				for v.Elapsed() < 30*time.Second {
					v.RunUntil(v.Elapsed() + time.Second)
					select {
					case <-c:
						fired = v.Elapsed()
					default:
					}
				}
				if fired != tt.wantFire {
					t.Errorf("fired at %v, want %v (-1: never)", fired, tt.wantFire)
				}
			})
		}
	}

	t.Run("reset after firing: never fires again", func(t *testing.T) {
		v := NewVirtual(epoch)
		n := 0
		tm := v.AfterFunc(time.Second, func() { n++ })
		v.RunUntil(2 * time.Second)
		if tm.Reset(time.Second) {
			t.Error("Reset after firing = true, want false")
		}
		v.RunUntil(time.Minute)
		if n != 1 {
			t.Errorf("AfterFunc ran %d times, want 1", n)
		}
	})
}

func TestVirtualTicker(t *testing.T) {
	v := NewVirtual(epoch)
	tk := v.Ticker(time.Second)
	for i := 1; i <= 3; i++ {
		v.RunUntil(time.Duration(i) * time.Second)
		if got, want := <-tk.C, epoch.Add(time.Duration(i)*time.Second); !got.Equal(want) {
			t.Errorf("tick %d = %v, want %v", i, got, want)
		}
	}

	// A slow reader finds the oldest undelivered tick; later ones are dropped.
	v.RunUntil(6 * time.Second)
	if got, want := <-tk.C, epoch.Add(4*time.Second); !got.Equal(want) {
		t.Errorf("after missing ticks, C held %v, want %v", got, want)
	}
	select {
	case got := <-tk.C:
		t.Errorf("C held a second tick %v; capacity is 1", got)
	default:
	}

	c := v.Tick(500 * time.Millisecond)
	v.RunUntil(6*time.Second + 500*time.Millisecond)
	if got, want := <-c, epoch.Add(6*time.Second+500*time.Millisecond); !got.Equal(want) {
		t.Errorf("Tick(500ms) sent %v, want %v", got, want)
	}
}

// TestVirtualTickerStopLimitation pins the documented behaviour: Virtual
// cannot see Ticker.Stop or Ticker.Reset, so ticks go on at the old period.
func TestVirtualTickerStopLimitation(t *testing.T) {
	v := NewVirtual(epoch)
	tk := v.Ticker(time.Second)
	tk.Stop() // must not panic
	tk.Reset(time.Minute)
	v.RunUntil(2 * time.Second)
	if got, want := <-tk.C, epoch.Add(time.Second); !got.Equal(want) {
		t.Errorf("after Stop and Reset, C held %v, want the tick at %v", got, want)
	}
	if n := v.RunUntil(10 * time.Second); n != 8 {
		t.Errorf("a stopped 1s ticker ran %d queue entries in 8s, want 8", n)
	}
}
