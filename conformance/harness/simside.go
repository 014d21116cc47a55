package harness

import (
	"fmt"
	"time"

	"github.com/dapr-sim/sim/sim"
	"github.com/dapr-sim/sim/traces"
)

// RunSim plays the scenario through sim's engine with the given Dapr
// profile and overhead 0 (the pure model Dapr's code runs under synctest),
// and projects its events onto a Record.
func RunSim(file, profile string) (*Record, *sim.Setup, error) {
	sc, err := sim.LoadScenario(file)
	if err != nil {
		return nil, nil, err
	}
	setup, err := sim.Prepare(sc, sim.Overrides{Dapr: profile})
	if err != nil {
		return nil, nil, err
	}
	// Under synctest no time passes while goroutines compute: Dapr's code
	// runs the pure model, so sim must too.
	setup.Scenario.Overhead = 0
	rec := &Record{Delays: map[CallID][]time.Duration{}}
	// Dapr's pkg/resiliency has no component client below its runners: the
	// harness's stores answer each attempt in one step, so sim runs without
	// the state.redis client too (DEVIATIONS.md, "Component client").
	eng := sim.NewEngine(setup, recorder{rec}, sim.Options{NoClient: true})
	defer eng.Close()
	if err := eng.Run(); err != nil {
		return nil, nil, fmt.Errorf("sim: %w", err)
	}
	return rec, setup, nil
}

type recorder struct{ r *Record }

func (s recorder) Record(e *traces.Event) error {
	r := s.r
	switch e.Kind {
	case traces.Breaker:
		r.Breakers = append(r.Breakers, Transition{T: e.T, Name: e.Name, From: e.From, To: e.To})
	case traces.Retry:
		id := CallID{App: e.App, Worker: e.Worker, Iteration: e.Iteration, Step: e.Step}
		d := max(e.Delay, 0) // a negative delay waits 0, as backoff's timer does
		r.Delays[id] = append(r.Delays[id], d)
		if e.Notice {
			r.Notices = append(r.Notices, Notice{T: e.T, App: e.App, Operation: e.Operation, Delay: e.Delay})
		}
	case traces.Recovered:
		r.Recovered = append(r.Recovered, Recovery{T: e.T, App: e.App, Operation: e.Operation, Attempts: e.Attempts})
	case traces.Call:
		r.Attempts = append(r.Attempts, Attempt{T: e.T, App: e.App, Worker: e.Worker, Iteration: e.Iteration, Step: e.Step, Operation: e.Operation, Attempt: e.Attempt, Outcome: e.Outcome.String()})
	case traces.Op:
		r.Ops = append(r.Ops, Op{T: e.T, App: e.App, Worker: e.Worker, Iteration: e.Iteration, Step: e.Step, Outcome: e.Outcome.String(), Attempts: e.Attempts})
	}
	return nil
}
