// Outcome metrics: what a run's policies cost and achieved, from its events
// alone. `sim diff` compares two runs with them; the functions are pure so
// any other consumer (a sweep over many runs) gets the same numbers.

package traces

import (
	"sort"
	"time"
)

// Metrics is what one run did, computed by Measure.
type Metrics struct {
	Ops            int // op events: steps whose final result the app saw
	FailedOps      int // op events not ok
	Attempts       int // call events, shed ones included
	FailedAttempts int // call events with outcome error
	Shed           int // call events refused by an open (or full half-open) breaker
	Retries        int // retry events
	Timeouts       int // timeout events

	// Transitions are the breaker events in order, each numbered by its
	// occurrence among the same breaker's same FROM->TO changes.
	Transitions []BreakerTransition
	// Failed are the app operations that finally failed, in order.
	Failed []OpKey
	// Succeeded holds the time each operation succeeded at, for telling
	// "succeeded in the other run" from "never reached" there.
	Succeeded map[OpKey]time.Duration

	// Outage is the first stop fault and the start of the same target after
	// it; HasOutage is false when the run has no stop fault. OutageEnded is
	// false when the target is never started again.
	Outage      Outage
	HasOutage   bool
	OutageEnded bool
	// Detect is from the outage's start to the first breaker event that
	// opens a breaker at or after it; HasDetect is false when none does.
	Detect    time.Duration
	HasDetect bool
	// Recover is from the outage's end to the first successful op event at
	// or after it; HasRecover is false when none succeeds.
	Recover    time.Duration
	HasRecover bool
}

// Outage is a stop/start pair of the availability script.
type Outage struct {
	Target     string
	Start, End time.Duration
}

// BreakerTransition is one breaker state change. N is 1 for the first time the
// breaker Name went From->To in the run, 2 for the second, and so on: two
// runs' transitions are matched by (Name, From, To, N).
type BreakerTransition struct {
	Name, From, To string
	N              int
	T              time.Duration
}

type metricsTransitionKey struct {
	name, from, to string
	n              int
}

func (t BreakerTransition) key() metricsTransitionKey {
	return metricsTransitionKey{t.Name, t.From, t.To, t.N}
}

// OpKey names one app operation: the step of an iteration of a worker.
type OpKey struct {
	App       string
	Worker    int // 0-based
	Iteration int // 1-based
	Step      int // 1-based
}

func (k OpKey) less(o OpKey) bool {
	if k.App != o.App {
		return k.App < o.App
	}
	if k.Worker != o.Worker {
		return k.Worker < o.Worker
	}
	if k.Iteration != o.Iteration {
		return k.Iteration < o.Iteration
	}
	return k.Step < o.Step
}

// Measure computes a run's metrics from its events, in the order the run
// produced them.
func Measure(events []Event) Metrics {
	m := Metrics{Succeeded: map[OpKey]time.Duration{}}
	seen := map[metricsTransitionKey]int{}
	var okOps []time.Duration // times of successful ops, in order
	for i := range events {
		e := &events[i]
		switch e.Kind {
		case Fault:
			switch {
			case e.Change == "stop" && !m.HasOutage:
				m.HasOutage = true
				m.Outage = Outage{Target: e.Target, Start: e.T}
			case e.Change == "start" && m.HasOutage && !m.OutageEnded && e.Target == m.Outage.Target:
				m.OutageEnded = true
				m.Outage.End = e.T
			}
		case Call:
			m.Attempts++
			switch e.Outcome {
			case Error:
				m.FailedAttempts++
			case Rejected:
				m.Shed++
			}
		case Retry:
			m.Retries++
		case Timeout:
			m.Timeouts++
		case Breaker:
			k := metricsTransitionKey{e.Name, e.From, e.To, 0}
			seen[k]++
			m.Transitions = append(m.Transitions, BreakerTransition{Name: e.Name, From: e.From, To: e.To, N: seen[k], T: e.T})
		case Op:
			m.Ops++
			key := OpKey{App: e.App, Worker: e.Worker, Iteration: e.Iteration, Step: e.Step}
			if e.Outcome == OK {
				m.Succeeded[key] = e.T
				okOps = append(okOps, e.T)
			} else {
				m.FailedOps++
				m.Failed = append(m.Failed, key)
			}
		}
	}
	if m.HasOutage {
		for _, t := range m.Transitions {
			if t.To == "open" && t.T >= m.Outage.Start {
				m.Detect, m.HasDetect = t.T-m.Outage.Start, true
				break
			}
		}
		if m.OutageEnded {
			for _, t := range okOps {
				if t >= m.Outage.End {
					m.Recover, m.HasRecover = t-m.Outage.End, true
					break
				}
			}
		}
	}
	return m
}

