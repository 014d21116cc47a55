package sim

import (
	"strings"
	"testing"
	"time"
)

// TestWhatIfFromTheCommandLine: a value given with --set for a what-if retry
// field is read with the overrides rules, named by its flag in problems, and
// laid over the scenario's own overrides (it wins where both set a field).
func TestWhatIfFromTheCommandLine(t *testing.T) {
	path := writeArchive(t, "testdata/scenarios/overrides_exponential.txtar")
	sc, err := LoadScenario(path)
	if err != nil {
		t.Fatal(err)
	}
	ov, err := OverrideFromFlag("expo", "multiplier", "3", "--set retries.expo.multiplier=3")
	if err != nil {
		t.Fatal(err)
	}
	setup, err := Prepare(sc, Overrides{WhatIf: []Override{ov}})
	if err != nil {
		t.Fatal(err)
	}
	p := setup.Spec.Retries["expo"]
	if p.Multiplier != 3 || p.InitialInterval != 100*time.Millisecond {
		t.Errorf("expo: multiplier %v (want the flag's 3), initialInterval %v (want the scenario's 100ms)", p.Multiplier, p.InitialInterval)
	}
	found := false
	for _, w := range setup.Warnings {
		if strings.HasPrefix(w.String(), "warning: --set retries.expo.multiplier=3: what-if:") {
			found = true
		}
	}
	if !found {
		t.Errorf("no what-if warning under the flag: %v", setup.Warnings)
	}

	for _, c := range []struct{ field, value, want string }{
		{"multiplier", "0.5", "--set X: want a value of 1 or more, got 0.5"},
		{"randomizationFactor", "2", "--set X: want a value from 0 to 1, got 2"},
		{"initialInterval", "soon", "--set X: "},
	} {
		_, err := OverrideFromFlag("expo", c.field, c.value, "--set X")
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s=%s: %v, want %q…", c.field, c.value, err, c.want)
		}
	}
}
