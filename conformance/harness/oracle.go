package harness

import (
	"testing"
	"testing/synctest"

	"github.com/dapr-sim/sim/internal/rss"
	"github.com/dapr-sim/sim/sim"
)

// BenchmarkDrive is the oracle of sim's speed (issue 16): the scenario's
// app loops played through the release's own pkg/resiliency code under
// testing/synctest, as Check plays a case, with nothing compared or
// written. A release module runs it on examples/day as BenchmarkOracleDay,
// beside which sim's BenchmarkDay says how many times faster sim is.
//
// It reports attempts/op (the runner attempts Dapr's code made, which sim's
// day makes too) and peak-RSS-MiB as sim's day benchmarks do.
//
// synctest.Test needs a *testing.T, which a benchmark does not have: each
// op runs the bubble as a one-test run of testing.RunTests, which gives it
// one and reports its failure.
func BenchmarkDrive(b *testing.B, rel Release, scenario string) {
	sc, err := sim.LoadScenario(scenario)
	if err != nil {
		b.Fatal(err)
	}
	all := func(string, string) (bool, error) { return true, nil }
	var attempts int
	var mem rss.Ops
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		mem.Begin()
		b.StartTimer()
		drive := func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rec, _, err := Drive(sc, rel)
				if err != nil {
					t.Fatal(err)
				}
				attempts += len(rec.Attempts)
			})
		}
		if !testing.RunTests(all, []testing.InternalTest{{Name: "Drive", F: drive}}) {
			b.Fatalf("dapr %s: %s did not play through", rel.Name, scenario)
		}
		b.StopTimer()
		mem.End()
		b.StartTimer()
	}
	b.ReportMetric(float64(attempts)/float64(b.N), "attempts/op")
	mem.Report(b)
}
