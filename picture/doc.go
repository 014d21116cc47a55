// Package picture draws a run: it folds a run's events into swimlanes (one
// per target, breaker and app worker; BuildLanes) and lays them out as the
// terminal timeline of `sim timeline` (WriteTimeline) and the SVG of
// `sim render -o FILE.svg` (WriteSVG). Its sub-package page writes the
// interactive HTML replay of `sim render -o FILE.html` from plain values
// the caller folds.
//
// Place in the flow: a picture is a projection of the event log, like the
// sidecar log text. It reads events and nothing else, and models no engine
// timing of its own: a picture that needs a fact the events do not carry
// means an event is missing, not that picture should work it out.
//
// It imports traces (the events) and internal helpers, never sim or cmd;
// traces never imports picture, so the event log, its codecs and its
// comparison stay free of layout.
package picture
