package expect

import (
	"fmt"
	"io"
	"strings"

	"github.com/dapr-sim/sim/internal/diag"
	"github.com/dapr-sim/sim/internal/escape"
)

// Verdict is one assertion with its result.
type Verdict struct {
	Assertion
	Result
}

// Report is every assertion of a block, evaluated, in order.
type Report struct {
	Verdicts       []Verdict
	Passed, Failed int
}

// Evaluate decides every assertion over the timeline.
func Evaluate(as []Assertion, tl *Timeline) Report {
	var r Report
	for _, a := range as {
		r.add(a, a.Check.Eval(tl))
	}
	return r
}

func (r *Report) add(a Assertion, res Result) {
	r.Verdicts = append(r.Verdicts, Verdict{Assertion: a, Result: res})
	if res.OK {
		r.Passed++
	} else {
		r.Failed++
	}
}

// OK reports whether every assertion holds.
func (r *Report) OK() bool { return r.Failed == 0 }

// WriteTo writes one line per assertion, `ok   file:line: label` or
// `FAIL file:line: label` followed by what was expected, what happened and
// the nearest relevant events, then the summary `N passed, M failed`.
func (r *Report) WriteTo(w io.Writer) (int64, error) {
	var b strings.Builder
	for i := range r.Verdicts {
		o := &r.Verdicts[i]
		if o.OK {
			fmt.Fprintf(&b, "ok   %s:%d: %s\n", escape.Text(diag.Name(o.File)), o.Line, escape.Text(o.Label()))
			if o.Note != "" {
				fmt.Fprintf(&b, "     note: %s\n", escape.Text(o.Note))
			}
			continue
		}
		fmt.Fprintf(&b, "FAIL %s:%d: %s\n", escape.Text(diag.Name(o.File)), o.Line, escape.Text(o.Label()))
		b.WriteString(o.Result.Detail("     "))
	}
	fmt.Fprintf(&b, "%d passed, %d failed\n", r.Passed, r.Failed)
	n, err := io.WriteString(w, b.String())
	return int64(n), err
}

// Detail renders what a failed check expected, what happened, the nearest
// events and any note, each line starting with indent.
func (r Result) Detail(indent string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%sexpected: %s\n", indent, escape.Text(r.Expected))
	fmt.Fprintf(&b, "%sactual:   %s\n", indent, escape.Text(r.Actual))
	if r.Note != "" {
		fmt.Fprintf(&b, "%snote:     %s\n", indent, escape.Text(r.Note))
	}
	if len(r.Nearest) > 0 {
		fmt.Fprintf(&b, "%snearest:\n", indent)
		for _, l := range r.Nearest {
			fmt.Fprintf(&b, "%s  %s\n", indent, escape.Text(l))
		}
	}
	return b.String()
}
