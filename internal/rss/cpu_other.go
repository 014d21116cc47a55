//go:build !unix

package rss

import "time"

// CPUTime is not measured where there is no getrusage.
func CPUTime() (time.Duration, bool) { return 0, false }
