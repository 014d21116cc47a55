// Command sim shows what Dapr resiliency policies do when a dependency fails,
// second by second, on a virtual clock. See README.md and docs/ for usage.
//
// This package is the CLI only: flags, files, exit codes. Each sub-command
// lives in its own file and writes only to the writers it is handed.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"

	"github.com/dapr-sim/sim/internal/diag"
	"github.com/dapr-sim/sim/internal/escape"
	"github.com/dapr-sim/sim/sim"
	"github.com/spf13/cobra"
)

// Exit statuses (DESIGN.md, "Command line").
const (
	exitOK       = 0
	exitFailed   = 1 // the command ran and its answer is "no" (or output could not be written)
	exitBadInput = 2 // the input could not be run: bad file, bad flag, a run limit hit
	exitInternal = 3 // a bug in sim

	exitBrokenPipe = 128 + int(syscall.SIGPIPE) // stdout closed by its reader, as a shell reports SIGPIPE
)

func main() { os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr)) }

// Main runs sim with args and returns the exit status. No panic or stack
// trace reaches the user: an internal error is reported as a bug.
func Main(args []string, stdout, stderr io.Writer) (status int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "sim: internal error: %v\nThis is a bug in sim. Please report it with the command line and the input files.\n", r)
			status = exitInternal
		}
	}()
	defer holdSignals()()
	root := newRoot(stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	if errors.Is(err, syscall.EPIPE) {
		// A reader that stopped reading (`sim run … | head -1`): temporary
		// files are removed by now; end quietly, as SIGPIPE would.
		return exitBrokenPipe
	}
	if strings.HasPrefix(err.Error(), "unknown command") {
		// cobra's own usage errors carry no type; an unknown sub-command is
		// bad input like any other.
		fmt.Fprintf(stderr, "sim: %s\n", escape.Lines(err.Error()))
		return exitBadInput
	}
	var st statusError
	if errors.As(err, &st) {
		if st.err != nil {
			printError(stderr, st.err)
		}
		return st.status
	}
	printError(stderr, err)
	return statusOf(err)
}

func newRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "sim",
		Short: "Simulate Dapr resiliency policies on a virtual clock",
		Long: "sim reads the YAML a Dapr sidecar reads (Resiliency, Component, Configuration),\n" +
			"plays a scripted outage against a miniredis state store on a virtual clock, and\n" +
			"prints the sidecar's log as Dapr would have printed it — in milliseconds.",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       sim.Version,
	}
	// stdout redirected to a file a command reads (`sim replay t.yaml
	// --print >> t.yaml`) is refused before the command runs; commands that
	// read more (resources) or write files check those themselves.
	root.PersistentPreRunE = func(c *cobra.Command, args []string) error {
		f := new(files).read(args...).writeStdout(stdout)
		for _, name := range inputFlags {
			if fl := c.Flags().Lookup(name); fl != nil && fl.Changed {
				f.read(fl.Value.String())
			}
		}
		return f.check()
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return statusError{status: exitBadInput, err: fmt.Errorf("%s: %w (see `%s --help`)", c.CommandPath(), err, c.CommandPath())}
	})
	root.AddCommand(newRunCommand(stdout, stderr), newReplayCommand(stdout, stderr), newLintCommand(stdout, stderr))
	root.AddCommand(newCheckCommand(stdout, stderr))
	root.AddCommand(newDiffCommand(stdout, stderr), newSweepCommand(stdout, stderr))
	root.AddCommand(newTimelineCommand(stdout, stderr))
	root.AddCommand(newGraphCommand(stdout, stderr), newRenderCommand(stdout, stderr))
	return root
}

// statusError carries an exit status chosen by a sub-command.
type statusError struct {
	status int
	err    error
}

func (s statusError) Error() string {
	if s.err == nil {
		return fmt.Sprintf("exit status %d", s.status)
	}
	return s.err.Error()
}

func printError(w io.Writer, err error) {
	var list diag.List
	if errors.As(err, &list) {
		for _, e := range list {
			fmt.Fprintf(w, "%s\n", escape.Lines(e.Error()))
		}
		return
	}
	var de *diag.Error
	if errors.As(err, &de) {
		// Input problems are already "file:line: field: what is wrong".
		fmt.Fprintf(w, "%s\n", escape.Lines(err.Error()))
		return
	}
	fmt.Fprintf(w, "sim: %s\n", escape.Lines(err.Error()))
}

// warn prints one warning about the input on stderr, its names escaped
// (package escape) like everything sim prints that came from a file.
func warn(stderr io.Writer, w any) {
	fmt.Fprintln(stderr, escape.Lines(fmt.Sprint(w)))
}

// statusOf maps an error to an exit status: anything about the input is 2.
func statusOf(err error) int {
	var de *diag.Error
	var dl diag.List
	var le *sim.LimitError
	var ce *sim.CrashError
	var he *sim.HotLoopError
	switch {
	case errors.As(err, &de), errors.As(err, &dl), errors.As(err, &le), errors.As(err, &ce), errors.As(err, &he), errors.Is(err, sim.ErrStuck):
		return exitBadInput
	case errors.Is(err, errUsage):
		return exitBadInput
	}
	return exitFailed
}

var errUsage = errors.New("usage")
