package traces

import (
	"io"
	"strings"
	"time"

	"github.com/dapr-sim/sim/internal/report"
)

// diffJSON is the document of `sim diff --format json` (format 1). Every
// measure holds both sides and B minus A; a timing a side never reached is
// null, and so is its delta.
type diffJSON struct {
	report.Header
	Scenario    string              `json:"scenario"`
	A           diffSideJSON        `json:"a"`
	B           diffSideJSON        `json:"b"`
	Verdict     string              `json:"verdict"` // same, regression, improvement or changed
	Summary     string              `json:"summary"` // the text form's verdict line, without "verdict: "
	Regression  bool                `json:"regression"`
	Transitions diffTransitionsJSON `json:"transitions"`
	FailedOnlyA []opKeyJSON         `json:"failed_only_a"`
	FailedOnlyB []opKeyJSON         `json:"failed_only_b"`
	Timing      diffTimingJSON      `json:"timing"`
	Counts      diffCountsJSON      `json:"counts"`
	Messages    *diffMessagesJSON   `json:"messages"` // null when neither run has messages
}

type diffSideJSON struct {
	Label  string      `json:"label"`
	Seed   int64       `json:"seed"`
	Dapr   string      `json:"dapr"`
	Outage *outageJSON `json:"outage"` // the first stop fault, null without one
}

type outageJSON struct {
	Target string          `json:"target"`
	Start  report.Seconds  `json:"start"`
	End    *report.Seconds `json:"end"` // null when never started again
}

type diffTransitionsJSON struct {
	Unchanged int              `json:"unchanged"`
	Moved     []movedJSON      `json:"moved"`
	OnlyA     []transitionJSON `json:"only_a"`
	OnlyB     []transitionJSON `json:"only_b"`
}

// transitionJSON is one breaker transition; occurrence is 1 for the
// first time that breaker made that change in the run, 2 for the second.
type transitionJSON struct {
	Breaker    string         `json:"breaker"`
	From       string         `json:"from"`
	To         string         `json:"to"`
	Occurrence int            `json:"occurrence"`
	At         report.Seconds `json:"at"`
}

type movedJSON struct {
	Breaker    string         `json:"breaker"`
	From       string         `json:"from"`
	To         string         `json:"to"`
	Occurrence int            `json:"occurrence"`
	A          report.Seconds `json:"a"`
	B          report.Seconds `json:"b"`
	Delta      report.Seconds `json:"delta"`
}

type opKeyJSON struct {
	App       string `json:"app"`
	Worker    int    `json:"worker"`
	Iteration int    `json:"iteration"`
	Step      int    `json:"step"`
}

type timingJSON struct {
	A     *report.Seconds `json:"a"`
	B     *report.Seconds `json:"b"`
	Delta *report.Seconds `json:"delta"`
}

type countJSON struct {
	A     int `json:"a"`
	B     int `json:"b"`
	Delta int `json:"delta"`
}

type diffTimingJSON struct {
	Detect            timingJSON  `json:"detect"`
	Recover           timingJSON  `json:"recover"`
	LongestStall      timingJSON  `json:"longest_stall"`
	WorstMessageDelay *timingJSON `json:"worst_message_delay"` // null when neither run has messages
}

type diffCountsJSON struct {
	Operations     countJSON `json:"operations"`
	FailedOps      countJSON `json:"failed_operations"`
	Attempts       countJSON `json:"attempts"`
	FailedAttempts countJSON `json:"failed_attempts"`
	Shed           countJSON `json:"shed"`
	Retries        countJSON `json:"retries"`
	Timeouts       countJSON `json:"timeouts"`
}

type diffMessagesJSON struct {
	Published    countJSON `json:"published"`
	Delivered    countJSON `json:"delivered"`
	Redelivered  countJSON `json:"redelivered"`
	DeadLettered countJSON `json:"dead_lettered"`
	Dropped      countJSON `json:"dropped"`
	Lost         countJSON `json:"lost"`
	Pending      countJSON `json:"pending"`
	Duplicates   countJSON `json:"duplicates"`
}

