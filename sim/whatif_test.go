package sim

import (
	"math"
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
	if err := CheckEdit(e); err != nil {
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

	for _, c := range []struct{ field, value, want string }{
		{"multiplier", "0.5", "--set X: want a value of 1 or more, got 0.5"},
		{"randomizationFactor", "2", "--set X: want a value from 0 to 1, got 2"},
		{"initialInterval", "soon", "--set X: "},
		// Issue 11 class 7: NaN passed every comparison and gave negative
		// delays; the infinities and overflow likewise.
		{"randomizationFactor", "NaN", `--set X: want a finite number, got "NaN"`},
		{"multiplier", "Inf", `--set X: want a finite number, got "Inf"`},
		{"multiplier", ".inf", `--set X: want a finite number, got ".inf"`},
		{"multiplier", "1e400", `--set X: want a finite number, got "1e400" (too large`},
		{"multiplier", "1e39", "--set X: want a value of 1 or more and at most 3.4028235e+38"},
	} {
		_, err := overrideFromFlag("expo", c.field, c.value, "--set X")
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s=%s: %v, want %q…", c.field, c.value, err, c.want)
		}
	}
}

// FuzzOverrideFromFlag: whatever --set gives a what-if retry field, it is
// refused with the flag's name or accepted as a value dapr/kit can hold: a
// finite multiplier of 1 or more within a float32, a randomizationFactor
// from 0 to 1.
func FuzzOverrideFromFlag(f *testing.F) {
	for _, v := range []string{"NaN", "-nan", "Inf", "-Inf", "infinity", ".nan", ".inf", "-.Inf", "1e400", "-1e400", "1e39",
		"3.4028235e38", "1e-400", "0", "1", "0.5", "1.5", "2", "0x1p1024", "1_0"} {
		f.Add(uint8(0), v)
		f.Add(uint8(1), v)
	}
	f.Fuzz(func(t *testing.T, which uint8, value string) {
		field := []string{"multiplier", "randomizationFactor"}[which%2]
		o, err := overrideFromFlag("expo", field, value, "--set F")
		if err != nil {
			if !strings.HasPrefix(err.Error(), "--set F: want ") {
				t.Fatalf("%s=%q: error %q does not name the flag", field, value, err)
			}
			return
		}
		if field == "multiplier" {
			m := *o.Multiplier
			if math.IsNaN(m) || m < 1 || math.IsInf(float64(float32(m)), 0) {
				t.Fatalf("multiplier=%q accepted as %v", value, m)
			}
			return
		}
		r := *o.RandomizationFactor
		if math.IsNaN(r) || r < 0 || r > 1 {
			t.Fatalf("randomizationFactor=%q accepted as %v", value, r)
		}
	})
}
