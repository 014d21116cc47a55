package traces

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dapr-sim/sim/internal/escape"
)

// DiffReport is the text of `sim diff`: two runs' metrics compared
// (CompareMetrics), with what names the two sides. The breaker transitions
// that moved, appeared or disappeared are listed in time order, a long list
// as its first and last changes with the middle summed up; operations that
// failed on one side only are grouped into stretches of one worker's
// adjacent iterations.
type DiffReport struct {
	Name           string // the scenario's name, or "A vs B" for two scenarios
	SeedA, SeedB   int64
	DaprA, DaprB   string // the profiles' versions
	LabelA, LabelB string // what each side ran: a file, a folder, --set values
	Diff           MetricsDiff
}

// Write prints the report: a header, then one section per measure, then
// the verdict. Every line is a function of the two runs only.
func (r DiffReport) Write(w io.Writer) error {
	var b strings.Builder
	diff := r.Diff
	fmt.Fprintf(&b, "diff %s: seed %s, dapr %s\n", r.Name,
		pair(fmt.Sprint(r.SeedA), fmt.Sprint(r.SeedB)), pair(r.DaprA, r.DaprB))
	fmt.Fprintf(&b, "  A: %s\n  B: %s\n", r.LabelA, r.LabelB)

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
	// Only runs with messages get their rows: a run without pub/sub reads
	// as it did before messages were measured.
	messages := diff.A.Messages || diff.B.Messages
	if messages {
		fmt.Fprintf(tw, "  worst message delay\t%s\t%s\t%s\n", optDur(diff.A.WorstDelay, diff.A.HasDelay), optDur(diff.B.WorstDelay, diff.B.HasDelay),
			optDelta(diff.A.WorstDelay, diff.A.HasDelay, diff.B.WorstDelay, diff.B.HasDelay))
	}
	tw.Flush()

	b.WriteString("\ncounts\n")
	writeCounts(&b, []countRow{
		{"operations", diff.A.Ops, diff.B.Ops},
		{"operations failed", diff.A.FailedOps, diff.B.FailedOps},
		{"attempts", diff.A.Attempts, diff.B.Attempts},
		{"attempts failed", diff.A.FailedAttempts, diff.B.FailedAttempts},
		{"shed by an open breaker", diff.A.Shed, diff.B.Shed},
		{"retries", diff.A.Retries, diff.B.Retries},
		{"timeouts", diff.A.Timeouts, diff.B.Timeouts},
	})
	if messages {
		b.WriteString("\nmessages\n")
		writeCounts(&b, []countRow{
			{"published", diff.A.Published, diff.B.Published},
			{"delivered", diff.A.Delivered, diff.B.Delivered},
			{"redelivered", diff.A.Redelivered, diff.B.Redelivered},
			{"dead-lettered", diff.A.DeadLettered, diff.B.DeadLettered},
			{"dropped", diff.A.Dropped, diff.B.Dropped},
			{"lost", diff.A.Lost, diff.B.Lost},
			{"pending at the end", diff.A.Pending, diff.B.Pending},
			{"duplicates", diff.A.Duplicates, diff.B.Duplicates},
		})
	}
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

func outageLine(diff MetricsDiff) string {
	describe := func(m Metrics) string {
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
	t          BreakerTransition
	at, bt     time.Duration
	hasA, hasB bool
	sortT      time.Duration
}

func writeTransitions(b *strings.Builder, diff MetricsDiff) {
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
	first, last OpKey
	n           int
	steps       []int // distinct steps, ascending
	failedIn    string
	other       string        // "ok" or "not reached"
	from, to    time.Duration // when the other side succeeded (other == "ok")
}

func writeFailed(b *strings.Builder, diff MetricsDiff) {
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
func failedRuns(keys []OpKey, failedIn string, m Metrics) []failedRun {
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

func compareOps(a, b OpKey) int {
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

func opLabel(k OpKey) string {
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
func verdict(diff MetricsDiff) string {
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

// countRow is one measure of a counts section: its name and each side's
// count.
type countRow struct {
	name string
	a, b int
}

// writeCounts prints the counts per side with the delta: names flush left,
// numbers flush right.
func writeCounts(b *strings.Builder, counts []countRow) {
	rows := [][3]string{{"", "A", "B"}}
	deltas := []string{"delta"}
	for _, r := range counts {
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
