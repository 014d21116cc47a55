package main

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/dapr-sim/sim/internal/diag"
	"github.com/dapr-sim/sim/internal/escape"
	"github.com/dapr-sim/sim/internal/grid"
	"github.com/dapr-sim/sim/internal/input"
	"github.com/dapr-sim/sim/policies"
	"github.com/dapr-sim/sim/sim"
	"github.com/dapr-sim/sim/traces"
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
			"A duration that does not apply (no stop fault, no breaker opened, never\n" +
			"recovered, no operation ended) is `-` in a table, empty in CSV, null in JSON.\n\n" +
			"--format table (aligned columns; a seed column with --seeds above 1), markdown\n" +
			"(the same as a pipe table), csv (a header, then run, the paths, seed and the\n" +
			"metrics, durations in seconds as decimals: detect_s, recover_s, stall_s) or json\n" +
			"(an array of objects with the csv's keys in the same order, one per line).\n\n" +
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
			"1 the output could not be written.",
		Example: "  sim sweep examples/quickstart/scenario.yaml --set retries.retryForever.duration=1s,2s,5s \\\n" +
			"      --set circuitBreakers.simpleCB.timeout=5s,30s,60s\n" +
			"  sim sweep scenario.yaml --set circuitBreakers.cb.trip='consecutiveFailures >= 3','requests > 10 && totalFailures > 5' --format markdown\n" +
			"  sim sweep scenario.yaml --set retries.r.maxRetries=-1,3 --seeds 20 --format csv\n" +
			"  sim sweep scenario.yaml --set timeouts.t=1s,2s --format csv --shard \"$JOB_COMPLETION_INDEX/8\" > shard-$JOB_COMPLETION_INDEX.csv",
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != 1 {
				return fmt.Errorf("%w: want one scenario file, got %d arguments (see `sim sweep --help`)", errUsage, len(args))
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			s := &sweep{file: args[0], maxEvents: maxEvents, stdout: stdout, stderr: stderr, shard: grid.All}
			switch format {
			case "table", "csv", "json", "markdown":
				s.format = format
			default:
				return fmt.Errorf("%w: --format: want table, csv, json or markdown, got %q", errUsage, format)
			}
			if maxEvents < 1 {
				return fmt.Errorf("%w: --max-events must be at least 1, got %d", errUsage, maxEvents)
			}
			if seeds < 1 {
				return fmt.Errorf("%w: --seeds must be at least 1, got %d", errUsage, seeds)
			}
			s.jobs = runtime.GOMAXPROCS(0)
			if c.Flags().Changed("jobs") {
				if jobs < 1 {
					return fmt.Errorf("%w: --jobs must be at least 1, got %d", errUsage, jobs)
				}
				s.jobs = jobs
			}
			if c.Flags().Changed("shard") {
				sh, err := grid.ParseShard(shard)
				if err != nil {
					return fmt.Errorf("%w: --shard: %s", errUsage, err)
				}
				s.shard, s.sharded = sh, true
			}
			s.o.Dapr = dapr
			if c.Flags().Changed("seed") {
				s.o.Seed = &seed
			}
			axes, setErrs := parseSets(sets)
			if err := s.prepare(axes, setErrs, seeds); err != nil {
				return err
			}
			s.progress = tty(stderr)
			if err := s.run(); err != nil {
				return err
			}
			if err := s.write(); err != nil {
				return fmt.Errorf("write sweep: %w", err)
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

// axis is one --set flag: the edit it makes and the values it sweeps.
type axis struct {
	edit policies.Edit // without a value
	// whatIf: edit.Field is a retry field Dapr's YAML has no key for
	// (sim.WhatIfFields), set as a scenario override rather than an edit.
	whatIf bool
	values []string
}

// set lays the axis' value over o: a Resiliency edit or a what-if override.
func (a axis) set(o *sim.Overrides, value string) error {
	if a.whatIf {
		ov, err := sim.OverrideFromFlag(a.edit.Name, a.edit.Field, value, "--set "+a.edit.Path()+"="+value)
		if err != nil {
			return err
		}
		o.WhatIf = append(o.WhatIf, ov)
		return nil
	}
	e := a.edit
	e.Value = value
	o.Edits = append(o.Edits, e)
	return nil
}

// whatIfPath recognises retries.NAME.FIELD for a what-if field.
func whatIfPath(path string) (policies.Edit, bool) {
	rest, ok := strings.CutPrefix(path, "retries.")
	if !ok {
		return policies.Edit{}, false
	}
	for _, f := range sim.WhatIfFields {
		if name, ok := strings.CutSuffix(rest, "."+f); ok && name != "" {
			return policies.Edit{Section: "retries", Name: name, Field: f, Flag: "--set"}, true
		}
	}
	return policies.Edit{}, false
}

// parseSets reads the --set flags: the axes of those that parse, and the
// problems of the others' paths or value lists, under `--set PATH`.
func parseSets(sets []string) ([]axis, diag.List) {
	var axes []axis
	var errs diag.List
	seen := map[string]bool{}
	for _, s := range sets {
		path, list, ok := strings.Cut(s, "=")
		path = strings.TrimSpace(path)
		if !ok {
			errs = append(errs, &diag.Error{Field: "--set " + s, Msg: "want PATH=VALUE[,VALUE...], such as retries.retryForever.duration=1s,5s"})
			continue
		}
		e, whatIf := whatIfPath(path)
		if !whatIf {
			var err error
			if e, err = policies.ParseEditPath(path); err != nil {
				errs = append(errs, &diag.Error{Field: "--set " + path, Msg: err.Error()})
				continue
			}
			e.Flag = "--set"
		}
		if seen[e.Path()] {
			errs = append(errs, &diag.Error{Field: "--set " + path, Msg: "given twice: list all its values in one --set, separated by commas"})
			continue
		}
		seen[e.Path()] = true
		values, err := grid.SplitValues(list)
		if err != nil {
			errs = append(errs, &diag.Error{Field: "--set " + s, Msg: err.Error()})
			continue
		}
		axes = append(axes, axis{edit: e, whatIf: whatIf, values: values})
	}
	return axes, errs
}

// sweep is one `sim sweep`: the scenario read once, the grid, and the rows.
type sweep struct {
	file      string
	data      []byte // the scenario, read once: every run parses its own copy
	o         sim.Overrides
	maxEvents int64
	jobs      int
	format    string
	shard     grid.Shard
	sharded   bool
	progress  bool
	stdout    io.Writer
	stderr    io.Writer

	axes   []axis
	grid   *grid.Grid
	warned map[string]bool // warning lines printed already
	runs   []int           // the run indexes of this shard, in order
	rows   []sweepRow      // one per runs entry
}

type sweepRow struct {
	run      grid.Run
	metrics  traces.Metrics
	warnings []string
	err      error
}

// prepare loads the scenario once and checks it, and every value of every
// --set alone, so a bad value stops the sweep before any run;
// errs (the --set flags that did not parse) are reported with those found
// here.
func (s *sweep) prepare(axes []axis, errs diag.List, seeds int) error {
	data, err := input.ReadFile(s.file)
	if err != nil {
		return append(errs, &diag.Error{File: s.file, Msg: "cannot read scenario: " + pathErrText(err)}).Err()
	}
	s.data, s.axes, s.warned = data, axes, map[string]bool{}
	sc, err := sim.ParseScenario(s.file, data)
	if err != nil {
		return diag.Collect(errs, err, "").Err()
	}
	if err := new(files).read(s.file).read(sc.ResourcePaths()...).writeStdout(s.stdout).check(); err != nil {
		return err
	}
	// The resource files are read once, here: every run loads these bytes,
	// however the files change while the sweep runs.
	s.o.Sources = policies.ReadSources(sc.ResourcePaths())
	// Not prepare(): its warnings describe the files as written, which no
	// run may play when --set replaces the value warned about. Each run's
	// warnings are printed after the runs, once each.
	base, err := sim.Prepare(sc, s.o)
	if err != nil {
		return diag.Collect(errs, err, "").Err()
	}
	seen := map[string]bool{}
	for _, a := range axes {
		for _, v := range a.values {
			o := s.o
			err := a.set(&o, v)
			if err == nil {
				_, err = s.setup(o, base.Seed)
			}
			if err != nil {
				// A problem of the path (an unknown policy) comes once per value.
				for _, d := range diag.Collect(nil, err, "") {
					if !seen[d.Error()] {
						seen[d.Error()] = true
						errs = append(errs, d)
					}
				}
			}
		}
	}
	if err := errs.Err(); err != nil {
		return err
	}
	first := base.Seed
	if s.o.Seed != nil {
		first = *s.o.Seed
	}
	names := make([]grid.Axis, len(axes))
	for i, a := range axes {
		names[i] = grid.Axis{Name: a.edit.Path(), Values: a.values}
	}
	g, err := grid.New(names, first, seeds)
	if err != nil {
		return fmt.Errorf("%w: %s", errUsage, err)
	}
	s.grid = g
	s.runs = g.Runs(s.shard)
	if s.sharded && len(s.runs) == 0 {
		fmt.Fprintf(s.stderr, "sweep: shard %s has no run: the grid has %d\n", s.shard, g.Len())
	}
	return nil
}

// setup prepares one run from the bytes of the scenario and its resources
// read once, parsed afresh: runs share nothing a run changes.
func (s *sweep) setup(o sim.Overrides, seed int64) (*sim.Setup, error) {
	sc, err := sim.ParseScenario(s.file, s.data)
	if err != nil {
		return nil, err
	}
	o.Seed = &seed
	return sim.Prepare(sc, o)
}

// errCancelled stops a run another run's failure made pointless.
var errCancelled = errors.New("cancelled: an earlier run failed")

// cancelAbove is a guard sink: it stops run index once some failed run
// has a smaller index (cutoff).
type cancelAbove struct {
	index  int64
	cutoff *atomic.Int64
}

func (c cancelAbove) Record(*traces.Event) error {
	if c.index > c.cutoff.Load() {
		return errCancelled
	}
	return nil
}

// run plays the shard's runs on a pool of s.jobs workers. When a run fails,
// the runs after it are cancelled and those before it finish, so the error
// reported, the first failing run in grid order, is the same whatever the
// scheduling.
func (s *sweep) run() error {
	s.rows = make([]sweepRow, len(s.runs))
	var cutoff atomic.Int64
	cutoff.Store(math.MaxInt64)
	next := make(chan int)
	type done struct {
		pos int
		row sweepRow
	}
	finished := make(chan done)
	var wg sync.WaitGroup
	for range min(s.jobs, len(s.runs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for pos := range next {
				finished <- done{pos, s.one(s.grid.Run(s.runs[pos]), &cutoff)}
			}
		}()
	}
	go func() {
		defer close(next)
		for pos, i := range s.runs {
			if int64(i) > cutoff.Load() {
				return
			}
			next <- pos
		}
	}()
	go func() {
		wg.Wait()
		close(finished)
	}()

	bar := progressBar{w: s.stderr, total: len(s.runs), on: s.progress}
	if s.progress {
		defer eraseOnSignal(s.stderr)()
	}
	bar.draw(0)
	n := 0
	for d := range finished {
		s.rows[d.pos] = d.row
		if err := d.row.err; err != nil && !errors.Is(err, errCancelled) {
			for i := int64(d.row.run.Index); ; {
				c := cutoff.Load()
				if i >= c || cutoff.CompareAndSwap(c, i) {
					break
				}
			}
		}
		n++
		bar.draw(n)
	}
	bar.clear()

	for _, r := range s.rows {
		for _, w := range r.warnings {
			if !s.warned[w] {
				s.warned[w] = true
				warn(s.stderr, w)
			}
		}
		if r.err != nil && !errors.Is(r.err, errCancelled) {
			// The run's values name what to fix; the status is the cause's.
			return statusError{status: statusOf(r.err), err: fmt.Errorf("run %d (%s): %s", r.run.Index, s.describe(r.run), r.err)}
		}
	}
	return nil
}

// one prepares and plays one run, folding its events into counts as they
// come.
func (s *sweep) one(r grid.Run, cutoff *atomic.Int64) sweepRow {
	row := sweepRow{run: r}
	if int64(r.Index) > cutoff.Load() {
		row.err = errCancelled
		return row
	}
	o := s.o
	o.Edits, o.WhatIf = nil, nil
	var err error
	for i, a := range s.axes {
		if err = a.set(&o, r.Values[i]); err != nil {
			break
		}
	}
	var setup *sim.Setup
	if err == nil {
		setup, err = s.setup(o, r.Seed)
	}
	if err != nil {
		row.err = err
		return row
	}
	for _, w := range setup.Warnings {
		row.warnings = append(row.warnings, w.String())
	}
	row.metrics, row.err = measure(setup, s.maxEvents, traces.MeasureCounts, cancelAbove{int64(r.Index), cutoff})
	row.metrics.Transitions = nil // a row shows counts and durations: keep a big grid's rows small
	return row
}

func (s *sweep) describe(r grid.Run) string {
	var parts []string
	for i, a := range s.axes {
		parts = append(parts, escape.Text(a.edit.Path()+"="+r.Values[i]))
	}
	parts = append(parts, fmt.Sprintf("seed %d", r.Seed))
	return strings.Join(parts, ", ")
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

// The metric columns, in order: the names csv and json use, and the
// headings of table and markdown.
var (
	metricKeys     = []string{"failed", "shed", "attempts", "detect_s", "recover_s", "stall_s"}
	metricHeadings = []string{"failed", "shed", "attempts", "detect", "recover", "stall"}
)

// cell is one metric of a row: a count, or a duration that may not apply.
type cell struct {
	n        int
	d        time.Duration
	duration bool
	ok       bool // a duration that applies
}

func (r sweepRow) cells() []cell {
	m := r.metrics
	return []cell{
		{n: m.FailedOps}, {n: m.Shed}, {n: m.Attempts},
		{d: m.Detect, duration: true, ok: m.HasDetect},
		{d: m.Recover, duration: true, ok: m.HasRecover},
		{d: m.LongestStall, duration: true, ok: m.Ops > 0},
	}
}

// text is the cell for people: a count, a Go duration, or "-".
func (c cell) text() string {
	switch {
	case !c.duration:
		return strconv.Itoa(c.n)
	case !c.ok:
		return "-"
	}
	return c.d.String()
}

// number is the cell for machines: a count, seconds as an exact decimal,
// or "" when the duration does not apply.
func (c cell) number() string {
	switch {
	case !c.duration:
		return strconv.Itoa(c.n)
	case !c.ok:
		return ""
	}
	return seconds(c.d)
}

// seconds writes d in seconds with as many decimals as it needs (up to
// nanoseconds), exactly: 20.013013, 5, 0.000001.
func seconds(d time.Duration) string {
	sign := ""
	u := uint64(d)
	if d < 0 {
		sign, u = "-", uint64(-d)
	}
	s := sign + strconv.FormatUint(u/1e9, 10)
	if frac := u % 1e9; frac != 0 {
		s += "." + strings.TrimRight(fmt.Sprintf("%09d", frac), "0")
	}
	return s
}

func (s *sweep) write() error {
	var b strings.Builder
	switch s.format {
	case "csv":
		if err := s.writeCSV(&b); err != nil {
			return err
		}
	case "json":
		s.writeJSON(&b)
	case "markdown":
		s.writeMarkdown(&b)
	default:
		s.writeTable(&b)
	}
	_, err := io.WriteString(s.stdout, b.String())
	return err
}

// headings are the columns of table and markdown: the run when sharded
// (the rows are a slice of the grid), the paths, the seed when it varies,
// the metrics.
func (s *sweep) headings() []string {
	var h []string
	if s.sharded {
		h = append(h, "run")
	}
	for _, a := range s.axes {
		h = append(h, escape.Text(a.edit.Path()))
	}
	if s.grid.Seeds() > 1 {
		h = append(h, "seed")
	}
	return append(h, metricHeadings...)
}

func (s *sweep) textCells(r sweepRow) []string {
	var out []string
	if s.sharded {
		out = append(out, strconv.Itoa(r.run.Index))
	}
	for _, v := range r.run.Values {
		out = append(out, escape.Text(v))
	}
	if s.grid.Seeds() > 1 {
		out = append(out, strconv.FormatInt(r.run.Seed, 10))
	}
	for _, c := range r.cells() {
		out = append(out, c.text())
	}
	return out
}

func (s *sweep) writeTable(b *strings.Builder) {
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(s.headings(), "\t"))
	for _, r := range s.rows {
		fmt.Fprintln(tw, strings.Join(s.textCells(r), "\t"))
	}
	tw.Flush()
}

// writeMarkdown writes a pipe table, padded so it reads as a table before
// it is rendered too; metrics are right-aligned. A | in a value (a trip
// with ||) is escaped.
func (s *sweep) writeMarkdown(b *strings.Builder) {
	head := s.headings()
	rows := [][]string{head}
	for _, r := range s.rows {
		cells := s.textCells(r)
		for i, c := range cells {
			cells[i] = strings.ReplaceAll(c, "|", `\|`)
		}
		rows = append(rows, cells)
	}
	width := make([]int, len(head))
	for _, r := range rows {
		for i, c := range r {
			width[i] = max(width[i], len([]rune(c)), 3)
		}
	}
	right := len(head) - len(metricHeadings)
	line := func(cells []string) {
		b.WriteString("|")
		for i, c := range cells {
			pad := strings.Repeat(" ", width[i]-len([]rune(c)))
			if i >= right {
				b.WriteString(" " + pad + c + " |")
			} else {
				b.WriteString(" " + c + pad + " |")
			}
		}
		b.WriteString("\n")
	}
	line(head)
	b.WriteString("|")
	for i, w := range width {
		if i >= right {
			b.WriteString(" " + strings.Repeat("-", w-1) + ": |")
		} else {
			b.WriteString(" " + strings.Repeat("-", w) + " |")
		}
	}
	b.WriteString("\n")
	for _, r := range rows[1:] {
		line(r)
	}
}

// machineKeys are the csv header and the json keys: every column, always.
func (s *sweep) machineKeys() []string {
	keys := []string{"run"}
	for _, a := range s.axes {
		keys = append(keys, escape.Text(a.edit.Path()))
	}
	keys = append(keys, "seed")
	return append(keys, metricKeys...)
}

// writeCSV writes the header only on the first shard, so the shards'
// outputs concatenate into one CSV.
func (s *sweep) writeCSV(b *strings.Builder) error {
	w := csv.NewWriter(b)
	if s.shard.I == 0 {
		if err := w.Write(s.machineKeys()); err != nil {
			return err
		}
	}
	for _, r := range s.rows {
		rec := []string{strconv.Itoa(r.run.Index)}
		for _, v := range r.run.Values {
			rec = append(rec, escape.Text(v))
		}
		rec = append(rec, strconv.FormatInt(r.run.Seed, 10))
		for _, c := range r.cells() {
			rec = append(rec, c.number())
		}
		if err := w.Write(rec); err != nil {
			return err
		}
	}
	w.Flush()
	return w.Error()
}

// writeJSON writes an array of objects, one a line, keys in column order
// (a map would sort them).
func (s *sweep) writeJSON(b *strings.Builder) {
	keys := s.machineKeys()
	quote := func(v string) string {
		// Not json.Marshal: it writes > as \u003e, and trips are full of >.
		var q strings.Builder
		enc := json.NewEncoder(&q)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(v) // a string always encodes
		return strings.TrimSuffix(q.String(), "\n")
	}
	b.WriteString("[")
	for i, r := range s.rows {
		if i > 0 {
			b.WriteString(",")
		}
		vals := []string{strconv.Itoa(r.run.Index)}
		for _, v := range r.run.Values {
			vals = append(vals, quote(v))
		}
		vals = append(vals, strconv.FormatInt(r.run.Seed, 10))
		for _, c := range r.cells() {
			v := c.number()
			if v == "" {
				v = "null"
			}
			vals = append(vals, v)
		}
		b.WriteString("\n  {")
		for k, key := range keys {
			if k > 0 {
				b.WriteString(", ")
			}
			b.WriteString(quote(key) + ": " + vals[k])
		}
		b.WriteString("}")
	}
	if len(s.rows) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("]\n")
}

// pathErrText drops the path from an os error, which the message names.
func pathErrText(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}
