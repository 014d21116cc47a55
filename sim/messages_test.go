package sim

import (
	"fmt"
	"testing"
	"time"

	"github.com/dapr-sim/sim/traces"
)

// traces reads a message's publish time from its stream entry id with its
// own copy of the epoch (it may not import sim): the two must agree.
func TestStreamEpochMatchesTraces(t *testing.T) {
	if got := epoch.UnixMilli(); got != traces.StreamEpoch {
		t.Fatalf("sim's stream epoch is %d ms, traces.StreamEpoch %d", got, traces.StreamEpoch)
	}
}

// The message measures of real runs: a duplicate when the component
// reclaims a message the sidecar still retries (1.14), and the delay from
// the publish's XADD to the first delivery the app took.
func TestDeliveryMetrics(t *testing.T) {
	cases := []struct {
		name string
		c    deliveryCase
		// published, delivered, redelivered, dead-lettered, dropped,
		// lost, pending, duplicates
		want  [8]int
		delay time.Duration
	}{
		{"taken at once", deliveryCase{}, [8]int{1, 1, 0, 0, 0, 0, 0, 0}, time.Millisecond + 2*time.Microsecond},
		{"1.14: reclaimed while the runner retries: delivered twice",
			deliveryCase{policies: fmt.Sprintf(retry5s, 20), inbound: "          retry: r\n", faults: "{from: 0s, to: 80s, target: order-processor, error: boom}", duration: "150s"},
			[8]int{1, 1, 1, 0, 0, 0, 0, 1}, 79*time.Second + 2*time.Millisecond + 2*time.Microsecond},
		{"1.14: lost", deliveryCase{sub: "        deadLetterTopic: poison\n", policies: fmt.Sprintf(retry5s, 12), inbound: "          retry: r\n", faults: "{target: order-processor, error: boom}", duration: "150s"},
			[8]int{1, 0, 0, 0, 0, 1, 0, 0}, -1},
		{"a stopped subscriber: pending at the end", deliveryCase{faults: "{at: 0s, stop: order-processor}", duration: "10s"},
			[8]int{1, 0, 0, 0, 0, 0, 1, 0}, -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, evs := runDelivery(t, tc.c)
			m := traces.Measure(evs)
			got := [8]int{m.Published, m.Delivered, m.Redelivered, m.DeadLettered, m.Dropped, m.Lost, m.Pending, m.Duplicates}
			if got != tc.want {
				t.Errorf("published, delivered, redelivered, dead-lettered, dropped, lost, pending, duplicates = %v, want %v", got, tc.want)
			}
			if tc.delay >= 0 && (!m.HasDelay || m.WorstDelay != tc.delay) || tc.delay < 0 && m.HasDelay {
				t.Errorf("worst delay %v (%v), want %v", m.WorstDelay, m.HasDelay, tc.delay)
			}
		})
	}
}
