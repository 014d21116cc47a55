// Package breaker is sony/gobreaker v0.5.0, as Dapr uses it, rewritten as a
// pure state machine over virtual time: counts and generations, closed-state
// interval clearing, the lazy open → half-open check (only once the timeout
// has strictly passed, and only when the breaker is consulted), half-open
// admitting maxRequests, and results from an older generation ignored.
//
// Step is the machine: a value and an event in, the next value and effects
// out, inputs untouched. Apply is the same step writing the next value over
// the caller's (Step is Apply on a copy), for an engine that keeps its
// breakers in place: copying them in and out of Step on every request was a
// third of the engine's time. It is the one exception to the house rule
// that machines do not mutate their inputs, and it mutates only that value.
//
// Facts about the machine are read off it, not restated: Edges lists the
// state changes Table makes (the daprd-log check accepts exactly those),
// and TripCounts gives the counts a tripping failure showed ReadyToTrip
// (the engine's explanation of an open).
package breaker
