package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"

	"github.com/dapr-sim/sim/internal/diag"
	"github.com/dapr-sim/sim/internal/grid"
	"github.com/dapr-sim/sim/internal/input"
	"github.com/dapr-sim/sim/policies"
	"github.com/dapr-sim/sim/sim"
	"github.com/dapr-sim/sim/whatif"
	"github.com/spf13/cobra"
)

func newSweepCommand(stdout, stderr io.Writer) *cobra.Command {
	return sweepCommand(stdout, stderr, isTerminal)
}

// sweepCommand takes the terminal check as a parameter so a test can
// pretend stderr is a terminal and see the progress bar.
func sweepCommand(stdout, stderr io.Writer, tty func(io.Writer) bool) *cobra.Command {
	var (
		sets      []string
		seeds     int
		seed      int64
		dapr      string
		maxEvents int64
		jobs      int
		format    string
		shard     string
	)
	c := &cobra.Command{
		Use:   "sweep SCENARIO --set PATH=V1,V2,... [--set ...] [--seeds N]",
		Short: "Run a scenario over a grid of policy values and tabulate the outcomes",
		Long: "sweep runs SCENARIO once for every combination of the --set values (the\n" +
			"cartesian product, in the order the flags are given, the last varying fastest)\n" +
			"and, innermost, every seed: the base seed (--seed, else the scenario's) and the\n" +
			"--seeds N-1 after it. Runs are numbered from 0 in that order and printed in it,\n" +
			"one row each, whatever order they finish in; they run in parallel (--jobs), and\n" +
			"the output is the same bytes whatever the number of cores.\n\n" +
			"--set PATH=V1,V2,... addresses a Resiliency policy the way its YAML spells it:\n" +
			"  retries.NAME.FIELD          policy, duration, maxInterval, maxRetries,\n" +
			"                              matching.httpStatusCodes, matching.gRPCStatusCodes\n" +
			"  circuitBreakers.NAME.FIELD  maxRequests, interval, timeout, trip\n" +
			"  timeouts.NAME               a duration\n" +
			"  retries.NAME.FIELD          initialInterval, multiplier, randomizationFactor,\n" +
			"                              maxElapsedTime: what-ifs Dapr's YAML has no key\n" +
			"                              for, set as a scenario's overrides: would set them\n" +
			"Each value replaces the field in the Resiliency document before it is read, so it\n" +
			"is checked, defaulted and warned about exactly as if the file said it. Values are\n" +
			"YAML scalars split on the commas outside parentheses, brackets and quotes: a trip\n" +
			"may hold commas, and '500-599,404' is one value. Every value is checked before\n" +
			"any run starts.\n\n" +
			"Each row shows, for one run:\n" +
			"  failed    app operations that finally failed\n" +
			"  shed      attempts refused by an open (or full half-open) breaker\n" +
			"  attempts  attempts made, shed ones included\n" +
			"  detect    from the first stop fault to the first breaker opening after it\n" +
			"  recover   from that target's restart to the first successful operation\n" +
			"  stall     the longest time one app operation waited for its final answer:\n" +
			"            from its request reaching the sidecar to the answer (the op\n" +
			"            event's took), retries and backoff included\n" +
			"A scenario with messages (publish steps, subscriptions, input bindings) adds\n" +
			"published, delivered, redelivered, deadlettered, dropped, lost, pending and\n" +
			"duplicates (sim diff's messages section), and delay: the worst end-to-end delay\n" +
			"of a delivered message, from its publish to the end of its first delivery.\n" +
			"A duration that does not apply (no stop fault, no breaker opened, never\n" +
			"recovered, no operation ended) is `-` in a table, empty in CSV, null in JSON.\n\n" +
			"--format table (aligned columns; a seed column with --seeds above 1), markdown\n" +
			"(the same as a pipe table), csv (a header, then run, the paths, seed and the\n" +
			"metrics, durations in seconds as decimals: detect_s, recover_s, stall_s,\n" +
			"delay_s) or json (an array of objects with the csv's keys in the same order, one\n" +
			"per line).\n\n" +
			"--shard i/n runs the runs whose index modulo n is i (i is 0-based, as a\n" +
			"Kubernetes indexed Job's JOB_COMPLETION_INDEX): only shard 0 writes the CSV\n" +
			"header, so `cat shard-*.csv` is one CSV, and sorted by run it is the whole\n" +
			"grid's output.\n\n" +
			"Any row plays again by itself, with its log and trace: sim run SCENARIO --set\n" +
			"PATH=VALUE for each of the row's values (and --seed for its seed).\n\n" +
			"A progress bar is drawn on stderr when stderr is a terminal. Warnings about the\n" +
			"input, as the runs played it, print once each on stderr after the runs.\n\n" +
			"Exit status: 0 every run completed; 2 the input could not be run (a bad flag,\n" +
			"path or value, a run limit hit by some run: the message names its values);\n" +
			"4 the output could not be written (1 before sim had one status for that).",
		Example: "  sim sweep examples/quickstart/scenario.yaml --set retries.retryForever.duration=1s,2s,5s \\\n" +
			"      --set circuitBreakers.simpleCB.timeout=5s,30s,60s\n" +
			"  sim sweep scenario.yaml --set circuitBreakers.cb.trip='consecutiveFailures >= 3','requests > 10 && totalFailures > 5' --format markdown\n" +
			"  sim sweep scenario.yaml --set retries.r.maxRetries=-1,3 --seeds 20 --format csv\n" +
			"  sim sweep scenario.yaml --set timeouts.t=1s,2s --format csv --shard \"$JOB_COMPLETION_INDEX/8\" > shard-$JOB_COMPLETION_INDEX.csv",
		Args: oneFile("scenario file"),
		RunE: func(c *cobra.Command, args []string) error {
			s := &sweep{file: args[0], stdout: stdout, stderr: stderr}
			s.Shard, s.MaxEvents = grid.All, maxEvents
			switch format {
			case "table", "csv", "json", "markdown":
				s.format = format
			default:
				return fmt.Errorf("%w: --format: want table, csv, json or markdown, got %q", errUsage, format)
			}
			if err := checkMaxEvents(maxEvents); err != nil {
				return err
			}
			if seeds < 1 {
				return fmt.Errorf("%w: --seeds must be at least 1, got %d", errUsage, seeds)
			}
			s.Jobs = runtime.GOMAXPROCS(0)
			if c.Flags().Changed("jobs") {
				if jobs < 1 {
					return fmt.Errorf("%w: --jobs must be at least 1, got %d", errUsage, jobs)
				}
				s.Jobs = jobs
			}
			if c.Flags().Changed("shard") {
				sh, err := grid.ParseShard(shard)
				if err != nil {
					return fmt.Errorf("%w: --shard: %s", errUsage, err)
				}
				s.Shard, s.Sharded = sh, true
			}
			s.Base.Dapr = dapr
			if c.Flags().Changed("seed") {
				s.Base.Seed = &seed
			}
			if _, set := os.LookupEnv("GOGC"); !set {
				// A sweep's heap is its runs in flight: let it grow to
				// whatif.MinHeap before collecting (which says why).
				defer whatif.TuneGC()()
			}
			axes, setErrs := whatif.ParseSets(sets)
			if err := s.prepare(axes, setErrs, seeds); err != nil {
				return err
			}
			s.progress = tty(stderr)
			rows, err := s.run()
			if err != nil {
				return err
			}
			if err := s.Write(stdout, s.format, rows); err != nil {
				return writeErrorf("write sweep: %w", err)
			}
			return nil
		},
	}
	f := c.Flags()
	// StringArray, not StringSlice: a value list has its own comma rules.
	f.StringArrayVar(&sets, "set", nil, "sweep `PATH=V1,V2,...`: retries.NAME.FIELD, circuitBreakers.NAME.FIELD or timeouts.NAME (repeatable)")
	f.IntVar(&seeds, "seeds", 1, "run every combination on `N` seeds: the base seed and the N-1 after it")
	f.Int64Var(&seed, "seed", 0, "the base seed (default: the scenario's)")
	f.StringVar(&dapr, "dapr", "", "Dapr release whose behaviour to model, 1.8 … 1.16 (default: the scenario's, else the newest)")
	f.Int64Var(&maxEvents, "max-events", sim.DefaultMaxEvents, "stop a run that processes more than `N` events (an error naming the run)")
	f.IntVarP(&jobs, "jobs", "j", 0, "runs at once (default: GOMAXPROCS, the usable cores)")
	f.StringVar(&format, "format", "table", "output: table, csv, json or markdown")
	f.StringVar(&shard, "shard", "", "run only slice `i/n` of the grid: the runs whose index modulo n is i (0 ≤ i < n)")
	return c
}

