package traces

import (
	"bytes"
	"testing"
	"time"
)

// The sidecar lines of a pub/sub delivery (issue 14), from Dapr's
// pkg/runtime/subscription and components-contrib pubsub/redis, each
// written out as a terminal would show it.
func TestDeliveryLogLines(t *testing.T) {
	at := 6*time.Second + 500*time.Millisecond
	call := func(f func(e *Event)) Event {
		e := Event{T: at, Kind: Call, App: "checkout", Target: "pubsub", Op: "deliver", Attempt: 1,
			Topic: "orders", Message: "946684806000-0", EventID: "e-1"}
		f(&e)
		return e
	}
	deliver := func(f func(e *Event)) Event {
		e := Event{T: at, Kind: Deliver, App: "checkout", Target: "pubsub", Op: "deliver", Attempts: 3,
			Topic: "orders", Message: "946684806000-0", EventID: "e-1"}
		f(&e)
		return e
	}
	status500 := call(func(e *Event) { e.Outcome, e.Error, e.Status, e.Body = Error, "retriable", 500, "disk 100%d full" })
	retry := call(func(e *Event) { e.Outcome, e.Error, e.Answer = Error, "RETRY status returned", "RETRY" })
	unknown := call(func(e *Event) { e.Outcome, e.Error, e.Answer = Error, "unknown status returned", "LATER" })
	refused := call(func(e *Event) {
		e.Outcome = Error
		e.Error = "error returned from app channel while sending pub/sub event to app: retriable error occurred: dial tcp 127.0.0.1:3000: connect: connection refused"
	})
	for _, tc := range []struct {
		name     string
		release  string
		sidecars bool
		ev       Event
		want     string // "" for no line
	}{
		{"error status: mangled, then the retriable line intact", "1.14", false, status500,
			"WARN[0006] retriable error returned from app while processing pub/sub event e-1, topic: orders, body: disk 100%!d(MISSING) full. status code returned: 500\n" +
				"WARN[0006] encountered a retriable error while publishing a subscribed message to topic orders, err: retriable error returned from app while processing pub/sub event e-1, topic: orders, body: disk 100%d full. status code returned: 500\n"},
		{"error status before 1.11: no retriable line", "1.10", false, status500,
			"WARN[0006] retriable error returned from app while processing pub/sub event e-1, topic: orders, body: disk 100%!d(MISSING) full. status code returned: 500\n"},
		{"error status before 1.10: formatted with arguments, intact", "1.9", false, status500,
			"WARN[0006] retriable error returned from app while processing pub/sub event e-1, topic: orders, body: disk 100%d full. status code returned: 500\n"},
		{"error status, several sidecars", "1.14", true, call(func(e *Event) { e.Outcome, e.Status, e.Body = Error, 503, "busy" }),
			"WARN[0006] retriable error returned from app while processing pub/sub event e-1, topic: orders, body: busy. status code returned: 503  app_id=checkout\n" +
				"WARN[0006] encountered a retriable error while publishing a subscribed message to topic orders, err: retriable error returned from app while processing pub/sub event e-1, topic: orders, body: busy. status code returned: 503  app_id=checkout\n"},
		{"RETRY", "1.14", false, retry,
			"WARN[0006] encountered a retriable error while publishing a subscribed message to topic orders, err: <nil>\n"},
		{"RETRY before 1.11", "1.10", false, retry, ""},
		{"unknown status", "1.11", false, unknown,
			"WARN[0006] encountered a retriable error while publishing a subscribed message to topic orders, err: <nil>\n"},
		{"app unreachable", "1.14", false, refused,
			"WARN[0006] encountered a retriable error while publishing a subscribed message to topic orders, err: dial tcp 127.0.0.1:3000: connect: connection refused\n"},
		{"app unreachable before 1.11", "1.10", false, refused, ""},
		{"attempt timed out", "1.14", false, call(func(e *Event) { e.Outcome, e.Error = Error, "context deadline exceeded" }), ""},
		{"breaker refused", "1.14", false, call(func(e *Event) { e.Outcome, e.Error = Rejected, "circuit breaker is open" }), ""},
		{"plain success", "1.14", false, call(func(e *Event) { e.Outcome = OK }), ""},
		{"404", "1.14", false, call(func(e *Event) { e.Outcome, e.Status, e.Body = OK, 404, "Not Found" }),
			"ERRO[0006] non-retriable error returned from app while processing pub/sub event e-1: Not Found. status code returned: 404\n"},
		{"DROP", "1.10", false, call(func(e *Event) { e.Outcome, e.Answer = OK, "DROP" }),
			"WARN[0006] DROP status returned from app while processing pub/sub event e-1\n"},
		{"a store call with a status prints nothing", "1.14", false,
			Event{T: at, Kind: Call, App: "checkout", Target: "statestore", Op: "save", Outcome: Error, Status: 500, Error: "x"}, ""},
		{"dead-letter publish failed, message lost", "1.14", false,
			deliver(func(e *Event) {
				e.Outcome, e.Error, e.Result, e.DeadLetter = Error, "connection refused", ResultLost, "poison"
			}),
			"ERRO[0006] error sending message to dead letter, origin topic: orders dead letter topic poison err: %!w(connection refused)\n"},
		{"dropped message's dead-letter publish failed", "1.14", false,
			deliver(func(e *Event) {
				e.Outcome, e.Error, e.Result, e.DeadLetter = OK, "connection refused", ResultDropped, "poison"
			}),
			"ERRO[0006] error sending message to dead letter, origin topic: orders dead letter topic poison err: %!w(connection refused)\n" +
				"WARN[0006] failed to send dropped message to dead letter queue for topic orders: connection refused\n"},
		{"dead-letter publish failed, message left pending", "1.16", false,
			deliver(func(e *Event) {
				e.Outcome, e.Error, e.Result, e.DeadLetter = Error, "connection refused", ResultPending, "poison"
			}),
			"ERRO[0006] error sending message to dead letter, origin topic: orders dead letter topic poison err: %!w(connection refused)\n" +
				"ERRO[0006] Error processing Redis message 946684806000-0: connection refused\n"},
		{"left pending", "1.14", false,
			deliver(func(e *Event) { e.Outcome, e.Error, e.Result = Error, "context deadline exceeded", ResultPending }),
			"ERRO[0006] Error processing Redis message 946684806000-0: context deadline exceeded\n"},
		{"left pending, several sidecars: padded to 44 columns", "1.14", true,
			deliver(func(e *Event) { e.Message, e.Outcome, e.Error, e.Result = "1-0", Error, "boom", ResultPending }),
			"ERRO[0006] Error processing Redis message 1-0: boom      app_id=checkout\n"},
		{"acknowledgement failed", "1.14", false,
			deliver(func(e *Event) { e.Outcome, e.Error, e.Result = OK, "connect: connection refused", ResultAckFailed }),
			"ERRO[0006] Error acknowledging Redis message 946684806000-0: connect: connection refused\n"},
		{"unrouted, dead-letter publish failed", "1.14", false,
			deliver(func(e *Event) {
				e.Outcome, e.Error, e.Result, e.DeadLetter = OK, "connection refused", ResultUnrouted, "poison"
			}),
			"ERRO[0006] error sending message to dead letter, origin topic: orders dead letter topic poison err: %!w(connection refused)\n"},
		{"dead-lettered, then the acknowledgement failed", "1.14", false,
			deliver(func(e *Event) {
				e.Outcome, e.Error, e.Result, e.DeadLetter = OK, "connection refused", ResultAckFailed, "poison"
			}),
			"ERRO[0006] Error acknowledging Redis message 946684806000-0: connection refused\n"},
		{"dead-lettered: the runner's error is no publish failure", "1.14", false,
			deliver(func(e *Event) {
				e.Outcome, e.Error, e.Result, e.DeadLetter = Error, "context deadline exceeded", ResultDeadLetter, "poison"
			}), ""},
		{"acknowledged, with the app's line", "1.14", false,
			deliver(func(e *Event) { e.Outcome, e.Result, e.Log = OK, ResultAck, "got order 5 (100%d)" }),
			"== APP == got order 5 (100%d)\n"},
		{"acknowledged, several sidecars", "1.14", true,
			deliver(func(e *Event) { e.Outcome, e.Result, e.Log = OK, ResultAck, "got order 5" }),
			"== APP - checkout == got order 5\n"},
		{"acknowledged, no app line", "1.14", false, deliver(func(e *Event) { e.Outcome, e.Result = OK, ResultAck }), ""},
		{"redelivered: debug only", "1.14", false,
			Event{T: at, Kind: Redeliver, App: "checkout", Target: "pubsub", Topic: "orders", Message: "1-0", EventID: "e-1", Deliveries: 2}, ""},
	} {
		w, err := WordingFor(tc.release)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		l := NewLogWriter(&buf, w)
		l.Sidecars = tc.sidecars
		got, ok := l.Line(&tc.ev)
		if ok != (tc.want != "") || got != tc.want {
			t.Errorf("%s (%s): Line\n got %q (printed %v)\nwant %q", tc.name, tc.release, got, ok, tc.want)
		}
		// Record writes the same, through its own path for app lines.
		if err := l.Record(&tc.ev); err != nil {
			t.Fatal(err)
		}
		if err := l.Flush(); err != nil {
			t.Fatal(err)
		}
		if buf.String() != tc.want {
			t.Errorf("%s (%s): Record wrote\n %q\nwant %q", tc.name, tc.release, buf.String(), tc.want)
		}
	}
}

