package policies

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/dapr-sim/sim/policies/retry"
)

// TestWhatIfValues: a what-if value is read by one rule, named by its flag
// in problems (a scenario's decoder places the same message at its line).
func TestWhatIfValues(t *testing.T) {
	for _, c := range []struct{ field, value, want string }{
		{"multiplier", "0.5", "--set retries.expo.multiplier=0.5: want a value of 1 or more, got 0.5"},
		{"randomizationFactor", "2", "--set retries.expo.randomizationFactor=2: want a value from 0 to 1, got 2"},
		{"initialInterval", "soon", `--set retries.expo.initialInterval=soon: want a duration such as "1.5s", got "soon"`},
		{"maxElapsedTime", "-1s", `--set retries.expo.maxElapsedTime=-1s: want a duration of 0 or more, got "-1s"`},
		// Issue 11 class 7: NaN passed every comparison and gave negative
		// delays; the infinities and overflow likewise.
		{"randomizationFactor", "NaN", `--set retries.expo.randomizationFactor=NaN: want a finite number, got "NaN"`},
		{"multiplier", "Inf", `--set retries.expo.multiplier=Inf: want a finite number, got "Inf"`},
		{"multiplier", ".inf", `--set retries.expo.multiplier=.inf: want a finite number, got ".inf"`},
		{"multiplier", "1e400", `--set retries.expo.multiplier=1e400: want a finite number, got "1e400" (too large`},
		{"multiplier", "1e39", "--set retries.expo.multiplier=1e39: want a value of 1 or more and at most 3.4028235e+38"},
	} {
		e := Edit{Section: "retries", Name: "expo", Field: c.field, Value: c.value, Flag: "--set"}
		if !e.WhatIf() {
			t.Fatalf("%s: not a what-if", c.field)
		}
		err := e.Check()
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s=%s: %v, want %q…", c.field, c.value, err, c.want)
		}
	}
}

// TestWhatIfsApplied: a file's entry is reported once, whatever it sets,
// and so is each edit of a flag; a later value wins; a constant policy
// takes the values and says they change nothing; a Resiliency edit is not
// ApplyWhatIfs' to lay.
func TestWhatIfsApplied(t *testing.T) {
	s := &Spec{Profile: Profile{Version: "1.16"}, Retries: map[string]retry.Policy{
		"expo": {Name: "expo", Kind: retry.Exponential},
		"cons": {Name: "cons", Kind: retry.Constant},
	}}
	at := func(name, field, value string, line, col int) Edit {
		return Edit{Section: "retries", Name: name, Field: field, Value: value, File: "s.yaml", Line: line, Col: col}
	}
	edits := []Edit{
		at("expo", "multiplier", "2", 5, 3),
		at("expo", "initialInterval", "1s", 5, 3),
		at("expo", "multiplier", "3", 5, 30), // the same key again, on the same line
		at("cons", "", "", 6, 3),
		at("nope", "", "", 7, 3),
		{Section: "retries", Name: "expo", Field: "maxRetries", Value: "1", Flag: "--set"},
		{Section: "retries", Name: "expo", Field: "randomizationFactor", Value: "0", Flag: "--set"},
	}
	warns, errs := ApplyWhatIfs(s, edits)
	var got []string
	for _, w := range warns {
		got = append(got, w.String())
	}
	for _, e := range errs {
		got = append(got, e.Error())
	}
	const tail = " cannot be set in a Resiliency file (Dapr 1.16 always runs 500ms, x1.5, ±50%, 15m); this run goes beyond what a real sidecar can be told"
	want := []string{
		"s.yaml:5: warning: overrides.retries.expo: what-if: initialInterval and multiplier" + tail,
		"s.yaml:5: warning: overrides.retries.expo: what-if: multiplier" + tail,
		"s.yaml:6: warning: overrides.retries.cons: cons is a constant policy: these exponential settings change nothing",
		"warning: --set retries.expo.randomizationFactor=0: what-if: randomizationFactor" + tail,
		`s.yaml:7: overrides.retries.nope: no retry policy named "nope" in the loaded resources`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	p := s.Retries["expo"]
	if p.Multiplier != 3 || p.InitialInterval != time.Second || p.RandomizationFactor != 0 || p.MaxRetries != 0 {
		t.Errorf("expo = %+v", p)
	}
}

// FuzzWhatIfValue: whatever a what-if multiplier or randomizationFactor is
// given, it is refused with the edit's origin or accepted as a value dapr/kit
// can hold: a finite multiplier of 1 or more within a float32, a
// randomizationFactor from 0 to 1.
func FuzzWhatIfValue(f *testing.F) {
	for _, v := range []string{"NaN", "-nan", "Inf", "-Inf", "infinity", ".nan", ".inf", "-.Inf", "1e400", "-1e400", "1e39",
		"3.4028235e38", "1e-400", "0", "1", "0.5", "1.5", "2", "0x1p1024", "1_0"} {
		f.Add(uint8(0), v)
		f.Add(uint8(1), v)
	}
	f.Fuzz(func(t *testing.T, which uint8, value string) {
		field := []string{"multiplier", "randomizationFactor"}[which%2]
		e := Edit{Section: "retries", Name: "expo", Field: field, Value: value, Flag: "--set"}
		if err := e.Check(); err != nil {
			if !strings.HasPrefix(err.Error(), e.Origin()+": want ") {
				t.Fatalf("%s=%q: error %q does not name the edit", field, value, err)
			}
			return
		}
		s := &Spec{Retries: map[string]retry.Policy{"expo": {Name: "expo", Kind: retry.Exponential}}}
		if _, errs := ApplyWhatIfs(s, []Edit{e}); len(errs) > 0 {
			t.Fatalf("%s=%q: checked, then refused: %v", field, value, errs)
		}
		p := s.Retries["expo"]
		if field == "multiplier" {
			if m := p.Multiplier; math.IsNaN(m) || m < 1 || math.IsInf(m, 0) {
				t.Fatalf("multiplier=%q applied as %v", value, m)
			}
			return
		}
		if r := p.RandomizationFactor; math.IsNaN(r) || r < 0 || r > 1 {
			t.Fatalf("randomizationFactor=%q applied as %v", value, r)
		}
	})
}
