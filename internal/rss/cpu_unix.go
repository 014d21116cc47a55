//go:build unix

package rss

import (
	"syscall"
	"time"
)

// CPUTime is the processor time the process has used, user and system,
// all threads and the collector together: on a shared machine a
// benchmark's wall time measures the machine, its processor time the
// code.
func CPUTime() (time.Duration, bool) {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0, false
	}
	return time.Duration(u.Utime.Nano() + u.Stime.Nano()), true
}
