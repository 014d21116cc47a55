// Package sim is the engine: it loads a scenario, runs its app loops on the
// virtual clock against miniredis-backed state stores whose availability is
// scripted, passes every operation through its target's policy pipeline in
// Dapr's order — retry( breaker( timeout( operation ) ) ) — and records every
// step as a traces.Event.
//
// Everything happens on one goroutine: the engine pops the earliest entry of
// its clock.Queue, moves time to it and dispatches it. Policy machines
// (policies/...) are pure; the engine feeds them events and carries out the
// effects they return. sim never formats output: that is traces' job.
//
// The package is cut by concept, one file each:
//
//   - scenario.go: the Scenario and its parts (App, Step, Store; its
//     overrides are policies.Edits), the defaults and bounds a scenario is
//     read with;
//   - decode.go: the decoder, scenario YAML (a file, or a trace header's
//     scenario block) to a validated Scenario, problems named by file, line
//     and field; longfaults.go reads a very long faults list in slices;
//   - fields.go: the scenario file's keys, one table per mapping, each row
//     read by the decoder and written back by the trace header, so the two
//     cannot drift (TestFieldTables holds the header's structs to them);
//   - fault.go: the availability script, Fault and Window, what a window
//     does to an attempt and says in the trace, and the engine's side of
//     it: carrying out a fault, reporting a window's changes (evWindow),
//     applying the windows that hold to an attempt, the per-target window
//     index and the bound on windows held at once;
//   - header.go: the trace header, the scenario written back in the
//     scenario file's shape by the rows of fields.go, and PrepareTrace,
//     which reads it again with the decoder;
//   - setup.go: Prepare, a scenario with its resolved Resiliency spec;
//   - engine.go: the event loop; call.go: a call run through its
//     pipeline's layers, and the facts of each breaker transition, retry
//     decision and retries given up (traces.Reason; traces words them);
//     pipeline.go: the pipeline types, the builders of actor and
//     service-invocation pipelines and their breaker caches; client.go,
//     store.go: a component's own client (and the facts of an attempt's
//     tries, traces.ClientReason) and the store adapter; pubsub.go,
//     binding.go: a publish step's XADD and a binding step's command on
//     its component's Redis.
//
// A run's policies may be edited from the command line (Overrides.Edits,
// one policies.Edit per --set) and by the scenario's overrides, which
// decode into policies.Edits too: a Resiliency key is laid over the YAML
// before it is read, a what-if retry field (policies.WhatIfFields) over the
// loaded policy by policies.ApplyWhatIfs, the scenario's first. Setup.BreakerSettings
// (breakers.go) leads a breaker's name, as the engine gives it, back to its
// policy, for pictures and tools that start from a trace.
package sim
