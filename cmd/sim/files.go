package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/dapr-sim/sim/internal/diag"
	"github.com/dapr-sim/sim/internal/input"
	"github.com/dapr-sim/sim/sim"
	"github.com/dapr-sim/sim/whatif"
	"github.com/spf13/cobra"
)

// inputFlags are the flags, of any command, that name a file or folder it
// reads.
var inputFlags = []string{"resiliency", "against", "spec", "daprd-log", "resources"}

// files are the files one command reads and writes, as the user named them:
// before anything runs, no output may be one of the inputs (issue 11). An
// output that names an input — the same path, a symbolic link to it, a
// hard link of it, or /dev/stdout when stdout is redirected to it — would
// replace what the command is reading with what it writes.
type files struct {
	inputs  []string
	outputs []string
	stdout  io.Writer // checked too when it is a file
}

// read adds inputs; a folder stands for the files in it (the resources a
// folder holds).
func (f *files) read(paths ...string) *files {
	for _, p := range paths {
		if p == "" || p == input.Stdin {
			continue // standard input is no file an output could replace
		}
		f.inputs = append(f.inputs, p)
		if info, err := os.Stat(p); err == nil && info.IsDir() {
			entries, err := os.ReadDir(p)
			if err != nil {
				continue
			}
			for _, e := range entries {
				f.inputs = append(f.inputs, filepath.Join(p, e.Name()))
			}
		}
	}
	return f
}

// write adds outputs.
func (f *files) write(paths ...string) *files {
	for _, p := range paths {
		if p != "" && p != input.Stdin { // "-" is stdout, checked as such
			f.outputs = append(f.outputs, p)
		}
	}
	return f
}

// writeStdout adds stdout, checked when it is a regular file (redirected
// to one).
func (f *files) writeStdout(w io.Writer) *files {
	f.stdout = w
	return f
}

// check refuses, as bad input, an output that is an input: "OUTPUT: would
// overwrite input INPUT". A path that does not exist yet is no input; a
// folder is never an output the command writes into.
func (f *files) check() error {
	type named struct {
		name string
		info os.FileInfo
	}
	var outs []named
	for _, o := range f.outputs {
		if info, err := os.Stat(o); err == nil && !info.IsDir() {
			outs = append(outs, named{o, info})
		}
	}
	if file, ok := f.stdout.(*os.File); ok {
		if info, err := file.Stat(); err == nil && info.Mode().IsRegular() {
			outs = append(outs, named{"stdout", info})
		}
	}
	if len(outs) == 0 {
		return nil
	}
	var errs diag.List
	for _, in := range f.inputs {
		info, err := os.Stat(in)
		if err != nil || info.IsDir() {
			continue // the reader reports it
		}
		for _, o := range outs {
			if os.SameFile(o.info, info) {
				errs = append(errs, &diag.Error{File: o.name, Msg: "would overwrite input " + in})
			}
		}
	}
	return errs.Err()
}

// flagOverrides is what a run's flags change in its scenario: the release
// (--dapr), the seed when --seed is given (0 is a seed), and each --set.
func flagOverrides(c *cobra.Command, dapr string, seed int64, sets []string) (sim.Overrides, error) {
	o := sim.Overrides{Dapr: dapr}
	if c.Flags().Changed("seed") {
		o.Seed = &seed
	}
	return o, whatif.Apply(sets, &o)
}

// oneFile is the Args of a command that takes one file, what it is: any
// other count is a usage error pointing at the command's help.
func oneFile(what string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) != 1 {
			return fmt.Errorf("%w: want one %s, got %d arguments (see `sim %s --help`)", errUsage, what, len(args), c.Name())
		}
		return nil
	}
}

// checkMaxEvents refuses a --max-events no run could keep to.
func checkMaxEvents(n int64) error {
	if n < 1 {
		return fmt.Errorf("%w: --max-events must be at least 1, got %d", errUsage, n)
	}
	return nil
}
