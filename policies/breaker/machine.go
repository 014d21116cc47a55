package breaker

import (
	"fmt"
	"time"

	"github.com/dapr-sim/sim/fsm"
)

// GuardInput is what the breaker table's guards look at: the breaker as it
// stands (after the clock check, for an event that is not Consulted), its
// resolved settings and the event, read where they are rather than copied
// aside for every decision. Guards only read through the pointers.
type GuardInput struct {
	Breaker  *Breaker
	Settings *Settings
	Event    *Event
}

// String describes the input by the values it points to, for test
// failures (fsm.Table.Verify prints inputs).
func (g GuardInput) String() string {
	return fmt.Sprintf("{Breaker:%+v MaxRequests:%d Event:%+v}", *g.Breaker, g.Settings.MaxRequests, *g.Event)
}

// Counts are the counts an outcome's guards see: the breaker's with a
// Succeeded or Failed event's outcome already applied, because gobreaker
// updates the counts before it asks ReadyToTrip or compares
// ConsecutiveSuccesses with MaxRequests.
func (g GuardInput) Counts() Counts {
	c := g.Breaker.Counts
	switch g.Event.Kind {
	case Succeeded:
		c.onSuccess()
	case Failed:
		c.onFailure()
	}
	return c
}

// Row indices of the table; Step switches on them.
const (
	rowClosedIntervalOver = iota
	rowClosedQuiet
	rowOpenTimeoutOver
	rowOpenQuiet
	rowHalfOpenQuiet
	rowClosedAdmit
	rowHalfOpenAdmit
	rowHalfOpenTooMany
	rowOpenReject
	rowClosedSuccessStale
	rowClosedSuccess
	rowHalfOpenSuccessStale
	rowHalfOpenClose
	rowHalfOpenSuccess
	rowOpenSuccessStale
	rowClosedFailureStale
	rowClosedTrip
	rowClosedFailure
	rowHalfOpenFailureStale
	rowHalfOpenReopen
	rowOpenFailureStale
	rowCount
)

type row = fsm.Transition[State, EventKind, GuardInput]

func expired(g GuardInput) bool         { return g.Breaker.Expiry < g.Event.Now }
func intervalExpired(g GuardInput) bool { return g.Breaker.Expires && g.Breaker.Expiry < g.Event.Now }
func underMax(g GuardInput) bool        { return g.Breaker.Counts.Requests < g.Settings.MaxRequests }
func enoughSuccesses(g GuardInput) bool {
	return g.Counts().ConsecutiveSuccesses >= g.Settings.MaxRequests
}
func trips(g GuardInput) bool             { return g.Settings.ReadyToTrip(g.Counts()) }
func generationDiffers(g GuardInput) bool { return g.Event.Generation != g.Breaker.Generation }

