// Package picture draws a run: it folds a run's events into swimlanes (one
// per target, breaker and app worker; BuildLanes) and lays them out as the
// terminal timeline of `sim timeline` (WriteTimeline) and the SVG of
// `sim render -o FILE.svg` (WriteSVG). Both fold the events as they stream
// past (WriteTimelineFrom, WriteSVGFrom over Events), keeping each lane's
// columns and changes, not the events (draw.go). Its sub-package page writes the
// interactive HTML replay of `sim render -o FILE.html` from plain values,
// which BuildPage (page.go) folds from a run's events as they stream past
// and the engine's snapshots of one replay of the run, handed to it by the
// caller.
//
// Place in the flow: a picture is a projection of the event log, like the
// sidecar log text. It reads events and models no engine timing of its
// own: a picture that needs a fact the events do not carry means an event
// is missing, not that picture should work it out. Two static facts of the
// run's setup, which no event states, come from the caller as plain
// values (TimelineOptions.Hosts and BreakerOf, computed by sim.Setup): the
// app hosting each actor type, and the breaker each attempt goes through,
// which Dapr creates at its first request while the events record it only
// when it changes state.
//
// It imports traces (the events), policies (a breaker's state diagram, from
// its machine's fsm table with its policy's numbers) and internal helpers,
// never sim or cmd: the engine's snapshots come through an interface
// (PageSnapshots). traces never imports picture, so the event log, its
// codecs and its comparison stay free of layout.
package picture
