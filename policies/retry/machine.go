package retry

import (
	"fmt"
	"time"

	"github.com/dapr-sim/sim/fsm"
)

// NeedsJitter reports whether NextBackOff reads its random number u: only
// an exponential policy with a non-zero randomization factor does, so the
// engine draws from its source only then and draws stay in event order.
func (p *Policy) NeedsJitter() bool {
	return p.Kind == Exponential && p.RandomizationFactor != 0
}

// DrawsJitter reports whether the next NextBackOff from b reads u: the
// policy NeedsJitter and maxRetries is not spent yet (once it is, the
// wrapper stops without asking the exponential backoff). An engine draws
// for a failed attempt that is not permanent exactly then.
func (p *Policy) DrawsJitter(b Backoff) bool {
	return p.NeedsJitter() && !p.spent(b)
}

// spent: maxRetries NextBackOff calls were already made since Reset.
func (p *Policy) spent(b Backoff) bool {
	return p.MaxRetries >= 0 && b.Tries >= p.MaxRetries
}

// stopDelay is cenkalti/backoff's Stop value. A NextBackOff that returns it
// ends the retry loop, even when it is a configured delay (duration -1ns).
const stopDelay time.Duration = -1

// Backoff is the per-call state of Dapr's backoff, the fields of
// backoff.WithMaxRetries(ExponentialBackOff or ConstantBackOff) that change.
type Backoff struct {
	// Tries counts NextBackOff calls since Reset that passed the maxRetries
	// wrapper (numTries in backoff's tries.go).
	Tries int64
	// Interval is the exponential backoff's current interval (ci) before
	// randomization.
	Interval time.Duration
	// Start is when Reset ran: MaxElapsedTime is measured from here.
	Start time.Duration
}

// Reset is backoff's Reset at the start of a call: ci = InitialInterval,
// start = now, no tries.
func (p *Policy) Reset(now time.Duration) Backoff {
	return Backoff{Interval: p.InitialInterval, Start: now}
}

// NextBackOff is backoff v4.3.0's NextBackOff as configured by dapr/kit, at
// virtual time now with u ∈ [0,1) as rand.Float64(). It returns the
// advanced state and either a delay (stop == None) or why the loop ends.
// Like the real wrappers, it does not consult the inner backoff once
// maxRetries is used up, so ci then stays as it was.
func (p *Policy) NextBackOff(b Backoff, now time.Duration, u float64) (next Backoff, delay time.Duration, stop Reason) {
	if p.spent(b) {
		return b, stopDelay, MaxRetries
	}
	b.Tries++
	switch p.Kind {
	case Exponential:
		elapsed := now - b.Start
		delay = randomize(p.RandomizationFactor, u, b.Interval)
		b.Interval = grow(b.Interval, p.MaxInterval, p.Multiplier)
		if p.MaxElapsedTime != 0 && elapsed+delay > p.MaxElapsedTime {
			return b, stopDelay, MaxElapsed
		}
	default:
		delay = p.Duration
	}
	if delay == stopDelay {
		return b, delay, StopDelay
	}
	return b, delay, None
}

// randomize is backoff's getRandomValueFromInterval. The explicit float64
// conversions forbid fused multiply-add, so every platform rounds the same
// way (amd64, where backoff is usually built, never fuses).
func randomize(rf, u float64, ci time.Duration) time.Duration {
	if rf == 0 {
		return ci
	}
	delta := float64(rf * float64(ci))
	lo := float64(ci) - delta
	hi := float64(ci) + delta
	return time.Duration(lo + float64(u*(hi-lo+1)))
}

// grow is backoff's incrementCurrentInterval: MaxInterval caps ci (not the
// randomized delay).
func grow(ci, maxInterval time.Duration, multiplier float64) time.Duration {
	if float64(ci) >= float64(maxInterval)/multiplier {
		return maxInterval
	}
	return time.Duration(float64(ci) * multiplier)
}

// State is where a call is in its retry loop.
type State uint8

const (
	// Ready: about to start an attempt (after Start or a finished wait).
	Ready State = iota
	// Attempting: an attempt is running.
	Attempting
	// Waiting: sleeping the backoff delay before the next attempt.
	Waiting
	// Succeeded and Failed are final.
	Succeeded
	Failed
)

var stateNames = [...]string{Ready: "ready", Attempting: "attempting", Waiting: "waiting", Succeeded: "succeeded", Failed: "failed"}

func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("state(%d)", uint8(s))
}

// Reason says why a call stopped retrying; None means it did not.
type Reason uint8

