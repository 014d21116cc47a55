package clock

import (
	"testing"
	"time"

	bclock "github.com/benbjohnson/clock"
)

// sleepRecorder is a real-clock stand-in: Sleep moves its time and records
// how long it was asked to wait.
type sleepRecorder struct {
	bclock.Clock // unused methods panic, which is what a test wants
	now          time.Time
	slept        []time.Duration
}

func (s *sleepRecorder) Now() time.Time { return s.now }
func (s *sleepRecorder) Sleep(d time.Duration) {
	s.slept = append(s.slept, d)
	s.now = s.now.Add(d)
}

func TestPacer(t *testing.T) {
	real := &sleepRecorder{now: time.Unix(1000, 0)}
	p := NewPacer(real, 10)
	p.Wait(6 * time.Second)  // first call anchors: 0.6s of real time
	p.Wait(26 * time.Second) // 2.6s after the anchor
	real.now = real.now.Add(5 * time.Second)
	p.Wait(31 * time.Second) // already past (3.1s < 7.6s): no wait
	want := []time.Duration{600 * time.Millisecond, 2 * time.Second}
	if len(real.slept) != len(want) {
		t.Fatalf("slept %v, want %v", real.slept, want)
	}
	for i := range want {
		if real.slept[i] != want[i] {
			t.Errorf("sleep %d: %v, want %v", i, real.slept[i], want[i])
		}
	}
}