// MetricsDiff is how run B differs from run A.
type MetricsDiff struct {
	A, B Metrics
	// Moved are transitions both runs made at different times; Gone those
	// only A made, New those only B made. Each list is in time order.
	Moved     []MovedTransition
	Gone, New []BreakerTransition
	// Unchanged counts transitions both runs made at the same instant.
	Unchanged int
	// FailedOnlyA are operations that failed in A and not in B (they
	// succeeded in B, or B never reached them); FailedOnlyB the reverse.
	FailedOnlyA, FailedOnlyB []OpKey
}

// MovedTransition is a transition both runs made, at A and at B.
type MovedTransition struct {
	BreakerTransition               // as in A
	B                 time.Duration // when B made it
}

// CompareMetrics matches two runs' metrics: breaker transitions by breaker, change
// and occurrence, operations by app, worker, iteration and step.
func CompareMetrics(a, b Metrics) MetricsDiff {
	d := MetricsDiff{A: a, B: b}
	inB := map[metricsTransitionKey]BreakerTransition{}
	for _, t := range b.Transitions {
		inB[t.key()] = t
	}
	inA := map[metricsTransitionKey]bool{}
	for _, t := range a.Transitions {
		inA[t.key()] = true
		bt, ok := inB[t.key()]
		switch {
		case !ok:
			d.Gone = append(d.Gone, t)
		case bt.T == t.T:
			d.Unchanged++
		default:
			d.Moved = append(d.Moved, MovedTransition{BreakerTransition: t, B: bt.T})
		}
	}
	for _, t := range b.Transitions {
		if !inA[t.key()] {
			d.New = append(d.New, t)
		}
	}
	d.FailedOnlyA = metricsFailedOnly(a.Failed, b.Failed)
	d.FailedOnlyB = metricsFailedOnly(b.Failed, a.Failed)
	return d
}

// metricsFailedOnly returns the keys of x not in y, sorted.
func metricsFailedOnly(x, y []OpKey) []OpKey {
	in := make(map[OpKey]bool, len(y))
	for _, k := range y {
		in[k] = true
	}
	var out []OpKey
	for _, k := range x {
		if !in[k] {
			out = append(out, k)
			in[k] = true // a key is listed once
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].less(out[j]) })
	return out
}

// Regression reports whether B fails more operations than A.
func (d MetricsDiff) Regression() bool { return d.B.FailedOps > d.A.FailedOps }

// Same reports whether the runs are indistinguishable by these metrics:
// the same transitions at the same instants, the same failed operations,
// the same counts, detection and recovery.
func (d MetricsDiff) Same() bool {
	a, b := d.A, d.B
	return len(d.Moved) == 0 && len(d.Gone) == 0 && len(d.New) == 0 &&
		len(d.FailedOnlyA) == 0 && len(d.FailedOnlyB) == 0 &&
		a.Ops == b.Ops && a.FailedOps == b.FailedOps && a.Attempts == b.Attempts &&
		a.FailedAttempts == b.FailedAttempts && a.Shed == b.Shed && a.Retries == b.Retries &&
		a.Timeouts == b.Timeouts &&
		a.HasDetect == b.HasDetect && a.Detect == b.Detect &&
		a.HasRecover == b.HasRecover && a.Recover == b.Recover
}
