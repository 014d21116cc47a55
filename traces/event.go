package traces

import (
	"fmt"
	"time"
)

// Kind says what an event records. Its String is the `kind:` written in
// traces, so changing one is a trace format change.
type Kind uint8

const (
	_ Kind = iota
	// Fault: the availability script changed a target (Change says how).
	Fault
	// Call: one attempt of an operation ended: the store or called app
	// answered, the attempt's timeout fired, or the breaker refused it.
	Call
	// Op: the app saw the final result of one step.
	Op
	// Breaker: a circuit breaker changed state, as Dapr logs it.
	Breaker
	// Retry: a failed attempt will be retried after Delay. Notice marks the
	// one per call that Dapr logs ("Error processing operation ...").
	Retry
	// Recovered: an attempt succeeded after a logged retry notice.
	Recovered
	// Timeout: an attempt's deadline fired before the target answered.
	Timeout
	// Try: one try of a Redis command by a store's component client (the
	// go-redis retry loop inside an attempt, issue 12) ended: Command, Try
	// (1-based within the command), Outcome, Error, and Delay, the backoff
	// before the next try when one follows. Recorded for the attempts in
	// which a try failed, from that try on; an attempt whose tries all
	// succeed is one try and its call event says it all.
	Try
	// Deliver: one delivery of a pub/sub message to a subscriber app ended
	// (issue 14): the inbound runner's attempts are call events with op
	// deliver before it. Topic, Message (the stream entry id), EventID (the
	// CloudEvent id), Attempts, Outcome, Error (the runner's final error),
	// Took, Log (the app's line, on ok) and Result: what the subscriber's
	// sidecar did with the message (see the Result constants).
	Deliver
	// Redeliver: the component's reclaim loop took back a message pending
	// for processingTimeout (XCLAIM) to deliver it again: App (the
	// subscriber's sidecar), Target (the pub/sub), Topic, Message, EventID
	// and Deliveries (the entry's delivery count after the claim).
	Redeliver
)

// What a subscriber's sidecar did with a message at the end of a delivery
// (a deliver event's Result).
const (
	ResultAck        = "ack"        // acknowledged (XACK): the app took it
	ResultPending    = "pending"    // not acknowledged: the component redelivers it later
	ResultDeadLetter = "deadletter" // forwarded to the dead-letter topic, then acknowledged
	ResultDropped    = "dropped"    // the app answered DROP: acknowledged
	ResultNotFound   = "notfound"   // the app answered 404: acknowledged, not retried
	// ResultUnimplemented: a gRPC app answered the error code
	// Unimplemented: acknowledged, not retried (Dapr's gRPC counterpart
	// of 404).
	ResultUnimplemented = "unimplemented"
	ResultLost          = "lost"      // the dead-letter publish failed and the message was acknowledged anyway (1.12-1.14)
	ResultUnrouted      = "unrouted"  // no routing rule matched: acknowledged without a delivery
	ResultAckFailed     = "ackfailed" // the app took it but the XACK failed: it stays pending
	ResultFailed        = "failed"    // an input binding's event the app did not take (not 200): gone, cron does not retry
)

var kindNames = [...]string{"", "fault", "call", "op", "breaker", "retry", "recovered", "timeout", "try", "deliver", "redeliver"}

