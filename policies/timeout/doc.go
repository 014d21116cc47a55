// Package timeout is Dapr's per-attempt timeout policy as a pure state
// machine: each attempt (each retry, each breaker request) gets its own
// deadline; if it fires first the attempt fails at that instant with
// "context deadline exceeded" and the operation's late answer is dropped.
//
// Which of an answer and a deadline at the same instant comes first is the
// engine's business (scheduling order); the machine takes events in the
// order given. It performs no I/O, reads no clock and imports only fsm.
//
// Step is the machine: a value and an event in, the next value and effects
// out, inputs untouched. Apply is the same step writing the next value over
// the caller's (Step is Apply on a copy), for an engine that keeps its
// attempts in place: copying them in and out of Step on every request was a
// third of the engine's time. It is the one exception to the house rule
// that machines do not mutate their inputs, and it mutates only that value.
package timeout
