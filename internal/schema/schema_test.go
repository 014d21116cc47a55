package schema

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestDurationPattern holds DurationPattern to the rule the decoders read
// durations by: time.ParseDuration of the trimmed text, 0 or more.
func TestDurationPattern(t *testing.T) {
	re := regexp.MustCompile(DurationPattern)
	for _, s := range []string{
		"0", "0s", "1.5s", "500ms", "2m30s", "1h2m3.5s", ".5s", "5.s", "1us", "1µs", "1μs", "10ns", "+5s", " 5s ",
		"", "5", "1.5", "s", "-5s", "-0", "-0s", "-0.0s", "-.0ms", "-0m0s", "-0.01s", "-0s1ns", "- 0s", "5 s", "5sec", "1d", "0x", "1e3s", ".s", "5s5", "00",
	} {
		d, err := time.ParseDuration(strings.TrimSpace(s))
		want := err == nil && d >= 0
		if got := re.MatchString(s); got != want {
			t.Errorf("%q: the pattern says %v, the decoder %v", s, got, want)
		}
	}
}
