package sim

import (
	"strings"
	"testing"
	"time"

	"github.com/dapr-sim/sim/policies"
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
	e := policies.Edit{Section: "retries", Name: "expo", Field: "multiplier", Value: "3", Flag: "--set"}
	if err := e.Check(); err != nil {
		t.Fatal(err)
	}
	setup, err := Prepare(sc, Overrides{Edits: []policies.Edit{e}})
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

}
