package clock

import (
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

// NewPacer paces at speed times real time (1 = as a real sidecar would
// print; 10 = ten times faster). speed must be above 0.
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