const (
	None Reason = iota
	// Permanent: the attempt's error was permanent (a breaker rejection, an
	// ETag error, a status code not to retry); backoff is not consulted.
	Permanent
	// MaxRetries: maxRetries NextBackOff calls were already made.
	MaxRetries
	// MaxElapsed: elapsed time since Reset plus the next delay would
	// exceed MaxElapsedTime (exponential only).
	MaxElapsed
	// StopDelay: the delay itself equals backoff.Stop (-1ns), e.g. a
	// constant duration of -1ns.
	StopDelay
)

var reasonNames = [...]string{None: "none", Permanent: "permanent", MaxRetries: "maxRetries", MaxElapsed: "maxElapsedTime", StopDelay: "stop"}

func (r Reason) String() string {
	if int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return fmt.Sprintf("reason(%d)", uint8(r))
}

// Call is the state of one runner call's retry loop, as a value.
type Call struct {
	State    State
	Attempts int64 // attempts started, including ones a breaker rejected
	Backoff
	Notified bool // the "Retrying in …" notice was logged in this call
}

// Start is the beginning of a call (backoff's Reset at now); the next
// event is AttemptStarted.
func Start(p *Policy, now time.Duration) Call {
	return Call{State: Ready, Backoff: p.Reset(now)}
}

// EventKind says what happened to a call.
type EventKind uint8

const (
	AttemptStarted EventKind = iota
	AttemptSucceeded
	AttemptFailed
	WaitElapsed
)

var eventNames = [...]string{AttemptStarted: "attemptStarted", AttemptSucceeded: "attemptSucceeded", AttemptFailed: "attemptFailed", WaitElapsed: "waitElapsed"}

func (k EventKind) String() string {
	if int(k) < len(eventNames) {
		return eventNames[k]
	}
	return fmt.Sprintf("event(%d)", uint8(k))
}

// Event is one input to Step. Permanent and Jitter matter for
// AttemptFailed only; Jitter is the engine's draw u ∈ [0,1), read only when
// the policy NeedsJitter.
type Event struct {
	Kind      EventKind
	Now       time.Duration
	Permanent bool
	Jitter    float64
}

// EffectKind says what an Effect orders or reports.
type EffectKind uint8

const (
	// Wait orders a sleep of Delay, then the next attempt. Delay is never
	// negative: a negative backoff fires at once, as a Go timer does.
	Wait EffectKind = iota + 1
	// Notice is Dapr's "Error processing operation … Retrying in Delay…",
	// logged once per call, at the first failure that is really retried.
	// Delay is the backoff's value as returned (it may be negative).
	Notice
	// Recovered is Dapr's "Recovered processing operation … after Attempts
	// attempts": a success after a notice; Attempts includes the success.
	Recovered
	// Done: the call succeeded after Attempts attempts.
	Done
	// GaveUp: the call failed for Reason after Attempts attempts; the last
	// attempt's error is the call's error.
	GaveUp
)

var effectNames = [...]string{Wait: "wait", Notice: "notice", Recovered: "recovered", Done: "done", GaveUp: "gaveUp"}

func (k EffectKind) String() string {
	if int(k) < len(effectNames) && k != 0 {
		return effectNames[k]
	}
	return fmt.Sprintf("effect(%d)", uint8(k))
}

// Effect is one output of Step, as data; only the fields the Kind documents
// are set.
type Effect struct {
	Kind     EffectKind
	Delay    time.Duration
	Attempts int64
	Reason   Reason
	// Backoff (Wait only) is the delay as the backoff returned it, before a
	// negative value is clamped to 0: what Dapr reports for the retry.
	Backoff time.Duration
}

// String describes the effect for traces and test output.
func (e Effect) String() string {
	switch e.Kind {
	case Wait, Notice:
		return fmt.Sprintf("%s %v", e.Kind, e.Delay)
	case Recovered, Done:
		return fmt.Sprintf("%s after %d attempts", e.Kind, e.Attempts)
	case GaveUp:
		return fmt.Sprintf("gaveUp (%s) after %d attempts", e.Reason, e.Attempts)
	}
	return e.Kind.String()
}

// GuardInput is what the retry table's guards look at. For AttemptFailed,
// Step has already asked NextBackOff (unless the error is permanent, since
// the real loop returns before asking).
type GuardInput struct {
	Permanent bool
	Stop      Reason // NextBackOff's verdict; None means it returned a delay
	Notified  bool
}

const (
	rowStart = iota
	rowRecovered
	rowSucceeded
	rowPermanent
	rowStop
	rowFirstRetry
	rowRetry
	rowWake
	rowCount
)

type row = fsm.Transition[State, EventKind, GuardInput]

