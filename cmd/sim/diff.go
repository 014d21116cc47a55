package main

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dapr-sim/sim/internal/diag"
	"github.com/dapr-sim/sim/internal/escape"
	"github.com/dapr-sim/sim/sim"
	"github.com/dapr-sim/sim/traces"
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
			"the delta, and a one-line verdict.\n\n" +
			"Exit status: 0 whatever the difference; 1 with --fail-on-regression when B fails\n" +
			"more operations than A; 2 the input could not be run.",
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
			if maxEvents < 1 {
				return fmt.Errorf("%w: --max-events must be at least 1, got %d", errUsage, maxEvents)
			}
			var o sim.Overrides
			o.Dapr = dapr
			if c.Flags().Changed("seed") {
				o.Seed = &seed
			}
			var setB sim.Overrides
			err := setFlags(sets, &setB)
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
			if err := d.write(stdout, diff); err != nil {
				return fmt.Errorf("write diff: %w", err)
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
		return sc, res
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
	oB.Edits, oB.WhatIf = d.setB.Edits, d.setB.WhatIf
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
	a, err := measure(d.a, d.maxEvents, traces.MeasureOps)
	if err != nil {
		return traces.MetricsDiff{}, fmt.Errorf("side A: %w", err)
	}
	b, err := measure(d.b, d.maxEvents, traces.MeasureOps)
	if err != nil {
		return traces.MetricsDiff{}, fmt.Errorf("side B: %w", err)
	}
	return traces.CompareMetrics(a, b), nil
}

// write prints the diff: a header, then one section per measure, then the
// verdict. Every line is a function of the two runs only.
func (d *diffRun) write(w io.Writer, diff traces.MetricsDiff) error {
	var b strings.Builder
	name := d.a.Scenario.Name
	if d.twoScenarios && d.b.Scenario.Name != name {
		name += " vs " + d.b.Scenario.Name
	}
	fmt.Fprintf(&b, "diff %s: seed %s, dapr %s\n", name,
		pair(fmt.Sprint(d.a.Seed), fmt.Sprint(d.b.Seed)), pair(d.a.Profile.Version, d.b.Profile.Version))
	fmt.Fprintf(&b, "  A: %s\n  B: %s\n", d.labelA, d.labelB)

	b.WriteString("\nbreaker transitions\n")
	writeTransitions(&b, diff)

	b.WriteString("\noperations failed in one run only\n")
	writeFailed(&b, diff)

	outage := diff.A.HasOutage || diff.B.HasOutage
	if outage {
		b.WriteString("\n" + outageLine(diff) + "\n")
	} else {
		b.WriteString("\ntiming\n")
	}
	tw := tabwriter.NewWriter(&b, 0, 0, 3, ' ', 0)
	fmt.Fprintf(tw, "  \tA\tB\tdelta\n")
	if outage {
		fmt.Fprintf(tw, "  time to detect\t%s\t%s\t%s\n", optDur(diff.A.Detect, diff.A.HasDetect), optDur(diff.B.Detect, diff.B.HasDetect),
			optDelta(diff.A.Detect, diff.A.HasDetect, diff.B.Detect, diff.B.HasDetect))
		fmt.Fprintf(tw, "  time to recover\t%s\t%s\t%s\n", optDur(diff.A.Recover, diff.A.HasRecover), optDur(diff.B.Recover, diff.B.HasRecover),
			optDelta(diff.A.Recover, diff.A.HasRecover, diff.B.Recover, diff.B.HasRecover))
	}
	// The longest an operation waited for its answer, as sim sweep's stall.
	hasA, hasB := diff.A.Ops > 0, diff.B.Ops > 0
	fmt.Fprintf(tw, "  longest stall\t%s\t%s\t%s\n", optDur(diff.A.LongestStall, hasA), optDur(diff.B.LongestStall, hasB),
		optDelta(diff.A.LongestStall, hasA, diff.B.LongestStall, hasB))
	tw.Flush()

	b.WriteString("\ncounts\n")
	writeCounts(&b, diff)
	b.WriteString("\n" + verdict(diff) + "\n")
	// Names from the input are escaped line by line after the columns are
	// aligned: a name with control characters costs its row the alignment,
	// never the terminal.
	_, err := io.WriteString(w, escape.Lines(b.String()))
	return err
}

