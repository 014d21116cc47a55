package traces_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/dapr-sim/sim/traces"
	"github.com/google/go-cmp/cmp"
)

// deliveryEvents are the shapes a pub/sub delivery records (issue 14): the
// inbound runner's attempts as call events with op deliver, the delivery's
// end, and a reclaim.
func deliveryEvents() []traces.Event {
	who := traces.Event{App: "checkout", Worker: 0, Iteration: 2, Step: 1, Target: "pubsub", Op: "deliver",
		Topic: "orders", Message: "946684806000-0", EventID: "5b2e9c5c-0d1b-4a8e-9b53-6c1f0a6c1d2e"}
	at := func(t time.Duration, k traces.Kind, f func(e *traces.Event)) traces.Event {
		e := who
		e.T, e.Kind = t, k
		f(&e)
		return e
	}
	return []traces.Event{
		at(6*time.Second, traces.Call, func(e *traces.Event) {
			e.Attempt, e.Outcome, e.Error = 1, traces.Error, "app returned 500"
			e.Status, e.Body = 500, `{"error": "100% broken", "at": "a, b"}`
		}),
		at(6*time.Second+time.Millisecond, traces.Call, func(e *traces.Event) {
			e.Attempt, e.Outcome, e.Error, e.Answer = 2, traces.Error, "RETRY status returned", "RETRY"
		}),
		at(6*time.Second+2*time.Millisecond, traces.Call, func(e *traces.Event) {
			e.Attempt, e.Outcome, e.Status, e.Body = 3, traces.OK, 404, "not found\n"
		}),
		at(6*time.Second+3*time.Millisecond, traces.Call, func(e *traces.Event) {
			e.Attempt, e.Outcome, e.Error, e.Stale = 4, traces.Rejected, "circuit breaker is open", true
			e.Why = "the breaker is open"
		}),
		at(7*time.Second, traces.Deliver, func(e *traces.Event) {
			e.Attempts, e.Outcome, e.Took, e.Result, e.Log = 1, traces.OK, 12*time.Millisecond, traces.ResultAck, "got order 2"
		}),
		at(8*time.Second, traces.Deliver, func(e *traces.Event) {
			e.Attempts, e.Outcome, e.Error, e.Took = 4, traces.Error, "context deadline exceeded", 3*time.Second
			e.Result, e.DeadLetter, e.Why = traces.ResultLost, "poison", "4 attempts against maxRetries 3"
		}),
		at(9*time.Second, traces.Deliver, func(e *traces.Event) {
			e.Attempts, e.Outcome, e.Took, e.Result, e.DeadLetter = 2, traces.Error, time.Second, traces.ResultDeadLetter, "poison"
		}),
		{T: 10 * time.Second, Kind: traces.Redeliver, App: "checkout", Target: "pubsub", Topic: "orders",
			Message: "946684806000-0", EventID: "e-1", Deliveries: 2},
	}
}

