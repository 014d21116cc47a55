package traces

import (
	"encoding/json"
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

	s := messagesSnapshot()
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

// messagesSnapshot has a consumer with a delivery in backoff behind an
// open breaker, a queued message and a held one, and an input binding's
// event in flight; its first topic's name carries control characters.
func messagesSnapshot() *Snapshot {
	return &Snapshot{At: 16 * time.Second,
		Consumers: []ConsumerState{{App: "sub", Pubsub: "ps", Workers: 2, QueueDepth: 1,
			Queue: []QueuedMessage{{Topic: "orders", Message: "2-0", Delivery: 1}, {Topic: "orders", Message: "1-0", Delivery: 2, HeldBy: "reclaim pass"}},
			Deliveries: []DeliveryState{{Worker: 1, Topic: "ord\x1b[2Jers\nforged", Message: "1-0", EventID: "e1", Route: "/orders", Delivery: 1, Started: time.Second,
				Progress: Progress{Attempt: 2, Phase: Backoff, Since: 2 * time.Second, Until: 7 * time.Second, Breaker: "cb", Open: true, OpenUntil: 30 * time.Second}}},
			Topics: []TopicLoop{{Topic: "orders", NextReclaim: 30 * time.Second, HasNext: true}}}},
		Triggers: []TriggerState{{App: "batch", Binding: "cron", Fire: 2, Route: "cron", Started: 10 * time.Second,
			Progress: Progress{Attempt: 1, Phase: Answering, Since: 10 * time.Second}}},
	}
}

// TestSnapshotJSONMessages: --format json carries the messages sections
// the text form prints (they were left out of the document at first),
// with a null where a time does not apply.
func TestSnapshotJSONMessages(t *testing.T) {
	var b strings.Builder
	if err := messagesSnapshot().WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Consumers []struct {
			App, Pubsub string
			Workers     int
			QueueDepth  int `json:"queue_depth"`
			Deliveries  []struct {
				Topic, Message string
				Delivery       int
				Progress       struct {
					Attempt   int
					Phase     string
					Since     *float64
					Until     *float64
					OpenUntil *float64 `json:"open_until"`
				}
			}
			Queue []struct {
				Message string
				HeldBy  string `json:"held_by"`
			}
			Topics []struct {
				NextReclaim *float64 `json:"next_reclaim"`
			}
		}
		Triggers []struct {
			Binding  string
			Fire     int
			Progress struct {
				Phase     string
				Until     *float64
				OpenUntil *float64 `json:"open_until"`
			}
		}
	}
	if err := json.Unmarshal([]byte(b.String()), &doc); err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	if len(doc.Consumers) != 1 || len(doc.Triggers) != 1 {
		t.Fatalf("consumers %d, triggers %d, want 1 and 1:\n%s", len(doc.Consumers), len(doc.Triggers), b.String())
	}
	c := doc.Consumers[0]
	if c.App != "sub" || c.Pubsub != "ps" || c.Workers != 2 || c.QueueDepth != 1 || len(c.Deliveries) != 1 || len(c.Queue) != 2 || len(c.Topics) != 1 {
		t.Errorf("consumer %+v", c)
	}
	d := c.Deliveries[0]
	if d.Topic != "ord\x1b[2Jers\nforged" || d.Message != "1-0" || d.Progress.Phase != "backoff" || d.Progress.Attempt != 2 ||
		d.Progress.Since == nil || *d.Progress.Since != 2 || d.Progress.Until == nil || *d.Progress.Until != 7 ||
		d.Progress.OpenUntil == nil || *d.Progress.OpenUntil != 30 {
		t.Errorf("delivery %+v", d)
	}
	if c.Queue[1].HeldBy != "reclaim pass" || c.Topics[0].NextReclaim == nil || *c.Topics[0].NextReclaim != 30 {
		t.Errorf("queue %+v, topics %+v", c.Queue, c.Topics)
	}
	tr := doc.Triggers[0]
	if tr.Binding != "cron" || tr.Fire != 2 || tr.Progress.Phase != "answering" || tr.Progress.Until != nil || tr.Progress.OpenUntil != nil {
		t.Errorf("trigger %+v", tr)
	}
	if strings.Contains(b.String(), "\x1b") {
		t.Errorf("a control character reached the document raw:\n%q", b.String())
	}

	var plain strings.Builder
	if err := (&Snapshot{At: time.Second}).WriteJSON(&plain); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(plain.String(), "\"consumers\": [],\n") || !strings.Contains(plain.String(), "\"triggers\": [],\n") {
		t.Errorf("a snapshot without messages lacks the empty lists:\n%s", plain.String())
	}
}
