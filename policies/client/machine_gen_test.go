package client

import "testing"

// TestCompiledPickAgrees holds pick, generated from rows, to table.Pick:
// the same row or the same rejection for every state and event (and one
// past each) under every guard input, which takes each guard both ways.
func TestCompiledPickAgrees(t *testing.T) {
	var inputs []GuardInput
	for _, retried := range []bool{false, true} {
		for _, left := range []bool{false, true} {
			inputs = append(inputs, GuardInput{Retried: retried, TriesLeft: left})
		}
	}
	if err := table.Verify(pick, inputs); err != nil {
		t.Fatal(err)
	}
}
