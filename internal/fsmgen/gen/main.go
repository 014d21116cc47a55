// Command gen writes a machine's compiled fsm decision (package fsmgen)
// next to its source. A machine's file names it in a go:generate line:
//
//	//go:generate go run github.com/dapr-sim/sim/internal/fsmgen/gen -rows rows -func pick machine.go
//
// which writes machine_gen.go in the package's directory.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/dapr-sim/sim/internal/fsmgen"
)

func main() {
	rows := flag.String("rows", "rows", "the package-level `variable` holding the table's rows")
	name := flag.String("func", "pick", "the `name` of the generated function")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: gen [-rows variable] [-func name] file.go")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *rows, *name); err != nil {
		fmt.Fprintln(os.Stderr, "fsmgen:", err)
		os.Exit(1)
	}
}

func run(file, rows, name string) error {
	src, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	out, err := fsmgen.Generate(file, src, rows, name)
	if err != nil {
		return err
	}
	return os.WriteFile(fsmgen.Output(file), out, 0o644)
}
