package simtest_test

import (
	"fmt"
	"time"

	"github.com/dapr-sim/sim/simtest"
)

// printer stands in for the *testing.T a test hands to simtest, so that
// this example can show what a failure reports.
type printer struct{}

func (printer) Helper()                      {}
func (printer) Errorf(f string, args ...any) { fmt.Printf(f+"\n", args...) }
func (printer) Fatalf(f string, args ...any) { fmt.Printf(f+"\n", args...) }

// The quickstart: Redis stops at 6s and starts at 33s; the breaker opens at
// 26s, probes at 31s and closes at 36s, when order 5 is saved.
func Example() {
	var t simtest.TB = printer{} // in a test: func TestQuickstart(t *testing.T)

	r := simtest.Run(t, "../examples/quickstart/scenario.yaml")
	r.BreakerState("simpleCB-statestore", 27*time.Second).Is("open")
	r.BreakerStateThroughout("simpleCB-statestore", 37*time.Second, 60*time.Second).Is("closed")
	r.Transition("simpleCB-statestore", "closed", "open").Within(26*time.Second, 27*time.Second)
	r.Transition("simpleCB-statestore", "open", "half-open").Times(2)
	r.Log("Recovered processing operation").Within(36*time.Second, 37*time.Second)
	r.LogMatching(`Retrying in \d+s`).Never()
	r.Count(simtest.FailedOps).Target("statestore").Equals(0)
	r.Count(simtest.Attempts).Op("save").During(6*time.Second, 37*time.Second).Equals(7)
	r.Expect() // the scenario's own expect: list, as `sim check` evaluates it

	// A false expectation says what was expected, what happened and the
	// nearest relevant events:
	r.BreakerState("simpleCB-statestore", 32*time.Second).Is("closed")

	// Output:
	// simtest: breaker simpleCB-statestore is closed at 32s
	//     expected: closed at 32s
	//     actual:   open at 32s (since half-open->open at 31.495401889s)
	//     nearest:
	//       {t: 31.405989957s, kind: breaker, name: simpleCB-statestore, from: open, to: half-open, why: "the open period ended at 31.405988957s and the breaker was consulted at 31.405989957s, strictly after it (an attempt asking to be admitted); half-open admits maxRequests=1"}
	//       {t: 31.495401889s, kind: breaker, name: simpleCB-statestore, from: half-open, to: open, why: "a request failed while half-open: open again until 36.495401889s (timeout 5s)"}
	//       {t: 36.495402889s, kind: breaker, name: simpleCB-statestore, from: open, to: half-open, why: "the open period ended at 36.495401889s and the breaker was consulted at 36.495402889s, strictly after it (an attempt asking to be admitted); half-open admits maxRequests=1"}
	//       {t: 36.496402889s, kind: breaker, name: simpleCB-statestore, from: half-open, to: closed, why: "consecutiveSuccesses=1 reached maxRequests=1 while half-open"}
}
