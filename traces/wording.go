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
	// DeliveryAsFormat: the line of an app's retriable error status is
	// logged with the message as the format (log.Warnf(errMsg), 1.10 and
	// later), so a % in the app's body comes out mangled; 1.8 and 1.9
	// format it with arguments, intact.
	DeliveryAsFormat bool
	// DeliveryRetriable: each attempt of a pub/sub delivery that failed
	// with a retriable error also logs "encountered a retriable error
	// while publishing a subscribed message to topic …" (1.11 and later).
	DeliveryRetriable bool
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

// wordings is the one table of log wording per Dapr minor release. The
// Delivery flags come from pkg/runtime (runtime.go up to 1.11, then
// processor/pubsub, then subscription) at each tag.
var wordings = map[string]Wording{
	"1.8":  {RetryLevel: "info", Retry: retryDots, RecoveredLevel: "info", Recovered: recoveredDot},
	"1.9":  {RetryLevel: "info", Retry: retryDots, RecoveredLevel: "info", Recovered: recoveredDot},
	"1.10": {RetryLevel: "info", Retry: retryIn, RecoveredLevel: "info", Recovered: recoveredDot, DeliveryAsFormat: true},
	"1.11": {RetryLevel: "info", Retry: retryIn, RecoveredLevel: "info", Recovered: recoveredDot, DeliveryAsFormat: true, DeliveryRetriable: true},
	"1.12": {RetryLevel: "info", Retry: retryIn, RecoveredLevel: "info", Recovered: recoveredDot, DeliveryAsFormat: true, DeliveryRetriable: true},
	"1.13": {RetryLevel: "info", Retry: retryIn, RecoveredLevel: "info", Recovered: recoveredN, DeliveryAsFormat: true, DeliveryRetriable: true},
	"1.14": {RetryLevel: "warning", Retry: retryIn, RecoveredLevel: "info", Recovered: recoveredN, DeliveryAsFormat: true, DeliveryRetriable: true},
	"1.15": {RetryLevel: "warning", Retry: retryIn, RecoveredLevel: "info", Recovered: recoveredN, DeliveryAsFormat: true, DeliveryRetriable: true},
	"1.16": {RetryLevel: "warning", Retry: retryIn, RecoveredLevel: "info", Recovered: recoveredN, DeliveryAsFormat: true, DeliveryRetriable: true},
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
