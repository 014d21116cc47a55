package policies

import (
	"testing"
	"time"
)

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		bad  bool
	}{
		{in: "5", want: 5 * time.Millisecond},
		{in: "1000", want: time.Second},
		{in: "-2", want: -2 * time.Millisecond},
		{in: "0", want: 0},
		{in: "5s", want: 5 * time.Second},
		{in: "1.5s", want: 1500 * time.Millisecond},
		{in: "1h30m", want: 90 * time.Minute},
		{in: "1.5", bad: true},
		{in: "5 s", bad: true},
		{in: "five", bad: true},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if tt.bad {
			if err == nil {
				t.Errorf("ParseDuration(%q) = %v, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}

// TestDurationFields checks YAML values in duration fields: a YAML number is
// its decimal text (so milliseconds), and bad values name file, line, field.
func TestDurationFields(t *testing.T) {
	tests := []struct {
		value   string
		want    time.Duration
		wantErr string
	}{
		{value: "5", want: 5 * time.Millisecond},
		{value: "5.0", want: 5 * time.Millisecond}, // sigs.k8s.io/yaml formats the float 5 as "5"
		{value: `"250"`, want: 250 * time.Millisecond},
		{value: "2s", want: 2 * time.Second},
		{value: "1.5", wantErr: `r.yaml:8: spec.policies.timeouts.slow: want a duration such as "5s" (a bare number means milliseconds), got "1.5" (add a unit: "1.5s")`},
		{value: "5 s", wantErr: `r.yaml:8: spec.policies.timeouts.slow: want a duration such as "5s" (a bare number means milliseconds), got "5 s" (did you mean "5s"?)`},
		{value: "[1]", wantErr: `r.yaml:8: spec.policies.timeouts.slow: want a single value, got a list`},
	}
	for _, tt := range tests {
		doc := resiliency("  policies:\n    timeouts:\n      slow: " + tt.value + "\n")
		if tt.wantErr != "" {
			if got := parseErr(t, "r.yaml", doc); got != tt.wantErr {
				t.Errorf("timeout %s: error\n got %s\nwant %s", tt.value, got, tt.wantErr)
			}
			continue
		}
		f, _, err := ParseFile("r.yaml", []byte(doc))
		if err != nil {
			t.Errorf("timeout %s: %v", tt.value, err)
			continue
		}
		if got := f.Resiliencies[0].Timeouts[0].Duration; got != tt.want {
			t.Errorf("timeout %s = %v, want %v", tt.value, got, tt.want)
		}
	}
}

func TestDurationErrorInRetry(t *testing.T) {
	doc := resiliency("  policies:\n    retries:\n      slow:\n        policy: constant\n        duration: 5 s\n")
	want := `r.yaml:10: spec.policies.retries.slow.duration: want a duration such as "5s" (a bare number means milliseconds), got "5 s" (did you mean "5s"?)`
	if got := parseErr(t, "r.yaml", doc); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
