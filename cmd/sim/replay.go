package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/dapr-sim/sim/sim"
	"github.com/dapr-sim/sim/traces"
	"github.com/spf13/cobra"
)

func newReplayCommand(stdout, stderr io.Writer) *cobra.Command {
	var print bool
	c := &cobra.Command{
		Use:   "replay TRACE",
		Short: "Run a trace's scenario again and compare the events",
		Long: "replay rebuilds the run from TRACE's header alone (the scenario as run and the\n" +
			"resolved Resiliency spec; the resources folder is not read), runs it again and\n" +
			"compares every event with the recorded one. Identical: one summary line. Diverged:\n" +
			"the first differing event, the events just before it and the fields that differ.\n" +
			"--print re-emits the sidecar log from the recorded events without running anything.\n\n" +
			"TRACE is YAML or JSON lines (`sim run --trace-format jsonl`): a file whose first\n" +
			"non-blank character is `{` is read as JSON lines.\n\n" +
			"Exit status: 0 identical (or printed); 1 diverged: an event differs, is missing or\n" +
			"is extra; 2 the trace cannot be replayed: unreadable, not a trace, a YAML or JSON\n" +
			"syntax error (a file cut inside a line), a format version this sim does not read,\n" +
			"or a header that does not describe a runnable scenario.",
		Example: "  sim run examples/quickstart/scenario.yaml --trace t.yaml && sim replay t.yaml\n" +
			"  sim replay t.yaml --print",
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != 1 {
				return fmt.Errorf("%w: want one trace file, got %d arguments (see `sim replay --help`)", errUsage, len(args))
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			tr, err := traces.ReadFile(args[0])
			if err != nil {
				return err
			}
			if print {
				return printLog(tr, stdout)
			}
			return replay(args[0], tr, stdout)
		},
	}
	c.Flags().BoolVar(&print, "print", false, "print the sidecar log from the recorded events (the bytes `sim run` printed), without re-running")
	return c
}

// printLog projects the recorded events through the sidecar-log writer in
// the wording of the header's Dapr release.
func printLog(tr *traces.Trace, stdout io.Writer) error {
	wording, err := traces.WordingFor(tr.Dapr)
	if err != nil {
		return statusError{status: exitBadInput, err: fmt.Errorf("header dapr: %w", err)}
	}
	log := traces.NewLogWriter(stdout, wording)
	for i := range tr.Events {
		if err := log.Record(&tr.Events[i]); err != nil {
			return fmt.Errorf("write log: %w", err)
		}
	}
	if err := log.Flush(); err != nil {
		return fmt.Errorf("write log: %w", err)
	}
	return nil
}

func replay(path string, tr *traces.Trace, stdout io.Writer) error {
	setup, err := sim.PrepareTrace(path, tr)
	if err != nil {
		return err
	}
	var got traces.Collector
	eng := sim.NewEngine(setup, &got, sim.Options{MaxEvents: sim.DefaultMaxEvents})
	defer eng.Close()
	if err := eng.Run(); err != nil {
		return fmt.Errorf("replay %s: %w", path, err)
	}
	if d := traces.Compare(tr.Events, got.Events); d != nil {
		fmt.Fprint(stdout, d)
		return statusError{status: exitFailed}
	}
	s := traces.Summarize(tr.Events)
	breakers := "none"
	if len(s.Breakers) > 0 {
		breakers = strings.Join(s.Breakers, ", ")
	}
	fmt.Fprintf(stdout, "replay: %d events identical over %s–%s; breakers: %s\n", s.Events, s.First, s.Last, breakers)
	return nil
}