func (k Kind) String() string {
	if int(k) < len(kindNames) && k != 0 {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// ParseKind is the inverse of Kind.String.
func ParseKind(s string) (Kind, bool) {
	for i, n := range kindNames {
		if i > 0 && n == s {
			return Kind(i), true
		}
	}
	return 0, false
}

// Outcome is how an attempt or an operation ended.
type Outcome uint8

const (
	_ Outcome = iota
	OK
	Error
	// Rejected: the circuit breaker refused the attempt (open, or half-open
	// with maxRequests already admitted); the target was not reached.
	Rejected
)

var outcomeNames = [...]string{"", "ok", "error", "rejected"}

func (o Outcome) String() string {
	if int(o) < len(outcomeNames) && o != 0 {
		return outcomeNames[o]
	}
	return fmt.Sprintf("outcome(%d)", uint8(o))
}

// ParseOutcome is the inverse of Outcome.String.
func ParseOutcome(s string) (Outcome, bool) {
	for i, n := range outcomeNames {
		if i > 0 && n == s {
			return Outcome(i), true
		}
	}
	return 0, false
}

// Event is one fact of a run at virtual time T (time since the run started).
// It is flat on purpose: one value type for every kind keeps recording free of
// allocations; which fields a kind uses is listed on Kind and in docs/trace.md.
type Event struct {
	T    time.Duration
	Kind Kind

	// Who: set on call, op, retry, recovered and timeout events.
	App       string
	Worker    int    // 0-based
	Iteration int    // 1-based; the {i} of step log templates
	Step      int    // 1-based position in the app's steps
	Target    string // component name, or app id for invocations
	Op        string // save, get, delete
	Operation string // Dapr's operation name: component[statestore] output

	Attempt  int           // call, retry, timeout, try: which attempt (1-based)
	Try      int           // try: which try of the command (1-based)
	Command  string        // try: the Redis command (EVAL, HGETALL, GET)
	Attempts int           // op, recovered: attempts made in total
	Outcome  Outcome       // call, op, try
	Error    string        // call, op, try: the error text when not ok
	Took     time.Duration // op: from the app issuing the step to its result
	// Log (op, deliver): the app's line, printed as "== APP == ..." on
	// success. Read it with LogText: a run records an op's line (and an
	// input binding's) as AppLine, worded only where text is written.
	Log string
	// Stale (call): the breaker admitted the attempt in a generation that
	// has since ended, so it ignored the outcome (gobreaker's rule).
	Stale bool

	Delay  time.Duration // retry: the backoff as Dapr reports it (a negative one waits 0); try: go-redis's backoff before the next try
	Notice bool          // retry: Dapr logs this one

	// Messages (deliver, redeliver, and the call events of a delivery).
	Topic   string // the topic the message was published to
	Message string // the stream entry id, e.g. 946684806000-0
	EventID string // the CloudEvent id Dapr logs for the message
	Status  int    // call (deliver): the HTTP status the app answered, when not a plain success
	Answer  string // call (deliver): the status the app's 2xx body gave, when not SUCCESS (RETRY, DROP)
	Body    string // call (deliver): the body of the app's error status; for a gRPC app, its error's message
	// Code (call, deliver or trigger) is the gRPC status code a gRPC app
	// (protocol: grpc) answered an error with, by grpc-go's name
	// (Unavailable when its app channel is refused); "" for an HTTP app.
	Code       string
	Result     string // deliver: ack, pending, deadletter, dropped, notfound, unimplemented, lost, unrouted, ackfailed, failed
	Deliveries int    // redeliver: the entry's delivery count after the claim
	// DeadLetter (deliver): the dead-letter topic the message was
	// published to; with Result lost or pending, or dropped with an Error,
	// that publish failed with Error.
	DeadLetter string

	Name string // breaker: the name Dapr logs, e.g. simpleCB-statestore
	From string // breaker: state before
	To   string // breaker: state after

	Change string // fault: stop, start; for a window: slow, error, flaky, failEvery, flapping, refused, noAnswer, hang, then down/up (flapping) and end
	Detail string // fault: what a window does, e.g. "latency 3s, ops get"

	// Why (breaker, retry, op, call) says in numbers why the machine
	// decided what it did: the trip expression and the counts it saw, the
	// open period that ended, the backoff drawn and its bounds, the attempts
	// against maxRetries; on a call, the component client's tries when one
	// failed (issue 12). `--explain` prints it. Read it with WhyText: a run
	// records most of it as Reason, worded only where text is written.
	Why string
	// Reason (breaker, retry, op) is the why as facts, for WhyText to word;
	// a trace records the words, so an event read back has Why instead.
	Reason Reason
	// AppLine (op, deliver) is the app's line as facts, for LogText to
	// word; a trace records the words, so an event read back has Log
	// instead.
	AppLine AppLine
}

// Sink receives events in order as a run produces them. Sinks must not keep
// the pointer: the engine reuses the value.
type Sink interface {
	Record(e *Event) error
}

// Sinks fans one event out to several sinks, stopping at the first error.
type Sinks []Sink

// Record implements Sink.
func (s Sinks) Record(e *Event) error {
	for _, k := range s {
		if err := k.Record(e); err != nil {
			return err
		}
	}
	return nil
}

// Collector is a Sink that keeps a copy of every event, in order. Writers
// never hold events, nor does replay (see Comparer); use it only where the
// events are needed together (tests, short runs). An event it keeps has its
// app line worded in Log, as events had before AppLine: code that holds a
// run's events (simtest.Result.Events) reads Log as it always did.
type Collector struct {
	Events []Event
}

// Record implements Sink.
func (c *Collector) Record(e *Event) error {
	c.Events = append(c.Events, *e)
	if e.Log == "" && e.AppLine.Template != nil {
		c.Events[len(c.Events)-1].Log = e.LogText()
	}
	return nil
}
