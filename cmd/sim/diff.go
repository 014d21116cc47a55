package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/dapr-sim/sim/internal/diag"
	"github.com/dapr-sim/sim/internal/input"
	"github.com/dapr-sim/sim/sim"
	"github.com/dapr-sim/sim/traces"
	"github.com/dapr-sim/sim/whatif"
	"github.com/spf13/cobra"
)

func newDiffCommand(stdout, stderr io.Writer) *cobra.Command {
	var (
		resiliency string
		against    string
		dapr       string
		seed       int64
		maxEvents  int64
		failOnReg  bool
		sets       []string
		format     = newFormatFlag("text", "json")
	)
	c := &cobra.Command{
		Use:   "diff SCENARIO --against B [--resiliency A] | diff SCENARIO --set PATH=VALUE | diff SCENARIO_A SCENARIO_B",
		Short: "Run a scenario under two Resiliency specs and show how the timelines differ",
		Long: "diff runs the same scenario twice, on the same seed and outage, with only the\n" +
			"Resiliency differing: side A with --resiliency (a Resiliency file or a resources\n" +
			"folder; default: the scenario's own), side B with --against. Given two scenario\n" +
			"files instead, it runs each (B on A's seed). --set PATH=VALUE (repeatable; the\n" +
			"paths of sim sweep) sets a Resiliency field on side B only, with or without\n" +
			"--against: `diff SCENARIO --set circuitBreakers.cb.timeout=30s` is the scenario\n" +
			"as written against the same with that one value changed. It prints the breaker transitions\n" +
			"that moved, appeared or disappeared (matched by breaker, change and occurrence),\n" +
			"the app operations that failed in one run only, time to detect (outage start to\n" +
			"the first breaker open) and time to recover (outage end to the first successful\n" +
			"operation) when the scenario stops and starts a target, the counts per side with\n" +
			"the delta, and a one-line verdict. --format json writes all of it as one JSON\n" +
			"document (docs/output-formats.md).\n\n" +
			"Exit status: 0 whatever the difference; 1 with --fail-on-regression when B fails\n" +
			"more operations than A; 2 the input could not be run; 4 the diff could not be\n" +
			"written.",
		Example: "  sim diff examples/quickstart/scenario.yaml --against slower-breaker.yaml\n" +
			"  sim diff examples/quickstart/scenario.yaml --set circuitBreakers.simpleCB.timeout=30s\n" +
			"  sim diff examples/quickstart/scenario.yaml --resiliency a.yaml --against b.yaml --fail-on-regression\n" +
			"  sim diff before.yaml after.yaml",
		Args: func(c *cobra.Command, args []string) error {
			switch {
			case len(args) == 1 && against == "" && len(sets) == 0:
				return fmt.Errorf("%w: name side B with --against FILE or --set PATH=VALUE (or give two scenario files; see `sim diff --help`)", errUsage)
			case len(args) == 2 && (against != "" || resiliency != ""):
				return fmt.Errorf("%w: --resiliency and --against go with one scenario, not two (see `sim diff --help`)", errUsage)
			case len(args) < 1 || len(args) > 2:
				return fmt.Errorf("%w: want one scenario and --against, or two scenario files, got %d arguments (see `sim diff --help`)", errUsage, len(args))
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			if c.Flags().Changed("against") && against == "" {
				return fmt.Errorf("%w: --against needs a file or folder name", errUsage)
			}
			if c.Flags().Changed("resiliency") && resiliency == "" {
				return fmt.Errorf("%w: --resiliency needs a file or folder name", errUsage)
			}
			if err := checkMaxEvents(maxEvents); err != nil {
				return err
			}
			var o sim.Overrides
			o.Dapr = dapr
			if c.Flags().Changed("seed") {
				o.Seed = &seed
			}
			var setB sim.Overrides
			err := whatif.Apply(sets, &setB)
			if err != nil {
				return err
			}
			d := diffRun{o: o, setB: setB, setsB: sets, maxEvents: maxEvents, stderr: stderr, warned: map[string]bool{}}
			if len(args) == 2 {
				err = d.prepareScenarios(args[0], args[1])
			} else {
				err = d.prepareResources(args[0], resiliency, against)
			}
			if err != nil {
				return err
			}
			diff, err := d.run()
			if err != nil {
				return err
			}
			if err := d.write(stdout, diff, format.value); err != nil {
				return writeErrorf("write diff: %w", err)
			}
			if failOnReg && diff.Regression() {
				return statusError{status: exitFailed}
			}
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&resiliency, "resiliency", "", "side A: a Resiliency `FILE` or resources folder replacing the scenario's (default: the scenario's own)")
	f.StringVar(&against, "against", "", "side B: a Resiliency `FILE` or resources folder replacing the scenario's")
	f.StringArrayVar(&sets, "set", nil, "side B: set a Resiliency field, `PATH=VALUE`: retries.NAME.FIELD, circuitBreakers.NAME.FIELD or timeouts.NAME, as in sim sweep (repeatable)")
	f.BoolVar(&failOnReg, "fail-on-regression", false, "exit 1 when B fails more operations than A")
	f.StringVar(&dapr, "dapr", "", "Dapr release whose behaviour to model, 1.8 … 1.16, for both sides (default: the scenario's, else the newest)")
	f.Int64Var(&seed, "seed", 0, "seed for every random draw, for both sides (default: the scenario's; with two scenarios, A's)")
	f.Int64Var(&maxEvents, "max-events", sim.DefaultMaxEvents, "stop a run that processes more than `N` events")
	format.addTo(f, "output: text or json")
	return c
}

// diffRun holds the two prepared sides of a diff.
type diffRun struct {
	o            sim.Overrides
	setB         sim.Overrides // --set: edits and what-ifs for side B only
	setsB        []string      // those flags as given, to name side B
	maxEvents    int64
	stderr       io.Writer
	warned       map[string]bool // warnings already printed (both sides share most)
	a, b         *sim.Setup
	labelA       string
	labelB       string
	twoScenarios bool
}

// prepareResources loads the scenario once per side and points each copy at
// its own Resiliency file or resources folder.
func (d *diffRun) prepareResources(path, resA, resB string) error {
	var errs diag.List
	load := func(res, flag string) (*sim.Scenario, string) {
		sc, err := sim.LoadScenario(path)
		if err != nil {
			errs = diag.Collect(errs, err, "")
			return nil, ""
		}
		if res == "" {
			label := "(the scenario's own resources)"
			if p := sc.ResourcePaths(); len(p) > 0 {
				label = p[0]
			}
			return sc, label
		}
		if err := useResources(sc, res, flag); err != nil {
			errs = diag.Collect(errs, err, "")
			return nil, ""
		}
		return sc, diag.Name(res)
	}
	scA, labelA := load(resA, "--resiliency")
	scB, labelB := load(resB, "--against")
	if err := errs.Err(); err != nil {
		return err
	}
	d.labelA, d.labelB = labelA, d.withEdits(labelB)
	return d.prepare(scA, scB)
}

// prepareScenarios loads two scenario files; B runs on A's seed unless
// --seed sets both.
func (d *diffRun) prepareScenarios(pathA, pathB string) error {
	scA, err := sim.LoadScenario(pathA)
	if err != nil {
		return err
	}
	scB, err := sim.LoadScenario(pathB)
	if err != nil {
		return err
	}
	d.labelA, d.labelB, d.twoScenarios = pathA, d.withEdits(pathB), true
	return d.prepare(scA, scB)
}

// withEdits names side B with the --set values laid over it.
func (d *diffRun) withEdits(label string) string {
	for i, set := range d.setsB {
		sep := ", "
		if i == 0 {
			sep = " with --set "
		}
		label += sep + strings.TrimSpace(set)
	}
	return label
}

func (d *diffRun) prepare(scA, scB *sim.Scenario) error {
	var errs diag.List
	a, err := sim.Prepare(scA, d.o)
	if err != nil {
		errs = diag.Collect(errs, err, "")
	}
	oB := d.o
	oB.Edits = d.setB.Edits
	if oB.Seed == nil && a != nil {
		seed := a.Seed
		oB.Seed = &seed
	}
	b, err := sim.Prepare(scB, oB)
	if err != nil {
		errs = diag.Collect(errs, err, "")
	}
	if err := errs.Err(); err != nil {
		return err
	}
	for _, s := range []*sim.Setup{a, b} {
		for _, w := range s.Warnings {
			if line := fmt.Sprint(w); !d.warned[line] {
				d.warned[line] = true
				warn(d.stderr, line)
			}
		}
	}
	d.a, d.b = a, b
	return nil
}

// useResources points sc at res (a Resiliency file or a resources folder),
// given relative to the working directory, in place of its own resources.
func useResources(sc *sim.Scenario, res, flag string) error {
	if res == input.Stdin {
		sc.ResourcesPath, sc.Resiliency = "", res // one file, never a folder
		return nil
	}
	info, err := os.Stat(res)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &diag.Error{Field: flag, Msg: fmt.Sprintf("%s does not exist", res)}
	case err != nil:
		return &diag.Error{Field: flag, Msg: fmt.Sprintf("cannot read %s: %v", res, errors.Unwrap(err))}
	}
	p := relativeTo(filepath.Dir(sc.File), res)
	if info.IsDir() {
		sc.ResourcesPath, sc.Resiliency = p, ""
	} else {
		sc.ResourcesPath, sc.Resiliency = "", p
	}
	return nil
}

// relativeTo rewrites p (relative to the working directory) so that joined
// to base it names the same file, and errors keep naming it as the user did.
func relativeTo(base, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	if !filepath.IsAbs(base) {
		if r, err := filepath.Rel(base, p); err == nil {
			return r
		}
	}
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}

func (d *diffRun) run() (traces.MetricsDiff, error) {
	a, err := whatif.Measure(d.a, d.maxEvents, traces.MeasureOps)
	if err != nil {
		return traces.MetricsDiff{}, fmt.Errorf("side A: %w", err)
	}
	b, err := whatif.Measure(d.b, d.maxEvents, traces.MeasureOps)
	if err != nil {
		return traces.MetricsDiff{}, fmt.Errorf("side B: %w", err)
	}
	return traces.CompareMetrics(a, b), nil
}

// write prints the diff (traces.DiffReport), the sides named as given, in
// format.
func (d *diffRun) write(w io.Writer, diff traces.MetricsDiff, format string) error {
	name := d.a.Scenario.Name
	if d.twoScenarios && d.b.Scenario.Name != name {
		name += " vs " + d.b.Scenario.Name
	}
	r := traces.DiffReport{Name: name, SeedA: d.a.Seed, SeedB: d.b.Seed,
		DaprA: d.a.Profile.Version, DaprB: d.b.Profile.Version,
		LabelA: d.labelA, LabelB: d.labelB, Diff: diff}
	if format == "json" {
		return r.WriteJSON(w)
	}
	return r.Write(w)
}