func writeTrace(t testing.TB, jsonl bool, events []traces.Event) []byte {
	t.Helper()
	var buf bytes.Buffer
	newWriter := traces.NewTraceWriter
	if jsonl {
		newWriter = traces.NewJSONLWriter
	}
	tw, err := newWriter(&buf, traces.Header{Sim: "test", Name: "deliveries", Dapr: "1.14", Seed: 7, Scenario: map[string]string{"a": "b"}})
	if err != nil {
		t.Fatal(err)
	}
	for i := range events {
		if err := tw.Record(&events[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// Each delivery shape, written in either form, reads back as Recorded of
// it, through the fast path (never falling back) and the same through the
// full decoder.
func TestDeliveryRoundTrip(t *testing.T) {
	events := deliveryEvents()
	want := make([]traces.Event, len(events))
	for i := range events {
		want[i] = traces.Recorded(events[i])
	}
	for _, jsonl := range []bool{false, true} {
		data := writeTrace(t, jsonl, events)
		tr, err := sameRead(t, "deliveries", data)
		if err != nil {
			t.Fatalf("jsonl %v: %v\n%s", jsonl, err, data)
		}
		if d := cmp.Diff(want, tr.Events); d != "" {
			t.Errorf("jsonl %v: read back differs from Recorded (-Recorded +read):\n%s", jsonl, d)
		}
		r, err := traces.NewReader("trace", bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Drain(); err != nil {
			t.Fatal(err)
		}
		if traces.FellBack(r) {
			t.Errorf("jsonl %v: the delivery events fell back to the full decoder:\n%s", jsonl, data)
		}
	}
}

// The lines of each new shape, field for field: the order docs/trace.md
// documents.
func TestDeliveryLines(t *testing.T) {
	events := deliveryEvents()
	want := []string{
		`{t: 6s, kind: call, app: checkout, worker: 0, iteration: 2, step: 1, target: pubsub, op: deliver, attempt: 1, outcome: error, error: "app returned 500", topic: orders, message: "946684806000-0", event: "5b2e9c5c-0d1b-4a8e-9b53-6c1f0a6c1d2e", status: 500, body: "{\"error\": \"100% broken\", \"at\": \"a, b\"}"}`,
		`{t: 6.001s, kind: call, app: checkout, worker: 0, iteration: 2, step: 1, target: pubsub, op: deliver, attempt: 2, outcome: error, error: "RETRY status returned", topic: orders, message: "946684806000-0", event: "5b2e9c5c-0d1b-4a8e-9b53-6c1f0a6c1d2e", answer: RETRY}`,
		`{t: 6.002s, kind: call, app: checkout, worker: 0, iteration: 2, step: 1, target: pubsub, op: deliver, attempt: 3, outcome: ok, topic: orders, message: "946684806000-0", event: "5b2e9c5c-0d1b-4a8e-9b53-6c1f0a6c1d2e", status: 404, body: "not found\n"}`,
		`{t: 6.003s, kind: call, app: checkout, worker: 0, iteration: 2, step: 1, target: pubsub, op: deliver, attempt: 4, outcome: rejected, error: "circuit breaker is open", stale: true, topic: orders, message: "946684806000-0", event: "5b2e9c5c-0d1b-4a8e-9b53-6c1f0a6c1d2e", why: "the breaker is open"}`,
		`{t: 7s, kind: deliver, app: checkout, worker: 0, iteration: 2, step: 1, target: pubsub, op: deliver, topic: orders, message: "946684806000-0", event: "5b2e9c5c-0d1b-4a8e-9b53-6c1f0a6c1d2e", attempts: 1, outcome: ok, took: 12ms, result: ack, log: "got order 2"}`,
		`{t: 8s, kind: deliver, app: checkout, worker: 0, iteration: 2, step: 1, target: pubsub, op: deliver, topic: orders, message: "946684806000-0", event: "5b2e9c5c-0d1b-4a8e-9b53-6c1f0a6c1d2e", attempts: 4, outcome: error, error: "context deadline exceeded", took: 3s, result: lost, deadLetter: poison, why: "4 attempts against maxRetries 3"}`,
		`{t: 9s, kind: deliver, app: checkout, worker: 0, iteration: 2, step: 1, target: pubsub, op: deliver, topic: orders, message: "946684806000-0", event: "5b2e9c5c-0d1b-4a8e-9b53-6c1f0a6c1d2e", attempts: 2, outcome: error, took: 1s, result: deadletter, deadLetter: poison}`,
		`{t: 10s, kind: redeliver, app: checkout, target: pubsub, topic: orders, message: "946684806000-0", event: e-1, deliveries: 2}`,
	}
	for i := range events {
		if got := traces.Describe(&events[i]); got != want[i] {
			t.Errorf("event %d:\n got %s\nwant %s", i, got, want[i])
		}
	}
}

// Hand edits of the new fields read the same streamed as decoded whole:
// the same events, or the same error.
func TestDeliveryTampered(t *testing.T) {
	y := string(writeTrace(t, false, deliveryEvents()))
	j := string(writeTrace(t, true, deliveryEvents()))
	for _, e := range []struct{ name, old, new string }{
		{"field twice", "deliveries: 2", "deliveries: 2, deliveries: 2"},
		{"status not a number", "status: 500", "status: five"},
		{"deliveries negative", "deliveries: 2", "deliveries: -2"},
		{"dead letter lower case", "deadLetter: poison", "deadletter: poison"},
		{"unknown field", "result: ack", "result: ack, reason: x"},
		{"event quoted", "event: e-1", `event: "e-1"`},
		{"result on a redeliver", "deliveries: 2", "deliveries: 2, result: pending"},
		{"topic twice on a call", "op: deliver, attempt: 2", "op: deliver, topic: x, attempt: 2"},
	} {
		if !strings.Contains(y, e.old) {
			t.Fatalf("%s: %q not in the trace", e.name, e.old)
		}
		sameRead(t, e.name, []byte(strings.Replace(y, e.old, e.new, 1)))
	}
	for _, e := range []struct{ name, old, new string }{
		{"field twice", `"deliveries":2`, `"deliveries":2,"deliveries":2`},
		{"status as string", `"status":500`, `"status":"500"`},
		{"dead letter lower case", `"deadLetter":"poison"`, `"deadletter":"poison"`},
		{"answer as number", `"answer":"RETRY"`, `"answer":1`},
	} {
		if !strings.Contains(j, e.old) {
			t.Fatalf("jsonl %s: %q not in the trace", e.name, e.old)
		}
		sameRead(t, "jsonl "+e.name, []byte(strings.Replace(j, e.old, e.new, 1)))
	}
}
