// Package playground builds sim's browser playground: one self-contained
// HTML page (index.html) that carries sim's engine compiled to
// WebAssembly (cmd/playground/wasm, which runs cmd/internal/play, the code
// `sim run` and `sim render` run), Go's wasm_exec.js and the examples
// gallery, and re-simulates the scenario in its two editors on every edit,
// in a Web Worker. It shows the run as the CLI writes it: the replay page
// of `sim render -o x.html` (the engine's bytes, in an iframe, its slider
// kept across re-runs), the SVG timeline, stderr and the log.
// Nothing is fetched: it works opened from a file or from any static host.
//
// Build compiles the engine and writes the page (`make playground`); Write
// lays the page out from the engine's bytes; Gallery reads the examples
// the page offers from the repository. The page's own script is page.js.
package playground
