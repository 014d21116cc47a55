package retry

import "time"

// Delay is the delay before retry n (1-based) before jitter: a constant
// policy's Duration; for an exponential policy the interval NextBackOff
// draws retry n around, InitialInterval for the first (never capped: the
// cap applies to the grown interval), then grown by Multiplier up to
// MaxInterval exactly as NextBackOff grows it. n < 0 (any retry) gives
// the cap, MaxInterval. The maxRetries and maxElapsedTime limits are not
// applied: Delay says how long retry n would wait, not whether it comes.
func (p *Policy) Delay(n int64) time.Duration {
	if p.Kind != Exponential {
		return p.Duration
	}
	if n < 0 {
		return p.MaxInterval
	}
	ci := p.InitialInterval
	for i := int64(1); i < n; i++ {
		next := grow(ci, p.MaxInterval, p.Multiplier)
		if next == ci {
			break // at the cap, or a multiplier of 1: it grows no more
		}
		ci = next
	}
	return ci
}

// DelayBounds is the smallest and largest delay before retry n (as for
// Delay): a constant policy's Duration twice; for an exponential policy the
// range jitter draws from around Delay(n) (see JitterBounds).
func (p *Policy) DelayBounds(n int64) (lo, hi time.Duration) {
	if p.Kind != Exponential {
		return p.Duration, p.Duration
	}
	return p.JitterBounds(p.Delay(n))
}

// JitterBounds is the range an exponential policy draws a delay from
// around interval ci: ci ∓ RandomizationFactor·ci (backoff's
// getRandomValueFromInterval; its upper end is reached to within a
// nanosecond).
func (p *Policy) JitterBounds(ci time.Duration) (lo, hi time.Duration) {
	delta := float64(p.RandomizationFactor * float64(ci))
	return time.Duration(float64(ci) - delta), time.Duration(float64(ci) + delta)
}
