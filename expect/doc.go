// Package expect is the assertion vocabulary of sim: what a scenario's
// `expect:` block says about a run, parsed strictly from YAML (Parse) or
// built in Go (the Check types), and evaluated over the run's events:
// held ([]traces.Event, through a Timeline) or as they stream past
// (Evaluator, a traces.Sink). Each Check type decides itself by a fold that
// keeps what its result shows, never the run, and both ways go through it.
//
// `sim check` and the simtest package both evaluate through this package, so
// the two never disagree about what an assertion means.
//
// Its place in the flow: the scenario loader (sim) keeps the `expect:` node
// with its lines; simtest runs the scenario, collects its events and hands
// both here; `sim check` runs it into an Evaluator, so a run of any length
// is checked in the memory of its report. expect reads events only: it imports traces and the
// internal YAML helpers, never sim.
//
// Times are virtual times since the run started. A window [from, to] holds
// both ends. The state of a breaker at t is the `to` of its last breaker
// event at or before t; it is closed before its first.
package expect
