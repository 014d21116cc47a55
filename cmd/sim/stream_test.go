package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	bclock "github.com/benbjohnson/clock"
	"github.com/dapr-sim/sim/traces"
)

// streamLine is an app's successful step: one line of the log.
func streamLine(i int) traces.Event {
	return traces.Event{Kind: traces.Op, Outcome: traces.OK, Log: fmt.Sprintf("order %d", i)}
}

// TestIssue11LogStreamsOnTicks: when stdout is not a terminal, sim run's log
// reaches it at the first event after each tick, not only when 4 KiB have
// piled up or the run ends (issue 11: a user watching a long run saw
// nothing). The ticks come from a mock clock: no test waits.
func TestIssue11LogStreamsOnTicks(t *testing.T) {
	var out bytes.Buffer
	wording, err := traces.WordingFor("1.16")
	if err != nil {
		t.Fatal(err)
	}
	log := traces.NewLogWriter(&out, wording)
	clk := bclock.NewMock()
	s := newStreamLog(log, false, clk)
	defer s.Close()
	record := func(i int) {
		e := streamLine(i)
		if err := s.Record(&e); err != nil {
			t.Fatal(err)
		}
	}
	record(0)
	record(1)
	if out.Len() != 0 {
		t.Fatalf("before a tick: %q written, want the lines buffered", out.String())
	}
	clk.Add(streamEvery)
	record(2)
	if n := strings.Count(out.String(), "\n"); n != 3 {
		t.Fatalf("after a tick: %d lines written, want 3:\n%s", n, out.String())
	}
	record(3)
	if n := strings.Count(out.String(), "\n"); n != 3 {
		t.Fatalf("before the next tick: %d lines written, want 3", n)
	}
	if err := log.Flush(); err != nil {
		t.Fatal(err)
	}
	// The bytes are those of an unstreamed log.
	var whole bytes.Buffer
	plain := traces.NewLogWriter(&whole, wording)
	for i := range 4 {
		e := streamLine(i)
		if err := plain.Record(&e); err != nil {
			t.Fatal(err)
		}
	}
	plain.Flush()
	if out.String() != whole.String() {
		t.Errorf("streamed log differs:\n%s\nwant\n%s", out.String(), whole.String())
	}
}

// On a terminal each line is written as it is produced.
func TestIssue11LogStreamsPerLineOnTerminal(t *testing.T) {
	var out bytes.Buffer
	wording, err := traces.WordingFor("1.16")
	if err != nil {
		t.Fatal(err)
	}
	s := newStreamLog(traces.NewLogWriter(&out, wording), true, bclock.NewMock())
	defer s.Close()
	for i := range 3 {
		e := streamLine(i)
		if err := s.Record(&e); err != nil {
			t.Fatal(err)
		}
		if n := strings.Count(out.String(), "\n"); n != i+1 {
			t.Fatalf("after line %d: %d lines written", i+1, n)
		}
	}
}
