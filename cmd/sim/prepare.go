package main

import (
	"fmt"
	"io"

	"github.com/dapr-sim/sim/internal/diag"
	"github.com/dapr-sim/sim/sim"
	"github.com/dapr-sim/sim/traces"
)

// prepare checks a loaded scenario and everything it names, printing the
// warnings about input Dapr would silently ignore on stderr, as every
// sub-command that runs a scenario does.
func prepare(sc *sim.Scenario, o sim.Overrides, stderr io.Writer) (*sim.Setup, error) {
	setup, err := sim.Prepare(sc, o)
	if err != nil {
		return nil, err
	}
	for _, w := range setup.Warnings {
		warn(stderr, w)
	}
	return setup, nil
}

// collect runs a prepared scenario and returns its events.
func collect(setup *sim.Setup, maxEvents int64) ([]traces.Event, error) {
	var events traces.Collector
	eng := sim.NewEngine(setup, &events, sim.Options{MaxEvents: maxEvents})
	defer eng.Close()
	if err := eng.Run(); err != nil {
		return nil, err
	}
	return events.Events, nil
}

// measure runs a prepared scenario and folds its events into metrics as
// they come, holding none of them. guards see each event first; one that
// returns an error stops the run with it.
func measure(setup *sim.Setup, maxEvents int64, mode traces.MeasureMode, guards ...traces.Sink) (traces.Metrics, error) {
	m := traces.NewMeasurer(mode)
	eng := sim.NewEngine(setup, append(traces.Sinks(guards), m), sim.Options{MaxEvents: maxEvents})
	defer eng.Close()
	if err := eng.Run(); err != nil {
		return traces.Metrics{}, err
	}
	return m.Metrics(), nil
}

// setFlagUsage is the help of --set on the commands that play one run.
const setFlagUsage = "set a Resiliency field for this run, `PATH=VALUE`: retries.NAME.FIELD, circuitBreakers.NAME.FIELD or timeouts.NAME, as in sim sweep (repeatable)"

// setFlags reads the --set flags of a command that plays one run (sim run,
// check, diff) into o: sim sweep's paths and value rules, one value each,
// so any row of a sweep can be played again and its log or trace looked at.
func setFlags(sets []string, o *sim.Overrides) error {
	axes, errs := parseSets(sets)
	for _, a := range axes {
		if len(a.values) != 1 {
			errs = append(errs, &diag.Error{Field: "--set " + a.edit.Path(),
				Msg: fmt.Sprintf("want one value here, got %d; to compare several, use sim sweep", len(a.values))})
			continue
		}
		if err := a.set(o, a.values[0]); err != nil {
			errs = diag.Collect(errs, err, "")
		}
	}
	return errs.Err()
}
