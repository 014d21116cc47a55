// Package prom folds a run's events into the Prometheus metrics the Dapr
// sidecars of the run would have exported (issue 18): the resiliency
// metrics of pkg/diagnostics/resiliency_monitoring.go and the state,
// pub/sub and output binding metrics of component_monitoring.go, counted at
// the moments Dapr's code records them, with the labels and names Dapr's
// OpenCensus-to-Prometheus exporter gives them, release by release.
// docs/metrics.md holds the research this follows: which call site records
// what, and where releases differ.
//
// A Recorder is a traces.Sink. It keeps, per series, what changed in each
// scrape interval (counts, histogram buckets, the breaker state), never the
// events, so its memory grows with series × scrapes, not with the run. Two
// renderings read it: WriteOpenMetrics (an OpenMetrics text file with a
// sample per series per virtual scrape, what `promtool tsdb
// create-blocks-from openmetrics` loads) and InputSeries (the
// `input_series` of a `promtool test rules` file).
//
// What each sidecar's targets resolve to (which policies, which breaker,
// the target label) comes from the caller as plain data (Sidecar), built
// from the resolved Resiliency spec by package sim; prom imports traces
// only, like every projection of the log.
package prom
