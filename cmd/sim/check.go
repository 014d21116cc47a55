package main

import (
	"io"

	"github.com/dapr-sim/sim/expect"
	"github.com/dapr-sim/sim/internal/diag"
	"github.com/dapr-sim/sim/sim"
	"github.com/dapr-sim/sim/traces"
	"github.com/spf13/cobra"
)

func newCheckCommand(stdout, stderr io.Writer) *cobra.Command {
	var (
		dapr      string
		seed      int64
		maxEvents int64
		sets      []string
		format    = newFormatFlag("text", "json", "junit")
	)
	c := &cobra.Command{
		Use:   "check SCENARIO",
		Short: "Run a scenario and check its expect: assertions",
		Long: "check runs SCENARIO as `sim run` does (without printing the sidecar log) and\n" +
			"evaluates the assertions of its expect: list: breaker states at an instant or\n" +
			"throughout a window, transitions within a window, log lines that appear or never\n" +
			"appear, and counts (failedOps, attempts, shed, retries, ...). It prints one line\n" +
			"per assertion, `ok` or `FAIL` with what was expected, what happened and the\n" +
			"nearest relevant events, then `N passed, M failed`. Warnings about the input go\n" +
			"to stderr. --format json writes the same as one JSON document, --format junit as\n" +
			"JUnit XML, one testcase per assertion (docs/output-formats.md).\n\n" +
			"Exit status: 0 every assertion holds; 1 some fail; 2 the input could not be run\n" +
			"or checked (a bad scenario, a bad or empty expect: list, a run limit hit); 4 the\n" +
			"report could not be written.",
		Example: "  sim check examples/quickstart/scenario.yaml\n" +
			"  sim check examples/quickstart/scenario.yaml --dapr 1.16\n" +
			"  sim check examples/quickstart/scenario.yaml --format junit > check.xml\n" +
			"  sim check examples/quickstart/scenario.yaml --set retries.retryForever.duration=2s",
		Args: oneFile("scenario file"),
		RunE: func(c *cobra.Command, args []string) error {
			if err := checkMaxEvents(maxEvents); err != nil {
				return err
			}
			o, err := flagOverrides(c, dapr, seed, sets)
			if err != nil {
				return err
			}
			return checkScenario(args[0], o, maxEvents, format.value, stdout, stderr)
		},
	}
	f := c.Flags()
	f.StringVar(&dapr, "dapr", "", "Dapr release whose behaviour and log wording to model, 1.8 … 1.16 (default: the scenario's, else the newest)")
	f.Int64Var(&seed, "seed", 0, "seed for every random draw (default: the scenario's)")
	f.Int64Var(&maxEvents, "max-events", sim.DefaultMaxEvents, "stop a run that processes more than `N` events")
	f.StringArrayVar(&sets, "set", nil, setFlagUsage)
	format.addTo(f, "output: text, json or junit (JUnit XML)")
	return c
}

// checkScenario validates the assertions before running anything, so bad
// input is reported (exit 2) without a run.
func checkScenario(path string, o sim.Overrides, maxEvents int64, format string, stdout, stderr io.Writer) error {
	sc, err := sim.LoadScenario(path)
	if err != nil {
		return err
	}
	if err := new(files).read(path).read(sc.ResourcePaths()...).writeStdout(stdout).check(); err != nil {
		return err
	}
	as, err := expect.Parse(sc.File, sc.Expect)
	if err != nil {
		return err
	}
	if len(as) == 0 {
		line := 0
		if sc.Expect != nil {
			line = sc.Expect.Line
		}
		return &diag.Error{File: sc.File, Line: line, Field: "expect", Msg: "no assertions to check: add a list such as [{breaker: NAME, state: open, at: 27s}]"}
	}
	setup, err := prepare(sc, o, stderr)
	if err != nil {
		return err
	}
	wording, err := traces.WordingFor(setup.Profile.Version)
	if err != nil {
		return err
	}
	lw := traces.NewLogWriter(io.Discard, wording)
	lw.Sidecars = len(setup.Sidecars) > 1
	// The assertions are decided as the events pass; the run is not kept.
	ev := expect.NewEvaluator(as, lw)
	eng := sim.NewEngine(setup, ev, sim.Options{MaxEvents: maxEvents})
	defer eng.Close()
	if err := eng.Run(); err != nil {
		return err
	}
	report := ev.Report()
	run := expect.Run{File: sc.File, Name: sc.Name, Dapr: setup.Profile.Version, Seed: setup.Seed}
	switch format {
	case "json":
		err = report.WriteJSON(stdout, run)
	case "junit":
		err = report.WriteJUnit(stdout, run)
	default:
		_, err = report.WriteTo(stdout)
	}
	if err != nil {
		return writeErrorf("write report: %w", err)
	}
	if !report.OK() {
		return statusError{status: exitFailed}
	}
	return nil
}
