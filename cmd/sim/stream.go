package main

import (
	"time"

	bclock "github.com/benbjohnson/clock"
	"github.com/dapr-sim/sim/traces"
)

// streamEvery is the longest a line of sim run's log waits in its buffer
// when stdout is not a terminal (a pipe, a file): a user watching a long
// run through `| tee` sees it grow.
const streamEvery = 200 * time.Millisecond

// streamLog writes the sidecar log as it is produced: on a terminal each
// line is flushed as it is written; otherwise the buffer is flushed at the
// first event after each tick of streamEvery, so a fast run still writes in
// large blocks. Only when bytes reach stdout changes, never which.
type streamLog struct {
	log     *traces.LogWriter
	perLine bool
	tick    <-chan time.Time
	stop    func()
}

// newStreamLog streams log, flushing per line when perLine, else on the
// ticks of clk. Close stops the ticker.
func newStreamLog(log *traces.LogWriter, perLine bool, clk bclock.Clock) *streamLog {
	s := &streamLog{log: log, perLine: perLine, stop: func() {}}
	if !perLine {
		t := clk.Ticker(streamEvery)
		s.tick, s.stop = t.C, t.Stop
	}
	return s
}

// Record implements traces.Sink.
func (s *streamLog) Record(e *traces.Event) error {
	if err := s.log.Record(e); err != nil {
		return err
	}
	if s.perLine {
		return s.log.Flush()
	}
	select {
	case <-s.tick:
		return s.log.Flush()
	default:
		return nil
	}
}

// Close stops the ticker; the caller flushes the log.
func (s *streamLog) Close() { s.stop() }
