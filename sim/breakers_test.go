package sim

import (
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
