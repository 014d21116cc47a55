package traces_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/dapr-sim/sim/traces"
)

func secs(x float64) time.Duration { return time.Duration(x * float64(time.Second)) }

func metricsOp(t float64, it, step int, out traces.Outcome) traces.Event {
	return traces.Event{T: secs(t), Kind: traces.Op, App: "app", Iteration: it, Step: step, Outcome: out}
}

func metricsCall(t float64, out traces.Outcome) traces.Event {
	return traces.Event{T: secs(t), Kind: traces.Call, App: "app", Outcome: out}
}

func metricsBr(t float64, from, to string) traces.Event {
	return traces.Event{T: secs(t), Kind: traces.Breaker, Name: "cb", From: from, To: to}
}

func metricsFault(t float64, change string) traces.Event {
	return traces.Event{T: secs(t), Kind: traces.Fault, Target: "store", Change: change}
}

// base is a small outage: the store stops at 5s, the breaker opens at 8s,
// half-opens and closes after the store is back at 20s.
func metricsBase() []traces.Event {
	return []traces.Event{
		metricsCall(1, traces.OK), metricsOp(1, 1, 1, traces.OK),
		metricsFault(5, "stop"),
		metricsCall(6, traces.Error), {T: secs(6), Kind: traces.Retry},
		metricsCall(7, traces.Error), {T: secs(7), Kind: traces.Retry},
		metricsBr(8, "closed", "open"),
		metricsCall(9, traces.Rejected), metricsOp(9, 2, 1, traces.Error),
		metricsBr(13, "open", "half-open"), metricsCall(13, traces.Error), metricsBr(13, "half-open", "open"),
		metricsFault(20, "start"),
		metricsBr(21, "open", "half-open"), metricsCall(21, traces.OK), metricsBr(21, "half-open", "closed"),
		metricsOp(21, 3, 1, traces.OK),
	}
}

func TestMetricsMeasure(t *testing.T) {
	m := traces.Measure(metricsBase())
	got := [...]int{m.Ops, m.FailedOps, m.Attempts, m.FailedAttempts, m.Shed, m.Retries, m.Timeouts}
	if want := [...]int{3, 1, 6, 3, 1, 2, 0}; got != want {
		t.Errorf("counts = %v, want %v", got, want)
	}
	if !m.HasOutage || !m.OutageEnded || m.Outage != (traces.Outage{Target: "store", Start: secs(5), End: secs(20)}) {
		t.Errorf("outage = %+v (has %v, ended %v)", m.Outage, m.HasOutage, m.OutageEnded)
	}
	if !m.HasDetect || m.Detect != secs(3) {
		t.Errorf("detect = %v (%v), want 3s", m.Detect, m.HasDetect)
	}
	if !m.HasRecover || m.Recover != secs(1) {
		t.Errorf("recover = %v (%v), want 1s", m.Recover, m.HasRecover)
	}
	if want := []traces.OpKey{{App: "app", Iteration: 2, Step: 1}}; !reflect.DeepEqual(m.Failed, want) {
		t.Errorf("failed = %v, want %v", m.Failed, want)
	}
	var ns []int
	for _, tr := range m.Transitions {
		ns = append(ns, tr.N)
	}
	if want := []int{1, 1, 1, 2, 1}; !reflect.DeepEqual(ns, want) {
		t.Errorf("occurrences = %v, want %v", ns, want)
	}
}

func TestMetricsMeasureNoOutage(t *testing.T) {
	m := traces.Measure([]traces.Event{metricsCall(1, traces.OK), metricsOp(1, 1, 1, traces.OK), metricsBr(2, "closed", "open")})
	if m.HasOutage || m.HasDetect || m.HasRecover {
		t.Errorf("no stop fault, yet outage %v detect %v recover %v", m.HasOutage, m.HasDetect, m.HasRecover)
	}
	// A start never seen: detection is measured, recovery is not.
	m = traces.Measure([]traces.Event{metricsFault(1, "stop"), metricsBr(2, "closed", "open"), metricsOp(3, 1, 1, traces.OK)})
	if !m.HasDetect || m.Detect != secs(1) || m.OutageEnded || m.HasRecover {
		t.Errorf("open-ended outage: %+v", m)
	}
}

