package sim

import (
	"encoding/json"
	"testing"

	"github.com/dapr-sim/sim/traces"
)

// A publish step's messages really are in the topic's stream afterwards:
// one entry per publish the app saw succeed, in order, each Dapr's
// CloudEvent around the step's data, with the metadata field 1.13+ writes;
// ids follow the virtual clock, and the same seed draws the same event ids.
func TestPublishWritesTheStream(t *testing.T) {
	run := func() ([]streamMsg, int) {
		setup, ok := scenarioSetup(t, "testdata/scenarios/pubsub_publish_outage.txtar")
		if !ok {
			t.Fatal("the scenario does not load")
		}
		var c traces.Collector
		e := NewEngine(setup, &c, Options{})
		defer e.Close()
		if err := e.Run(); err != nil {
			t.Fatal(err)
		}
		published := 0
		for _, ev := range c.Events {
			if ev.Kind == traces.Op && ev.Outcome == traces.OK {
				published++
			}
		}
		rc, err := e.Store("orderpubsub").streams()
		if err != nil {
			t.Fatal(err)
		}
		if err := rc.xgroupCreate("orders", "reader"); err != nil {
			t.Fatal(err)
		}
		msgs, err := rc.xreadgroup("reader", "reader", "orders", 1000)
		if err != nil {
			t.Fatal(err)
		}
		return msgs, published
	}
	msgs, published := run()
	if published == 0 || len(msgs) != published {
		t.Fatalf("%d entries in the stream, %d publishes succeeded", len(msgs), published)
	}
	if msgs[0].ID != "946684801000-0" { // sent at 1.000001s
		t.Errorf("the first entry's id %q is not the virtual millisecond of its XADD", msgs[0].ID)
	}
	for i, m := range msgs {
		if m.Fields["metadata"] != "{}" {
			t.Errorf("entry %d: metadata %q, want {}", i, m.Fields["metadata"])
		}
		var ce map[string]any
		if err := json.Unmarshal([]byte(m.Fields["data"]), &ce); err != nil {
			t.Fatalf("entry %d: data is not a CloudEvent: %v", i, err)
		}
		data, _ := ce["data"].(map[string]any)
		if ce["topic"] != "orders" || ce["pubsubname"] != "orderpubsub" || ce["source"] != "checkout" ||
			data == nil || data["orderId"] != float64(i+1) {
			t.Errorf("entry %d: %s", i, m.Fields["data"])
		}
	}
	again, _ := run()
	for i := range msgs {
		if again[i].Fields["data"] != msgs[i].Fields["data"] {
			t.Fatalf("entry %d differs between two runs:\n%s\n%s", i, msgs[i].Fields["data"], again[i].Fields["data"])
		}
	}
}
