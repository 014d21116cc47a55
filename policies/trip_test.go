package policies

import (
	"strings"
	"testing"

	"github.com/dapr-sim/sim/policies/breaker"
)

func TestTripEval(t *testing.T) {
	tests := []struct {
		src     string
		counts  breaker.Counts
		want    bool
		unknown string
	}{
		{src: "consecutiveFailures >= 5", counts: breaker.Counts{ConsecutiveFailures: 5}, want: true},
		{src: "consecutiveFailures >= 5", counts: breaker.Counts{ConsecutiveFailures: 4}, want: false},
		// cel-go compares int with double at runtime.
		{src: "consecutiveFailures >= 5.0", counts: breaker.Counts{ConsecutiveFailures: 5}, want: true},
		{src: "consecutiveFailures >= 5.0", counts: breaker.Counts{ConsecutiveFailures: 4}, want: false},
		{src: "requests > 10 && totalFailures * 2 > requests", counts: breaker.Counts{Requests: 20, TotalFailures: 11}, want: true},
		{src: "totalSuccesses == 0 || consecutiveSuccesses > 100", counts: breaker.Counts{TotalSuccesses: 3}, want: false},
		// A typo compiles (Dapr declares it dyn) but never trips.
		{src: "consecutiveFailure >= 5", counts: breaker.Counts{ConsecutiveFailures: 50}, want: false, unknown: "consecutiveFailure"},
		// Not a bool: never trips.
		{src: "consecutiveFailures", counts: breaker.Counts{ConsecutiveFailures: 50}, want: false},
		// A runtime type error: never trips.
		{src: `consecutiveFailures >= "5"`, counts: breaker.Counts{ConsecutiveFailures: 50}, want: false},
	}
	for _, tt := range tests {
		tr, err := CompileTrip(tt.src)
		if err != nil {
			t.Errorf("CompileTrip(%q): %v", tt.src, err)
			continue
		}
		if got := tr.Eval(tt.counts); got != tt.want {
			t.Errorf("%q with %+v = %v, want %v", tt.src, tt.counts, got, tt.want)
		}
		if got := strings.Join(tr.Unknown, ","); got != tt.unknown {
			t.Errorf("%q: Unknown = %q, want %q", tt.src, got, tt.unknown)
		}
	}
}

func TestTripErrors(t *testing.T) {
	tests := []struct {
		trip string
		want string
	}{
		{trip: "consecutiveFailures >=", want: `r.yaml:10: spec.policies.circuitBreakers.cb.trip: invalid CEL expression: 1:23: Syntax error:`},
		// An unknown function makes Dapr's declare-and-recompile loop spin forever.
		{trip: "foo(consecutiveFailures)", want: `r.yaml:10: spec.policies.circuitBreakers.cb.trip: Dapr's compiler loop never ends on this expression (the sidecar hangs at start): 1:4: undeclared reference to 'foo'`},
	}
	for _, tt := range tests {
		doc := resiliency("  policies:\n    circuitBreakers:\n      cb:\n        maxRequests: 1\n        trip: " + tt.trip + "\n")
		got := parseErr(t, "r.yaml", doc)
		if !strings.HasPrefix(got, tt.want) {
			t.Errorf("trip %q:\n got %s\nwant prefix %s", tt.trip, got, tt.want)
		}
	}
}

func TestTripTypoWarns(t *testing.T) {
	doc := resiliency("  policies:\n    circuitBreakers:\n      cb:\n        trip: consecutiveFailure >= 5\n")
	f, ws, err := ParseFile("r.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	findWarning(t, ws, "r.yaml:9:", "spec.policies.circuitBreakers.cb.trip", `"consecutiveFailure" is not a trip variable`, "never trips", `did you mean "consecutiveFailures"?`)
	if f.Resiliencies[0].CircuitBreakers[0].Trip.Eval(breaker.Counts{ConsecutiveFailures: 100}) {
		t.Error("typo trip fired")
	}
}

func TestTripEvalAllocations(t *testing.T) {
	tr, err := CompileTrip("consecutiveFailures >= 5")
	if err != nil {
		t.Fatal(err)
	}
	c := breaker.Counts{ConsecutiveFailures: 300, Requests: 300}
	n := testing.AllocsPerRun(200, func() { tr.Eval(c) })
	t.Logf("allocations per Eval: %v", n)
	if n > 4 {
		t.Errorf("Eval allocates %v times, want at most 4", n)
	}
}

func BenchmarkTripEval(b *testing.B) {
	tr, err := CompileTrip("consecutiveFailures >= 5")
	if err != nil {
		b.Fatal(err)
	}
	c := breaker.Counts{ConsecutiveFailures: 300, Requests: 300}
	b.ReportAllocs()
	for b.Loop() {
		tr.Eval(c)
	}
}

// BenchmarkTripEvalMap is Dapr's way (a fresh map per evaluation), for
// comparison with the activation Eval uses.
func BenchmarkTripEvalMap(b *testing.B) {
	tr, err := CompileTrip("consecutiveFailures >= 5")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_, _, _ = tr.program.Eval(map[string]any{
			"requests":             int64(300),
			"totalSuccesses":       int64(0),
			"totalFailures":        int64(300),
			"consecutiveSuccesses": int64(0),
			"consecutiveFailures":  int64(300),
		})
	}
}
