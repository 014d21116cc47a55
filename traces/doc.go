// Package traces owns the event log of a run: the events, their codecs, the
// projections of the log into text, and the comparison of two logs. Every
// line sim prints is derived from events, so printing from a run and printing
// from a trace are one code path.
//
// What it holds, file by file:
//
//   - event.go: the event types (Event, Kind, Outcome) and the sinks a run
//     records into (Sink, Sinks, Collector).
//   - line.go: one event as one line of a trace (Describe, the one describe
//     function of an event, in its YAML-flow and JSON forms; Recorded).
//   - writer.go: the trace writer (TraceWriter, YAML or JSON lines, written
//     as a stream) and its header (Header, FormatVersion).
//   - reader.go: the streaming trace reader (Reader, OpenTrace, NewReader):
//     the header first, then one event at a time.
//   - lineparser.go: the reader's fast parser of one event line in exactly
//     the form the writer writes, with yaml.v3 behind it for anything else.
//   - trace.go: a whole trace read back (Trace, Head, Read, ReadFile) and
//     the checks of its header and events.
//   - jsonnode.go, duration.go: encoding helpers of the writer (the header
//     as ordered JSON for JSON lines; a duration appended without allocating).
//   - why.go: the why of an event (`--explain`, a trace's `why:`) worded
//     from the facts the engine records: Reason (breaker transitions, retry
//     decisions, a step's retries given up), worded lazily by
//     Event.WhyText, and ClientReason (an attempt's tries through a
//     component's client), worded when its call event is recorded.
//   - applog.go: an app's line (an op's, an input binding's) as facts:
//     LogTemplate, compiled once per step, and AppLine, what fills it,
//     worded lazily by Event.LogText and Event.AppendLog.
//   - logtext.go, wording.go: the sidecar log projection (`INFO[0026]
//     Circuit breaker ...`, `== APP == ...`) in the wording of each Dapr
//     release (LogWriter, Wording, WordingFor, Explanation).
//   - compare.go: replay's comparison of recorded and replayed events
//     (Compare, Comparer, Divergence) and the event summary (Summarize).
//   - metrics.go: outcome metrics folded from events (Measure, Measurer,
//     CompareMetrics), what `sim diff` and `sim sweep` compare; CompareMetrics
//     matches two runs' breaker transitions and failed operations.
//   - diffreport.go: DiffReport, the comparison worded as `sim diff` prints it.
//   - sniff.go: LooksLikeTrace, telling a trace from a scenario by its first
//     line (render and timeline take either).
//   - snapshot.go: the state of every machine at one instant as plain data,
//     and its text (`sim replay --at`).
//
// Place in the flow: the engine records events into a Sink; everything else
// reads them. traces never imports sim: it cannot drive the engine's
// decisions, only record and project them. Nor does it import picture: the
// swimlanes, terminal timeline, SVG and HTML page are drawn from the log in
// a package of their own, so the log carries no layout.
package traces
