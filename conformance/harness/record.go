package harness

import (
	"fmt"
	"sort"
	"time"
)

// Transition is a circuit breaker changing state, as Dapr logs it:
// `Circuit breaker %q changed state from %s to %s`.
type Transition struct {
	T        time.Duration
	Name     string
	From, To string
}

// Notice is the one retry notice per call Dapr logs:
// `Error processing operation %s. Retrying in %v…`.
type Notice struct {
	T         time.Duration
	App       string
	Operation string
	Delay     time.Duration
}

// Recovery is Dapr's `Recovered processing operation %s after %d attempts`.
type Recovery struct {
	T         time.Duration
	App       string
	Operation string
	Attempts  int
}

// Attempt is one attempt of a step ending: the store answered (ok, error),
// the attempt's timeout fired (error), or the breaker refused it (rejected).
type Attempt struct {
	T         time.Duration
	App       string
	Worker    int
	Iteration int
	Step      int
	// Operation names the runner whose attempt this is: "" for the
	// API-level runner the app's request goes through (the component's,
	// endpoint's or actor's pre-lock policy), the built-in policy's name
	// (DaprBuiltInServiceRetries, …) for a runner nested inside it.
	Operation string
	Attempt   int
	Outcome   string
	// Start is when the attempt began. It is compared only in jitter mode
	// (to check each backoff delay against its bounds); sim does not record
	// it, so the sim side leaves it zero.
	Start time.Duration
}

// Op is the final result of one step, as the app sees it.
type Op struct {
	T         time.Duration
	App       string
	Worker    int
	Iteration int
	Step      int
	Outcome   string
	Attempts  int
}

// Delivery is one message's delivery to a subscriber ending: what the
// inbound runner around it returned, and what the sidecar then does with
// the message.
type Delivery struct {
	T     time.Duration
	App   string // the subscriber
	Topic string
	// N is the message's place in its topic's publish order, from 1: the
	// key both sides share (sim's worker pool and stream ids are its own).
	N int
	// Result is ack, notfound (a 404: acknowledged, not retried), dropped
	// (a DROP answer) or pending (the runner failed; no dead-letter topic).
	Result   string
	Outcome  string // the runner's: ok, error, or rejected by its breaker
	Attempts int
}

// Record is everything one side did in one scenario, stream by stream.
type Record struct {
	Breakers   []Transition
	Notices    []Notice
	Recovered  []Recovery
	Attempts   []Attempt
	Ops        []Op
	Deliveries []Delivery
	// Delays are the backoff delays the side actually waited, per call, in
	// order (jitter mode only): sim's retry events, or the gap Dapr left
	// between an attempt's end and the next one's start.
	Delays map[CallID][]time.Duration
}

// CallID names one runner call: one step of one iteration of one worker.
type CallID struct {
	App       string
	Worker    int
	Iteration int
	Step      int
}

func (c CallID) String() string {
	return fmt.Sprintf("%s/w%d/i%d/s%d", c.App, c.Worker, c.Iteration, c.Step)
}