func pair(a, b string) string {
	if a == b {
		return a
	}
	return "A " + a + " / B " + b
}

func outageLine(diff traces.MetricsDiff) string {
	describe := func(m traces.Metrics) string {
		if !m.HasOutage {
			return "no stop fault"
		}
		s := fmt.Sprintf("%s stopped at %s", m.Outage.Target, m.Outage.Start)
		if m.OutageEnded {
			s += fmt.Sprintf(", started at %s", m.Outage.End)
		} else {
			s += ", never started again"
		}
		return s
	}
	a, b := describe(diff.A), describe(diff.B)
	if a == b {
		return "outage: " + a
	}
	return "outage: A " + a + "; B " + b
}

// transitionRow is one line of the transitions section.
type transitionRow struct {
	t          traces.BreakerTransition
	at, bt     time.Duration
	hasA, hasB bool
	sortT      time.Duration
}

func writeTransitions(b *strings.Builder, diff traces.MetricsDiff) {
	var rows []transitionRow
	for _, m := range diff.Moved {
		rows = append(rows, transitionRow{t: m.BreakerTransition, at: m.T, bt: m.B, hasA: true, hasB: true, sortT: min(m.T, m.B)})
	}
	for _, t := range diff.Gone {
		rows = append(rows, transitionRow{t: t, at: t.T, hasA: true, sortT: t.T})
	}
	for _, t := range diff.New {
		rows = append(rows, transitionRow{t: t, bt: t.T, hasB: true, sortT: t.T})
	}
	sortRows(rows)
	// A long outage probes the breaker every open period: the first
	// changes and the last (where it closes) tell the story, the middle is
	// summed up in one line, put in after the shown rows are aligned
	// together.
	var summary string
	if len(rows) > maxTransitionLines {
		summary = "  ... " + middleSummary(rows[transitionHead:len(rows)-transitionTail]) + "\n"
		rows = append(rows[:transitionHead:transitionHead], rows[len(rows)-transitionTail:]...)
	}
	var table strings.Builder
	tw := tabwriter.NewWriter(&table, 0, 0, 2, ' ', 0)
	for _, r := range rows {
		label := r.t.Name + " " + r.t.From + "->" + r.t.To
		if r.t.N > 1 {
			label += fmt.Sprintf(" (#%d)", r.t.N)
		}
		var note string
		switch {
		case r.hasA && r.hasB:
			note = "(" + signedDur(r.bt-r.at) + ")"
		case r.hasA:
			note = "(only in A)"
		default:
			note = "(only in B)"
		}
		fmt.Fprintf(tw, "  %s\tA %s\tB %s\t%s\n", label, optDur(r.at, r.hasA), optDur(r.bt, r.hasB), note)
	}
	tw.Flush()
	lines := strings.SplitAfter(table.String(), "\n")
	if summary != "" {
		lines = slices.Insert(lines, transitionHead, summary)
	}
	b.WriteString(strings.Join(lines, ""))
	switch {
	case len(rows) == 0 && diff.Unchanged == 0:
		b.WriteString("  none in either run\n")
	case len(rows) == 0:
		fmt.Fprintf(b, "  all %d at the same instants\n", diff.Unchanged)
	case diff.Unchanged > 0:
		fmt.Fprintf(b, "  %d more at the same instants\n", diff.Unchanged)
	}
}

// The transitions section shows at most maxTransitionLines changes: past
// that, the first transitionHead and the last transitionTail.
const (
	maxTransitionLines = 20
	transitionHead     = 14
	transitionTail     = 6
)

