package playground

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Options say how Build builds the page.
type Options struct {
	Go   string    // the go command (default "go")
	Root string    // the repository's root: the engine's module and examples/ (default ".")
	Out  string    // the folder to write index.html into
	Log  io.Writer // what Build says it does (the examples it left out); nil: nothing
}

// Build compiles the engine for the browser (GOOS=js GOARCH=wasm go build
// of cmd/playground/wasm, -trimpath and without VCS stamps, so a tree
// builds the same bytes wherever and however often it is built), reads the
// gallery from Root's examples/, and writes Out/index.html: one
// self-contained page that works opened from a file. index.html is
// written under a temporary name and renamed when complete.
func Build(ctx context.Context, o Options) error {
	if o.Go == "" {
		o.Go = "go"
	}
	if o.Root == "" {
		o.Root = "."
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	if o.Out == "" {
		return errors.New("playground: no output folder")
	}
	tmp, err := os.MkdirTemp("", "sim-playground-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	wasmPath := filepath.Join(tmp, "sim.wasm")
	build := exec.CommandContext(ctx, o.Go, "build", "-trimpath", "-buildvcs=false", "-ldflags=-s -w", "-o", wasmPath, "./cmd/playground/wasm")
	build.Dir = o.Root
	build.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("playground: GOOS=js GOARCH=wasm go build: %v\n%s", err, out)
	}
	wasm, err := os.ReadFile(wasmPath)
	if err != nil {
		return err
	}
	glue, err := wasmExec(ctx, o.Go)
	if err != nil {
		return err
	}
	gallery, skipped, err := Gallery(os.DirFS(o.Root))
	if err != nil {
		return err
	}
	for _, s := range skipped {
		fmt.Fprintf(o.Log, "playground: left out of the gallery: %s\n", s)
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(o.Out, ".index.html.*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // fails once renamed
	bw := bufio.NewWriter(f)
	if err := Write(bw, wasm, glue, gallery); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	index := filepath.Join(o.Out, "index.html")
	if err := os.Rename(f.Name(), index); err != nil {
		return err
	}
	fmt.Fprintf(o.Log, "playground: wrote %s (engine %d bytes of wasm)\n", index, len(wasm))
	return nil
}

// wasmExec is the toolchain's wasm_exec.js, the JavaScript half of Go's
// js/wasm port: it must come from the Go that built the engine.
func wasmExec(ctx context.Context, goCmd string) (string, error) {
	var out bytes.Buffer
	c := exec.CommandContext(ctx, goCmd, "env", "GOROOT")
	c.Stdout = &out
	if err := c.Run(); err != nil {
		return "", fmt.Errorf("playground: go env GOROOT: %w", err)
	}
	root := strings.TrimSpace(out.String())
	// lib/wasm since Go 1.24; misc/wasm before.
	for _, p := range []string{"lib/wasm/wasm_exec.js", "misc/wasm/wasm_exec.js"} {
		if b, err := os.ReadFile(filepath.Join(root, p)); err == nil {
			return string(b), nil
		}
	}
	return "", fmt.Errorf("playground: no wasm_exec.js under %s (lib/wasm or misc/wasm)", root)
}
