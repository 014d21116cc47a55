package traces

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Wording is how one Dapr release words and levels the resiliency lines it
// logs. The breaker line is the same in every modelled release.
type Wording struct {
	// RetryLevel and Retry: the notice logged at a call's first retried
	// failure. Retry is formatted with the operation name and the delay.
	RetryLevel string
	Retry      func(operation string, delay time.Duration) string
	// RecoveredLevel and Recovered: logged when an attempt succeeds after a
	// notice; formatted with the operation and the attempts made in all.
	RecoveredLevel string
	Recovered      func(operation string, attempts int) string
}

// From dapr/dapr pkg/resiliency/policy.go at each tag. The ellipsis of
// "Retrying in 5s…" is one character, U+2026.
var (
	retryDots = func(op string, _ time.Duration) string { return "Error processing operation " + op + ". Retrying..." }
	retryIn   = func(op string, d time.Duration) string {
		return "Error processing operation " + op + ". Retrying in " + d.String() + "…"
	}
	recoveredDot = func(op string, _ int) string { return "Recovered processing operation " + op + "." }
	recoveredN   = func(op string, n int) string {
		return "Recovered processing operation " + op + " after " + strconv.Itoa(n) + " attempts"
	}
)

// wordings is the one table of log wording per Dapr minor release.
var wordings = map[string]Wording{
	"1.8":  {"info", retryDots, "info", recoveredDot},
	"1.9":  {"info", retryDots, "info", recoveredDot},
	"1.10": {"info", retryIn, "info", recoveredDot},
	"1.11": {"info", retryIn, "info", recoveredDot},
	"1.12": {"info", retryIn, "info", recoveredDot},
	"1.13": {"info", retryIn, "info", recoveredN},
	"1.14": {"warning", retryIn, "info", recoveredN},
	"1.15": {"warning", retryIn, "info", recoveredN},
	"1.16": {"warning", retryIn, "info", recoveredN},
}

// WordingFor returns the wording of Dapr release v ("1.8" … "1.16").
func WordingFor(v string) (Wording, error) {
	w, ok := wordings[v]
	if !ok {
		known := make([]string, 0, len(wordings))
		for k := range wordings {
			known = append(known, k)
		}
		sort.Slice(known, func(i, j int) bool { return minor(known[i]) < minor(known[j]) })
		return Wording{}, fmt.Errorf("no log wording for Dapr %q (known: %s)", v, strings.Join(known, ", "))
	}
	return w, nil
}

func minor(v string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(v, "1."))
	return n
}

// BreakerLine is the message gobreaker's state-change hook makes Dapr log;
// Dapr's %q already escapes a name's control characters.
func BreakerLine(name, from, to string) string {
	return "Circuit breaker " + strconv.Quote(name) + " changed state from " + from + " to " + to
}