// sweep is one `sim sweep`: the grid (whatif.Sweep) with the files it
// reads and the writers it prints to.
type sweep struct {
	whatif.Sweep
	file     string
	format   string
	progress bool
	stdout   io.Writer
	stderr   io.Writer
}

// prepare reads the scenario and its resources once and checks them, and
// every value of every --set alone, so a bad value stops the sweep before
// any run; errs (the --set flags that did not parse) are reported with
// those found here.
func (s *sweep) prepare(axes []whatif.Axis, errs diag.List, seeds int) error {
	data, err := input.ReadFile(s.file)
	if err != nil {
		return append(errs, &diag.Error{File: s.file, Msg: "cannot read scenario: " + input.ErrText(err)}).Err()
	}
	s.File, s.Data, s.Axes = s.file, data, axes
	sc, err := sim.ParseScenario(s.file, data)
	if err != nil {
		return diag.Collect(errs, err, "").Err()
	}
	if err := new(files).read(s.file).read(sc.ResourcePaths()...).writeStdout(s.stdout).check(); err != nil {
		return err
	}
	// The resource files are read once, here: every run loads these bytes,
	// however the files change while the sweep runs.
	s.Base.Sources = policies.ReadSources(sc.ResourcePaths())
	// Not prepare(): its warnings describe the files as written, which no
	// run may play when --set replaces the value warned about. Each run's
	// warnings are printed after the runs, once each.
	if err := s.Check(errs); err != nil {
		return err
	}
	if err := s.Plan(seeds); err != nil {
		return fmt.Errorf("%w: %s", errUsage, err)
	}
	if s.Sharded && s.Runs() == 0 {
		fmt.Fprintf(s.stderr, "sweep: shard %s has no run: the grid has %d\n", s.Shard, s.Len())
	}
	return nil
}

