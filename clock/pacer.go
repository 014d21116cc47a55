package clock

import (
	"fmt"
	"math"
	"time"

	bclock "github.com/benbjohnson/clock"
)

// Pacer plays virtual time back in real time, for live demos (`sim run
// --speed`): the one place sim waits on a real clock. The real clock is
// injected, so the package itself never reads the wall clock and a test can
// pass a fake.
type Pacer struct {
	real    bclock.Clock
	speed   float64
	start   time.Time
	started bool
}

// MinSpeed and MaxSpeed bound a playback speed. Below MinSpeed a demo would
// take years to print its first seconds; above MaxSpeed the waits are below
// a nanosecond and everything prints at once, which is a plain run.
const (
	MinSpeed = 1e-6
	MaxSpeed = 1e9
)

// CheckSpeed reports whether speed can be played for a run of horizon
// virtual time: a number from MinSpeed to MaxSpeed, with horizon/speed within
// a time.Duration (beyond it the real instant overflows and every line would
// print at once). The error is the message alone, for the caller to place.
func CheckSpeed(speed float64, horizon time.Duration) error {
	if !(speed >= MinSpeed && speed <= MaxSpeed) {
		return fmt.Errorf("want a factor above 0, from %g to %g (1 = real time), got %g", MinSpeed, MaxSpeed, speed)
	}
	if float64(horizon)/speed >= math.MaxInt64 {
		// The least speed that fits, rounded up to 3 significant digits.
		least := float64(horizon) / math.MaxInt64
		unit := math.Pow(10, math.Floor(math.Log10(least))-2)
		least = math.Ceil(least/unit) * unit
		return fmt.Errorf("playing %s at %g would take longer than a time.Duration holds (about 292 years): want a factor of at least %.3g for this horizon, got %g", horizon, speed, least, speed)
	}
	return nil
}

// NewPacer paces at speed times real time (1 = as a real sidecar would
// print; 10 = ten times faster). speed must pass CheckSpeed for the horizon
// played.
func NewPacer(real bclock.Clock, speed float64) *Pacer {
	return &Pacer{real: real, speed: speed}
}

// Wait blocks until the real instant that corresponds to virtual instant t,
// counted from the first call. Instants already past return at once, so a
// slow writer falls behind rather than skipping output.
func (p *Pacer) Wait(t time.Duration) {
	if !p.started {
		p.start, p.started = p.real.Now(), true
	}
	due := p.start.Add(time.Duration(float64(t) / p.speed))
	if d := due.Sub(p.real.Now()); d > 0 {
		p.real.Sleep(d)
	}
}
