package main

import (
	"errors"
	"io"
	"testing"
	"time"

	"github.com/dapr-sim/sim/traces"
)

// source yields n events, then err.
type source struct {
	i, n int
	err  error
}

func (s *source) Next() (traces.Event, error) {
	if s.i == s.n {
		return traces.Event{}, s.err
	}
	s.i++
	return traces.Event{T: time.Duration(s.i), Kind: traces.Op}, nil
}

// TestPrefetchKeepsOrderAndTheEnd: events come out in order across batches,
// then the source's end: io.EOF, or its problem after the events before it.
func TestPrefetchKeepsOrderAndTheEnd(t *testing.T) {
	bad := errors.New("trace.yaml:9: bad event")
	for _, end := range []error{io.EOF, bad} {
		for _, n := range []int{0, 1, prefetchSize, 3*prefetchSize + 5} {
			p := newPrefetch(&source{n: n, err: end})
			for i := 1; i <= n; i++ {
				e, err := p.Next()
				if err != nil || e.T != time.Duration(i) {
					t.Fatalf("n=%d end=%v: event %d is %v, %v", n, end, i, e.T, err)
				}
			}
			for range 2 { // the end stays the end
				if _, err := p.Next(); !errors.Is(err, end) {
					t.Fatalf("n=%d: after the events got %v, want %v", n, err, end)
				}
			}
			p.Close()
		}
	}
}

// TestPrefetchDrain returns the source's problem, or nil at a clean end.
func TestPrefetchDrain(t *testing.T) {
	bad := errors.New("trace.yaml:9: bad event")
	p := newPrefetch(&source{n: 5000, err: bad})
	if err := p.Drain(); !errors.Is(err, bad) {
		t.Errorf("Drain: %v, want %v", err, bad)
	}
	p.Close()
	p = newPrefetch(&source{n: 5000, err: io.EOF})
	if err := p.Drain(); err != nil {
		t.Errorf("Drain: %v, want nil", err)
	}
	p.Close()
}

// TestPrefetchCloseEarly: closing before the end stops the reading goroutine
// (Close returns, not blocked on a full channel) so the caller may close the
// file under it.
func TestPrefetchCloseEarly(t *testing.T) {
	p := newPrefetch(&source{n: 1 << 30, err: io.EOF})
	if _, err := p.Next(); err != nil {
		t.Fatal(err)
	}
	p.Close() // a reader still going would block this forever
}
