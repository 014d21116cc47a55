package dapr

import (
	"testing"

	"github.com/dapr-sim/sim/conformance/harness"
)

// TestConformance runs every scenario of the suite through Dapr v1.14.0's
// pkg/resiliency (under testing/synctest) and through sim, and compares.
func TestConformance(t *testing.T) {
	for _, c := range harness.Cases {
		t.Run(c.Name, func(t *testing.T) { harness.Check(t, c, Release) })
	}
}

// TestPerturbedSideFails proves the suite fails on a real difference: sim
// alone runs a scenario whose store restarts later.
func TestPerturbedSideFails(t *testing.T) { harness.CheckCatchesPerturbation(t, Release) }

// TestOtherReleaseFails proves that the nested runners are compared: sim
// under 1.16's profile names and counts the built-in actor retries
// differently from Dapr 1.14.
func TestOtherReleaseFails(t *testing.T) {
	harness.CheckCatchesOtherRelease(t, Release, "1.16",
		"first difference: #2 dapr {T:6.03s App:order-processor Worker:0 Iteration:3 Step:1 Outcome:error Attempts:1}, sim {T:7.035s App:order-processor Worker:0 Iteration:3 Step:1 Outcome:ok Attempts:1}")
}
