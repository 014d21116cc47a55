package retry

import (
	"testing"
	"time"
)

// TestDelayFollowsNextBackOff: Delay(n) is the interval NextBackOff draws
// retry n around, and DelayBounds(n) holds every delay it can draw.
func TestDelayFollowsNextBackOff(t *testing.T) {
	for _, p := range []Policy{
		exp(500*time.Millisecond, 60*time.Second, 1.5, 0.5),
		exp(500*time.Millisecond, time.Second, float64(float32(1.3)), float64(float32(0.3))),
		exp(3*time.Second, time.Second, 2, 0.5), // the first interval above the cap
		exp(100*time.Millisecond, 10*time.Minute, 1, 1),
	} {
		p.MaxElapsedTime = 0
		for _, u := range []float64{0, 0.5, 0.999999} {
			b := p.Reset(0)
			for n := int64(1); n <= 30; n++ {
				if got := p.Delay(n); got != b.Interval {
					t.Fatalf("%+v: Delay(%d) = %v, NextBackOff draws around %v", p, n, got, b.Interval)
				}
				lo, hi := p.DelayBounds(n)
				var d time.Duration
				b, d, _ = p.NextBackOff(b, 0, u)
				if d < lo || d > hi {
					t.Fatalf("%+v u=%v: retry %d waits %v, outside DelayBounds [%v, %v]", p, u, n, d, lo, hi)
				}
			}
		}
		if got := p.Delay(-1); got != p.MaxInterval {
			t.Errorf("%+v: Delay(-1) = %v, want the cap %v", p, got, p.MaxInterval)
		}
	}
	c := Default("c")
	if lo, hi := c.DelayBounds(7); c.Delay(7) != 5*time.Second || lo != 5*time.Second || hi != 5*time.Second {
		t.Errorf("constant: Delay(7) = %v, DelayBounds(7) = [%v, %v], want 5s", c.Delay(7), lo, hi)
	}
}

func exp(initial, maxInterval time.Duration, multiplier, rf float64) Policy {
	p := Default("e")
	p.Kind = Exponential
	p.InitialInterval, p.MaxInterval, p.Multiplier, p.RandomizationFactor = initial, maxInterval, multiplier, rf
	return p
}

// TestDrawsJitter: an engine draws exactly when NextBackOff reads u.
func TestDrawsJitter(t *testing.T) {
	p := exp(500*time.Millisecond, time.Minute, 1.5, 0.5)
	p.MaxRetries = 2
	b := p.Reset(0)
	for n, want := range []bool{true, true, false, false} {
		if got := p.DrawsJitter(b); got != want {
			t.Errorf("after %d tries: DrawsJitter = %v, want %v", n, got, want)
		}
		b, _, _ = p.NextBackOff(b, 0, 0.5)
	}
	p.RandomizationFactor = 0
	if p.DrawsJitter(p.Reset(0)) {
		t.Error("DrawsJitter with randomizationFactor 0 = true, want false")
	}
}