// Normalize makes two records comparable: times are truncated to the
// millisecond, everything after the horizon is dropped, and the streams in
// which concurrent workers may interleave (attempts, ops, notices,
// recoveries) are sorted within each millisecond, because goroutines that
// wake at the same instant under synctest run in no fixed order. Breaker
// transitions keep their order: gobreaker serialises them under its lock.
func (r *Record) Normalize(horizon time.Duration) {
	ms := func(d time.Duration) time.Duration { return d.Truncate(time.Millisecond) }
	keep := func(t time.Duration) bool { return t <= horizon }

	var br []Transition
	for _, b := range r.Breakers {
		if keep(b.T) {
			b.T = ms(b.T)
			br = append(br, b)
		}
	}
	r.Breakers = br

	var no []Notice
	for _, n := range r.Notices {
		if keep(n.T) {
			n.T = ms(n.T)
			no = append(no, n)
		}
	}
	sort.SliceStable(no, func(i, j int) bool {
		a, b := no[i], no[j]
		if a.T != b.T {
			return a.T < b.T
		}
		if a.App != b.App {
			return a.App < b.App
		}
		return a.Delay < b.Delay
	})
	r.Notices = no

	var re []Recovery
	for _, x := range r.Recovered {
		if keep(x.T) {
			x.T = ms(x.T)
			re = append(re, x)
		}
	}
	sort.SliceStable(re, func(i, j int) bool {
		a, b := re[i], re[j]
		if a.T != b.T {
			return a.T < b.T
		}
		if a.App != b.App {
			return a.App < b.App
		}
		return a.Attempts < b.Attempts
	})
	r.Recovered = re

	var at []Attempt
	for _, a := range r.Attempts {
		if keep(a.T) {
			a.T = ms(a.T)
			a.Start = ms(a.Start)
			at = append(at, a)
		}
	}
	sort.SliceStable(at, func(i, j int) bool {
		a, b := at[i], at[j]
		if a.T != b.T {
			return a.T < b.T
		}
		return lessAttempt(a, b)
	})
	r.Attempts = at

	var op []Op
	for _, o := range r.Ops {
		if keep(o.T) {
			o.T = ms(o.T)
			op = append(op, o)
		}
	}
	sort.SliceStable(op, func(i, j int) bool {
		a, b := op[i], op[j]
		if a.T != b.T {
			return a.T < b.T
		}
		return lessWho(a.App, a.Worker, a.Iteration, a.Step, 0, b.App, b.Worker, b.Iteration, b.Step, 0)
	})
	r.Ops = op

	var dv []Delivery
	for _, x := range r.Deliveries {
		if keep(x.T) {
			x.T = ms(x.T)
			dv = append(dv, x)
		}
	}
	sort.SliceStable(dv, func(i, j int) bool {
		a, b := dv[i], dv[j]
		if a.T != b.T {
			return a.T < b.T
		}
		return lessDelivery(a, b)
	})
	r.Deliveries = dv
}

// lessDelivery orders deliveries of the same instant by subscriber, topic
// and message.
func lessDelivery(a, b Delivery) bool {
	switch {
	case a.App != b.App:
		return a.App < b.App
	case a.Topic != b.Topic:
		return a.Topic < b.Topic
	}
	return a.N < b.N
}

// lessAttempt orders attempts of the same instant by who they belong to,
// then by runner (an inner runner's attempt ends at the same instant as the
// outer attempt it is part of), then by number.
func lessAttempt(a, b Attempt) bool {
	if a.App != b.App || a.Worker != b.Worker || a.Iteration != b.Iteration || a.Step != b.Step {
		return lessWho(a.App, a.Worker, a.Iteration, a.Step, 0, b.App, b.Worker, b.Iteration, b.Step, 0)
	}
	if a.Operation != b.Operation {
		return a.Operation < b.Operation
	}
	return a.Attempt < b.Attempt
}

func lessWho(a string, aw, ai, as, aa int, b string, bw, bi, bs, ba int) bool {
	switch {
	case a != b:
		return a < b
	case aw != bw:
		return aw < bw
	case ai != bi:
		return ai < bi
	case as != bs:
		return as < bs
	}
	return aa < ba
}

// dropTimes zeroes every time of the record: in jitter mode the times
// depend on random draws that differ between the two sides, so only the
// shape (who, what, how many attempts, which outcome) is compared exactly.
// Within a stream the order is then by who, not by when.
func (r *Record) dropTimes() {
	for i := range r.Breakers {
		r.Breakers[i].T = 0
	}
	for i := range r.Notices {
		r.Notices[i].T, r.Notices[i].Delay = 0, 0
	}
	for i := range r.Recovered {
		r.Recovered[i].T = 0
	}
	for i := range r.Attempts {
		r.Attempts[i].T, r.Attempts[i].Start = 0, 0
	}
	for i := range r.Ops {
		r.Ops[i].T = 0
	}
	for i := range r.Deliveries {
		r.Deliveries[i].T = 0
	}
	sort.SliceStable(r.Deliveries, func(i, j int) bool {
		return lessDelivery(r.Deliveries[i], r.Deliveries[j])
	})
	sort.SliceStable(r.Attempts, func(i, j int) bool {
		return lessAttempt(r.Attempts[i], r.Attempts[j])
	})
	sort.SliceStable(r.Ops, func(i, j int) bool {
		a, b := r.Ops[i], r.Ops[j]
		return lessWho(a.App, a.Worker, a.Iteration, a.Step, 0, b.App, b.Worker, b.Iteration, b.Step, 0)
	})
}
