package clock

import (
	"math"
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

// TestCheckSpeed is issue 11 class 7: a speed that cannot be played is
// refused with the limit; 1e-300 used to overflow the real instant and print
// everything at once.
func TestCheckSpeed(t *testing.T) {
	year := 8760 * time.Hour
	tests := []struct {
		speed   float64
		horizon time.Duration
		err     string
	}{
		{speed: 1, horizon: year},
		{speed: 1e-6, horizon: time.Minute},
		{speed: 1e9, horizon: year},
		{speed: 0.00342, horizon: year},
		{speed: 0, err: "want a factor above 0, from 1e-06 to 1e+09 (1 = real time), got 0"},
		{speed: 1e-300, err: "want a factor above 0, from 1e-06 to 1e+09 (1 = real time), got 1e-300"},
		{speed: 2e9, err: "want a factor above 0, from 1e-06 to 1e+09 (1 = real time), got 2e+09"},
		{speed: math.NaN(), err: "want a factor above 0, from 1e-06 to 1e+09 (1 = real time), got NaN"},
		{speed: math.Inf(1), err: "want a factor above 0, from 1e-06 to 1e+09 (1 = real time), got +Inf"},
		{speed: 0.0034, horizon: year, err: "playing 8760h0m0s at 0.0034 would take longer than a time.Duration holds (about 292 years): want a factor of at least 0.00342 for this horizon, got 0.0034"},
	}
	for _, tt := range tests {
		err := CheckSpeed(tt.speed, tt.horizon)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.err {
			t.Errorf("CheckSpeed(%g, %s) = %q, want %q", tt.speed, tt.horizon, got, tt.err)
		}
	}
}

// TestPacerAtSlowestSpeed: at the slowest speed CheckSpeed allows for the
// horizon, the last instant is still a wait forward in time.
func TestPacerAtSlowestSpeed(t *testing.T) {
	year := 8760 * time.Hour
	if err := CheckSpeed(0.00342, year); err != nil {
		t.Fatal(err)
	}
	real := &sleepRecorder{now: time.Unix(1000, 0)}
	p := NewPacer(real, 0.00342)
	p.Wait(0)
	p.Wait(year)
	if len(real.slept) != 1 || real.slept[0] <= 0 {
		t.Fatalf("slept %v, want one positive wait", real.slept)
	}
}
