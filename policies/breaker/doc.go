// Package breaker is sony/gobreaker v0.5.0, as Dapr uses it, rewritten as a
// pure state machine over virtual time: counts and generations, closed-state
// interval clearing, the lazy open → half-open check (only once the timeout
// has strictly passed, and only when the breaker is consulted), half-open
// admitting maxRequests, and results from an older generation ignored.
package breaker