var rows = [rowCount]row{
	// The clock check (gobreaker's currentState). Every event runs these
	// rows first; Consulted runs nothing else.
	rowClosedIntervalOver: {From: Closed, On: Consulted, To: Closed, Guard: intervalExpired, GuardText: "expiry != 0 && expiry < now",
		Note: "interval over: new generation, counts cleared, not logged; the new window starts now, not on a grid"},
	rowClosedQuiet: {From: Closed, On: Consulted, To: Closed, Note: "ignored on purpose: no interval, or not strictly past it"},
	rowOpenTimeoutOver: {From: Open, On: Consulted, To: HalfOpen, Guard: expired, GuardText: "expiry < now",
		Note: "open period strictly over: noticed only when consulted, there is no timer"},
	rowOpenQuiet:     {From: Open, On: Consulted, To: Open, Note: "ignored on purpose: at now == expiry the breaker is still open (strict <)"},
	rowHalfOpenQuiet: {From: HalfOpen, On: Consulted, To: HalfOpen, Note: "ignored on purpose: half-open never expires"},

	// Admission (beforeRequest), after the clock check.
	rowClosedAdmit:     {From: Closed, On: Requested, To: Closed, Note: "admit: requests+1"},
	rowHalfOpenAdmit:   {From: HalfOpen, On: Requested, To: HalfOpen, Guard: underMax, GuardText: "requests < maxRequests", Note: "admit a probe: requests+1"},
	rowHalfOpenTooMany: {From: HalfOpen, On: Requested, To: HalfOpen, Note: "reject with ErrTooManyRequests; counts untouched"},
	rowOpenReject:      {From: Open, On: Requested, To: Open, Note: "reject with ErrOpenState; counts untouched"},

	// Outcomes (afterRequest), after the clock check.
	rowClosedSuccessStale:   {From: Closed, On: Succeeded, To: Closed, Guard: generationDiffers, GuardText: "generation differs", Note: "stale outcome: recorded, not counted"},
	rowClosedSuccess:        {From: Closed, On: Succeeded, To: Closed, Note: "count the success"},
	rowHalfOpenSuccessStale: {From: HalfOpen, On: Succeeded, To: HalfOpen, Guard: generationDiffers, GuardText: "generation differs", Note: "stale outcome: recorded, not counted"},
	rowHalfOpenClose: {From: HalfOpen, On: Succeeded, To: Closed, Guard: enoughSuccesses, GuardText: "consecutiveSuccesses >= maxRequests",
		Note: "enough consecutive probe successes: close"},
	rowHalfOpenSuccess:    {From: HalfOpen, On: Succeeded, To: HalfOpen, Note: "count the success; wait for more probes"},
	rowOpenSuccessStale:   {From: Open, On: Succeeded, To: Open, Guard: generationDiffers, GuardText: "generation differs", Note: "stale outcome: nothing is admitted while open, so every outcome here is from an older generation"},
	rowClosedFailureStale: {From: Closed, On: Failed, To: Closed, Guard: generationDiffers, GuardText: "generation differs", Note: "stale outcome: recorded, not counted"},
	rowClosedTrip: {From: Closed, On: Failed, To: Open, Guard: trips, GuardText: "trip(counts)",
		Note: "ReadyToTrip sees the counts including this failure"},
	rowClosedFailure:        {From: Closed, On: Failed, To: Closed, Note: "count the failure"},
	rowHalfOpenFailureStale: {From: HalfOpen, On: Failed, To: HalfOpen, Guard: generationDiffers, GuardText: "generation differs", Note: "stale outcome: recorded, not counted"},
	rowHalfOpenReopen:       {From: HalfOpen, On: Failed, To: Open, Note: "any probe failure reopens at once; ReadyToTrip is not consulted"},
	rowOpenFailureStale:     {From: Open, On: Failed, To: Open, Guard: generationDiffers, GuardText: "generation differs", Note: "stale outcome: nothing is admitted while open, so every outcome here is from an older generation"},
}

var table = fsm.NewTable("breaker", rows[:]...)

// pick (machine_gen.go) is table's decision compiled from rows; Apply runs
// it, and TestCompiledPickAgrees holds it to table.Pick.
//go:generate go run github.com/dapr-sim/sim/internal/fsmgen/gen -rows rows -func pick machine.go

// Table returns the breaker's transition table, the one Step runs, for
// rendering. Callers must not modify it.
//
// An outcome of the current generation while open has no row: nothing is
// admitted while open, so such an event is a bug of the caller and is
// rejected.
func Table() *fsm.Table[State, EventKind, GuardInput] { return table }

// Step applies one event to b and returns the next breaker value, with its
// effects appended to effects (pass a reused slice, e.g. effects[:0], to
// avoid allocating). Settings are resolved inside Step, so s may be raw.
//
// Every event first runs the clock check (the Consulted rows), exactly as
// each of gobreaker's State, beforeRequest and afterRequest does, so one
// event can yield two effects: open → half-open then Admitted, or Cleared
// then Admitted. A clock check that starts a new generation makes the
// outcome being reported stale, so an outcome never yields two changes. On
// error (a broken invariant: an event the state does not accept) Step
// returns b and effects as they were.
func Step(b Breaker, s *Settings, ev Event, effects []Effect) (Breaker, []Effect, error) {
	effects, err := Apply(&b, s, ev, effects)
	return b, effects, err
}

