package traces

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestDiffJSONNulls: a timing one side never reached is null on that side
// and in the delta (the text form's "(never in B)"); the messages section
// is null when neither run has messages; counts carry B minus A.
func TestDiffJSONNulls(t *testing.T) {
	a := Metrics{Ops: 10, FailedOps: 1, Detect: 4 * time.Second, HasDetect: true, HasOutage: true,
		Outage: Outage{Target: "statestore", Start: 6 * time.Second}}
	b := Metrics{Ops: 10, FailedOps: 3}
	var out strings.Builder
	if err := (DiffReport{Name: "n", Diff: CompareMetrics(a, b)}).WriteJSON(&out); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Verdict  string
		A, B     struct{ Outage *struct{ End *float64 } }
		Timing   map[string]*struct{ A, B, Delta *float64 }
		Counts   map[string]struct{ A, B, Delta int }
		Messages *struct{}
	}
	if err := json.Unmarshal([]byte(out.String()), &doc); err != nil {
		t.Fatal(err)
	}
	d := doc.Timing["detect"]
	if d == nil || d.A == nil || *d.A != 4 || d.B != nil || d.Delta != nil {
		t.Errorf("detect %+v, want a 4, b and delta null\n%s", d, out.String())
	}
	if doc.Timing["worst_message_delay"] != nil || doc.Messages != nil {
		t.Errorf("message measures in a run without messages:\n%s", out.String())
	}
	if c := doc.Counts["failed_operations"]; c.A != 1 || c.B != 3 || c.Delta != 2 || doc.Verdict != "regression" {
		t.Errorf("failed_operations %+v, verdict %s", c, doc.Verdict)
	}
	if doc.A.Outage == nil || doc.A.Outage.End != nil || doc.B.Outage != nil {
		t.Errorf("outages: want A's without an end, none for B\n%s", out.String())
	}
}
