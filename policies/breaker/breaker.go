package breaker

import (
	"errors"
	"fmt"
	"time"
)

// State is a breaker state. The values and words are gobreaker's; Dapr logs
// the words ("changed state from closed to open").
type State uint8

const (
	Closed State = iota
	HalfOpen
	Open
)

var stateNames = [...]string{Closed: "closed", HalfOpen: "half-open", Open: "open"}

func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("state(%d)", uint8(s))
}

// Sentinel rejections, with gobreaker v0.5.0's exact texts (Dapr re-exports
// them as breaker.ErrOpenState and breaker.ErrTooManyRequests).
var (
	ErrOpenState       = errors.New("circuit breaker is open")
	ErrTooManyRequests = errors.New("too many requests")
)

// Breaker is the state of one breaker instance, as a value. Expiry is
// virtual time since the start of the run; when Expires is false the expiry
// is gobreaker's zero time (closed without an interval, and half-open).
type Breaker struct {
	State      State
	Generation uint64
	Counts     Counts
	Expiry     time.Duration
	Expires    bool
}

// New returns a closed breaker that has started its first generation at
// now, as gobreaker's NewCircuitBreaker does (generation 1, counts zero,
// expiry now+Interval or none). Settings are resolved first.
func New(s Settings, now time.Duration) Breaker {
	s = s.Resolve()
	return enter(Breaker{State: Closed}, &s, Closed, now)
}

// EventKind says what happened to a breaker.
type EventKind uint8

const (
	// Consulted is a clock check with no request: gobreaker's State(),
	// which Dapr calls before and after every attempt and when resolving a
	// policy. It can move open → half-open or clear an expired interval.
	Consulted EventKind = iota
	// Requested asks for admission (beforeRequest): clock check, then admit
	// or reject.
	Requested
	// Succeeded and Failed report an admitted request's outcome
	// (afterRequest): clock check, then ignore it if Event.Generation is
	// not the current generation, else count it.
	Succeeded
	Failed
)

var eventNames = [...]string{Consulted: "consulted", Requested: "requested", Succeeded: "succeeded", Failed: "failed"}

func (k EventKind) String() string {
	if int(k) < len(eventNames) {
		return eventNames[k]
	}
	return fmt.Sprintf("event(%d)", uint8(k))
}

// Event is one input to Step. Generation matters for Succeeded and Failed
// only: it is the generation the Admitted effect reported.
type Event struct {
	Kind       EventKind
	Now        time.Duration
	Generation uint64
}

// EffectKind says what an Effect orders or reports.
type EffectKind uint8

const (
	// Changed reports a state change From → To; Generation is the new
	// generation. Dapr logs each one at INFO.
	Changed EffectKind = iota + 1
	// Admitted lets the request through; its outcome must carry Generation.
	Admitted
	// Rejected refuses the request with Reason (ErrOpenState or
	// ErrTooManyRequests); the counts are not touched.
	Rejected
	// Stale records an outcome of an older generation (Generation is the
	// outcome's); it does not move the machine.
	Stale
	// Cleared reports that a closed-state interval expired: counts cleared,
	// new Generation, nothing logged by Dapr.
	Cleared
)

var effectNames = [...]string{Changed: "changed", Admitted: "admitted", Rejected: "rejected", Stale: "stale", Cleared: "cleared"}

func (k EffectKind) String() string {
	if int(k) < len(effectNames) && k != 0 {
		return effectNames[k]
	}
	return fmt.Sprintf("effect(%d)", uint8(k))
}

// Effect is one output of Step, as data. Only the fields named in the
// Kind's documentation are set.
type Effect struct {
	Kind       EffectKind
	From, To   State
	Generation uint64
	Reason     error
}

// String describes the effect for traces and test output.
func (e Effect) String() string {
	switch e.Kind {
	case Changed:
		return fmt.Sprintf("changed %s → %s (generation %d)", e.From, e.To, e.Generation)
	case Admitted, Stale, Cleared:
		return fmt.Sprintf("%s (generation %d)", e.Kind, e.Generation)
	case Rejected:
		return fmt.Sprintf("rejected: %v", e.Reason)
	}
	return e.Kind.String()
}
