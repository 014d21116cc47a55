// Package clock owns time for sim: virtual time, measured as a
// time.Duration since the start of a run, and the timed-event queue that
// moves it. Later it will also own the real clock, used only to pace
// `--speed` playback; nothing else in sim reads the wall clock.
//
// Queue is the engine's scheduler: a 4-ary min-heap ordered by (time, seq),
// where seq counts scheduling calls, so events at the same instant come out
// in the order they were scheduled and never in map or pointer order.
// Popping an entry is what moves "now"; nothing sleeps or polls.
//
// Virtual puts a Queue of callbacks behind the github.com/benbjohnson/clock
// Clock interface, so code written against that interface runs in virtual
// time on the caller's goroutine. Its doc comments list where it cannot
// behave like the real clock.
//
// clock sits at the bottom of the import graph: it imports the standard
// library and github.com/benbjohnson/clock, and no package of ours.
package clock
