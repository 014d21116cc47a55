package main

import (
	"sync/atomic"

	"github.com/dapr-sim/sim/traces"
)

// asyncSink hands events to a sink on a second goroutine, in batches, so
// encoding a trace overlaps the run itself (a virtual day: 340,000 lines,
// a third of `sim run --trace`). Each event is copied, since the engine
// reuses its value; one goroutine consumes the batches in order, so the
// bytes are those of the sink called directly. A write error comes back
// from a later Record (stopping the run) and from Close.
type asyncSink struct {
	sink  traces.Sink
	batch []traces.Event
	full  chan []traces.Event
	free  chan []traces.Event
	done  chan struct{}
	err   atomic.Pointer[error]
}

const asyncBatch = 1024

func newAsyncSink(sink traces.Sink) *asyncSink {
	a := &asyncSink{
		sink: sink,
		full: make(chan []traces.Event, 2),
		free: make(chan []traces.Event, 3),
		done: make(chan struct{}),
	}
	for range 2 {
		a.free <- make([]traces.Event, 0, asyncBatch)
	}
	a.batch = make([]traces.Event, 0, asyncBatch)
	go a.drain()
	return a
}

func (a *asyncSink) drain() {
	defer close(a.done)
	for b := range a.full {
		if a.err.Load() == nil {
			for i := range b {
				if err := a.sink.Record(&b[i]); err != nil {
					a.err.Store(&err)
					break
				}
			}
		}
		clear(b) // drop the strings it holds
		a.free <- b[:0]
	}
}

// Record implements traces.Sink.
func (a *asyncSink) Record(e *traces.Event) error {
	if p := a.err.Load(); p != nil {
		return *p
	}
	a.batch = append(a.batch, *e)
	if len(a.batch) == cap(a.batch) {
		a.full <- a.batch
		a.batch = <-a.free
	}
	return nil
}

// Close hands over the last batch, waits for the sink to take every event,
// and returns the first error it gave.
func (a *asyncSink) Close() error {
	if len(a.batch) > 0 {
		a.full <- a.batch
		a.batch = nil
	}
	close(a.full)
	<-a.done
	if p := a.err.Load(); p != nil {
		return *p
	}
	return nil
}
