package whatif

import (
	"reflect"
	"testing"
	"time"

	"github.com/dapr-sim/sim/sim"
	"github.com/dapr-sim/sim/traces"
)

const quickstart = "../examples/quickstart/scenario.yaml"

// Measure folds the events as they come to what Measure computes from all
// of them: sim diff and sim sweep share it.
func TestMeasureStreamsWhatMeasureComputes(t *testing.T) {
	stall := map[string]time.Duration{"1.8": 30488394889, "1.16": 27187005000}
	for _, dapr := range []string{"1.8", "1.16"} {
		sc, err := sim.LoadScenario(quickstart)
		if err != nil {
			t.Fatal(err)
		}
		setup, err := sim.Prepare(sc, sim.Overrides{Dapr: dapr})
		if err != nil {
			t.Fatal(err)
		}
		var events traces.Collector
		eng := sim.NewEngine(setup, &events, sim.Options{MaxEvents: sim.DefaultMaxEvents})
		err = eng.Run()
		eng.Close()
		if err != nil {
			t.Fatal(err)
		}
		streamed, err := Measure(setup, sim.DefaultMaxEvents, traces.MeasureOps)
		if err != nil {
			t.Fatal(err)
		}
		if want := traces.Measure(events.Events); !reflect.DeepEqual(streamed, want) {
			t.Errorf("dapr %s: streamed %+v\nwant %+v", dapr, streamed, want)
		}
		// Order 5's save, from 6.008008s to its success: at 36.496402889s on
		// 1.8 (the breaker's probe), at 33.195013s on 1.16 (inside the
		// state.redis client's tries).
		if want := stall[dapr]; streamed.LongestStall != want {
			t.Errorf("dapr %s: longest stall %v, want %v", dapr, streamed.LongestStall, want)
		}
	}
}

func TestSeconds(t *testing.T) {
	for d, want := range map[int64]string{0: "0", 5e9: "5", 20013013000: "20.013013", 1000: "0.000001", 1: "0.000000001", -1500e6: "-1.5"} {
		if got := seconds(time.Duration(d)); got != want {
			t.Errorf("seconds(%d) = %q, want %q", d, got, want)
		}
	}
}
