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
	// LongestStall is the longest time one app operation waited for its
	// final answer: the largest took of an op event, from the app's request
	// reaching the sidecar to the answer, retries and backoff included. 0
	// when no operation ended.
	LongestStall time.Duration

	// Messages says the run has pub/sub messages: a publish step's op
	// event, a deliver or a redeliver event. Reports show the message
	// measures below only then, so a run without messages reads as before.
	Messages bool
	// Published counts the publish steps that succeeded: messages added
	// to a stream.
	Published int
	// Delivered counts the messages a subscriber's handler took (Taken),
	// once per message and subscriber: the first time only.
	Delivered int
	// Redelivered counts redeliver events: pending messages the reclaim
	// loop claimed to deliver again.
	Redelivered int
	// DeadLettered counts deliveries that ended forwarded to the
	// dead-letter topic (result deadletter).
	DeadLettered int
	// Dropped counts deliveries acknowledged without the app taking the
	// message: it answered DROP (result dropped) or 404 (notfound), or no
	// routing rule matched (unrouted). Dapr's own ingress metric counts
	// all three as drop.
	Dropped int
	// Lost counts deliveries whose dead-letter publish failed and that
	// were acknowledged anyway (result lost, Dapr 1.12-1.14).
	Lost int
	// Pending counts the messages whose last delivery that ended left
	// them unacknowledged (pending, ackfailed) or that were reclaimed and
	// not delivered again before the run ended: still in the pending list.
	Pending int
	// Duplicates counts the times a subscriber's handler took a message it
	// had taken before (at-least-once delivery).
	Duplicates int
	// WorstDelay is the longest end-to-end delay of a delivered message:
	// from its XADD (the stream entry id's millisecond, PublishedAt) to the
	// end of the first delivery its subscriber's handler took. HasDelay is
	// false when no message was delivered.
	WorstDelay time.Duration
	HasDelay   bool
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
// produced them. It is NewMeasurer(MeasureOps) fed every event.
func Measure(events []Event) Metrics {
	m := NewMeasurer(MeasureOps)
	for i := range events {
		m.Add(&events[i])
	}
	return m.Metrics()
}

// MeasureMode says what a Measurer keeps beyond counts and durations.
type MeasureMode uint8

const (
	// MeasureCounts keeps the counts, the outage and its durations, the
	// longest stall and the breaker transitions: memory does not grow with
	// the number of operations, so a sweep of long runs can measure many
	// at once (it holds only the messages still pending or in delivery).
	// Failed and Succeeded stay empty.
	MeasureCounts MeasureMode = iota
	// MeasureOps also keeps every operation's outcome (Failed and
	// Succeeded), which matching two runs operation by operation needs.
	MeasureOps
)

// A Measurer folds a run's events into its Metrics as they are recorded, so
// nothing holds the events themselves. It is a Sink. The events must come in
// run order (nondecreasing T), as the engine and traces give them.
type Measurer struct {
	m    Metrics
	ops  bool
	seen map[metricsTransitionKey]int
	// lastOK is the time of the latest successful op so far (hasOK): an op
	// at the very instant the outage ends, recorded just before the start
	// fault, counts as recovered at once.
	lastOK time.Duration
	hasOK  bool
	// msgs follows each message until it is acknowledged, for Delivered,
	// Duplicates, Pending and the delays.
	msgs *Messages
}

// NewMeasurer returns an empty Measurer keeping what mode says.
func NewMeasurer(mode MeasureMode) *Measurer {
	m := &Measurer{ops: mode == MeasureOps, seen: map[metricsTransitionKey]int{}, msgs: NewMessages()}
	if m.ops {
		m.m.Succeeded = map[OpKey]time.Duration{}
	}
	return m
}

// Record implements Sink; it never fails.
func (m *Measurer) Record(e *Event) error {
	m.Add(e)
	return nil
}