// Apply is Step on *b in place, for an engine that keeps its breakers in
// place: the same table and rules without copying the breaker in and out on
// every request (a third of an engine's time went there). On error *b and
// effects are as they were.
func Apply(b *Breaker, s *Settings, ev Event, effects []Effect) ([]Effect, error) {
	rs := s
	if !s.resolved() {
		r := s.Resolve()
		rs = &r
	}
	n0 := len(effects)

	g := GuardInput{Breaker: b, Settings: rs, Event: &ev}
	row, to, ok := pick(b.State, Consulted, &g)
	if !ok {
		return effects, table.Reject(b.State, Consulted)
	}
	if ev.Kind == Consulted {
		return apply(b, rs, row, to, &ev, effects), nil
	}
	// Most clock checks change nothing (the quiet rows): then b stays as
	// it is, and there is nothing to undo on error. Otherwise the guards
	// below see b as the clock check left it.
	var in Breaker
	changed := !quiet(row)
	if changed {
		in = *b
		effects = apply(b, rs, row, to, &ev, effects)
	}
	row, to, ok = pick(b.State, ev.Kind, &g)
	if !ok {
		if changed {
			*b = in
		}
		return effects[:n0], table.Reject(b.State, ev.Kind)
	}
	return apply(b, rs, row, to, &ev, effects), nil
}

// quiet reports whether row i is a clock check that leaves the breaker as
// it is (apply does nothing for it).
func quiet(i int) bool {
	return i == rowClosedQuiet || i == rowOpenQuiet || i == rowHalfOpenQuiet
}

// apply performs, on b, the row pick chose: row leading to state to.
func apply(b *Breaker, s *Settings, row int, to State, ev *Event, effects []Effect) []Effect {
	switch row {
	case rowClosedIntervalOver:
		*b = enter(*b, s, Closed, ev.Now)
		effects = append(effects, Effect{Kind: Cleared, Generation: b.Generation})
	case rowOpenTimeoutOver, rowHalfOpenClose, rowClosedTrip, rowHalfOpenReopen:
		// gobreaker updates the counts before a change, but entering the
		// new state clears them, so the update need not be applied.
		from := b.State
		*b = enter(*b, s, to, ev.Now)
		effects = append(effects, Effect{Kind: Changed, From: from, To: to, Generation: b.Generation})
	case rowClosedAdmit, rowHalfOpenAdmit:
		b.Counts.Requests++
		effects = append(effects, Effect{Kind: Admitted, Generation: b.Generation})
	case rowHalfOpenTooMany:
		effects = append(effects, Effect{Kind: Rejected, Reason: ErrTooManyRequests})
	case rowOpenReject:
		effects = append(effects, Effect{Kind: Rejected, Reason: ErrOpenState})
	case rowClosedSuccessStale, rowHalfOpenSuccessStale, rowOpenSuccessStale,
		rowClosedFailureStale, rowHalfOpenFailureStale, rowOpenFailureStale:
		effects = append(effects, Effect{Kind: Stale, Generation: ev.Generation})
	case rowClosedSuccess, rowHalfOpenSuccess:
		b.Counts.onSuccess()
	case rowClosedFailure:
		b.Counts.onFailure()
	case rowClosedQuiet, rowOpenQuiet, rowHalfOpenQuiet:
		// Nothing to do: see the rows' notes.
	}
	return effects
}

// enter puts b into state st at now and starts a new generation
// (gobreaker's setState + toNewGeneration): every field that depends on the
// state is set here and nowhere else.
func enter(b Breaker, s *Settings, st State, now time.Duration) Breaker {
	b.State = st
	b.Generation++
	b.Counts = Counts{}
	switch st {
	case Closed:
		b.Expiry, b.Expires = 0, false
		if s.Interval > 0 {
			b.Expiry, b.Expires = now+s.Interval, true
		}
	case Open:
		b.Expiry, b.Expires = now+s.Timeout, true
	default: // HalfOpen
		b.Expiry, b.Expires = 0, false
	}
	return b
}

func (c *Counts) onSuccess() {
	c.TotalSuccesses++
	c.ConsecutiveSuccesses++
	c.ConsecutiveFailures = 0
}

func (c *Counts) onFailure() {
	c.TotalFailures++
	c.ConsecutiveFailures++
	c.ConsecutiveSuccesses = 0
}
