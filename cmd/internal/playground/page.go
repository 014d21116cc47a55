package playground

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

//go:embed page.html
var pageHTML string

//go:embed page.css
var pageCSS string

//go:embed page.js
var pageJS string

// Write writes the page to w: the engine (wasm, a GOOS=js GOARCH=wasm
// build of cmd/playground/wasm) gzipped and base64-encoded, Go's
// wasm_exec.js (wasmExec) as text, which the page's script puts in the
// Web Worker that runs the engine, and the gallery, all inline. The same
// inputs give the same bytes (gzip's header carries no time or name).
func Write(w io.Writer, wasm []byte, wasmExec string, gallery []Example) error {
	if strings.Contains(strings.ToLower(wasmExec), "</script") {
		return fmt.Errorf("wasm_exec.js contains </script>: it cannot be inlined")
	}
	var z bytes.Buffer
	zw, err := gzip.NewWriterLevel(&z, gzip.BestCompression)
	if err != nil {
		return err
	}
	if _, err := zw.Write(wasm); err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	g, err := json.Marshal(gallery) // escapes <, > and &: safe inside <script>
	if err != nil {
		return fmt.Errorf("gallery: %w", err)
	}
	out := strings.NewReplacer(
		"{{CSS}}", pageCSS,
		"{{GALLERY}}", string(g),
		"{{WASM}}", base64.StdEncoding.EncodeToString(z.Bytes()),
		"{{WASMEXEC}}", wasmExec,
		"{{JS}}", pageJS,
	).Replace(pageHTML)
	_, err = io.WriteString(w, out)
	return err
}
