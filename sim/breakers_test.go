package sim

import (
	"github.com/dapr-sim/sim/traces"
	"testing"
)

// TestBreakerSettings: the names the engine gives breakers lead back to
// their policy: an actor type's per-id ("Cart-c3") and per-type ("Order")
// breakers, a component's "<policy>-<component>".
func TestBreakerSettings(t *testing.T) {
	sc, err := LoadScenario(writeArchive(t, "testdata/scenarios/actor_breaker_scopes.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	setup, err := Prepare(sc, Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{"Cart-c3": true, "Cart-c12": true, "Order": true, "Order-o3": true, "Carts": false, "cb-statestore": false} {
		s, ok := setup.BreakerSettings(name)
		if ok != want {
			t.Errorf("%s: found %v, want %v", name, ok, want)
			continue
		}
		if ok && s.Timeout.String() != "1s" {
			t.Errorf("%s: settings %+v, want the cb policy's (timeout 1s)", name, s)
		}
	}

	qs, err := LoadScenario("../examples/quickstart/scenario.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if setup, err = Prepare(qs, Overrides{}); err != nil {
		t.Fatal(err)
	}
	if s, ok := setup.BreakerSettings("simpleCB-statestore"); !ok || s.Name != "simpleCB-statestore" {
		t.Errorf("quickstart's breaker: %+v, %v", s, ok)
	}
}

// TestBreakerOf: BreakerNamer agrees with BreakerOf on every event, and
// every breaker that changes state in a run is named by
// BreakerOf for an attempt before its first transition (Dapr creates it at
// its first request), and every name BreakerOf gives is one the engine
// logs: the quickstart's component breaker, actor breakers per id and per
// type, an app's endpoint breakers.
func TestBreakerOf(t *testing.T) {
	runs := map[string]string{
		"quickstart":   "../examples/quickstart/scenario.yaml",
		"half-open":    "../examples/half-open/scenario.yaml",
		"endpoints":    "../examples/invoke-endpoints/scenario.yaml",
		"actor scopes": writeArchive(t, "testdata/scenarios/actor_breaker_scopes.txtar"),
	}
	for name, path := range runs {
		eng, events := collectRun(t, path)
		setup := eng.setup
		requested := map[string]bool{}
		transitions := 0
		namer := setup.BreakerNamer()
		for i := range events {
			e := &events[i]
			b := setup.BreakerOf(e)
			if b != "" {
				requested[b] = true
			}
			if nb := namer(e); nb != b {
				t.Errorf("%s: at %s BreakerNamer says %q, BreakerOf %q", name, e.T, nb, b)
			}
			if e.Kind == traces.Breaker {
				transitions++
				if !requested[e.Name] {
					t.Errorf("%s: breaker %s changed state at %s before any attempt BreakerOf names it for", name, e.Name, e.T)
				}
			}
		}
		if transitions == 0 || len(requested) == 0 {
			t.Errorf("%s: %d transitions, %d breakers requested; the run should exercise both", name, transitions, len(requested))
		}
		for b := range requested {
			if _, ok := setup.BreakerSettings(b); !ok {
				t.Errorf("%s: BreakerOf names %q, which no step of the run creates", name, b)
			}
		}
	}
}