var rows = [rowCount]row{
	rowStart: {From: Ready, On: AttemptStarted, To: Attempting, Note: "attempts+1 (Dapr counts before the breaker is asked)"},
	rowRecovered: {From: Attempting, On: AttemptSucceeded, To: Succeeded, Guard: func(g GuardInput) bool { return g.Notified },
		GuardText: "notice logged", Note: "Recovered, then Done"},
	rowSucceeded: {From: Attempting, On: AttemptSucceeded, To: Succeeded, Note: "Done; no Recovered line without an earlier notice"},
	rowPermanent: {From: Attempting, On: AttemptFailed, To: Failed, Guard: func(g GuardInput) bool { return g.Permanent },
		GuardText: "permanent", Note: "give up at once: no NextBackOff, no notice, no wait"},
	rowStop: {From: Attempting, On: AttemptFailed, To: Failed, Guard: func(g GuardInput) bool { return g.Stop != None },
		GuardText: "nextBackOff = stop", Note: "give up with the last error; no notice"},
	rowFirstRetry: {From: Attempting, On: AttemptFailed, To: Waiting, Guard: func(g GuardInput) bool { return !g.Notified },
		GuardText: "first retry", Note: "Notice (once per call), then Wait"},
	rowRetry: {From: Attempting, On: AttemptFailed, To: Waiting, Note: "Wait; the notice was already logged"},
	rowWake:  {From: Waiting, On: WaitElapsed, To: Ready, Note: "the next attempt starts now"},
	// Everything else is rejected: one attempt at a time, one timer per
	// wait, and nothing happens to a call that has ended.
}

var table = fsm.NewTable("retry", rows[:]...)

// pick (machine_gen.go) is table's decision compiled from rows; Apply runs
// it, and TestCompiledPickAgrees holds it to table.Pick.
//go:generate go run github.com/dapr-sim/sim/internal/fsmgen/gen -rows rows -func pick machine.go

// Table returns the per-call retry table, the one Step runs, for
// rendering. Callers must not modify it.
func Table() *fsm.Table[State, EventKind, GuardInput] { return table }

// Step applies one event to call c of policy p and returns the next call
// value, with effects appended to effects (pass a reused slice to avoid
// allocating). An event the call's state does not accept returns an
// *fsm.RejectedError, c and effects unchanged; so does a jitter outside
// [0,1) when the policy needs one (an engine bug).
func Step(p *Policy, c Call, ev Event, effects []Effect) (Call, []Effect, error) {
	effects, err := Apply(p, &c, ev, effects)
	return c, effects, err
}

// Apply is Step on *c in place, for an engine that keeps its calls in place
// (no copy of the call and its backoff in and out per attempt). On error *c
// and effects are unchanged.
func Apply(p *Policy, c *Call, ev Event, effects []Effect) ([]Effect, error) {
	g := GuardInput{Permanent: ev.Permanent, Notified: c.Notified}
	var nb Backoff
	var delay time.Duration
	if ev.Kind == AttemptFailed && c.State == Attempting && !ev.Permanent {
		if p.NeedsJitter() && !(ev.Jitter >= 0 && ev.Jitter < 1) {
			return effects, fmt.Errorf("retry %s: jitter %v outside [0,1)", p.Name, ev.Jitter)
		}
		nb, delay, g.Stop = p.NextBackOff(c.Backoff, ev.Now, ev.Jitter)
	}
	row, to, ok := pick(c.State, ev.Kind, &g)
	if !ok {
		return effects, table.Reject(c.State, ev.Kind)
	}
	c.State = to
	switch row {
	case rowStart:
		c.Attempts++
	case rowRecovered:
		effects = append(effects, Effect{Kind: Recovered, Attempts: c.Attempts}, Effect{Kind: Done, Attempts: c.Attempts})
	case rowSucceeded:
		effects = append(effects, Effect{Kind: Done, Attempts: c.Attempts})
	case rowPermanent:
		effects = append(effects, Effect{Kind: GaveUp, Reason: Permanent, Attempts: c.Attempts})
	case rowStop:
		c.Backoff = nb
		effects = append(effects, Effect{Kind: GaveUp, Reason: g.Stop, Attempts: c.Attempts})
	case rowFirstRetry:
		c.Backoff, c.Notified = nb, true
		effects = append(effects, Effect{Kind: Notice, Delay: delay}, Effect{Kind: Wait, Delay: max(delay, 0), Backoff: delay})
	case rowRetry:
		c.Backoff = nb
		effects = append(effects, Effect{Kind: Wait, Delay: max(delay, 0), Backoff: delay})
	case rowWake:
		// Nothing to order: the engine starts the next attempt.
	}
	return effects, nil
}
