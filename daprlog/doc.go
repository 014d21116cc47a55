// Package daprlog reads the log a real Dapr sidecar (daprd) wrote and checks
// its resiliency lines — retry notices, Recovered lines, circuit-breaker
// transitions — against what the Resiliency policies allow
// (`sim replay --daprd-log FILE --resources DIR`).
//
// It reads the three forms daprd writes: logrus text on a terminal
// (`INFO[0026] msg`, whole seconds since start), logrus text elsewhere
// (`time="…" level=info msg="…" scope=dapr.runtime`) and the JSON form
// (`{"time":"…","level":"info","msg":"…"}`). Every other line is ignored.
//
// It imports policies (to resolve what applies to each operation) and
// traces (the release wording table); it never runs the engine.
package daprlog
