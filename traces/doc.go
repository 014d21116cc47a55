// Package traces owns the event log of a run: the event types, the sidecar
// log projection (`INFO[0026] Circuit breaker ...`, `== APP == ...`) in the
// wording of each Dapr release, the trace file (YAML, or JSON lines) written
// as a stream and read back, and replay's comparison of recorded and
// replayed events (Compare, one describe function for every event line).
//
// Every line sim prints is derived from events, so printing from a run and
// printing from a trace are one code path. traces never imports sim: it
// cannot drive the engine's decisions, only record and project them.
package traces
