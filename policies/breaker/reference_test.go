package breaker

// The reference model: sony/gobreaker v0.5.0's CircuitBreaker logic
// (gobreaker.go lines 141-380), copied with only these changes, so the
// differential test below can run it on a virtual clock without adding the
// module to go.mod:
//   - names carry a ref prefix; the mutex, IsSuccessful and Execute's panic
//     handling are left out (single goroutine, outcomes are given);
//   - every time.Now() reads refCB.now instead (marked "sim:").
//
// gobreaker is Copyright 2015 Sony Corporation, MIT License.

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"
)

type refState int

const (
	refStateClosed refState = iota
	refStateHalfOpen
	refStateOpen
)

var (
	errRefTooManyRequests = errors.New("too many requests")
	errRefOpenState       = errors.New("circuit breaker is open")
)

type refCounts struct {
	Requests             uint32
	TotalSuccesses       uint32
	TotalFailures        uint32
	ConsecutiveSuccesses uint32
	ConsecutiveFailures  uint32
}

func (c *refCounts) onRequest() { c.Requests++ }

func (c *refCounts) onSuccess() {
	c.TotalSuccesses++
	c.ConsecutiveSuccesses++
	c.ConsecutiveFailures = 0
}

func (c *refCounts) onFailure() {
	c.TotalFailures++
	c.ConsecutiveFailures++
	c.ConsecutiveSuccesses = 0
}

func (c *refCounts) clear() {
	c.Requests = 0
	c.TotalSuccesses = 0
	c.TotalFailures = 0
	c.ConsecutiveSuccesses = 0
	c.ConsecutiveFailures = 0
}

type refSettings struct {
	Name          string
	MaxRequests   uint32
	Interval      time.Duration
	Timeout       time.Duration
	ReadyToTrip   func(counts refCounts) bool
	OnStateChange func(name string, from refState, to refState)
}

type refCB struct {
	name          string
	maxRequests   uint32
	interval      time.Duration
	timeout       time.Duration
	readyToTrip   func(counts refCounts) bool
	onStateChange func(name string, from refState, to refState)

	state      refState
	generation uint64
	counts     refCounts
	expiry     time.Time

	now time.Time // sim: the virtual clock
}

func newRefCB(st refSettings, now time.Time) *refCB {
	cb := new(refCB)
	cb.now = now // sim

	cb.name = st.Name
	cb.onStateChange = st.OnStateChange

	if st.MaxRequests == 0 {
		cb.maxRequests = 1
	} else {
		cb.maxRequests = st.MaxRequests
	}

	if st.Interval <= 0 {
		cb.interval = 0
	} else {
		cb.interval = st.Interval
	}

	if st.Timeout <= 0 {
		cb.timeout = 60 * time.Second
	} else {
		cb.timeout = st.Timeout
	}

	if st.ReadyToTrip == nil {
		cb.readyToTrip = func(counts refCounts) bool { return counts.ConsecutiveFailures > 5 }
	} else {
		cb.readyToTrip = st.ReadyToTrip
	}

	cb.toNewGeneration(cb.now) // sim: was time.Now()
	return cb
}

func (cb *refCB) State() refState {
	now := cb.now // sim
	state, _ := cb.currentState(now)
	return state
}

func (cb *refCB) beforeRequest() (uint64, error) {
	now := cb.now // sim
	state, generation := cb.currentState(now)

	if state == refStateOpen {
		return generation, errRefOpenState
	} else if state == refStateHalfOpen && cb.counts.Requests >= cb.maxRequests {
		return generation, errRefTooManyRequests
	}

	cb.counts.onRequest()
	return generation, nil
}

func (cb *refCB) afterRequest(before uint64, success bool) {
	now := cb.now // sim
	state, generation := cb.currentState(now)
	if generation != before {
		return
	}

	if success {
		cb.onSuccess(state, now)
	} else {
		cb.onFailure(state, now)
	}
}

func (cb *refCB) onSuccess(state refState, now time.Time) {
	switch state {
	case refStateClosed:
		cb.counts.onSuccess()
	case refStateHalfOpen:
		cb.counts.onSuccess()
		if cb.counts.ConsecutiveSuccesses >= cb.maxRequests {
			cb.setState(refStateClosed, now)
		}
	}
}

func (cb *refCB) onFailure(state refState, now time.Time) {
	switch state {
	case refStateClosed:
		cb.counts.onFailure()
		if cb.readyToTrip(cb.counts) {
			cb.setState(refStateOpen, now)
		}
	case refStateHalfOpen:
		cb.setState(refStateOpen, now)
	}
}

func (cb *refCB) currentState(now time.Time) (refState, uint64) {
	switch cb.state {
	case refStateClosed:
		if !cb.expiry.IsZero() && cb.expiry.Before(now) {
			cb.toNewGeneration(now)
		}
	case refStateOpen:
		if cb.expiry.Before(now) {
			cb.setState(refStateHalfOpen, now)
		}
	}
	return cb.state, cb.generation
}

func (cb *refCB) setState(state refState, now time.Time) {
	if cb.state == state {
		return
	}

	prev := cb.state
	cb.state = state

	cb.toNewGeneration(now)

	if cb.onStateChange != nil {
		cb.onStateChange(cb.name, prev, state)
	}
}

