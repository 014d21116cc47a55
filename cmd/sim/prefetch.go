package main

import (
	"errors"
	"io"

	"github.com/dapr-sim/sim/traces"
)

// prefetch reads a trace's events on a second goroutine, in batches, so
// parsing the trace overlaps the run that replays it (about half of
// replaying a virtual day each). Events come out in order; the reader's
// error, io.EOF at the end, comes after the last one. Memory stays bounded:
// four batches at most (one being read, two waiting, one being compared).
type prefetch struct {
	full  chan prefetchBatch
	batch prefetchBatch
	i     int
	stop  chan struct{}
	done  chan struct{}
}

type prefetchBatch struct {
	events []traces.Event
	err    error // after the events: io.EOF or the reader's problem
}

const prefetchSize = 1024

func newPrefetch(src traces.EventSource) *prefetch {
	p := &prefetch{full: make(chan prefetchBatch, 2), stop: make(chan struct{}), done: make(chan struct{})}
	go p.read(src)
	return p
}

func (p *prefetch) read(src traces.EventSource) {
	defer close(p.done)
	defer close(p.full)
	for {
		b := prefetchBatch{events: make([]traces.Event, 0, prefetchSize)}
		for len(b.events) < prefetchSize {
			e, err := src.Next()
			if err != nil {
				b.err = err
				break
			}
			b.events = append(b.events, e)
		}
		select {
		case p.full <- b:
		case <-p.stop:
			return
		}
		if b.err != nil {
			return
		}
	}
}

// Next implements traces.EventSource.
func (p *prefetch) Next() (traces.Event, error) {
	for p.i == len(p.batch.events) {
		if p.batch.err != nil {
			return traces.Event{}, p.batch.err
		}
		b, ok := <-p.full
		if !ok {
			return traces.Event{}, io.EOF
		}
		p.batch, p.i = b, 0
	}
	p.i++
	return p.batch.events[p.i-1], nil
}

// Drain reads the rest, returning the trace's problem if it has one.
func (p *prefetch) Drain() error {
	for {
		_, err := p.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// Close stops reading ahead and waits for the reader to let go of the
// source, which the caller may then close.
func (p *prefetch) Close() {
	close(p.stop)
	<-p.done
}
