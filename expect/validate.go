package expect

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Validate reports what Parse would have refused in a Check built in Go: an
// empty breaker name or pattern, an unknown breaker state or counter, a
// transition that does not change state, an unknown op or result, a
// window that ends before it starts, a negative or inverted bound or
// maxDelay.
func Validate(c Check) error {
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	state := func(what, s string) {
		if !slices.Contains(breakerStates, s) {
			bad("%s: want one of %s, got %q", what, strings.Join(breakerStates, ", "), s)
		}
	}
	window := func(w *Window) {
		if w != nil && (w.From < 0 || w.From > w.To) {
			bad("window [%s, %s]: want 0s <= from <= to", w.From, w.To)
		}
	}
	bound := func(b Bound) {
		if b.Min < 0 || (b.Max >= 0 && b.Max < b.Min) {
			bad("bound: want 0 <= at least <= at most, got %d and %d", b.Min, b.Max)
		}
	}
	switch c := c.(type) {
	case *BreakerState:
		if c.Breaker == "" {
			bad("breaker: want a name such as simpleCB-statestore")
		}
		state("state", c.State)
		if c.At < 0 {
			bad("at: want 0s or later, got %s", c.At)
		}
		window(c.Throughout)
	case *Transition:
		if c.Breaker == "" {
			bad("breaker: want a name such as simpleCB-statestore")
		}
		state("from", c.From)
		state("to", c.To)
		if c.From == c.To {
			bad("transition %s->%s: a transition changes the state", c.From, c.To)
		}
		window(c.Window)
		bound(c.Times)
	case *Log:
		if c.Text == "" && c.Regexp == nil {
			bad("log: want a text or a regular expression")
		}
		window(c.Window)
		bound(c.Times)
	case *Count:
		if c.What == 0 || int(c.What) >= len(counterNames) {
			bad("count: want one of %s, got %s", strings.Join(Counters(), ", "), c.What)
		}
		if c.Op != "" && !slices.Contains(opNames, c.Op) {
			bad("op: want one of %s, got %q", strings.Join(opNames, ", "), c.Op)
		}
		if c.Result != "" && !slices.Contains(deliverResults, c.Result) {
			bad("result: want one of %s, got %q", strings.Join(deliverResults, ", "), c.Result)
		}
		window(c.Window)
		bound(c.Bound)
	case *Delay:
		if c.Max < 0 {
			bad("maxDelay: want 0s or more, got %s", c.Max)
		}
		window(c.Window)
	case nil:
		bad("no check")
	}
	if len(errs) > 0 {
		return errors.New(strings.Join(errs, "; "))
	}
	return nil
}
