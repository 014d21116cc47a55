package whatif

import (
	"bytes"
	"fmt"
	"os"
	"testing"

	"github.com/dapr-sim/sim/internal/grid"
	"github.com/dapr-sim/sim/policies"
	"github.com/dapr-sim/sim/sim"
)

// A sweep's runs share what was parsed once (the scenario, the resource
// files' documents, compiled trips): on four workers at once (run under
// -race) they give the rows one worker gives, byte for byte. The
// invocation example without its window's status has every Prepare
// default it (on a copy: sim's TestRunsLeaveScenarioAsParsed); the trip is
// swept, so runs compile and share several.
func TestSweepSharesParsedInputAcrossWorkers(t *testing.T) {
	const file = "../examples/invoke-endpoints/scenario.yaml"
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	const status = "status: 500, "
	if !bytes.Contains(data, []byte(status)) {
		t.Fatalf("%s: no %q to drop", file, status)
	}
	data = bytes.Replace(data, []byte(status), nil, 1)
	sc, err := sim.ParseScenario(file, data)
	if err != nil {
		t.Fatal(err)
	}
	sources := policies.ReadSources(sc.ResourcePaths())
	table := func(jobs int) string {
		axes, errs := ParseSets([]string{
			"circuitBreakers.endpointCB.trip=consecutiveFailures >= 1,consecutiveFailures >= 2,consecutiveFailures >= 3",
			"retries.twice.duration=1s,2s",
		})
		s := &Sweep{File: file, Data: data, MaxEvents: sim.DefaultMaxEvents, Jobs: jobs, Axes: axes, Shard: grid.All}
		s.Base.Sources = sources
		if err := s.Check(errs); err != nil {
			t.Fatal(err)
		}
		if err := s.Plan(2); err != nil {
			t.Fatal(err)
		}
		rows := s.Play(nil)
		warnings, err := s.Result(rows)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := s.Write(&b, "csv", rows); err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("%s%q\n", b.String(), warnings)
	}
	one := table(1)
	if got := table(4); got != one {
		t.Errorf("on 4 workers:\n%s\non 1:\n%s", got, one)
	}
	if bytes.Count([]byte(one), []byte("\n")) != 1+12+1 {
		t.Errorf("want a header, 12 rows and the warnings:\n%s", one)
	}
}
