package traces

import (
	"io"
	"testing"
	"time"
)

// BenchmarkTraceWriter is the YAML trace writer alone on the events a
// virtual day is made of (a successful save's call and op, a failed
// attempt, a retry), to io.Discard.
func BenchmarkTraceWriter(b *testing.B) {
	events := []Event{
		{T: 6*time.Hour + 1001*time.Microsecond, Kind: Call, App: "order-processor", Iteration: 21601, Step: 1, Target: "statestore", Op: "save", Attempt: 1, Outcome: OK},
		{T: 6*time.Hour + 1001*time.Microsecond, Kind: Op, App: "order-processor", Iteration: 21601, Step: 1, Target: "statestore", Op: "save", Attempts: 1, Outcome: OK, Took: 1001 * time.Microsecond, Log: "Saving Order: { orderId: '21601' }"},
		{T: 6*time.Hour + 2*time.Second, Kind: Call, App: "order-processor", Iteration: 21602, Step: 1, Target: "statestore", Op: "save", Attempt: 1, Outcome: Error, Error: "failed to set key order-processor||21602: dial tcp 127.0.0.1:6379: connect: connection refused"},
		{T: 6*time.Hour + 2*time.Second, Kind: Retry, App: "order-processor", Iteration: 21602, Step: 1, Target: "statestore", Op: "save", Operation: "component[statestore] output", Attempt: 1, Delay: 5 * time.Second, Notice: true},
	}
	tw, err := NewTraceWriter(io.Discard, Header{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if err := tw.Record(&events[n%len(events)]); err != nil {
			b.Fatal(err)
		}
		n++
	}
	if err := tw.Close(); err != nil {
		b.Fatal(err)
	}
}
