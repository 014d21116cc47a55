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
// The check goes both ways. Check finds lines the policies cannot
// produce. Infer reads the outage the log shows (a failed call per retry
// notice, each component down from its first notice until the line that
// shows it back) as a Plan; the CLI simulates that plan with the engine,
// Expect gathers what the runs logged, and Compare reports what the log
// lacks, what it has and the runs do not, and what lies further from the
// runs' instants than the log's stamps allow.
//
// It imports policies (to resolve what applies to each operation) and
// traces (the release wording table, the runs' events); it never runs the
// engine itself.
package daprlog