// WriteJSON writes the report as one JSON document: both sides, the
// verdict, every moved, lost and new transition (the text form elides the
// middle of a long list; this does not), the operations failed on one side
// only, and each measure side by side with its delta.
func (r DiffReport) WriteJSON(w io.Writer) error {
	d := r.Diff
	doc := diffJSON{Header: report.NewHeader("diff"), Scenario: r.Name,
		A:       diffSideJSON{Label: r.LabelA, Seed: r.SeedA, Dapr: r.DaprA, Outage: outageOf(d.A)},
		B:       diffSideJSON{Label: r.LabelB, Seed: r.SeedB, Dapr: r.DaprB, Outage: outageOf(d.B)},
		Verdict: verdictKind(d), Summary: strings.TrimPrefix(verdict(d), "verdict: "), Regression: d.Regression(),
		Transitions: diffTransitionsJSON{Unchanged: d.Unchanged, Moved: []movedJSON{}, OnlyA: transitionsJSON(d.Gone), OnlyB: transitionsJSON(d.New)},
		FailedOnlyA: opKeysJSON(d.FailedOnlyA), FailedOnlyB: opKeysJSON(d.FailedOnlyB),
		Timing: diffTimingJSON{
			Detect:       timing(d.A.Detect, d.A.HasDetect, d.B.Detect, d.B.HasDetect),
			Recover:      timing(d.A.Recover, d.A.HasRecover, d.B.Recover, d.B.HasRecover),
			LongestStall: timing(d.A.LongestStall, d.A.Ops > 0, d.B.LongestStall, d.B.Ops > 0),
		},
		Counts: diffCountsJSON{
			Operations: count(d.A.Ops, d.B.Ops), FailedOps: count(d.A.FailedOps, d.B.FailedOps),
			Attempts: count(d.A.Attempts, d.B.Attempts), FailedAttempts: count(d.A.FailedAttempts, d.B.FailedAttempts),
			Shed: count(d.A.Shed, d.B.Shed), Retries: count(d.A.Retries, d.B.Retries), Timeouts: count(d.A.Timeouts, d.B.Timeouts),
		},
	}
	for _, m := range d.Moved {
		doc.Transitions.Moved = append(doc.Transitions.Moved, movedJSON{Breaker: m.Name, From: m.From, To: m.To, Occurrence: m.N,
			A: report.Seconds(m.T), B: report.Seconds(m.B), Delta: report.Seconds(m.B - m.T)})
	}
	if d.A.Messages || d.B.Messages {
		t := timing(d.A.WorstDelay, d.A.HasDelay, d.B.WorstDelay, d.B.HasDelay)
		doc.Timing.WorstMessageDelay = &t
		doc.Messages = &diffMessagesJSON{
			Published: count(d.A.Published, d.B.Published), Delivered: count(d.A.Delivered, d.B.Delivered),
			Redelivered: count(d.A.Redelivered, d.B.Redelivered), DeadLettered: count(d.A.DeadLettered, d.B.DeadLettered),
			Dropped: count(d.A.Dropped, d.B.Dropped), Lost: count(d.A.Lost, d.B.Lost),
			Pending: count(d.A.Pending, d.B.Pending), Duplicates: count(d.A.Duplicates, d.B.Duplicates),
		}
	}
	return report.Write(w, doc)
}

// verdictKind is the verdict line's first word, as a value to branch on.
func verdictKind(d MetricsDiff) string {
	switch {
	case d.Same():
		return "same"
	case d.B.FailedOps > d.A.FailedOps:
		return "regression"
	case d.B.FailedOps < d.A.FailedOps:
		return "improvement"
	}
	return "changed"
}

func outageOf(m Metrics) *outageJSON {
	if !m.HasOutage {
		return nil
	}
	return &outageJSON{Target: m.Outage.Target, Start: report.Seconds(m.Outage.Start), End: report.OptSeconds(m.Outage.End, m.OutageEnded)}
}

func transitionsJSON(ts []BreakerTransition) []transitionJSON {
	out := make([]transitionJSON, len(ts))
	for i, t := range ts {
		out[i] = transitionJSON{Breaker: t.Name, From: t.From, To: t.To, Occurrence: t.N, At: report.Seconds(t.T)}
	}
	return out
}

func opKeysJSON(ks []OpKey) []opKeyJSON {
	out := make([]opKeyJSON, len(ks))
	for i, k := range ks {
		out[i] = opKeyJSON(k)
	}
	return out
}

func timing(a time.Duration, okA bool, b time.Duration, okB bool) timingJSON {
	return timingJSON{A: report.OptSeconds(a, okA), B: report.OptSeconds(b, okB), Delta: report.OptSeconds(b-a, okA && okB)}
}

func count(a, b int) countJSON { return countJSON{A: a, B: b, Delta: b - a} }