// Add folds one event in.
func (m *Measurer) Add(e *Event) {
	r := &m.m
	switch e.Kind {
	case Fault:
		switch {
		case e.Change == "stop" && !r.HasOutage:
			r.HasOutage = true
			r.Outage = Outage{Target: e.Target, Start: e.T}
		case e.Change == "start" && r.HasOutage && !r.OutageEnded && e.Target == r.Outage.Target:
			r.OutageEnded = true
			r.Outage.End = e.T
			if m.hasOK && m.lastOK >= e.T {
				r.Recover, r.HasRecover = m.lastOK-e.T, true
			}
		}
	case Call:
		// A delivery's attempts (op deliver) count too: they run through
		// the same policies and breakers.
		r.Attempts++
		switch e.Outcome {
		case Error:
			r.FailedAttempts++
		case Rejected:
			r.Shed++
		}
	case Retry:
		r.Retries++
	case Timeout:
		r.Timeouts++
	case Breaker:
		k := metricsTransitionKey{e.Name, e.From, e.To, 0}
		m.seen[k]++
		r.Transitions = append(r.Transitions, BreakerTransition{Name: e.Name, From: e.From, To: e.To, N: m.seen[k], T: e.T})
	case Op:
		r.Ops++
		if e.Op == "publish" {
			r.Messages = true
			if e.Outcome == OK {
				r.Published++
			}
		}
		if e.Took > r.LongestStall {
			r.LongestStall = e.Took
		}
		key := OpKey{App: e.App, Worker: e.Worker, Iteration: e.Iteration, Step: e.Step}
		if e.Outcome == OK {
			m.lastOK, m.hasOK = e.T, true
			if r.OutageEnded && !r.HasRecover && e.T >= r.Outage.End {
				r.Recover, r.HasRecover = e.T-r.Outage.End, true
			}
			if m.ops {
				r.Succeeded[key] = e.T
			}
		} else {
			r.FailedOps++
			if m.ops {
				r.Failed = append(r.Failed, key)
			}
		}
	case Deliver, Redeliver:
		// A delivery is no step, so it is neither an op nor a stall; its
		// attempts are counted above.
		r.Messages = true
		m.addMessage(e)
	}
}

// addMessage folds a deliver or redeliver event into the message counts.
func (m *Measurer) addMessage(e *Event) {
	r := &m.m
	fate := m.msgs.Add(e)
	if e.Kind == Redeliver {
		r.Redelivered++
		return
	}
	switch e.Result {
	case ResultDeadLetter:
		r.DeadLettered++
	case ResultDropped, ResultNotFound, ResultUnimplemented, ResultUnrouted:
		r.Dropped++
	case ResultLost:
		r.Lost++
	}
	switch fate {
	case FirstTaken:
		r.Delivered++
		if at, ok := PublishedAt(e.Message); ok {
			if d := e.T - at; !r.HasDelay || d > r.WorstDelay {
				r.WorstDelay, r.HasDelay = d, true
			}
		}
	case DuplicateTaken:
		r.Duplicates++
	}
}

// Metrics returns what the events add up to, once the run has ended. The
// result shares the Measurer's lists and map: add nothing afterwards.
func (m *Measurer) Metrics() Metrics {
	r := m.m
	r.Pending = m.msgs.Pending()
	if r.HasOutage {
		// From the transitions rather than as they come: an open at the
		// stop's own instant, recorded just before it, counts (0s).
		for _, t := range r.Transitions {
			if t.To == "open" && t.T >= r.Outage.Start {
				r.Detect, r.HasDetect = t.T-r.Outage.Start, true
				break
			}
		}
	}
	return r
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
		a.HasRecover == b.HasRecover && a.Recover == b.Recover &&
		a.LongestStall == b.LongestStall && a.sameMessages(b)
}

// sameMessages reports whether two runs' message measures are equal (both
// zero in runs without messages).
func (a Metrics) sameMessages(b Metrics) bool {
	return a.Messages == b.Messages && a.Published == b.Published && a.Delivered == b.Delivered &&
		a.Redelivered == b.Redelivered && a.DeadLettered == b.DeadLettered && a.Dropped == b.Dropped &&
		a.Lost == b.Lost && a.Pending == b.Pending && a.Duplicates == b.Duplicates &&
		a.HasDelay == b.HasDelay && a.WorstDelay == b.WorstDelay
}
