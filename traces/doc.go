// Package traces owns the event log of a run: the event types, the sidecar
// log projection (`INFO[0026] Circuit breaker ...`, `== APP == ...`) in the
// wording of each Dapr release, and the YAML trace file, written as a stream.
//
// Every line sim prints is derived from events, so printing from a run and
// printing from a trace are one code path. traces never imports sim: it
// cannot drive the engine's decisions, only record and project them.
package traces
