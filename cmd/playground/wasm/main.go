//go:build js && wasm

// Command wasm is sim's engine in the browser playground: built with
// GOOS=js GOARCH=wasm (cmd/playground builds it into the page), it sets
// one JavaScript function, simRun(files, scenario), and waits. files is an
// object of file name → text (the scenario and the resources it names,
// slash-separated names as in the repository: examples/quickstart/...),
// scenario the name of the scenario among them. simRun returns what the
// CLI prints for them (play.Run): {stdout, stderr, svg, page, pageError,
// status, transitions: [{t, ms, name, from, to}]} — stdout and stderr as
// `sim run SCENARIO` prints them from the folder the names are relative
// to, svg the file `sim render SCENARIO -o x.svg` writes and page the file
// `sim render SCENARIO -o x.html` writes (both "" when the run failed;
// pageError says why a run's page cannot be drawn), and each breaker
// transition, t as a trace writes it.
package main

import (
	"runtime/debug"
	"syscall/js"
	"testing/fstest"

	"github.com/dapr-sim/sim/cmd/internal/play"
	"github.com/dapr-sim/sim/internal/escape"
)

func main() {
	// A run allocates a few MB and keeps little of it: with the collector
	// starting at 5 times the live heap instead of twice, a quickstart
	// run collects about once instead of several times (in V8, the
	// quickstart's play.Run took 12 to 13 ms instead of 16, 47 instead of
	// 57 before the engine was warm). Go's collector in WebAssembly has
	// one thread, the run's; the heap stays small either way.
	debug.SetGCPercent(400)
	js.Global().Set("simRun", js.FuncOf(simRun))
	// The page calls simRun as often as the user edits; main must not
	// return, or the Go runtime exits and the function with it.
	select {}
}

func simRun(this js.Value, args []js.Value) any {
	if len(args) != 2 || args[0].Type() != js.TypeObject || args[1].Type() != js.TypeString {
		return map[string]any{"status": play.StatusInternal, "stderr": "sim: internal error: simRun wants (files, scenario)\n"}
	}
	// The files live in memory; the loaders read them through fs.FS
	// (sim.LoadScenarioFS), so no file system is faked.
	fsys := fstest.MapFS{}
	names := js.Global().Get("Object").Call("keys", args[0])
	for i := range names.Length() {
		name := names.Index(i).String()
		fsys[name] = &fstest.MapFile{Data: []byte(args[0].Get(name).String()), Mode: 0o644}
	}
	res := play.Run(fsys, args[1].String())
	transitions := make([]any, len(res.Transitions))
	for i, t := range res.Transitions {
		// A name is shown as sim's pictures show it: quoted and escaped
		// when it holds what a screen would not show as written.
		transitions[i] = map[string]any{"t": t.T.String(), "ms": float64(t.T) / 1e6, "name": escape.Name(t.Name), "from": t.From, "to": t.To}
	}
	return map[string]any{"stdout": res.Stdout, "stderr": res.Stderr, "svg": res.SVG, "page": res.Page, "pageError": res.PageError,
		"status": res.Status, "transitions": transitions}
}
