package sim

import (
	"strings"
	"testing"
	"time"

	"github.com/dapr-sim/sim/traces"
)

// runQuickstart runs the quickstart under dapr with opt and returns its
// events.
func runQuickstart(t *testing.T, dapr string, opt Options) []traces.Event {
	t.Helper()
	sc, err := LoadScenario("../examples/quickstart/scenario.yaml")
	if err != nil {
		t.Fatal(err)
	}
	setup, err := Prepare(sc, Overrides{Dapr: dapr})
	if err != nil {
		t.Fatal(err)
	}
	var c traces.Collector
	e := NewEngine(setup, &c, opt)
	defer e.Close()
	if err := e.Run(); err != nil {
		t.Fatal(err)
	}
	return c.Events
}

func firstTrip(events []traces.Event) (time.Duration, bool) {
	for _, ev := range events {
		if ev.Kind == traces.Breaker && ev.To == "open" {
			return ev.T, true
		}
	}
	return 0, false
}

// Options.NoClient is the one-step model the conformance harness compares
// with Dapr's pkg/resiliency: each refused attempt takes the store's 1ms,
// the breaker trips at 26.013013s on any release, and no call carries the
// client's why.
func TestNoClientIsTheOneStepModel(t *testing.T) {
	for _, dapr := range []string{"1.8", "1.16"} {
		events := runQuickstart(t, dapr, Options{NoClient: true})
		if at, ok := firstTrip(events); !ok || at != 26013013*time.Microsecond {
			t.Errorf("dapr %s: trip at %v (%v), want 26.013013s", dapr, at, ok)
		}
		for _, ev := range events {
			if ev.Kind == traces.Call && ev.Why != "" {
				t.Fatalf("dapr %s: a call explains the client: %+v", dapr, ev)
			}
		}
	}
}

// With the client, a failed save on 1.16 is 4 tries 512ms apart: 1.54s
// with the store's 1ms per try, and the breaker never trips (issue 12).
func TestClientFailedSaveOn116(t *testing.T) {
	events := runQuickstart(t, "1.16", Options{})
	if at, ok := firstTrip(events); ok {
		t.Errorf("the breaker trips at %v; a 1.16 sidecar's does not", at)
	}
	var failed []time.Duration
	for _, ev := range events {
		if ev.Kind == traces.Retry {
			failed = append(failed, ev.T)
		}
		if ev.Kind == traces.Call && ev.Outcome == traces.Error && strings.Count(ev.Why, "refused at") != 4 {
			t.Errorf("failed attempt at %v: want 4 refused tries in %q", ev.T, ev.Why)
		}
	}
	if len(failed) != 4 {
		t.Fatalf("%d failed attempts, want 4: %v", len(failed), failed)
	}
	// Attempt 1 starts at 6.008009s (iteration 5's save after overhead).
	if want := 6008009*time.Microsecond + 3*512*time.Millisecond + 4*time.Millisecond; failed[0] != want {
		t.Errorf("first failure at %v, want %v", failed[0], want)
	}
}