// A delivery's explanation is printed like a failed step's: only when it
// has one.
func TestDeliveryExplanation(t *testing.T) {
	e := Event{T: 8 * time.Second, Kind: Deliver, Outcome: Error, Why: "4 attempts against maxRetries 3"}
	if got, ok := Explanation(&e); !ok || got != "    why @8s: 4 attempts against maxRetries 3\n" {
		t.Errorf("got %q %v", got, ok)
	}
	e.Why = ""
	if got, ok := Explanation(&e); ok {
		t.Errorf("without a why: got %q", got)
	}
	// A redelivery has no why, only a decision line: what reclaimed it.
	r := Event{T: 75 * time.Second, Kind: Redeliver, Why: "x", Message: "946684810000-0", Deliveries: 2}
	if got, ok := Explanation(&r); !ok || got != "    decision @1m15s: message 946684810000-0 pending since its last delivery for processingTimeout: reclaimed, delivery 2\n" {
		t.Errorf("redeliver: got %q %v", got, ok)
	}
}

// A delivery that did not end acknowledged as taken gets a decision line,
// after its why line when it has one; an acknowledged one gets none.
func TestDeliveryDecision(t *testing.T) {
	const why = "    why @8s: 4 attempts against maxRetries 3\n"
	for _, tc := range []struct {
		result, deadLetter, err string
		op, why                 string
		want                    string // the decision, after "    decision @8s: "
	}{
		{result: ResultAck},
		{result: ResultAck, op: "trigger"},
		{result: ResultPending, why: why, want: "not acknowledged: pubsub.redis redelivers it processingTimeout after its last delivery"},
		{result: ResultPending, deadLetter: "orders-dlq", err: "context deadline exceeded", want: "not acknowledged; the publish to dead-letter topic orders-dlq failed: pubsub.redis redelivers it processingTimeout after its last delivery"},
		{result: ResultDeadLetter, deadLetter: "orders-dlq", why: why, want: "the runner gave up: forwarded to dead-letter topic orders-dlq and acknowledged"},
		{result: ResultLost, deadLetter: "orders-dlq", err: "context deadline exceeded", want: "the publish to dead-letter topic orders-dlq failed and the message was acknowledged anyway (Dapr 1.12-1.14): lost"},
		{result: ResultNotFound, want: "the app answered 404: acknowledged, not retried"},
		{result: ResultDropped, want: "the app answered DROP: acknowledged, not retried"},
		{result: ResultDropped, deadLetter: "orders-dlq", want: "the app answered DROP: acknowledged, not retried; forwarded to dead-letter topic orders-dlq"},
		{result: ResultUnrouted, want: "no routing rule matched: acknowledged undelivered"},
		{result: ResultAckFailed, want: "the app took it but the XACK failed: it stays pending and will come back"},
		{result: ResultFailed, op: "trigger", why: why, want: "the app did not answer 200: the binding's event is gone (cron does not retry)"},
	} {
		e := Event{T: 8 * time.Second, Kind: Deliver, Op: tc.op, Result: tc.result, DeadLetter: tc.deadLetter, Error: tc.err}
		if tc.why != "" {
			e.Why = "4 attempts against maxRetries 3"
		}
		want := tc.why
		if tc.want != "" {
			want += "    decision @8s: " + tc.want + "\n"
		}
		if got, ok := Explanation(&e); got != want || ok != (want != "") {
			t.Errorf("%s (dead letter %q): got %q %v\nwant %q", tc.result, tc.deadLetter, got, ok, want)
		}
	}
}
