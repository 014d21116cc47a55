// Command sim shows what Dapr resiliency policies do when a dependency fails,
// second by second, on a virtual clock. See README.md and docs/ for usage.
//
// This package is the CLI only: flags, files, exit codes. Each sub-command
// lives in its own file and writes only to the writers it is handed.
package main

// The per-command reference in docs/cli is generated from these commands
// (TestCLIDocs fails when it is stale); `make docs` runs this too.
//go:generate env SIM_UPDATE_GOLDEN=1 go test -count=1 -run ^TestCLIDocs$ .

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/dapr-sim/sim/cmd/internal/play"
	"github.com/dapr-sim/sim/internal/diag"
	"github.com/dapr-sim/sim/internal/escape"
	"github.com/dapr-sim/sim/internal/input"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Exit statuses (DESIGN.md, "Command line").
const (
	exitOK       = 0
	exitFailed   = 1 // the command ran and its answer is "no": findings, a failed assertion, a divergence, a regression
	exitBadInput = 2 // the input could not be run: bad file, bad flag, a run limit hit
	exitInternal = 3 // a bug in sim
	exitWrite    = 4 // an output (a file, stdout) could not be written: never 1, so "no" stays unambiguous

	exitBrokenPipe = 128 + int(syscall.SIGPIPE) // stdout closed by its reader, as a shell reports SIGPIPE
)

func main() { os.Exit(Main(os.Args[1:], os.Stdout, os.Stderr)) }

// Main runs sim with args and returns the exit status. No panic or stack
// trace reaches the user: an internal error is reported as a bug.
func Main(args []string, stdout, stderr io.Writer) (status int) {
	defer func() {
		if r := recover(); r != nil {
			play.PrintPanic(stderr, r)
			status = exitInternal
		}
	}()
	defer holdSignals()()
	// The copy of standard input a "-" argument made (package input) goes
	// with the command, however it ends; on a signal without waiting for
	// the lock, as standard input may still be being read.
	defer onSignal(input.RemoveStdinCopy)()
	defer input.CloseStdin()
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
	if msg, ok := unknownCommand(root, err); ok {
		// cobra's own usage errors carry no type; an unknown sub-command is
		// bad input like any other.
		fmt.Fprintf(stderr, "sim: %s\n", escape.Lines(msg))
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
			"prints the sidecar's log as Dapr would have printed it — in milliseconds.\n\n" +
			"Exit status, for every command: 0 done (the answer is yes); 1 the answer is no\n" +
			"(findings, a failed assertion, a divergence, a regression); 2 bad input; 3 a bug\n" +
			"in sim; 4 an output could not be written; 130 interrupted; 141 stdout closed by\n" +
			"its reader. Each command's help says which of these it uses.",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       buildVersion(),
		// Unknown commands get diag's one wording of a suggestion
		// (unknownCommand), not cobra's multi-line list.
		DisableSuggestions: true,
	}
	root.SetVersionTemplate(versionTemplate)
	// stdout redirected to a file a command reads (`sim replay t.yaml
	// --print >> t.yaml`) is refused before the command runs; commands that
	// read more (resources) or write files check those themselves.
	root.PersistentPreRunE = func(c *cobra.Command, args []string) error {
		f := new(files).read(args...).writeStdout(stdout)
		stdinFor := stdinUses(args, "")
		for _, name := range inputFlags {
			if fl := c.Flags().Lookup(name); fl != nil && fl.Changed {
				f.read(fl.Value.String())
				stdinFor = append(stdinFor, stdinUses([]string{fl.Value.String()}, "--"+name)...)
			}
		}
		if len(stdinFor) > 1 {
			return fmt.Errorf("%w: standard input (-) can be read only once: %s name it (see `%s --help`)", errUsage, strings.Join(stdinFor, " and "), c.CommandPath())
		}
		return f.check()
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	// printError puts "sim: " in front; the command is named once, in the
	// pointer to its help.
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return statusError{status: exitBadInput, err: fmt.Errorf("%w%s (see `%s --help`)", err, flagHint(c, err), c.CommandPath())}
	})
	root.AddCommand(newRunCommand(stdout, stderr), newReplayCommand(stdout, stderr), newLintCommand(stdout, stderr))
	root.AddCommand(newCheckCommand(stdout, stderr))
	root.AddCommand(newDiffCommand(stdout, stderr), newSweepCommand(stdout, stderr))
	root.AddCommand(newTimelineCommand(stdout, stderr), newMetricsCommand(stdout, stderr))
	root.AddCommand(newGraphCommand(stdout, stderr), newRenderCommand(stdout, stderr))
	root.AddCommand(newVersionCommand(stdout))
	addCompletion(root)
	return root
}

