// Package expect is the assertion vocabulary of sim: what a scenario's
// `expect:` block says about a run, parsed strictly from YAML (Parse) or
// built in Go (the Check types), and evaluated over the run's events
// ([]traces.Event, through a Timeline).
//
// `sim check` and the simtest package both evaluate through this package, so
// the two never disagree about what an assertion means.
//
// Its place in the flow: the scenario loader (sim) keeps the `expect:` node
// with its lines; the CLI or simtest runs the scenario, collects its events
// and hands both here. expect reads events only: it imports traces and the
// internal YAML helpers, never sim.
//
// Times are virtual times since the run started. A window [from, to] holds
// both ends. The state of a breaker at t is the `to` of its last breaker
// event at or before t; it is closed before its first.
package expect
