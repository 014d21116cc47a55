package breaker

import (
	"testing"
	"time"
)

// TestCompiledPickAgrees holds pick, generated from rows, to table.Pick:
// the same row or the same rejection for every state and event (and one
// past each) under every guard input, which takes each guard of a pair
// every way together with the others (fsm.Table.Verify checks that the
// inputs do).
func TestCompiledPickAgrees(t *testing.T) {
	settings := &Settings{MaxRequests: 1, ReadyToTrip: func(c Counts) bool { return c.ConsecutiveFailures > 1 }}
	var inputs []GuardInput
	for kind := Consulted; kind <= Failed; kind++ {
		for _, now := range []time.Duration{0, 1, 2} {
			for _, evGen := range []uint64{0, 1} {
				ev := &Event{Kind: kind, Now: now, Generation: evGen}
				for _, expiry := range []time.Duration{0, 1, 2} {
					for _, expires := range []bool{false, true} {
						for _, gen := range []uint64{0, 1} {
							for _, req := range []uint32{0, 1, 2} {
								for _, succ := range []uint32{0, 1} {
									for _, fail := range []uint32{0, 1} {
										b := &Breaker{Expiry: expiry, Expires: expires, Generation: gen,
											Counts: Counts{Requests: req, ConsecutiveSuccesses: succ, ConsecutiveFailures: fail}}
										inputs = append(inputs, GuardInput{Breaker: b, Settings: settings, Event: ev})
									}
								}
							}
						}
					}
				}
			}
		}
	}
	if err := table.Verify(pick, inputs); err != nil {
		t.Fatal(err)
	}
}
