package traces

import "testing"

// A Collector keeps events as code that holds a run's events has always
// read them: an op's app line in Log, though the engine records it as
// AppLine. A line already in Log (read back from a trace) is kept as it is.
func TestCollectorWordsTheAppLine(t *testing.T) {
	tmpl := CompileLogTemplate("Getting Order: { orderId: '{i}' } from {w}: {value}", true)
	var c Collector
	events := []Event{
		{Kind: Op, Outcome: OK, AppLine: AppLine{Template: tmpl, Iteration: 7, Worker: 2, Value: `{"orderId":7}`}},
		{Kind: Op, Outcome: OK, Log: "read back", AppLine: AppLine{Template: tmpl, Iteration: 1}},
		{Kind: Call, Outcome: OK},
	}
	for i := range events {
		if err := c.Record(&events[i]); err != nil {
			t.Fatal(err)
		}
	}
	for i, want := range []string{`Getting Order: { orderId: '7' } from 2: {"orderId":7}`, "read back", ""} {
		if got := c.Events[i].Log; got != want {
			t.Errorf("event %d: Log %q, want %q", i, got, want)
		}
		if got := c.Events[i].LogText(); got != want {
			t.Errorf("event %d: LogText %q, want %q", i, got, want)
		}
	}
}
