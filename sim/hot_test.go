package sim

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dapr-sim/sim/traces"
)

// hotRetry is retryForever with duration 0s and no breaker (issue 11).
const hotRetry = `apiVersion: dapr.io/v1alpha1
kind: Resiliency
metadata: {name: r}
spec:
  policies:
    retries:
      retryForever: {policy: constant, duration: DURATION, maxRetries: -1}
  targets:
    components:
      s: {outbound: {retry: retryForever}}
`

// hotScenario calls s, dead from the start, through retryForever.
const hotScenario = `version: 1
duration: HORIZON
resiliency: r.yaml
apps:
  - id: a
    steps: [{save: s}]
stores:
  s: {latency: 0s}
faults:
  - {at: 0s, stop: s}
`

// runHot writes a scenario and its resiliency into a temporary folder and
// runs it, counting events; it returns the setup's warnings too.
func runHot(t testing.TB, scenario, resiliency string) (int64, []string, error) {
	t.Helper()
	dir := t.TempDir()
	for name, body := range map[string]string{"s.yaml": scenario, "r.yaml": resiliency} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sc, err := LoadScenario(filepath.Join(dir, "s.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	setup, err := Prepare(sc, Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	var warns []string
	for _, w := range setup.Warnings {
		warns = append(warns, w.String())
	}
	var n countSink
	eng := NewEngine(setup, &n, Options{})
	defer eng.Close()
	return n.n, warns, eng.Run()
}

// TestIssue11HotRetryLoop: retryForever with duration 0s and no breaker
// against a dead store, over a day, used to spend the whole event budget
// (10 million events). It is stopped at its 10,000th attempt, naming the
// policy, the target and the numbers.
func TestIssue11HotRetryLoop(t *testing.T) {
	sc := strings.Replace(hotScenario, "HORIZON", "24h", 1)
	events, warns, err := runHot(t, sc, strings.Replace(hotRetry, "DURATION", "0s", 1))
	var he *HotLoopError
	if !errors.As(err, &he) {
		t.Fatalf("got %v, want a HotLoopError", err)
	}
	if he.Count != hotAttempts {
		t.Errorf("stopped at %d attempts, want %d", he.Count, hotAttempts)
	}
	// Each attempt records a call and a retry event.
	if events > 2*hotAttempts {
		t.Errorf("%d events recorded before the stop, want at most %d", events, 2*hotAttempts)
	}
	for _, want := range []string{`retry policy "retryForever" (on component[s] output)`, "made 10000 attempts of one call", "the save of s by app a", "s.yaml:6", "a real sidecar makes at most 100"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message %q lacks %q", err, want)
		}
	}
	if len(warns) != 1 || !strings.Contains(warns[0], "r.yaml:10: warning: ") || !strings.Contains(warns[0], "[retry-forever-at-once]") {
		t.Errorf("warnings %q, want the retry-forever-at-once hazard at r.yaml:10", warns)
	}
}

// A retry loop slower than 100 attempts a virtual second is not hot, however
// long it goes on: 20,000 attempts 10ms apart run to the horizon.
func TestIssue11SlowRetryLoopRuns(t *testing.T) {
	sc := strings.Replace(hotScenario, "HORIZON", "201s", 1)
	events, warns, err := runHot(t, sc, strings.Replace(hotRetry, "DURATION", "10ms", 1))
	if err != nil {
		t.Fatal(err)
	}
	if events < 2*2*hotAttempts {
		t.Errorf("%d events, want the whole horizon (over %d)", events, 4*hotAttempts)
	}
	if len(warns) != 0 {
		t.Errorf("warnings %q, want none: the policy waits", warns)
	}
}

// An app worker looping without a pause against a dead store, with no
// retry, makes a request every microsecond: stopped at its 100,000th.
func TestIssue11HotAppLoop(t *testing.T) {
	sc := `version: 1
duration: 24h
apps:
  - id: a
    pause: 0s
    steps: [{save: s}]
stores:
  s: {latency: 0s}
faults:
  - {at: 0s, stop: s}
`
	events, _, err := runHot(t, sc, "")
	var he *HotLoopError
	if !errors.As(err, &he) {
		t.Fatalf("got %v, want a HotLoopError", err)
	}
	if he.Count != hotRequests || he.Real != "app" {
		t.Errorf("got %+v, want %d requests of an app", he, hotRequests)
	}
	// Each request records a call and an op event.
	if events > 2*hotRequests {
		t.Errorf("%d events recorded before the stop, want at most %d", events, 2*hotRequests)
	}
	if !strings.Contains(err.Error(), "app a (worker 0, ") || !strings.Contains(err.Error(), "made 100000 requests") {
		t.Errorf("message %q does not name the app and the count", err)
	}
}

// BenchmarkHotLoopDetection is the hot retry loop of issue 11 from load to
// its stop: the wall time a user waits for the message (it used to be the
// time to spend 10 million events).
func BenchmarkHotLoopDetection(b *testing.B) {
	sc := strings.Replace(hotScenario, "HORIZON", "24h", 1)
	res := strings.Replace(hotRetry, "DURATION", "0s", 1)
	for i := 0; i < b.N; i++ {
		if _, _, err := runHot(b, sc, res); err == nil {
			b.Fatal("not stopped")
		}
	}
}

var _ traces.Sink = (*countSink)(nil)
