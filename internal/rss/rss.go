// Package rss reads the process's peak resident set size, the figure
// `/usr/bin/time -v` reports as "Maximum resident set size", so a benchmark
// can report the memory a user sees rather than what the Go heap counts.
// CPUTime gives the process's processor time, for the same reason.
// It reads Linux's /proc/self; elsewhere every call returns an error and a
// benchmark leaves the figure out. Nothing in a run imports it.
package rss

import (
	"bytes"
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
)

// Reset returns the heap's free memory to the operating system and sets
// the peak to the resident size that leaves (Linux 4.0's clear_refs "5"),
// so Peak afterwards is the most held since this call, not since the
// process began.
func Reset() error {
	debug.FreeOSMemory()
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
}

// Peak is the most the process has held resident, in bytes, since it began
// or since the last Reset (VmHWM in /proc/self/status).
func Peak() (uint64, error) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	return size(status, "VmHWM")
}

// size reads the field of /proc/self/status named, a size in kB, in bytes.
func size(status []byte, field string) (uint64, error) {
	for line := range bytes.Lines(status) {
		rest, ok := bytes.CutPrefix(line, []byte(field+":"))
		if !ok {
			continue
		}
		kb, ok := bytes.CutSuffix(bytes.TrimSpace(rest), []byte(" kB"))
		if !ok {
			return 0, fmt.Errorf("%s: want a size in kB, got %q", field, bytes.TrimSpace(rest))
		}
		n, err := strconv.ParseUint(string(bytes.TrimSpace(kb)), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", field, err)
		}
		return n << 10, nil
	}
	return 0, fmt.Errorf("no %s line in /proc/self/status", field)
}

// Ops follows a benchmark's ops: the highest peak any of them reached.
// Call Begin before an op and End after it, both with the benchmark's
// timer stopped, then Report. One failed read (no /proc/self) leaves the
// figure out rather than report a wrong one.
type Ops struct {
	peak   uint64
	failed bool
}

// Begin resets the peak (Reset) for the op about to run.
func (o *Ops) Begin() { o.failed = o.failed || Reset() != nil }

// End reads the op's peak.
func (o *Ops) End() {
	p, err := Peak()
	o.peak, o.failed = max(o.peak, p), o.failed || err != nil
}

// Report reports the highest peak as peak-RSS-MiB (2^20 bytes), unless a
// read failed. b is the *testing.B.
func (o *Ops) Report(b interface{ ReportMetric(float64, string) }) {
	if !o.failed {
		b.ReportMetric(float64(o.peak)/(1<<20), "peak-RSS-MiB")
	}
}
