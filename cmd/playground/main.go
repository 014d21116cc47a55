// Command playground writes sim's browser playground, DIR/index.html
// (default dist/playground): `make playground`, or from the repository's
// root `go run ./cmd/playground -o DIR`. It needs the Go toolchain (it
// builds the engine for GOOS=js GOARCH=wasm); see docs/playground.md.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/dapr-sim/sim/cmd/internal/playground"
)

func main() {
	out := flag.String("o", "dist/playground", "write index.html into `DIR`")
	root := flag.String("root", ".", "the repository's root (the engine's module and examples/)")
	flag.Parse()
	if flag.NArg() != 0 {
		fmt.Fprintf(os.Stderr, "playground: unexpected arguments %q (usage: playground [-o DIR] [-root DIR])\n", flag.Args())
		os.Exit(2)
	}
	goCmd := os.Getenv("GO")
	if err := playground.Build(context.Background(), playground.Options{Go: goCmd, Root: *root, Out: *out, Log: os.Stderr}); err != nil {
		fmt.Fprintf(os.Stderr, "%v\n", err)
		os.Exit(1)
	}
}
