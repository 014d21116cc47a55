package main

import (
	"io"

	"github.com/dapr-sim/sim/cmd/internal/play"
	"github.com/dapr-sim/sim/sim"
)

// prepare checks a loaded scenario and everything it names, printing the
// warnings about input Dapr would silently ignore on stderr, as every
// sub-command that runs a scenario does.
func prepare(sc *sim.Scenario, o sim.Overrides, stderr io.Writer) (*sim.Setup, error) {
	return play.Prepare(sc, o, stderr)
}

// setFlagUsage is the help of --set on the commands that play one run.
const setFlagUsage = "set a Resiliency field for this run, `PATH=VALUE`: retries.NAME.FIELD, circuitBreakers.NAME.FIELD or timeouts.NAME, as in sim sweep (repeatable)"