func middleSummary(rows []transitionRow) string {
	var moved, onlyA, onlyB int
	for _, r := range rows {
		switch {
		case r.hasA && r.hasB:
			moved++
		case r.hasA:
			onlyA++
		default:
			onlyB++
		}
	}
	var parts []string
	for _, p := range []struct {
		n    int
		what string
	}{{moved, "moved"}, {onlyA, "only in A"}, {onlyB, "only in B"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.what))
		}
	}
	return fmt.Sprintf("%d more changes: %s", len(rows), strings.Join(parts, ", "))
}

func sortRows(rows []transitionRow) {
	less := func(x, y transitionRow) bool {
		if x.sortT != y.sortT {
			return x.sortT < y.sortT
		}
		if x.t.Name != y.t.Name {
			return x.t.Name < y.t.Name
		}
		if x.t.From != y.t.From {
			return x.t.From < y.t.From
		}
		if x.t.To != y.t.To {
			return x.t.To < y.t.To
		}
		return x.t.N < y.t.N
	}
	for i := 1; i < len(rows); i++ { // insertion sort: stable and short lists
		for j := i; j > 0 && less(rows[j], rows[j-1]); j-- {
			rows[j], rows[j-1] = rows[j-1], rows[j]
		}
	}
}

// maxFailedLines bounds the failed-operations section: past it the rest
// is summed up in one line, so a day's diff stays a review comment.
const maxFailedLines = 20

// failedRun is a stretch of operations that failed on one side only, in
// adjacent iterations of one worker, with the same fate on the other side.
type failedRun struct {
	first, last traces.OpKey
	n           int
	steps       []int // distinct steps, ascending
	failedIn    string
	other       string        // "ok" or "not reached"
	from, to    time.Duration // when the other side succeeded (other == "ok")
}

func writeFailed(b *strings.Builder, diff traces.MetricsDiff) {
	if len(diff.FailedOnlyA) == 0 && len(diff.FailedOnlyB) == 0 {
		b.WriteString("  none\n")
		return
	}
	// Both sides' stretches in the order of the operations, so the cap
	// cannot hide one side behind the other's.
	runs := append(failedRuns(diff.FailedOnlyA, "A", diff.B), failedRuns(diff.FailedOnlyB, "B", diff.A)...)
	slices.SortStableFunc(runs, func(x, y failedRun) int { return compareOps(x.first, y.first) })
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	for i, r := range runs {
		if i == maxFailedLines {
			rest := 0
			for _, r := range runs[i:] {
				rest += r.n
			}
			tw.Flush()
			fmt.Fprintf(b, "  ... %d more stretches, %d operations\n", len(runs)-i, rest)
			return
		}
		other := r.other
		if other == "ok" {
			other = "ok at " + r.from.String()
			if r.n > 1 {
				other = "ok " + r.from.String() + "–" + r.to.String()
			}
		}
		a, bSide := "failed", other
		if r.failedIn == "B" {
			a, bSide = other, "failed"
		}
		fmt.Fprintf(tw, "  %s\tA %s\tB %s\n", r.label(), a, bSide)
	}
	tw.Flush()
}

// failedRuns groups keys (sorted by app, worker, iteration, step) that
// failed in one run into stretches: the same worker, no iteration skipped,
// and the same fate in the other run (m).
func failedRuns(keys []traces.OpKey, failedIn string, m traces.Metrics) []failedRun {
	var runs []failedRun
	for _, k := range keys {
		t, ok := m.Succeeded[k]
		other := "not reached"
		if ok {
			other = "ok"
		}
		if n := len(runs); n > 0 {
			r := &runs[n-1]
			if r.last.App == k.App && r.last.Worker == k.Worker && k.Iteration-r.last.Iteration <= 1 && r.other == other {
				r.last, r.n, r.to = k, r.n+1, t
				if !slices.Contains(r.steps, k.Step) {
					r.steps = append(r.steps, k.Step)
					slices.Sort(r.steps)
				}
				continue
			}
		}
		runs = append(runs, failedRun{first: k, last: k, n: 1, steps: []int{k.Step}, failedIn: failedIn, other: other, from: t, to: t})
	}
	return runs
}

