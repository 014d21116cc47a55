// Package play is what `sim run` and `sim render -o FILE.svg` do with a
// scenario once its files are found: prepare it (its warnings on stderr),
// play it to the sidecar's log, draw its timeline, and word an error as
// the CLI prints it. cmd/sim calls these for its commands, and the browser
// playground (cmd/playground/wasm) calls Run, which puts them together for
// files held in memory, so the page shows what the CLI prints for the same
// files, byte for byte, from the same code.
//
// It sits beside cmd/sim, under cmd: it may import any package of ours,
// and only cmd imports it.
package play
