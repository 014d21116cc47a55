package ynode

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestParseFloat is issue 11 class 7: NaN, the infinities (Go's and YAML's
// spellings) and overflow are refused; every finite number reads as strconv
// reads it.
func TestParseFloat(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		err  string
	}{
		{in: "0.5", want: 0.5},
		{in: "-2", want: -2},
		{in: "1e-400", want: 0}, // underflow: as close as float64 gets
		{in: "1e308", want: 1e308},
		{in: "NaN", err: `want a finite number, got "NaN"`},
		{in: "nan", err: `want a finite number, got "nan"`},
		{in: "Inf", err: `want a finite number, got "Inf"`},
		{in: "-infinity", err: `want a finite number, got "-infinity"`},
		{in: ".nan", err: `want a finite number, got ".nan"`},
		{in: ".NaN", err: `want a finite number, got ".NaN"`},
		{in: "-.Inf", err: `want a finite number, got "-.Inf"`},
		{in: "+.inf", err: `want a finite number, got "+.inf"`},
		{in: "1e400", err: `want a finite number, got "1e400" (too large: a number holds at most 1.7976931348623157e+308)`},
		{in: "-1e400", err: `want a finite number, got "-1e400" (too large: a number holds at most 1.7976931348623157e+308)`},
		{in: "abc", err: `want a number, got "abc"`},
		{in: "", err: `want a number, got ""`},
	}
	for _, tt := range tests {
		got, err := ParseFloat(tt.in)
		switch {
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("ParseFloat(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		case tt.err != "" && (err == nil || err.Error() != tt.err):
			t.Errorf("ParseFloat(%q) = %v, %v; want error %s", tt.in, got, err, tt.err)
		}
	}
}

func TestParseInt(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		err  string
	}{
		{in: "42", want: 42},
		{in: "0x10", want: 16},
		{in: "-9223372036854775808", want: math.MinInt64},
		{in: "9223372036854775808", err: `want a whole number, got "9223372036854775808" (out of range: a whole number is from -9223372036854775808 to 9223372036854775807)`},
		{in: "NaN", err: `want a whole number, got "NaN"`},
		{in: "1e3", err: `want a whole number, got "1e3"`},
	}
	for _, tt := range tests {
		got, err := ParseInt(tt.in)
		switch {
		case tt.err == "" && (err != nil || got != tt.want):
			t.Errorf("ParseInt(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		case tt.err != "" && (err == nil || err.Error() != tt.err):
			t.Errorf("ParseInt(%q) = %v, %v; want error %s", tt.in, got, err, tt.err)
		}
	}
}

// TestFloatNodeNamesFileLineField: the node reader places the rule's message.
func TestFloatNodeNamesFileLineField(t *testing.T) {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: ".nan", Line: 7, Column: 3}
	_, err := Float("s.yaml", "faults[0].errorRate", n)
	if err == nil || err.Error() != `s.yaml:7: faults[0].errorRate: want a finite number, got ".nan"` {
		t.Fatalf("Float(.nan) = %v", err)
	}
}

// FuzzNumbers: whatever the text, ParseFloat returns a finite number or an
// error, agrees with strconv on every finite value, and ParseInt's errors
// are its own words; NaN, infinity and overflow seeds start the corpus.
func FuzzNumbers(f *testing.F) {
	for _, s := range []string{"NaN", "nan", "-NaN", "Inf", "+Inf", "-Inf", "infinity", ".nan", ".inf", "-.inf", ".NaN",
		"1e400", "-1e400", "1e308", "1.7976931348623157e308", "1.7976931348623159e308", "1e-400", "4.9e-324",
		"0x1p1024", "0x1p-1080", "9223372036854775807", "9223372036854775808", "-9223372036854775809", "0.5", "1_000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseFloat(s)
		if w, werr := strconv.ParseFloat(s, 64); werr == nil && !math.IsNaN(w) && !math.IsInf(w, 0) && (err != nil || v != w) {
			t.Fatalf("ParseFloat(%q) = %v, %v; strconv reads %v", s, v, err, w)
		}
		if err != nil {
			if !strings.HasPrefix(err.Error(), "want a ") {
				t.Fatalf("ParseFloat(%q): error %q is not a want/got message", s, err)
			}
		} else if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Fatalf("ParseFloat(%q) = %v: not finite", s, v)
		}
		i, err := ParseInt(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "want a whole number, got ") {
				t.Fatalf("ParseInt(%q): error %q", s, err)
			}
			return
		}
		if again, _ := ParseInt(s); again != i {
			t.Fatalf("ParseInt(%q) reads %d then %d", s, i, again)
		}
	})
}
