package traces

import (
	"fmt"
	"strings"
	"time"
)

// ReasonKind says which decision a Reason records, and so which sentence
// words it.
type ReasonKind uint8

const (
	// NoReason: the event has no why of its own (or it is in Why already).
	NoReason ReasonKind = iota
	// BreakerTripped: closed → open, trip true on Counts.
	BreakerTripped
	// BreakerHalfOpened: open → half-open, consulted (By) after Until.
	BreakerHalfOpened
	// BreakerReopened: half-open → open after a failure.
	BreakerReopened
	// BreakerClosed: half-open → closed, Counts.ConsecutiveSuccesses
	// reached MaxRequests.
	BreakerClosed
	// ConstantBackoff, ExponentialBackoff: a retry decision of a policy of
	// that kind.
	ConstantBackoff
	ExponentialBackoff
	// GaveUpMaxRetries, GaveUpMaxElapsed, GaveUpRefused, GaveUpPermanent,
	// GaveUpStop: why a step's retries ended without success.
	GaveUpMaxRetries
	GaveUpMaxElapsed
	GaveUpRefused
	GaveUpPermanent
	GaveUpStop
)

// Consult is what made a breaker look at its clock and leave open.
type Consult uint8

const (
	// ByOutcome: an admitted attempt's outcome reached the breaker.
	ByOutcome Consult = iota
	// ByResolve: a request resolving its policy (Dapr 1.11 on).
	ByResolve
	// ByAdmission: an attempt asking to be admitted.
	ByAdmission
)

// TripCounts are the five counts a breaker's trip expression sees, in
// gobreaker's names (the fields of policies/breaker.Counts, which traces
// may not import).
type TripCounts struct {
	Requests             uint32
	TotalSuccesses       uint32
	TotalFailures        uint32
	ConsecutiveSuccesses uint32
	ConsecutiveFailures  uint32
}

// Reason is why a machine decided what an event records, as facts: the
// engine fills it and WhyText words it, so a run that writes no text never
// pays for the wording. The numbers are the machines' own (bounds, expiries,
// counts); traces only puts them into words. Which fields a kind uses is
// listed beside each; the event's own T, Attempt and Delay complete them.
// It holds no pointer nor slice: an Event stays a comparable value.
type Reason struct {
	Kind        ReasonKind
	By          Consult // BreakerHalfOpened
	MaxRequests uint32  // BreakerHalfOpened, BreakerClosed
	// Text: the trip expression as written (BreakerTripped); the breaker's
	// refusal (GaveUpRefused).
	Text   string
	Counts TripCounts // BreakerTripped: what trip saw; BreakerClosed: ConsecutiveSuccesses reached
	// Until: the end of the open period, the one begun (BreakerTripped,
	// BreakerReopened) or the one that ended (BreakerHalfOpened).
	Until   time.Duration
	Timeout time.Duration // BreakerTripped, BreakerReopened: the breaker's timeout
	// Interval, Lo, Hi (ExponentialBackoff): the interval the backoff was
	// drawn around and the bounds it was drawn from; Factor the policy's
	// randomizationFactor, U the jitter draw.
	Interval, Lo, Hi time.Duration
	Factor, U        float64
	Retries          int64         // *Backoff: retries used, this one included
	MaxRetries       int64         // *Backoff, GaveUpMaxRetries: -1 is unlimited
	Attempts         int64         // GaveUp*: attempts made
	MaxElapsedTime   time.Duration // GaveUpMaxElapsed
}

// WhyText is the event's why as a trace writes it: Why when set (read back
// from a trace, or worded when recorded), else its Reason worded.
func (e *Event) WhyText() string {
	if e.Why != "" || e.Reason.Kind == NoReason {
		return e.Why
	}
	return e.Reason.text(e)
}

