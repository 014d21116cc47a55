package timeout

import (
	"testing"
	"time"
)

// TestCompiledPickAgrees holds pick, generated from rows, to table.Pick:
// the same row or the same rejection for every state and event (and one
// past each) under every guard input, which takes each guard both ways.
func TestCompiledPickAgrees(t *testing.T) {
	var inputs []GuardInput
	for _, now := range []time.Duration{0, 1, 2} {
		for _, timeout := range []time.Duration{-1, 0, 1} {
			for _, deadline := range []time.Duration{0, 1, 2} {
				for _, has := range []bool{false, true} {
					inputs = append(inputs, GuardInput{Now: now, Timeout: timeout, Deadline: deadline, HasDeadline: has})
				}
			}
		}
	}
	if err := table.Verify(pick, inputs); err != nil {
		t.Fatal(err)
	}
}
