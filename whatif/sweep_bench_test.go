package whatif

import (
	"bytes"
	"io"
	"os"
	"runtime"
	"testing"

	"github.com/dapr-sim/sim/internal/grid"
	"github.com/dapr-sim/sim/internal/rss"
	"github.com/dapr-sim/sim/policies"
	"github.com/dapr-sim/sim/sim"
)

// BenchmarkSweepQuickstartHour is issue 16's sweep row: `sim sweep` of the
// quickstart stretched to one virtual hour over 50 points (the breaker's
// timeout at ten values by the retry's interval at five), on GOMAXPROCS
// workers as the command's default, minus reading the files: check the
// values, plan the grid, play the runs, write the table. points/s is runs
// finished per second of wall time; cpu/wall is the process's CPU time
// (user and system, from getrusage; left out where there is none) over
// wall time during the ops: 2 means both of two cores were busy
// throughout, whatever kept them so (runs, the garbage collector);
// cpu-ms/point is that CPU time per run finished. As the command does, it
// plays with the collector tuned (TuneGC) unless GOGC is set (GOGC=100
// measures Go's default).
func BenchmarkSweepQuickstartHour(b *testing.B) {
	const file = "../examples/quickstart/scenario.yaml"
	data, err := os.ReadFile(file)
	if err != nil {
		b.Fatal(err)
	}
	const minute, hour = "duration: 60s\n", "duration: 1h\n"
	if !bytes.Contains(data, []byte(minute)) {
		b.Fatalf("%s: no %q line to stretch to an hour", file, minute[:len(minute)-1])
	}
	data = bytes.Replace(data, []byte(minute), []byte(hour), 1)
	sc, err := sim.ParseScenario(file, data)
	if err != nil {
		b.Fatal(err)
	}
	sources := policies.ReadSources(sc.ResourcePaths())
	sets := []string{
		"circuitBreakers.simpleCB.timeout=1s,2s,3s,5s,10s,15s,20s,30s,45s,60s",
		"retries.retryForever.duration=1s,2s,3s,5s,10s",
	}
	if _, set := os.LookupEnv("GOGC"); !set {
		defer TuneGC()()
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0, cpuOK := rss.CPUTime()
	points := 0
	for i := 0; i < b.N; i++ {
		axes, errs := ParseSets(sets)
		s := &Sweep{File: file, Data: data, MaxEvents: sim.DefaultMaxEvents, Jobs: runtime.GOMAXPROCS(0), Axes: axes, Shard: grid.All}
		s.Base.Sources = sources
		if err := s.Check(errs); err != nil {
			b.Fatal(err)
		}
		if err := s.Plan(1); err != nil {
			b.Fatal(err)
		}
		rows := s.Play(nil)
		if _, err := s.Result(rows); err != nil {
			b.Fatal(err)
		}
		if err := s.Write(io.Discard, "table", rows); err != nil {
			b.Fatal(err)
		}
		points += len(rows)
	}
	cpu1, _ := rss.CPUTime()
	if points != 50*b.N {
		b.Fatalf("%d points in %d ops, want 50 an op", points, b.N)
	}
	b.ReportMetric(float64(points)/b.Elapsed().Seconds(), "points/s")
	if cpuOK {
		b.ReportMetric((cpu1-cpu0).Seconds()/b.Elapsed().Seconds(), "cpu/wall")
		// What a point costs whatever else the machine runs: on a shared
		// one, points/s and cpu/wall follow the other processes' load.
		b.ReportMetric((cpu1-cpu0).Seconds()*1e3/float64(points), "cpu-ms/point")
	}
}