func (r *Reason) text(e *Event) string {
	switch r.Kind {
	case BreakerTripped:
		c := &r.Counts
		return fmt.Sprintf("trip `%s` was true after this failure with requests=%d totalSuccesses=%d totalFailures=%d consecutiveSuccesses=%d consecutiveFailures=%d; open until %s (timeout %s)",
			r.Text, c.Requests, c.TotalSuccesses, c.TotalFailures, c.ConsecutiveSuccesses, c.ConsecutiveFailures, r.Until, r.Timeout)
	case BreakerHalfOpened:
		return fmt.Sprintf("the open period ended at %s and the breaker was consulted at %s, strictly after it (%s); half-open admits maxRequests=%d",
			r.Until, e.T, r.By.words(), r.MaxRequests)
	case BreakerReopened:
		return fmt.Sprintf("a request failed while half-open: open again until %s (timeout %s)", r.Until, r.Timeout)
	case BreakerClosed:
		return fmt.Sprintf("consecutiveSuccesses=%d reached maxRequests=%d while half-open", r.Counts.ConsecutiveSuccesses, r.MaxRequests)
	case ConstantBackoff:
		return fmt.Sprintf("attempt %d failed: constant backoff %s; retry %d of %s", e.Attempt, e.Delay, r.Retries, r.limit())
	case ExponentialBackoff:
		return fmt.Sprintf("attempt %d failed: exponential backoff %s drawn from [%s, %s] (interval %s ±%g%%, u=%.6f); retry %d of %s",
			e.Attempt, e.Delay, r.Lo, r.Hi, r.Interval, r.Factor*100, r.U, r.Retries, r.limit())
	case GaveUpMaxRetries:
		return fmt.Sprintf("maxRetries %d reached after %d attempts", r.MaxRetries, r.Attempts)
	case GaveUpMaxElapsed:
		return fmt.Sprintf("the next delay would pass the elapsed-time cap (maxElapsedTime %s) after %d attempts", r.MaxElapsedTime, r.Attempts)
	case GaveUpRefused:
		return fmt.Sprintf("the breaker refused attempt %d (%s): Dapr makes a refusal permanent, so the retries end", r.Attempts, r.Text)
	case GaveUpPermanent:
		return fmt.Sprintf("attempt %d failed with an error this runner does not retry", r.Attempts)
	case GaveUpStop:
		return "the backoff returned Stop (a delay of -1ns)"
	}
	return ""
}

func (r *Reason) limit() string {
	if r.MaxRetries >= 0 {
		return fmt.Sprintf("maxRetries %d", r.MaxRetries)
	}
	return "unlimited (maxRetries -1)"
}

func (c Consult) words() string {
	switch c {
	case ByResolve:
		return "a request resolving its policy"
	case ByAdmission:
		return "an attempt asking to be admitted"
	}
	return "an attempt's outcome"
}

// ClientTry is one try of a command by a component's client, as the call
// event's why tells it.
type ClientTry struct {
	Command string        // EVAL, HGETALL, GET
	Failure string        // how the try failed; "" when it was answered
	End     time.Duration // when the try ended
	Sleep   time.Duration // the backoff after it; -1: none
}

// Pending is where a component's command stood when the attempt's deadline
// caught it.
type Pending uint8

const (
	// NotPending: the command had ended (or the deadline did not fire).
	NotPending Pending = iota
	// InTry: a try was on the wire.
	InTry
	// InBackoff: go-redis slept before its next try.
	InBackoff
)

// ClientReason is an attempt's tries through a component's client (issue
// 12) as facts. Unlike a Reason it is worded when the call event is
// recorded: its tries are a list the engine reuses, and an Event holds no
// slice, so that it stays a value that compares and copies whole.
type ClientReason struct {
	// The client's settings: go-redis' retries and backoff bounds.
	MaxRetries             int
	MinBackoff, MaxBackoff time.Duration
	Tries                  []ClientTry
	// Deadline: the attempt ended at its deadline; Pending says where that
	// caught the command, Try its tries started.
	Deadline bool
	Pending  Pending
	Try      int
	// Cancels: the deadline cancels the command (1.10 on); before, it goes
	// on in the background.
	Cancels bool
}

// Text explains the attempt's tries when one failed or the deadline ended
// it: the client's settings, then per command its tries and the backoffs
// between them. "" when every command succeeded at its first try, or none
// ran.
func (c *ClientReason) Text() string {
	failed := false
	for _, t := range c.Tries {
		failed = failed || t.Failure != ""
	}
	if !failed && !c.Deadline {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "the component's client (go-redis: %d retries, backoff %s to %s)", c.MaxRetries, c.MinBackoff, c.MaxBackoff)
	cur := ""
	n := 0
	flush := func() {
		if n > 0 {
			fmt.Fprintf(&b, " (%d %s)", n, plural(n, "try", "tries"))
		}
	}
	for _, t := range c.Tries {
		if t.Command != cur {
			flush()
			if cur != "" {
				b.WriteString(";")
			}
			fmt.Fprintf(&b, " sent %s:", t.Command)
			cur, n = t.Command, 0
		} else {
			b.WriteString(",")
		}
		n++
		outcome := "ok"
		if t.Failure != "" {
			outcome = t.Failure
		}
		fmt.Fprintf(&b, " %s at %s", outcome, t.End)
		if t.Sleep >= 0 {
			fmt.Fprintf(&b, ", slept %s", t.Sleep)
		}
	}
	flush()
	if c.Deadline && c.Pending != NotPending {
		sep := ";"
		if len(c.Tries) == 0 {
			sep = ":"
		}
		where := fmt.Sprintf("during try %d", c.Try)
		if c.Pending == InBackoff {
			where = fmt.Sprintf("in the backoff before try %d", c.Try+1)
		}
		if c.Cancels {
			fmt.Fprintf(&b, "%s the deadline cancelled the command %s", sep, where)
		} else {
			fmt.Fprintf(&b, "%s the deadline ended the attempt %s; the command goes on in the background (before 1.10 the component ran it on its own context), its tries follow as try events of this attempt", sep, where)
		}
	}
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
