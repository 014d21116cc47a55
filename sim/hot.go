package sim

import (
	"fmt"
	"time"
)

// Hot-loop guards. A call that retries without its virtual time advancing
// meaningfully (retryForever with a 0s duration and no breaker against a
// dead store: each attempt costs only the overhead and the store's latency)
// or an app that loops as fast (no pause, every request failing at once)
// would spin until the event budget is spent, which takes seconds of wall
// time and says nothing about the cause. Both are stopped as soon as they
// show, by counts alone, so a run stays a pure function of its inputs.
const (
	// hotAttempts attempts of one call at more than hotAttemptRate a
	// virtual second make a hot call: no real sidecar's retry loop
	// attempts that often for that long.
	hotAttempts    = 10_000
	hotAttemptRate = 100
	// hotRequests requests of one app worker at more than hotRequestRate a
	// virtual second make a hot worker.
	hotRequests    = 100_000
	hotRequestRate = 10_000
)

// HotLoopError reports a run stopped because one call, or one app worker,
// kept going far faster than a real sidecar or app could: Count attempts (or
// requests) in Span of virtual time, ending At.
type HotLoopError struct {
	At time.Duration
	// Who is what looped, with the scenario's file:line: `retry policy "p"
	// (on component[s] output) made 10000 attempts of one call (the save
	// of s by app a, worker 0, s.yaml:6)`.
	Who   string
	Count int
	Span  time.Duration
	Real  string // what cannot go that fast: "sidecar", "app"
	Limit int    // the most a virtual second that is plausible
	Fix   string // what to change
}

func (e *HotLoopError) Error() string {
	return fmt.Sprintf("at %s: hot loop: %s in %s of virtual time, %s a virtual second where a real %s makes at most %d: %s",
		e.At, e.Who, e.Span, perSecond(e.Count, e.Span), e.Real, e.Limit, e.Fix)
}

// perSecond formats the rate of n events spread over span (n-1 gaps) as a
// whole number a second.
func perSecond(n int, span time.Duration) string {
	return fmt.Sprintf("%.0f", float64(n-1)/span.Seconds())
}

// hotCheck takes the nth attempt (or request), now, against a window that
// began at *from, and reports whether the last count of them came faster
// than rate a second (count-1 gaps in less than (count-1)/rate s). The
// window restarts every count, so a loop that speeds up late is caught too.
// A loop whose time does not move at all is left to the same-instant guard,
// which says so in its own words.
func hotCheck(n int, from *time.Duration, now time.Duration, count, rate int) (time.Duration, bool) {
	span := time.Duration(count-1) * time.Second / time.Duration(rate)
	switch n % count {
	case 1 % count:
		*from = now
	case 0:
		took := now - *from
		*from = now
		return took, took > 0 && took < span
	}
	return 0, false
}
