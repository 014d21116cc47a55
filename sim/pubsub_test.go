package sim

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/dapr-sim/sim/traces"
	"github.com/google/go-cmp/cmp"
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
		if m.Metadata != "{}" {
			t.Errorf("entry %d: metadata %q, want {}", i, m.Metadata)
		}
		var ce map[string]any
		if err := json.Unmarshal([]byte(m.Data), &ce); err != nil {
			t.Fatalf("entry %d: data is not a CloudEvent: %v", i, err)
		}
		data, _ := ce["data"].(map[string]any)
		if ce["topic"] != "orders" || ce["pubsubname"] != "orderpubsub" || ce["source"] != "checkout" ||
			data == nil || data["orderId"] != float64(i+1) {
			t.Errorf("entry %d: %s", i, m.Data)
		}
	}
	again, _ := run()
	for i := range msgs {
		if again[i].Data != msgs[i].Data {
			t.Fatalf("entry %d differs between two runs:\n%s\n%s", i, msgs[i].Data, again[i].Data)
		}
	}
}

// StoreData reads what `replay --at` shows of a store: its state keys, and
// each stream's entries and consumer groups with their pending entries.
func TestStoreDataShowsStreamsAndPending(t *testing.T) {
	setup, ok := scenarioSetup(t, "testdata/scenarios/pubsub_publish_outage.txtar")
	if !ok {
		t.Fatal("the scenario does not load")
	}
	e := NewEngine(setup, &traces.Collector{}, Options{})
	defer e.Close()
	if err := e.RunUntil(12 * time.Second); err != nil {
		t.Fatal(err)
	}
	rc, err := e.Store("orderpubsub").streams()
	if err != nil {
		t.Fatal(err)
	}
	if err := rc.xgroupCreate("orders", "b-reader"); err != nil {
		t.Fatal(err)
	}
	if err := rc.xgroupCreate("orders", "a-reader"); err != nil {
		t.Fatal(err)
	}
	msgs, err := rc.xreadgroup("b-reader", "b-reader", "orders", 3)
	if err != nil || len(msgs) != 3 {
		t.Fatalf("read %d: %v", len(msgs), err)
	}
	if err := rc.xack("orders", "b-reader", msgs[0].ID); err != nil {
		t.Fatal(err)
	}
	got, err := e.StoreData()
	if err != nil {
		t.Fatal(err)
	}
	want := []traces.StoreData{{Name: "orderpubsub", Streams: []traces.StreamData{{Topic: "orders", Entries: 4,
		Groups: []traces.GroupData{{Name: "a-reader"}, {Name: "b-reader", Pending: 2}}}}}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("store data (-want +got):\n%s", d)
	}
}
