// Package whatif owns the "what if my policy said…" questions the CLI
// asks: the --set grammar (PATH=V1,V2,… addressing a Resiliency field the
// way its YAML spells it, or one of the retry what-ifs Dapr's YAML has no
// key for), laying a value over a run's sim.Overrides, and the sweep: a
// grid of values and seeds (internal/grid) played on a pool of workers,
// one engine per run, the rows written as a table, markdown, CSV or JSON.
//
// In the flow it sits between cmd/sim and the engine: it prepares runs
// with sim.Prepare, plays them with sim.NewEngine and folds their events
// with traces' measurer. Only whole runs go in parallel, each engine (and
// its miniredis) on its own goroutine, and rows come back in run order, so
// the output is the same bytes on any number of cores. What no run
// changes is made once and shared: the scenario parsed, the resource
// files' documents (policies.Sources), compiled trips; and while a sweep
// plays, the garbage collector waits for MinHeap (TuneGC). It reads no files (the CLI hands it
// the scenario's bytes and the resources read once), writes only to the
// writer it is given, and imports no cmd package.
package whatif
