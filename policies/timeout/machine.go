package timeout

import (
	"context"
	"fmt"
	"time"

	"github.com/dapr-sim/sim/fsm"
)

// ErrDeadlineExceeded is the error a timed-out attempt fails with. It is
// context.DeadlineExceeded, whose text "context deadline exceeded" is what
// Dapr returns (ctx.Err()) and what the breaker counts as a failure.
var ErrDeadlineExceeded = context.DeadlineExceeded

// Policy is a resolved timeout policy. Duration ≤ 0 means no timeout: Dapr
// only wraps the operation when the timeout is positive.
type Policy struct {
	Name     string
	Duration time.Duration
}

// State is where one attempt is with respect to its deadline.
type State uint8

const (
	// Idle: the attempt has not started.
	Idle State = iota
	// Running: started, neither answered nor expired.
	Running
	// Completed: the answer came first and was delivered.
	Completed
	// TimedOut: the deadline came first; the attempt has failed.
	TimedOut
)

var stateNames = [...]string{Idle: "idle", Running: "running", Completed: "completed", TimedOut: "timed-out"}

func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("state(%d)", uint8(s))
}

// Attempt is the timeout state of one attempt, as a value.
type Attempt struct {
	State       State
	Deadline    time.Duration // when the deadline fires; meaningful if HasDeadline
	HasDeadline bool
}

// EventKind says what happened to an attempt.
type EventKind uint8

const (
	Started EventKind = iota
	Answered
	DeadlineFired
)

var eventNames = [...]string{Started: "started", Answered: "answered", DeadlineFired: "deadlineFired"}

func (k EventKind) String() string {
	if int(k) < len(eventNames) {
		return eventNames[k]
	}
	return fmt.Sprintf("event(%d)", uint8(k))
}

// Event is one input to Step.
type Event struct {
	Kind EventKind
	Now  time.Duration
}

// EffectKind says what an Effect orders.
type EffectKind uint8

const (
	// ScheduleDeadline orders a DeadlineFired event at At.
	ScheduleDeadline EffectKind = iota + 1
	// Deliver passes the answer on (to the breaker and the retry loop).
	Deliver
	// Expired fails the attempt now with Err (ErrDeadlineExceeded).
	Expired
	// Discard drops an answer that arrived after the deadline.
	Discard
)

var effectNames = [...]string{ScheduleDeadline: "scheduleDeadline", Deliver: "deliver", Expired: "expired", Discard: "discard"}

func (k EffectKind) String() string {
	if int(k) < len(effectNames) && k != 0 {
		return effectNames[k]
	}
	return fmt.Sprintf("effect(%d)", uint8(k))
}

// Effect is one output of Step, as data.
type Effect struct {
	Kind EffectKind
	At   time.Duration // ScheduleDeadline
	Err  error         // Expired
}

// String describes the effect for traces and test output.
func (e Effect) String() string {
	switch e.Kind {
	case ScheduleDeadline:
		return fmt.Sprintf("scheduleDeadline at %v", e.At)
	case Expired:
		return fmt.Sprintf("expired: %v", e.Err)
	}
	return e.Kind.String()
}

// GuardInput is what the timeout table's guards look at.
type GuardInput struct {
	Now         time.Duration
	Timeout     time.Duration // the policy's duration
	Deadline    time.Duration
	HasDeadline bool
}

const (
	rowStartTimed = iota
	rowStartUntimed
	rowAnswer
	rowExpire
	rowLateAnswer
	rowStaleTimer
	rowCount
)

type row = fsm.Transition[State, EventKind, GuardInput]

var rows = [rowCount]row{
	rowStartTimed: {From: Idle, On: Started, To: Running, Guard: func(g GuardInput) bool { return g.Timeout > 0 },
		GuardText: "timeout > 0", Note: "schedule the deadline at now + timeout"},
	rowStartUntimed: {From: Idle, On: Started, To: Running, Note: "timeout ≤ 0: Dapr applies no timeout, nothing to schedule"},
	rowAnswer:       {From: Running, On: Answered, To: Completed, Note: "the answer came first: deliver it"},
	rowExpire: {From: Running, On: DeadlineFired, To: TimedOut, Guard: func(g GuardInput) bool { return g.HasDeadline && g.Deadline <= g.Now },
		GuardText: "deadline set && deadline <= now", Note: "the deadline came first: the attempt fails now; the operation keeps running"},
	rowLateAnswer: {From: TimedOut, On: Answered, To: TimedOut, Note: "the late answer is dropped (Dapr disposes of it)"},
	rowStaleTimer: {From: Completed, On: DeadlineFired, To: Completed, Guard: func(g GuardInput) bool { return g.HasDeadline },
		GuardText: "deadline set", Note: "ignored on purpose: a stale timer; timers are not cancelled, their firing after the answer is recognised as stale"},
	// Everything else is rejected: one start, one answer and one deadline
	// per attempt, and no deadline without a timeout.
}

var table = fsm.NewTable("timeout", rows[:]...)

// pick (machine_gen.go) is table's decision compiled from rows; Apply runs
// it, and TestCompiledPickAgrees holds it to table.Pick.
//go:generate go run github.com/dapr-sim/sim/internal/fsmgen/gen -rows rows -func pick machine.go

// Table returns the timeout table, the one Step runs, for rendering.
// Callers must not modify it.
func Table() *fsm.Table[State, EventKind, GuardInput] { return table }

// New returns an attempt that has not started.
func New() Attempt { return Attempt{} }

// Step applies one event to attempt a of policy p and returns the next
// value, with effects appended to effects. An event the state does not
// accept returns an *fsm.RejectedError, a and effects unchanged.
func Step(p *Policy, a Attempt, ev Event, effects []Effect) (Attempt, []Effect, error) {
	effects, err := Apply(p, &a, ev, effects)
	return a, effects, err
}

// Apply is Step on *a in place, for an engine that keeps its attempts in
// place. On error *a and effects are unchanged.
func Apply(p *Policy, a *Attempt, ev Event, effects []Effect) ([]Effect, error) {
	g := GuardInput{Now: ev.Now, Timeout: p.Duration, Deadline: a.Deadline, HasDeadline: a.HasDeadline}
	row, to, ok := pick(a.State, ev.Kind, &g)
	if !ok {
		return effects, table.Reject(a.State, ev.Kind)
	}
	a.State = to
	switch row {
	case rowStartTimed:
		a.Deadline, a.HasDeadline = ev.Now+p.Duration, true
		effects = append(effects, Effect{Kind: ScheduleDeadline, At: a.Deadline})
	case rowStartUntimed:
		a.Deadline, a.HasDeadline = 0, false
	case rowAnswer:
		effects = append(effects, Effect{Kind: Deliver})
	case rowExpire:
		effects = append(effects, Effect{Kind: Expired, Err: ErrDeadlineExceeded})
	case rowLateAnswer:
		effects = append(effects, Effect{Kind: Discard})
	case rowStaleTimer:
		// Nothing: see the row's note.
	}
	return effects, nil
}
