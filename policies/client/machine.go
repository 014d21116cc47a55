package client

import (
	"fmt"
	"time"

	"github.com/dapr-sim/sim/fsm"
)

// State is where one command is in go-redis's retry loop
// (baseClient._process: for attempt := 0; attempt <= MaxRetries; …).
type State uint8

const (
	// Idle: the command has not been sent.
	Idle State = iota
	// Trying: a try is on the wire (a connect, then the command and its
	// reply).
	Trying
	// Sleeping: a try failed and go-redis sleeps its backoff before the next.
	Sleeping
	// Succeeded: a try got its reply.
	Succeeded
	// Failed: the last try failed and go-redis returned its error.
	Failed
)

var stateNames = [...]string{Idle: "idle", Trying: "trying", Sleeping: "sleeping", Succeeded: "succeeded", Failed: "failed"}

func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("state(%d)", uint8(s))
}

// Command is one Redis command through its tries, as a value.
type Command struct {
	State   State
	Tries   int     // tries started
	Failure Failure // how the last try failed
}

// EventKind says what happened to a command.
type EventKind uint8

const (
	// Sent: the component hands the command to go-redis.
	Sent EventKind = iota
	// Answered: the try got its reply (an error reply is TryFailed with
	// Reply).
	Answered
	// TryFailed: the try failed with Event.Failure.
	TryFailed
	// SleepElapsed: the backoff is over.
	SleepElapsed
)

var eventNames = [...]string{Sent: "sent", Answered: "answered", TryFailed: "tryFailed", SleepElapsed: "sleepElapsed"}

func (k EventKind) String() string {
	if int(k) < len(eventNames) {
		return eventNames[k]
	}
	return fmt.Sprintf("event(%d)", uint8(k))
}

// Event is one input to Step. Draw is what the engine's source returned for
// rand.Int63n(DrawBound(retry)) when a retry follows (see DrawBound); the
// machine never draws.
type Event struct {
	Kind    EventKind
	Now     time.Duration
	Failure Failure
	Draw    int64
}

// EffectKind says what an Effect orders.
type EffectKind uint8

const (
	// Try orders a try now.
	Try EffectKind = iota + 1
	// ScheduleTry orders SleepElapsed at At, after sleeping Sleep.
	ScheduleTry
	// Done returns the command's result: OK, or the last Failure.
	Done
)

var effectNames = [...]string{Try: "try", ScheduleTry: "scheduleTry", Done: "done"}

func (k EffectKind) String() string {
	if int(k) < len(effectNames) && k != 0 {
		return effectNames[k]
	}
	return fmt.Sprintf("effect(%d)", uint8(k))
}

// Effect is one output of Step, as data.
type Effect struct {
	Kind    EffectKind
	At      time.Duration // ScheduleTry
	Sleep   time.Duration // ScheduleTry
	OK      bool          // Done
	Failure Failure       // Done, when not OK
}

// String describes the effect for traces and test output.
func (e Effect) String() string {
	switch e.Kind {
	case ScheduleTry:
		return fmt.Sprintf("scheduleTry at %v (sleep %v)", e.At, e.Sleep)
	case Done:
		if e.OK {
			return "done: ok"
		}
		return "done: " + e.Failure.String()
	}
	return e.Kind.String()
}

// GuardInput is what the command table's guards look at.
type GuardInput struct {
	Retried   bool // go-redis retries this failure
	TriesLeft bool // tries < MaxRetries+1
}

const (
	rowSend = iota
	rowAnswer
	rowRetry
	rowGiveUp
	rowWake
	rowCount
)

type row = fsm.Transition[State, EventKind, GuardInput]

var rows = [rowCount]row{
	rowSend:   {From: Idle, On: Sent, To: Trying, Note: "the first try starts at once"},
	rowAnswer: {From: Trying, On: Answered, To: Succeeded, Note: "the reply reaches the component"},
	rowRetry: {From: Trying, On: TryFailed, To: Sleeping, Guard: func(g GuardInput) bool { return g.Retried && g.TriesLeft },
		GuardText: "shouldRetry(err) && attempt < maxRetries", Note: "sleep RetryBackoff(attempt): floor + rand(floor << attempt), capped"},
	rowGiveUp: {From: Trying, On: TryFailed, To: Failed,
		Note: "an error go-redis does not retry, or the last try: the component returns it to Dapr's runner"},
	rowWake: {From: Sleeping, On: SleepElapsed, To: Trying, Note: "the next try"},
	// A cancelled context (a Dapr timeout, 1.10+) ends the command from
	// outside: the engine drops its pending events; the machine sees
	// nothing more.
}

var table = fsm.NewTable("client", rows[:]...)

// pick (machine_gen.go) is table's decision compiled from rows; Apply runs
// it, and TestCompiledPickAgrees holds it to table.Pick.
//go:generate go run github.com/dapr-sim/sim/internal/fsmgen/gen -rows rows -func pick machine.go

// Table returns the command table, the one Step runs, for rendering.
// Callers must not modify it.
func Table() *fsm.Table[State, EventKind, GuardInput] { return table }

// Step applies one event to command c under settings s and returns the next
// value, with effects appended to effects. An event the state does not
// accept returns an *fsm.RejectedError, c and effects unchanged.
func Step(s *Settings, c Command, ev Event, effects []Effect) (Command, []Effect, error) {
	effects, err := Apply(s, &c, ev, effects)
	return c, effects, err
}

// Apply is Step on *c in place, for an engine that keeps its commands in
// place. On error *c and effects are unchanged.
func Apply(s *Settings, c *Command, ev Event, effects []Effect) ([]Effect, error) {
	g := GuardInput{Retried: s.Retried(ev.Failure), TriesLeft: c.Tries < s.Tries()}
	row, to, ok := pick(c.State, ev.Kind, &g)
	if !ok {
		return effects, table.Reject(c.State, ev.Kind)
	}
	c.State = to
	switch row {
	case rowSend, rowWake:
		c.Tries++
		effects = append(effects, Effect{Kind: Try})
	case rowAnswer:
		effects = append(effects, Effect{Kind: Done, OK: true})
	case rowRetry:
		c.Failure = ev.Failure
		sleep := s.Backoff(c.Tries, ev.Draw)
		effects = append(effects, Effect{Kind: ScheduleTry, At: ev.Now + sleep, Sleep: sleep})
	case rowGiveUp:
		c.Failure = ev.Failure
		effects = append(effects, Effect{Kind: Done, Failure: ev.Failure})
	}
	return effects, nil
}
