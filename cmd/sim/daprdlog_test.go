package main

import (
	"errors"
	"testing"

	"github.com/dapr-sim/sim/traces"
)

// TestEventListBounded: a run of a log's simulation keeps each
// operation's first retry notice and up to its limit of the events the
// comparison reads, and stops past it, so that a breaker flipping through
// a months-long outage cannot take the memory it took (every transition of
// 20M events kept, two runs at once: out of memory at 3.5 GB).
func TestEventListBounded(t *testing.T) {
	l := eventList{limit: 3}
	rec := func(e traces.Event) error { return l.Record(&e) }
	for range 5 {
		if err := rec(traces.Event{Kind: traces.Retry, Notice: true, Operation: "a"}); err != nil {
			t.Fatalf("notice: %v", err)
		}
	}
	if err := rec(traces.Event{Kind: traces.Retry, Notice: true, Operation: "b"}); err != nil {
		t.Fatalf("notice: %v", err)
	}
	if err := rec(traces.Event{Kind: traces.Retry, Operation: "a"}); err != nil {
		t.Fatalf("retry: %v", err)
	}
	for i := range 3 {
		if err := rec(traces.Event{Kind: traces.Breaker, Name: "cb"}); err != nil {
			t.Fatalf("transition %d: %v", i+1, err)
		}
	}
	if got := len(l.events); got != 5 {
		t.Errorf("kept %d events, want 5 (a notice for each of 2 operations, 3 transitions)", got)
	}
	var ke *keepError
	if err := rec(traces.Event{Kind: traces.Recovered}); !errors.As(err, &ke) {
		t.Fatalf("the 4th event past the notices: got %v, want a *keepError", err)
	}
	if got := len(l.events); got != 5 {
		t.Errorf("kept %d events past the limit, want 5", got)
	}
}
