package dapr

import (
	"testing"

	"github.com/dapr-sim/sim/conformance/harness"
)

// BenchmarkOracleDay is examples/day played through Dapr v1.14.0's own
// resiliency code under testing/synctest: the oracle issue 16 measures
// sim's BenchmarkDay against (goal: at least five times faster).
func BenchmarkOracleDay(b *testing.B) {
	harness.BenchmarkDrive(b, Release, "../../examples/day/scenario.yaml")
}
