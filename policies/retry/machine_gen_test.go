package retry

import "testing"

// TestCompiledPickAgrees holds pick, generated from rows, to table.Pick:
// the same row or the same rejection for every state and event (and one
// past each) under every guard input, which takes each guard both ways.
func TestCompiledPickAgrees(t *testing.T) {
	var inputs []GuardInput
	for _, permanent := range []bool{false, true} {
		for stop := None; stop <= StopDelay; stop++ {
			for _, notified := range []bool{false, true} {
				inputs = append(inputs, GuardInput{Permanent: permanent, Stop: stop, Notified: notified})
			}
		}
	}
	if err := table.Verify(pick, inputs); err != nil {
		t.Fatal(err)
	}
}