func compareOps(a, b traces.OpKey) int {
	return cmp.Or(strings.Compare(a.App, b.App), cmp.Compare(a.Worker, b.Worker),
		cmp.Compare(a.Iteration, b.Iteration), cmp.Compare(a.Step, b.Step))
}

func (r failedRun) label() string {
	if r.n == 1 {
		return opLabel(r.first)
	}
	steps := "step " + strconv.Itoa(r.steps[0])
	if len(r.steps) > 1 {
		parts := make([]string, len(r.steps))
		for i, s := range r.steps {
			parts[i] = strconv.Itoa(s)
		}
		steps = "steps " + strings.Join(parts, ",")
	}
	iterations := fmt.Sprintf("iteration %d", r.first.Iteration)
	if r.last.Iteration != r.first.Iteration {
		iterations = fmt.Sprintf("iterations %d–%d", r.first.Iteration, r.last.Iteration)
	}
	return fmt.Sprintf("%s worker %d %s %s (%d operations)", r.first.App, r.first.Worker, iterations, steps, r.n)
}

func opLabel(k traces.OpKey) string {
	return fmt.Sprintf("%s worker %d iteration %d step %d", k.App, k.Worker, k.Iteration, k.Step)
}

func optDur(d time.Duration, ok bool) string {
	if !ok {
		return "-"
	}
	return d.String()
}

func optDelta(a time.Duration, okA bool, b time.Duration, okB bool) string {
	switch {
	case okA && okB:
		return signedDur(b - a)
	case okA == okB:
		return ""
	case okA:
		return "(never in B)"
	}
	return "(never in A)"
}

func signedDur(d time.Duration) string {
	if d > 0 {
		return "+" + d.String()
	}
	return d.String()
}

func countDelta(a, b int) string {
	if b > a {
		return fmt.Sprintf("+%d", b-a)
	}
	return fmt.Sprint(b - a)
}

// verdict sums the diff up in one line.
func verdict(diff traces.MetricsDiff) string {
	a, b := diff.A.FailedOps, diff.B.FailedOps
	switch {
	case diff.Same():
		return "verdict: no difference: B behaves as A on every measure"
	case b > a:
		return fmt.Sprintf("verdict: regression: B fails %d operations, A %d (+%d)", b, a, b-a)
	case b < a:
		return fmt.Sprintf("verdict: improvement: B fails %d operations, A %d (-%d)", b, a, a-b)
	}
	return fmt.Sprintf("verdict: same operations failed (%d); the timelines differ: %d transitions moved, %d only in A, %d only in B; attempts %s",
		a, len(diff.Moved), len(diff.Gone), len(diff.New), countDelta(diff.A.Attempts, diff.B.Attempts))
}

// writeCounts prints the counts per side with the delta: names flush left,
// numbers flush right.
func writeCounts(b *strings.Builder, diff traces.MetricsDiff) {
	rows := [][3]string{{"", "A", "B"}}
	deltas := []string{"delta"}
	for _, r := range []struct {
		name string
		a, b int
	}{
		{"operations", diff.A.Ops, diff.B.Ops},
		{"operations failed", diff.A.FailedOps, diff.B.FailedOps},
		{"attempts", diff.A.Attempts, diff.B.Attempts},
		{"attempts failed", diff.A.FailedAttempts, diff.B.FailedAttempts},
		{"shed by an open breaker", diff.A.Shed, diff.B.Shed},
		{"retries", diff.A.Retries, diff.B.Retries},
		{"timeouts", diff.A.Timeouts, diff.B.Timeouts},
	} {
		rows = append(rows, [3]string{r.name, fmt.Sprint(r.a), fmt.Sprint(r.b)})
		deltas = append(deltas, countDelta(r.a, r.b))
	}
	var w [4]int
	for i, r := range rows {
		for j, c := range r {
			w[j] = max(w[j], len(c))
		}
		w[3] = max(w[3], len(deltas[i]))
	}
	for i, r := range rows {
		line := fmt.Sprintf("  %-*s  %*s  %*s  %*s", w[0], r[0], w[1]+1, r[1], w[2]+1, r[2], w[3]+1, deltas[i])
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
}
