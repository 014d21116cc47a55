package main

import (
	"io"

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

// setFlagUsage is the help of --set on the commands that play one run.
const setFlagUsage = "set a Resiliency field for this run, `PATH=VALUE`: retries.NAME.FIELD, circuitBreakers.NAME.FIELD or timeouts.NAME, as in sim sweep (repeatable)"
