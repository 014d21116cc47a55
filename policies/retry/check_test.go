package retry

import (
	"math"
	"testing"
)

// TestChecks is issue 11 class 7: the one rule for the what-if retry
// numbers, shared by a scenario's overrides and --set.
func TestChecks(t *testing.T) {
	tests := []struct {
		check func(float64, string) error
		v     float64
		text  string
		err   string
	}{
		{CheckMultiplier, 1, "1", ""},
		{CheckMultiplier, math.MaxFloat32, "3.4028234663852886e38", ""},
		{CheckMultiplier, 0.5, "0.5", "want a value of 1 or more, got 0.5"},
		{CheckMultiplier, 1e39, "1e39", "want a value of 1 or more and at most 3.4028235e+38 (dapr/kit keeps it as a float32), got 1e39"},
		{CheckMultiplier, math.NaN(), "NaN", `want a finite number, got "NaN"`},
		{CheckMultiplier, math.Inf(1), "Inf", `want a finite number, got "Inf"`},
		{CheckRandomizationFactor, 0, "0", ""},
		{CheckRandomizationFactor, 1, "1", ""},
		{CheckRandomizationFactor, -0.1, "-0.1", "want a value from 0 to 1, got -0.1"},
		{CheckRandomizationFactor, math.NaN(), "NaN", `want a finite number, got "NaN"`},
		{CheckRandomizationFactor, math.Inf(-1), "-Inf", `want a finite number, got "-Inf"`},
	}
	for i, tt := range tests {
		err := tt.check(tt.v, tt.text)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.err {
			t.Errorf("row %d (%s): got %q, want %q", i, tt.text, got, tt.err)
		}
	}
}