// run plays the runs with a progress bar on a terminal, then prints the
// warnings of the runs, once each, and the first failure in grid order.
func (s *sweep) run() ([]whatif.Row, error) {
	bar := progressBar{w: s.stderr, total: s.Runs(), on: s.progress}
	if s.progress {
		defer eraseOnSignal(s.stderr)()
	}
	rows := s.Play(bar.draw)
	bar.clear()
	warnings, err := s.Result(rows)
	for _, w := range warnings {
		warn(s.stderr, w)
	}
	var re *whatif.RunError
	if errors.As(err, &re) {
		return nil, statusError{status: statusOf(re.Err), err: re}
	}
	return rows, err
}

// progressBar redraws one line on a terminal with \r. Past 1000 runs it
// redraws once per thousandth, so a grid of millions of runs does not flood
// the terminal.
type progressBar struct {
	w     io.Writer
	total int
	on    bool
	last  string
	drawn int // the thousandths last drawn; -1 before the first draw
}

const barWidth = 20

func (p *progressBar) draw(done int) {
	if !p.on {
		return
	}
	filled, step := barWidth, 1000
	if p.total > 0 {
		filled, step = done*barWidth/p.total, done*1000/p.total
	}
	if p.last != "" && step == p.drawn && done != p.total {
		return
	}
	line := fmt.Sprintf("sweep  [%s%s]  %d/%d runs", strings.Repeat("#", filled), strings.Repeat(".", barWidth-filled), done, p.total)
	// The count only grows, so the line never shortens; pad anyway.
	pad := max(len(p.last)-len(line), 0)
	fmt.Fprintf(p.w, "\r%s%s", line, strings.Repeat(" ", pad))
	p.last, p.drawn = line, step
}

// eraseOnSignal erases the bar's line when a signal ends the sweep (Ctrl-C,
// SIGTERM, see terminating), so the shell's prompt does not follow a half-drawn bar, then
// exits with the conventional status. The returned function stops watching.
func eraseOnSignal(w io.Writer) (stop func()) {
	return onSignal(func() { fmt.Fprint(w, "\r\033[K") })
}

// clear blanks the bar's line and returns the cursor to its start, so what
// stderr prints next starts on a clean line.
func (p *progressBar) clear() {
	if !p.on || p.last == "" {
		return
	}
	fmt.Fprintf(p.w, "\r%s\r", strings.Repeat(" ", len(p.last)))
	p.last = ""
}
