package whatif

import (
	"strings"
	"testing"

	"github.com/dapr-sim/sim/sim"
)

// TestParseSets: paths as the YAML spells them, what-if retry fields
// among them; value lists split on the commas outside quotes and
// parentheses; every bad flag reported, under its path.
func TestParseSets(t *testing.T) {
	axes, errs := ParseSets([]string{
		"retries.r.duration=1s,2s",
		" retries.r.multiplier =1.5",
		"circuitBreakers.my.cb.trip=consecutiveFailures >= 3,'a, b'",
		"timeouts.t=5s",
		"nope",
		"retries.r.duration=3s",
		"retry.r.duration=1s",
		"timeouts.u=1s,,2s",
	})
	var got []string
	for _, a := range axes {
		got = append(got, a.Path()+" "+strings.Join(a.Values, "|")+map[bool]string{true: " what-if"}[a.Edit.WhatIf()])
	}
	want := []string{
		"retries.r.duration 1s|2s",
		"retries.r.multiplier 1.5 what-if",
		"circuitBreakers.my.cb.trip consecutiveFailures >= 3|'a, b'",
		"timeouts.t 5s",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("axes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	wantErrs := []string{
		"--set nope: want PATH=VALUE",
		"--set retries.r.duration: given twice",
		`--set retry.r.duration: unknown section "retry"`,
		"--set timeouts.u=1s,,2s: an empty value",
	}
	if len(errs) != len(wantErrs) {
		t.Fatalf("errors %q, want %d", errs, len(wantErrs))
	}
	for i, e := range errs {
		if !strings.HasPrefix(e.Error(), wantErrs[i]) {
			t.Errorf("error %d: %q, want %q…", i, e, wantErrs[i])
		}
	}
}

// TestApply: a command that plays one run takes one value per path; a
// what-if value is checked at once and named by its flag.
func TestApply(t *testing.T) {
	var o sim.Overrides
	if err := Apply([]string{"retries.r.duration=1s", "retries.r.maxElapsedTime=1m"}, &o); err != nil {
		t.Fatal(err)
	}
	if len(o.Edits) != 2 || o.Edits[0].Origin() != "--set retries.r.duration=1s" || o.Edits[1].Origin() != "--set retries.r.maxElapsedTime=1m" {
		t.Errorf("edits %+v", o.Edits)
	}
	for sets, want := range map[string]string{
		"retries.r.duration=1s,2s": "--set retries.r.duration: want one value here, got 2",
		"retries.r.multiplier=0.5": "--set retries.r.multiplier=0.5: want a value of 1 or more",
		"timeouts.t=soon":          "", // a Resiliency value is checked when the run is prepared
	} {
		err := Apply([]string{sets}, &sim.Overrides{})
		if want == "" && err != nil || want != "" && (err == nil || !strings.HasPrefix(err.Error(), want)) {
			t.Errorf("%s: %v, want %q", sets, err, want)
		}
	}
}