// stdinUses names each of values that is "-" (standard input): the flag,
// or "argument N" for a positional argument (flag "").
func stdinUses(values []string, flag string) []string {
	var out []string
	for i, v := range values {
		if v != input.Stdin {
			continue
		}
		if flag != "" {
			out = append(out, flag)
		} else {
			out = append(out, fmt.Sprintf("argument %d", i+1))
		}
	}
	return out
}

// statusError carries an exit status chosen by a sub-command.
type statusError struct {
	status int
	err    error
}

// Unwrap lets errors.Is see the cause (a closed pipe behind a write).
func (s statusError) Unwrap() error { return s.err }

func (s statusError) Error() string {
	if s.err == nil {
		return fmt.Sprintf("exit status %d", s.status)
	}
	return s.err.Error()
}

// printError prints err as sim does (play.PrintError, which the browser
// playground shares).
func printError(w io.Writer, err error) { play.PrintError(w, err) }

// warn prints one warning about the input on stderr (play.Warn).
func warn(stderr io.Writer, w any) { play.Warn(stderr, w) }

// statusOf maps an error to an exit status: anything about the input is 2.
func statusOf(err error) int {
	switch {
	case play.IsInputError(err):
		return exitBadInput
	case errors.Is(err, errUsage):
		return exitBadInput
	}
	var oe *outputError
	if errors.As(err, &oe) {
		return exitWrite
	}
	return exitFailed
}

// errUsage marks a usage error (exit status 2); it is play.ErrUsage, so
// the playground words one as sim does.
var errUsage = play.ErrUsage

// outputError is an output that could not be written (exitWrite).
type outputError struct{ err error }

func (e *outputError) Error() string { return e.err.Error() }
func (e *outputError) Unwrap() error { return e.err }

// writeErrorf is fmt.Errorf for a failed write or create of an output.
func writeErrorf(format string, a ...any) error {
	return &outputError{fmt.Errorf(format, a...)}
}

// stickyWriter writes to w until a write fails and keeps that error, so a
// report printed line by line checks for a failed write once, at its end.
type stickyWriter struct {
	w   io.Writer
	err error
}

func (s *stickyWriter) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.w.Write(p)
	s.err = err
	return n, err
}

// flagHint suggests the nearest flag of c for a mistyped one, in diag's
// one wording, as unknownCommand does for a mistyped command.
func flagHint(c *cobra.Command, err error) string {
	name, ok := strings.CutPrefix(err.Error(), "unknown flag: --")
	if !ok {
		return ""
	}
	var names []string
	c.Flags().VisitAll(func(f *pflag.Flag) {
		if !f.Hidden {
			names = append(names, f.Name)
		}
	})
	sort.Strings(names)
	if n := diag.Nearest(name, names); n != "" {
		return diag.DidYouMean("--" + n)
	}
	return ""
}

// unknownCommand rewords cobra's error for an unknown sub-command as one
// line with diag's suggestion; ok is false for any other error.
func unknownCommand(root *cobra.Command, err error) (msg string, ok bool) {
	rest, ok := strings.CutPrefix(err.Error(), "unknown command ")
	if !ok {
		return "", false
	}
	quoted, qerr := strconv.QuotedPrefix(rest)
	name, uerr := strconv.Unquote(quoted)
	if qerr != nil || uerr != nil {
		return err.Error(), true
	}
	var names []string
	for _, c := range root.Commands() {
		if c.IsAvailableCommand() {
			names = append(names, c.Name())
		}
	}
	sort.Strings(names)
	return fmt.Sprintf("unknown command %q%s (see `sim --help`)", name, diag.Suggest(name, names)), true
}
