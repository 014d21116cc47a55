package harness

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// simRecord runs a suite scenario through sim alone, normalised.
func simRecord(t *testing.T, name, profile string) *Record {
	t.Helper()
	r, setup, err := RunSim(filepath.Join(Dir(), name, "scenario.yaml"), profile)
	if err != nil {
		t.Fatal(err)
	}
	r.Normalize(setup.Scenario.Duration)
	return r
}

// TestCompareAgreesWithItself: a record compared with itself has no diff,
// so any diff the suite reports comes from the two sides.
func TestCompareAgreesWithItself(t *testing.T) {
	for _, c := range Cases {
		if c.Skip != "" {
			continue
		}
		r := simRecord(t, c.Name, "1.16")
		if d := Compare(c, r, r.clone()); d != "" {
			t.Errorf("%s: self-compare differs:\n%s", c.Name, d)
		}
	}
}

// TestCompareCatchesEachStream feeds the comparator one modified event per
// stream and expects it reported, with the stream's name and the first
// differing event.
func TestCompareCatchesEachStream(t *testing.T) {
	for _, tc := range []struct {
		scenario, stream string
		perturb          func(r *Record)
	}{
		{"quickstart", "breaker transitions", func(r *Record) { r.Breakers[0].T += time.Millisecond }},
		{"quickstart", "breaker transitions", func(r *Record) { r.Breakers[2].To = "closed" }},
		{"quickstart", "retry notices", func(r *Record) { r.Notices = r.Notices[1:] }},
		{"quickstart", "retry notices", func(r *Record) { r.Notices[0].Delay = 4 * time.Second }},
		{"constant_maxretries", "recovered lines", func(r *Record) { r.Recovered[0].Attempts++ }},
		{"quickstart", "attempts", func(r *Record) { r.Attempts[len(r.Attempts)/2].Outcome = "rejected" }},
		{"quickstart", "app-level outcomes", func(r *Record) { r.Ops[len(r.Ops)-1].Outcome = "error" }},
		{"quickstart", "app-level outcomes", func(r *Record) { r.Ops[3].Attempts = 2 }},
		// A delivery's end: its result, and the attempts its runner made.
		{"deliver_answers", "deliveries", func(r *Record) { r.Deliveries[0].Result = "pending" }},
		{"deliver_retry", "deliveries", func(r *Record) { r.Deliveries[1].Attempts++ }},
		// An inner runner's attempt credited to the outer runner.
		{"app_default_nested", "attempts", func(r *Record) {
			for i := range r.Attempts {
				if r.Attempts[i].Operation != "" {
					r.Attempts[i].Operation = ""
					return
				}
			}
		}},
	} {
		c := Case{Name: tc.scenario}
		base := simRecord(t, c.Name, "1.16")
		got := base.clone()
		tc.perturb(got)
		d := Compare(c, base, got)
		if !strings.Contains(d, tc.stream+" differ") || !strings.Contains(d, "first difference: #") {
			t.Errorf("%s: perturbed %s not reported as such; diff:\n%s", tc.scenario, tc.stream, d)
		}
	}
}

// TestJitterBoundsCatchOutOfRange: in jitter mode a delay outside
// [ci*0.5, ci*1.5]+1ns is reported, even though times are not compared.
func TestJitterBoundsCatchOutOfRange(t *testing.T) {
	var c Case
	for _, x := range Cases {
		if x.Jitter != nil {
			c = x
		}
	}
	base := simRecord(t, c.Name, "1.16")
	if d := Compare(c, base, base.clone()); d != "" {
		t.Fatalf("unperturbed: %s", d)
	}
	bad := base.clone()
	bad.Delays = map[CallID][]time.Duration{}
	for id, ds := range base.Delays {
		bad.Delays[id] = append([]time.Duration(nil), ds...)
	}
	for id := range bad.Delays {
		bad.Delays[id][1] = 1125*time.Millisecond + 2*time.Nanosecond // 750ms*1.5 + 2ns
		break
	}
	if d := Compare(c, base, bad); !strings.Contains(d, "sim: call ") || !strings.Contains(d, "delay 2 is 1.125000002s, outside [375ms, 1.125000001s]") {
		t.Errorf("out-of-bounds delay not reported; diff:\n%s", d)
	}
}
