package traces

import (
	"strings"
	"testing"
	"time"
)

// The messages sections appear only when the run has messages, and every
// name in them arrives from the input, so it is escaped: a topic or entry
// id with a control character cannot forge a line of the report.
func TestSnapshotWriteMessages(t *testing.T) {
	var plain strings.Builder
	if err := (&Snapshot{At: time.Second}).Write(&plain); err != nil {
		t.Fatal(err)
	}
	if s := plain.String(); strings.Contains(s, "subscribers") || strings.Contains(s, "input bindings") {
		t.Errorf("a snapshot without messages prints a messages section:\n%s", s)
	}

	s := &Snapshot{At: 16 * time.Second,
		Consumers: []ConsumerState{{App: "sub", Pubsub: "ps", Workers: 2, QueueDepth: 1,
			Queue: []QueuedMessage{{Topic: "orders", Message: "2-0", Delivery: 1}, {Topic: "orders", Message: "1-0", Delivery: 2, HeldBy: "reclaim pass"}},
			Deliveries: []DeliveryState{{Worker: 1, Topic: "ord\x1b[2Jers\nforged", Message: "1-0", EventID: "e1", Route: "/orders", Delivery: 1, Started: time.Second,
				Progress: Progress{Attempt: 2, Phase: Backoff, Since: 2 * time.Second, Until: 7 * time.Second, Breaker: "cb", Open: true, OpenUntil: 30 * time.Second}}},
			Topics: []TopicLoop{{Topic: "orders", NextReclaim: 30 * time.Second, HasNext: true}}}},
		Triggers: []TriggerState{{App: "batch", Binding: "cron", Fire: 2, Route: "cron", Started: 10 * time.Second,
			Progress: Progress{Attempt: 1, Phase: Answering, Since: 10 * time.Second}}},
	}
	var b strings.Builder
	if err := s.Write(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"\nsubscribers (messages in flight, per sidecar and pub/sub)\n  sub ps: 1 of 2 workers busy, 1 of 1 queued, 1 held by blocked loops; orders: next reclaim tick 30s\n",
		"delivery 1 since 1s  via cb  attempt 1 failed 2s, waiting to retry: attempt 2 at 7s; breaker cb open until 30s: that attempt is refused and the runner ends\n",
		"    queued",
		"    held by reclaim pass  orders 1-0",
		"\ninput bindings (events in flight)\n  batch cron worker 0  fire 2  to /cron  since 10s  no breaker  attempt 1 started 10s, waiting for the answer\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the report lacks %q:\n%s", want, out)
		}
	}
	if strings.ContainsAny(out, "\x1b") || strings.Contains(out, "\nforged") {
		t.Errorf("a control character of a name reached the report:\n%q", out)
	}
}
