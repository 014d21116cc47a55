package main

import (
	"errors"
	"testing"
	"time"

	"github.com/dapr-sim/sim/traces"
)

// TestAsyncSinkKeepsOrder: events handed over in any number of batches reach
// the sink in order, as copies (the caller reuses its value).
func TestAsyncSinkKeepsOrder(t *testing.T) {
	var got traces.Collector
	a := newAsyncSink(&got)
	var ev traces.Event
	const n = 5*asyncBatch + 7
	for i := range n {
		ev = traces.Event{T: time.Duration(i), Kind: traces.Call, Iteration: i}
		if err := a.Record(&ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if len(got.Events) != n {
		t.Fatalf("%d events reached the sink, want %d", len(got.Events), n)
	}
	for i, e := range got.Events {
		if e.Iteration != i || e.T != time.Duration(i) {
			t.Fatalf("event %d is %+v: out of order or overwritten", i, e)
		}
	}
}

type failAt struct {
	n, at int
	err   error
}

func (f *failAt) Record(*traces.Event) error {
	f.n++
	if f.n >= f.at {
		return f.err
	}
	return nil
}

// TestAsyncSinkReportsTheFirstError: once the sink fails, it is given no more
// events, a later Record returns its error (so the run stops) and so does
// Close.
func TestAsyncSinkReportsTheFirstError(t *testing.T) {
	boom := errors.New("disk full")
	f := &failAt{at: asyncBatch + 10, err: boom}
	a := newAsyncSink(f)
	var ev traces.Event
	var recordErr error
	for range 100 * asyncBatch {
		if recordErr = a.Record(&ev); recordErr != nil {
			break
		}
	}
	if !errors.Is(recordErr, boom) {
		t.Errorf("Record kept accepting events after the sink failed (last error %v)", recordErr)
	}
	if err := a.Close(); !errors.Is(err, boom) {
		t.Errorf("Close returned %v, want %v", err, boom)
	}
	if f.n != f.at {
		t.Errorf("the sink got %d events, want none after the failing %dth", f.n, f.at)
	}
}