func TestMetricsCompare(t *testing.T) {
	// later: the breaker opens 2s later, the half-open probe at 13s never
	// happens, one more operation fails.
	later := []traces.Event{
		metricsCall(1, traces.OK), metricsOp(1, 1, 1, traces.OK),
		metricsFault(5, "stop"),
		metricsCall(6, traces.Error), {T: secs(6), Kind: traces.Retry},
		metricsCall(7, traces.Error), {T: secs(7), Kind: traces.Retry},
		metricsBr(10, "closed", "open"),
		metricsCall(11, traces.Rejected), metricsOp(11, 2, 1, traces.Error),
		metricsCall(12, traces.Rejected), metricsOp(12, 2, 2, traces.Error),
		metricsFault(20, "start"),
		metricsBr(21, "open", "half-open"), metricsCall(21, traces.OK), metricsBr(21, "half-open", "closed"),
		metricsOp(21, 3, 1, traces.OK),
	}
	// fewer: B fails nothing and runs an operation A failed.
	fewer := append(metricsBase()[:7:7], metricsOp(9, 2, 1, traces.OK))

	tests := []struct {
		name                  string
		a, b                  []traces.Event
		same, regression      bool
		moved, gone, new, unc int
		onlyA, onlyB          []traces.OpKey
	}{
		{name: "identical runs", a: metricsBase(), b: metricsBase(), same: true, unc: 5},
		{name: "regression", a: metricsBase(), b: later, regression: true,
			moved: 2, gone: 2, new: 0, unc: 1,
			onlyB: []traces.OpKey{{App: "app", Iteration: 2, Step: 2}}},
		{name: "improvement", a: metricsBase(), b: fewer,
			gone: 5, onlyA: []traces.OpKey{{App: "app", Iteration: 2, Step: 1}}},
		{name: "reversed is a regression", a: fewer, b: metricsBase(), regression: true,
			new: 5, onlyB: []traces.OpKey{{App: "app", Iteration: 2, Step: 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := traces.CompareMetrics(traces.Measure(tt.a), traces.Measure(tt.b))
			if d.Same() != tt.same {
				t.Errorf("Same = %v, want %v", d.Same(), tt.same)
			}
			if d.Regression() != tt.regression {
				t.Errorf("Regression = %v, want %v", d.Regression(), tt.regression)
			}
			if got := [...]int{len(d.Moved), len(d.Gone), len(d.New), d.Unchanged}; got != [...]int{tt.moved, tt.gone, tt.new, tt.unc} {
				t.Errorf("moved, gone, new, unchanged = %v, want %v", got, [...]int{tt.moved, tt.gone, tt.new, tt.unc})
			}
			if !reflect.DeepEqual(d.FailedOnlyA, tt.onlyA) || !reflect.DeepEqual(d.FailedOnlyB, tt.onlyB) {
				t.Errorf("failed only in A %v, B %v; want %v, %v", d.FailedOnlyA, d.FailedOnlyB, tt.onlyA, tt.onlyB)
			}
		})
	}
}

func TestMetricsCompareMoved(t *testing.T) {
	a := traces.Measure([]traces.Event{metricsBr(26, "closed", "open")})
	b := traces.Measure([]traces.Event{metricsBr(31, "closed", "open")})
	d := traces.CompareMetrics(a, b)
	want := []traces.MovedTransition{{BreakerTransition: traces.BreakerTransition{Name: "cb", From: "closed", To: "open", N: 1, T: secs(26)}, B: secs(31)}}
	if !reflect.DeepEqual(d.Moved, want) {
		t.Errorf("MovedTransition = %+v, want %+v", d.Moved, want)
	}
}

func metricsOpTook(t, took float64, it int, out traces.Outcome) traces.Event {
	e := metricsOp(t, it, 1, out)
	e.Took = secs(took)
	return e
}

func TestMetricsLongestStall(t *testing.T) {
	m := traces.Measure([]traces.Event{
		metricsOpTook(1, 0.5, 1, traces.OK),
		metricsOpTook(9, 7.25, 2, traces.Error), // a failed answer is waited for too
		metricsOpTook(10, 1, 3, traces.OK),
	})
	if m.LongestStall != secs(7.25) {
		t.Errorf("LongestStall = %v, want 7.25s", m.LongestStall)
	}
	if m := traces.Measure(nil); m.LongestStall != 0 || m.Ops != 0 {
		t.Errorf("no op: %+v", m)
	}
}

// Two runs that differ only in how long one operation waited are not the
// same: the diff's verdict must not say "no difference".
func TestMetricsSameNoticesTheStall(t *testing.T) {
	a := traces.Measure([]traces.Event{metricsOpTook(1, 0.5, 1, traces.OK)})
	b := traces.Measure([]traces.Event{metricsOpTook(1, 0.75, 1, traces.OK)})
	if !traces.CompareMetrics(a, a).Same() {
		t.Fatal("a run differs from itself")
	}
	if traces.CompareMetrics(a, b).Same() {
		t.Errorf("stalls of %v and %v compared the same", a.LongestStall, b.LongestStall)
	}
}

// MeasureCounts gives Measure's numbers without keeping one entry per
// operation.
func TestMeasurerCounts(t *testing.T) {
	full := traces.Measure(metricsBase())
	c := traces.NewMeasurer(traces.MeasureCounts)
	for _, e := range metricsBase() {
		if err := c.Record(&e); err != nil {
			t.Fatal(err)
		}
	}
	got := c.Metrics()
	if got.Failed != nil || got.Succeeded != nil {
		t.Errorf("counts only, yet Failed %v Succeeded %v", got.Failed, got.Succeeded)
	}
	got.Failed, got.Succeeded = full.Failed, full.Succeeded
	if !reflect.DeepEqual(got, full) {
		t.Errorf("counts mode\n got %+v\nwant %+v", got, full)
	}
}

// Events at one instant come in the engine's order: a breaker can open, or
// an operation succeed, at the very instant of the fault, recorded before
// it. Those count, as 0s.
func TestMetricsSameInstantAsTheFault(t *testing.T) {
	m := traces.Measure([]traces.Event{
		metricsBr(5, "closed", "open"), metricsFault(5, "stop"),
		metricsOp(20, 1, 1, traces.OK), metricsFault(20, "start"),
		metricsOp(21, 2, 1, traces.OK),
	})
	if !m.HasDetect || m.Detect != 0 {
		t.Errorf("detect = %v (%v), want 0s", m.Detect, m.HasDetect)
	}
	if !m.HasRecover || m.Recover != 0 {
		t.Errorf("recover = %v (%v), want 0s", m.Recover, m.HasRecover)
	}
	// Before the instant does not count.
	m = traces.Measure([]traces.Event{
		metricsBr(4, "closed", "open"), metricsFault(5, "stop"),
		metricsOp(19, 1, 1, traces.OK), metricsFault(20, "start"),
	})
	if m.HasDetect || m.HasRecover {
		t.Errorf("earlier events counted: detect %v (%v), recover %v (%v)", m.Detect, m.HasDetect, m.Recover, m.HasRecover)
	}
}

// A delivery's attempts count as attempts, and its events only add to the
// message measures: the operation measures stay those of the steps.
func TestMetricsDeliveries(t *testing.T) {
	base := metricsBase()
	want := traces.Measure(base)
	want.Attempts++
	want.FailedAttempts++
	want.Messages, want.Redelivered, want.Pending = true, 1, 1
	events := append(base,
		traces.Event{T: 40 * time.Second, Kind: traces.Call, App: "b", Target: "pubsub", Op: "deliver", Attempt: 1, Outcome: traces.Error, Status: 500},
		traces.Event{T: 40 * time.Second, Kind: traces.Deliver, App: "b", Target: "pubsub", Op: "deliver", Attempts: 1, Outcome: traces.Error, Took: time.Hour, Result: traces.ResultPending},
		traces.Event{T: 41 * time.Second, Kind: traces.Redeliver, App: "b", Target: "pubsub", Deliveries: 2},
	)
	if got := traces.Measure(events); !reflect.DeepEqual(got, want) {
		t.Errorf("with deliveries\n got %+v\nwant %+v", got, want)
	}
}

// The message published at 1s (its XADD at virtual 1s: entry 946684801000-0)
// and the one at 2s, as the subscriber order-processor sees them.
const (
	msg1 = "946684801000-0"
	msg2 = "946684802000-0"
)

func publish(t float64, out traces.Outcome) traces.Event {
	return traces.Event{T: secs(t), Kind: traces.Op, App: "checkout", Target: "orderpubsub", Op: "publish", Outcome: out}
}

func deliver(t float64, msg, result string) traces.Event {
	e := traces.Event{T: secs(t), Kind: traces.Deliver, App: "order-processor", Target: "orderpubsub", Op: "deliver",
		Topic: "orders", Message: msg, Result: result, Outcome: traces.OK}
	if result != traces.ResultAck && result != traces.ResultAckFailed {
		e.Outcome = traces.Error
	}
	return e
}

func redeliver(t float64, msg string, n int) traces.Event {
	return traces.Event{T: secs(t), Kind: traces.Redeliver, App: "order-processor", Target: "orderpubsub", Topic: "orders", Message: msg, Deliveries: n}
}

// msgCounts are the message measures in the order published, delivered,
// redelivered, dead-lettered, dropped, lost, pending, duplicates.
type msgCounts [8]int

func msgCountsOf(m traces.Metrics) msgCounts {
	return msgCounts{m.Published, m.Delivered, m.Redelivered, m.DeadLettered, m.Dropped, m.Lost, m.Pending, m.Duplicates}
}

// Each message measure, one row per behaviour of a delivery.
func TestMetricsMessages(t *testing.T) {
	tests := []struct {
		name   string
		events []traces.Event
		want   msgCounts
		delay  float64 // the worst end-to-end delay in seconds; -1: none
	}{
		{"no message", []traces.Event{metricsOp(1, 1, 1, traces.OK)}, msgCounts{}, -1},
		{"published, never read", []traces.Event{publish(1, traces.OK), publish(2, traces.Error)},
			msgCounts{1, 0, 0, 0, 0, 0, 0, 0}, -1},
		{"taken at once: delivered, the delay from the XADD", []traces.Event{publish(1.001, traces.OK), deliver(1.25, msg1, traces.ResultAck)},
			msgCounts{1, 1, 0, 0, 0, 0, 0, 0}, 0.25},
		{"left pending, reclaimed, taken: one delivered, one redelivered",
			[]traces.Event{deliver(1.1, msg1, traces.ResultPending), redeliver(75, msg1, 2), deliver(75.5, msg1, traces.ResultAck)},
			msgCounts{0, 1, 1, 0, 0, 0, 0, 0}, 74.5},
		{"still pending at the end", []traces.Event{deliver(1.1, msg1, traces.ResultPending), deliver(2.1, msg2, traces.ResultAck)},
			msgCounts{0, 1, 0, 0, 0, 0, 1, 0}, 0.1},
		{"reclaimed and not delivered again before the end: pending",
			[]traces.Event{deliver(1.1, msg1, traces.ResultPending), redeliver(75, msg1, 2)},
			msgCounts{0, 0, 1, 0, 0, 0, 1, 0}, -1},
		{"dead-lettered", []traces.Event{deliver(6, msg1, traces.ResultDeadLetter)}, msgCounts{0, 0, 0, 1, 0, 0, 0, 0}, -1},
		{"DROP, 404 and no route are dropped", []traces.Event{deliver(1, msg1, traces.ResultDropped), deliver(2, msg2, traces.ResultNotFound),
			deliver(3, "946684803000-0", traces.ResultUnrouted)}, msgCounts{0, 0, 0, 0, 3, 0, 0, 0}, -1},
		{"lost", []traces.Event{deliver(61, msg1, traces.ResultLost)}, msgCounts{0, 0, 0, 0, 0, 1, 0, 0}, -1},
		{"redelivered while the first delivery still retries: both take it, one duplicate",
			[]traces.Event{redeliver(75, msg1, 2), deliver(80, msg1, traces.ResultAck), deliver(81, msg1, traces.ResultAck)},
			msgCounts{0, 1, 1, 0, 0, 0, 0, 1}, 79},
		{"the XACK failed: taken, pending, taken again: a duplicate",
			[]traces.Event{deliver(1.5, msg1, traces.ResultAckFailed), redeliver(75, msg1, 2), deliver(75.001, msg1, traces.ResultAck)},
			msgCounts{0, 1, 1, 0, 0, 0, 0, 1}, 0.5},
		{"the XACK failed and nothing came back: delivered, still pending",
			[]traces.Event{deliver(1.5, msg1, traces.ResultAckFailed)}, msgCounts{0, 1, 0, 0, 0, 0, 1, 0}, 0.5},
		{"the same message at two subscribers is delivered to each, no duplicate",
			[]traces.Event{deliver(1.1, msg1, traces.ResultAck), func() traces.Event { e := deliver(1.2, msg1, traces.ResultAck); e.App = "audit"; return e }()},
			msgCounts{0, 2, 0, 0, 0, 0, 0, 0}, 0.2},
		{"the worst delay is the largest first delivery's",
			[]traces.Event{deliver(1.5, msg1, traces.ResultAck), deliver(2.1, msg2, traces.ResultAck)},
			msgCounts{0, 2, 0, 0, 0, 0, 0, 0}, 0.5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, mode := range []traces.MeasureMode{traces.MeasureOps, traces.MeasureCounts} {
				m := traces.NewMeasurer(mode)
				for i := range tt.events {
					m.Add(&tt.events[i])
				}
				got := m.Metrics()
				if c := msgCountsOf(got); c != tt.want {
					t.Errorf("mode %d: published, delivered, redelivered, dead-lettered, dropped, lost, pending, duplicates = %v, want %v", mode, c, tt.want)
				}
				if got.HasDelay != (tt.delay >= 0) || (tt.delay >= 0 && got.WorstDelay != secs(tt.delay)) {
					t.Errorf("mode %d: worst delay %v (%v), want %vs", mode, got.WorstDelay, got.HasDelay, tt.delay)
				}
				if got.Messages != (tt.name != "no message") {
					t.Errorf("mode %d: Messages = %v", mode, got.Messages)
				}
			}
		})
	}
}

