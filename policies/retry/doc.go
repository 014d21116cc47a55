// Package retry is Dapr's retry policy as a pure state machine: constant and
// exponential backoff (the cenkalti/backoff v4 formulas dapr/kit configures),
// maxRetries, permanent errors, and when Dapr logs its retry notice and its
// "Recovered" line. Jitter arrives inside events; the machine never draws.
//
// Step is the machine: a value and an event in, the next value and effects
// out, inputs untouched. Apply is the same step writing the next value over
// the caller's (Step is Apply on a copy), for an engine that keeps its
// calls in place: copying them in and out of Step on every request was a
// third of the engine's time. It is the one exception to the house rule
// that machines do not mutate their inputs, and it mutates only that value.
//
// The policy's arithmetic has its home here and is asked for everywhere
// else (the engine's explanations, sim lint, the daprd-log check): Delay
// and DelayBounds say how long retry n waits, JitterBounds the range a
// delay is drawn from around an interval, all with the formulas
// NextBackOff runs.
package retry
