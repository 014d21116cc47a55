// Package scripts holds the repository's shell scripts; its test checks
// the arithmetic of speed.sh's table, which `make speed` prints.
package scripts

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestSpeedTable feeds speed.sh benchmark lines of known figures (RAW
// skips the runs) and checks the table's medians and ratios, rounds given
// out of order so a median of unsorted figures is caught.
func TestSpeedTable(t *testing.T) {
	raw := strings.Join([]string{
		"goos: linux",
		"BenchmarkOracleDay-2 2 1100 ns/op 170092 attempts/op 120 peak-RSS-MiB 5 B/op 1 allocs/op",
		"BenchmarkOracleDay-2 2 900 ns/op 170092 attempts/op 140 peak-RSS-MiB 5 B/op 1 allocs/op",
		"BenchmarkOracleDay-2 2 1000 ns/op 170092 attempts/op 130 peak-RSS-MiB 5 B/op 1 allocs/op",
		"BenchmarkDay-2 2 250 ns/op 340600 events/op 2 ns/event 80 peak-RSS-MiB",
		"BenchmarkDay-2 2 150 ns/op 340600 events/op 4 ns/event 82 peak-RSS-MiB",
		"BenchmarkDay-2 2 200 ns/op 340600 events/op 3 ns/event 81 peak-RSS-MiB",
		"BenchmarkMonth 1 9000 ns/op 10363000 events/op 3.3 ns/event 1900 peak-RSS-MiB",
		"BenchmarkReplayDay-2 1 400 ns/op 100 peak-RSS-MiB",
		"BenchmarkReplayDay-2 1 600 ns/op 100 peak-RSS-MiB",
		"BenchmarkRenderDayMinute-2 1 250 ns/op 90 peak-RSS-MiB",
		"BenchmarkSweepQuickstartHour-2 2 10 ns/op 210.5 points/s 1.9 cpu/wall",
		"BenchmarkEngineNullStore-2 2 70 ns/op 65 cpu-ns/op 340600 events/op",
		"BenchmarkEngineNullStore-2 2 50 ns/op 55 cpu-ns/op 340600 events/op",
		"BenchmarkFloorDay-2 2 4 ns/op 5 cpu-ns/op 340600 events/op",
		"BenchmarkMachinesDay-2 2 9 ns/op 10 cpu-ns/op 23 ns/event",
	}, "\n") + "\n"
	file := filepath.Join(t.TempDir(), "raw.txt")
	if err := os.WriteFile(file, []byte(raw), 0o644); err != nil {
		t.Fatal(err)
	}
	// Read here so that go test's cache knows the result depends on it.
	if _, err := os.ReadFile("speed.sh"); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", "speed.sh")
	cmd.Env = append(os.Environ(), "RAW="+file)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("speed.sh: %v\n%s", err, out)
	}
	want := map[string]string{
		"day: Dapr v1.14 oracle / BenchmarkDay":            "5.00x",
		"day: oracle peak RSS, MiB":                        "130",
		"month / day, ns per event":                        "1.10",
		"render HTML 1-minute window / replay of the day":  "0.50",
		"sweep: points/s":                                  "210.5",
		"engine without miniredis / event-heap floor":      "15.00x",
		"engine / floor, processor time":                   "12.00x",
		"policy machines alone / floor, processor time":    "2.00x",
		"engine / (floor + machines), processor time":      "4.00x",
		"day: Dapr v1.14 oracle / sim without miniredis":   "n/a",
		"render HTML 40-minute window / replay of the day": "n/a",
	}
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if i := strings.LastIndex(line, " "); i > 0 {
			got[strings.TrimSpace(line[:i])] = line[i+1:]
		}
	}
	for label, w := range want {
		if got[label] != w {
			t.Errorf("%s: got %q, want %q\n%s", label, got[label], w, out)
		}
	}
}