// Two runs that differ only in a message measure are not the same.
func TestMetricsSameNoticesMessages(t *testing.T) {
	a := traces.Measure([]traces.Event{deliver(1.1, msg1, traces.ResultAck)})
	b := traces.Measure([]traces.Event{deliver(1.1, msg1, traces.ResultDeadLetter)})
	if !traces.CompareMetrics(a, a).Same() {
		t.Fatal("a run differs from itself")
	}
	if traces.CompareMetrics(a, b).Same() {
		t.Error("a delivered and a dead-lettered message compared the same")
	}
}

// Once a message is acknowledged and no delivery of it is under way the fold
// forgets it: a day of messages costs no memory once they are taken.
func TestMessagesForgetAcknowledged(t *testing.T) {
	m := traces.NewMessages()
	for _, e := range []traces.Event{deliver(1.1, msg1, traces.ResultAck), deliver(2.1, msg2, traces.ResultPending), redeliver(75, msg2, 2), deliver(76, msg2, traces.ResultAck)} {
		m.Add(&e)
	}
	if n := traces.OpenMessages(m); n != 0 {
		t.Errorf("%d messages kept after every one was acknowledged", n)
	}
	// A redelivery still under way keeps the message: its end may be a
	// duplicate.
	const msg3 = "946684803000-0"
	first := redeliver(75, msg3, 2)
	m.Add(&first)
	ack := deliver(80, msg3, traces.ResultAck)
	if m.Add(&ack) != traces.FirstTaken || traces.OpenMessages(m) != 1 {
		t.Errorf("the first of two deliveries under way: %d kept", traces.OpenMessages(m))
	}
	if m.Add(&ack) != traces.DuplicateTaken || traces.OpenMessages(m) != 0 {
		t.Errorf("the second: %d kept", traces.OpenMessages(m))
	}
}

func TestPublishedAt(t *testing.T) {
	for _, tc := range []struct {
		id   string
		want time.Duration
		ok   bool
	}{
		{"946684800000-0", 0, true},
		{"946684801000-3", time.Second, true},
		{"946684812345-0", 12345 * time.Millisecond, true},
		{"1-0", 0, false}, // before the run's epoch
		{"x-0", 0, false},
		{"946684801000", 0, false},
		{"", 0, false},
	} {
		got, ok := traces.PublishedAt(tc.id)
		if got != tc.want || ok != tc.ok {
			t.Errorf("PublishedAt(%q) = %v, %v; want %v, %v", tc.id, got, ok, tc.want, tc.ok)
		}
	}
}
