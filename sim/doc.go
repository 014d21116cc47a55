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
// A run's inputs may be edited from the command line (Overrides.Edits, one
// policies.Edit per --set, edit.go): a Resiliency key is laid over the YAML
// before it is read, a what-if retry field (WhatIfFields) over the loaded
// policy after the scenario's own overrides. Setup.BreakerSettings
// (breakers.go) leads a breaker's name, as the engine gives it, back to its
// policy, for pictures and tools that start from a trace.
package sim
