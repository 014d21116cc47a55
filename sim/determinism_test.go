package sim

import (
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
)

// writeArchive writes a scenario archive's files to a temporary folder and
// returns the path of its scenario.yaml.
func writeArchive(t *testing.T, path string) string {
	t.Helper()
	a, err := txtar.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range a.Files {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, f.Name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "scenario.yaml")
}

// Same scenario, same seed: byte-identical log and trace over 50 runs at
// GOMAXPROCS 1 and 8 (`make test` runs this under -race). One scenario
// draws exponential jitter, so every run consumes the seeded source; the
// other has several subscribers, each with its sidecar's event ids,
// delivery workers and consumer group.
func TestDeterminismUnderStress(t *testing.T) {
	for _, archive := range []string{"exponential_jitter", "subscribers"} {
		t.Run(archive, func(t *testing.T) {
			determinismUnderStress(t, writeArchive(t, "testdata/scenarios/"+archive+".txtar"))
		})
	}
}

func determinismUnderStress(t *testing.T, path string) {
	var first string
	for _, procs := range []int{1, 8} {
		prev := runtime.GOMAXPROCS(procs)
		for i := 0; i < 50; i++ {
			log, trace, _, err := runFile(t, path, Overrides{})
			if err != nil {
				runtime.GOMAXPROCS(prev)
				t.Fatal(err)
			}
			if first == "" {
				first = log + trace
			} else if log+trace != first {
				runtime.GOMAXPROCS(prev)
				t.Fatalf("GOMAXPROCS=%d run %d differs from the first run:\n%s", procs, i, goldenDiff(first, log+trace))
			}
		}
		runtime.GOMAXPROCS(prev)
	}
}

// Two seeds give two different jitter draws: the retry delays of an
// exponential policy differ, while the seed itself is the only change.
func TestSeedsChangeJitter(t *testing.T) {
	path := writeArchive(t, "testdata/scenarios/exponential_jitter.txtar")
	delays := regexp.MustCompile(`delay: [^,}]+`)
	var got [2]string
	for i, seed := range []int64{42, 43} {
		_, trace, _, err := runFile(t, path, Overrides{Seed: &seed})
		if err != nil {
			t.Fatal(err)
		}
		d := delays.FindAllString(trace, -1)
		if len(d) < 3 {
			t.Fatalf("seed %d: want several retry delays, got %q", seed, d)
		}
		for _, s := range d {
			got[i] += s + "\n"
		}
	}
	if got[0] == got[1] {
		t.Errorf("seeds 42 and 43 drew the same delays:\n%s", got[0])
	}
}