func (cb *refCB) toNewGeneration(now time.Time) {
	cb.generation++
	cb.counts.clear()

	var zero time.Time
	switch cb.state {
	case refStateClosed:
		if cb.interval == 0 {
			cb.expiry = zero
		} else {
			cb.expiry = now.Add(cb.interval)
		}
	case refStateOpen:
		cb.expiry = now.Add(cb.timeout)
	default: // StateHalfOpen
		cb.expiry = zero
	}
}

// TestDifferentialGobreaker drives Step and the reference copy of gobreaker
// with the same seeded random traffic (admissions, outcomes of in-flight
// requests in any order, bare State() checks, time steps that often land
// exactly on an expiry) and compares state, generation, counts, expiry,
// every admission decision and every logged state change.
func TestDifferentialGobreaker(t *testing.T) {
	epoch := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	trips := []struct {
		name string
		fn   func(Counts) bool
	}{
		{"default", nil},
		{"totalFailures >= 3", func(c Counts) bool { return c.TotalFailures >= 3 }},
		{"requests > 4 && failures*2 > requests", func(c Counts) bool { return c.Requests > 4 && c.TotalFailures*2 > c.Requests }},
	}
	seedsWithChanges, totalChanges := 0, 0
	for seed := uint64(1); seed <= 60; seed++ {
		rng := rand.New(rand.NewPCG(seed, 7))
		trip := trips[int(seed)%len(trips)]
		s := Settings{
			Name:        "cb",
			MaxRequests: uint32(rng.IntN(4)), // 0 means 1
			Interval:    time.Duration(rng.IntN(3)) * 2 * time.Second,
			Timeout:     time.Duration(rng.IntN(3)) * 3 * time.Second, // 0 means 60s
			ReadyToTrip: trip.fn,
		}
		var refChanges, simChanges []Effect
		rs := refSettings{Name: s.Name, MaxRequests: s.MaxRequests, Interval: s.Interval, Timeout: s.Timeout,
			OnStateChange: func(_ string, from, to refState) {
				refChanges = append(refChanges, Effect{Kind: Changed, From: State(from), To: State(to)})
			}}
		if trip.fn != nil {
			rs.ReadyToTrip = func(c refCounts) bool { return trip.fn(Counts(c)) }
		}
		ref := newRefCB(rs, epoch)
		b := New(s, 0)
		now := time.Duration(0)
		var inflight []uint64
		var effects []Effect

		for i := range 3000 {
			switch rng.IntN(6) {
			case 0:
				now += time.Nanosecond
			case 1:
				now += time.Second
			case 2:
				now += time.Duration(rng.IntN(4000)) * time.Millisecond
			}
			ref.now = epoch.Add(now)

			var ev Event
			var refErr error
			admittedRef := false
			switch k := rng.IntN(10); {
			case k == 0:
				ref.State()
				ev = Event{Kind: Consulted, Now: now}
			case k < 5 || len(inflight) == 0:
				var gen uint64
				gen, refErr = ref.beforeRequest()
				admittedRef = refErr == nil
				if admittedRef {
					inflight = append(inflight, gen)
				}
				ev = Event{Kind: Requested, Now: now}
			default:
				j := rng.IntN(len(inflight))
				gen := inflight[j]
				inflight = append(inflight[:j], inflight[j+1:]...)
				success := rng.IntN(3) == 0
				ref.afterRequest(gen, success)
				ev = Event{Kind: Failed, Now: now, Generation: gen}
				if success {
					ev.Kind = Succeeded
				}
			}

			var err error
			b, effects, err = Step(b, &s, ev, effects[:0])
			if err != nil {
				t.Fatalf("seed %d step %d: %v: %v", seed, i, ev, err)
			}
			var simRej error
			simAdmitted := false
			for _, e := range effects {
				switch e.Kind {
				case Changed:
					simChanges = append(simChanges, Effect{Kind: Changed, From: e.From, To: e.To})
				case Rejected:
					simRej = e.Reason
				case Admitted:
					simAdmitted = true
				}
			}
			fail := func(what string, got, want any) {
				t.Fatalf("seed %d (trip %s, %+v) step %d at %v, event %v: %s: sim %v, gobreaker %v",
					seed, trip.name, s, i, now, ev.Kind, what, got, want)
			}
			if ev.Kind == Requested {
				if simAdmitted != admittedRef || (simRej == nil) != (refErr == nil) || (simRej != nil && simRej.Error() != refErr.Error()) {
					fail("admission", simRej, refErr)
				}
			}
			if b.State != State(ref.state) {
				fail("state", b.State, ref.state)
			}
			if b.Generation != ref.generation {
				fail("generation", b.Generation, ref.generation)
			}
			if b.Counts != Counts(ref.counts) {
				fail("counts", b.Counts, ref.counts)
			}
			if b.Expires != !ref.expiry.IsZero() || (b.Expires && !epoch.Add(b.Expiry).Equal(ref.expiry)) {
				fail("expiry", b.Expiry, ref.expiry)
			}
			if !equalEffects(simChanges, refChanges) {
				fail("state changes", simChanges, refChanges)
			}
		}
		totalChanges += len(refChanges)
		if len(refChanges) > 0 {
			seedsWithChanges++
		}
	}
	// Guard against traffic that never exercises the breaker.
	if seedsWithChanges < 45 || totalChanges < 1000 {
		t.Errorf("only %d of 60 seeds changed state (%d changes in all)", seedsWithChanges, totalChanges)
	}
	t.Logf("%d of 60 seeds changed state, %d changes in all", seedsWithChanges, totalChanges)
}
