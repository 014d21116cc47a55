package rss

import (
	"os"
	"runtime"
	"testing"
)

func TestSize(t *testing.T) {
	status := "Name:\tsim\nVmPeak:\t  2000 kB\nVmHWM:\t    2196 kB\nVmRSS:\t 1024 kB\n"
	if got, err := size([]byte(status), "VmHWM"); err != nil || got != 2196<<10 {
		t.Errorf("size(VmHWM) = %d, %v; want %d", got, err, 2196<<10)
	}
	for _, bad := range []string{"VmRSS:\t1 kB\n", "VmHWM:\t12 MB\n", "VmHWM:\tmany kB\n"} {
		if got, err := size([]byte(bad), "VmHWM"); err == nil {
			t.Errorf("size(%q, VmHWM) = %d, want an error", bad, got)
		}
	}
}

// resident is the process's resident size now (VmRSS).
func resident(t *testing.T) uint64 {
	t.Helper()
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Fatal(err)
	}
	n, err := size(status, "VmRSS")
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// After Reset the peak is what is resident then, not what was held before
// (64 MB touched and dropped), and it follows memory touched afterwards:
// the properties a benchmark's figure rests on. Compared with the resident
// size rather than the earlier peak: the race detector's shadow of freed
// memory stays resident.
func TestPeakAfterReset(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("reads /proc/self")
	}
	const mb, block = 1 << 20, 64 << 20
	touch := func(v byte) []byte {
		b := make([]byte, block)
		for i := range b {
			b[i] = v
		}
		return b
	}
	runtime.KeepAlive(touch(1))
	if err := Reset(); err != nil {
		t.Skipf("cannot reset the peak here: %v", err)
	}
	now := resident(t)
	peak, err := Peak()
	if err != nil {
		t.Fatal(err)
	}
	if peak > now+16*mb {
		t.Errorf("peak after Reset = %d MB with %d MB resident: what was held before Reset still counts", peak/mb, now/mb)
	}
	runtime.KeepAlive(touch(2))
	if p, _ := Peak(); p < peak+block/2 {
		t.Errorf("peak = %d MB after touching 64 MB from %d MB", p/mb, peak/mb)
	}
}

type metrics map[string]float64

func (m metrics) ReportMetric(v float64, unit string) { m[unit] = v }

// TestOpsReportsTheHighestPeak holds Ops to the highest of its ops' peaks:
// an op that touches 32 MiB reports at least that, a later smaller one
// does not lower it.
func TestOpsReportsTheHighestPeak(t *testing.T) {
	if _, err := Peak(); err != nil {
		t.Skip("no /proc/self/status here:", err)
	}
	var o Ops
	var keep []byte
	o.Begin()
	keep = make([]byte, 32<<20)
	for i := range keep {
		keep[i] = 1
	}
	o.End()
	keep = nil
	runtime.GC()
	o.Begin()
	o.End()
	m := metrics{}
	o.Report(m)
	if got := m["peak-RSS-MiB"]; got < 32 {
		t.Errorf("peak-RSS-MiB = %v, want at least 32 (the first op's 32 MiB)", got)
	}
	runtime.KeepAlive(keep)
}
