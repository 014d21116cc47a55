package dapr

import (
	"testing"

	"github.com/dapr-sim/sim/conformance/harness"
)

// TestConformance runs every scenario of the suite through Dapr v1.16.0's
// pkg/resiliency (under testing/synctest) and through sim, and compares.
func TestConformance(t *testing.T) {
	for _, c := range harness.Cases {
		t.Run(c.Name, func(t *testing.T) { harness.Check(t, c, Release) })
	}
}

// TestPerturbedSideFails proves the suite fails on a real difference: sim
// alone runs a scenario whose store restarts later.
func TestPerturbedSideFails(t *testing.T) { harness.CheckCatchesPerturbation(t, Release) }
