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
package sim
