package sim

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dapr-sim/sim/internal/diag"
	"github.com/dapr-sim/sim/traces"
	"github.com/rogpeppe/go-internal/txtar"
)

// FuzzScenario: whatever a scenario and its Resiliency file hold, loading,
// preparing and running (on a small event budget) do not panic; a rejection
// is a diag error naming the file and a line; a scenario that loads loads the
// same way twice.
func FuzzScenario(f *testing.F) {
	quick, _ := os.ReadFile("../examples/quickstart/scenario.yaml")
	qres, _ := os.ReadFile("../examples/quickstart/resources/resiliency.yaml")
	f.Add(quick, qres)
	day, _ := os.ReadFile("../examples/day/scenario.yaml")
	f.Add(day, qres)
	archives, _ := filepath.Glob("testdata/scenarios/*.txtar")
	for _, p := range archives {
		a, err := txtar.ParseFile(p)
		if err != nil {
			continue
		}
		var sc, res []byte
		for _, file := range a.Files {
			switch file.Name {
			case "scenario.yaml":
				sc = file.Data
			case "resiliency.yaml":
				res = file.Data
			}
		}
		if sc != nil {
			f.Add(sc, res)
		}
	}
	f.Add([]byte("version: 1\nduration: 200000000h\napps: [{id: a, steps: [{save: s}]}]\nstores: {s: {}}\n"), []byte(nil))
	f.Add([]byte("version: 1\nduration: 1s\noverrides: {retries: {r: {multiplier: 0}}}\napps: [{id: a, steps: [{save: s}]}]\n"), qres)
	// Issue 11: NaN, infinities and overflow in every kind of number.
	f.Add([]byte("version: 1\nduration: 1s\nseed: 99999999999999999999\noverrides: {retries: {r: {multiplier: .inf, randomizationFactor: NaN}}}\napps: [{id: a, steps: [{save: s}]}]\nstores: {s: {}}\nfaults: [{from: 0s, to: 1s, target: s, errorRate: .nan}, {from: 0s, target: s, failEvery: 1e400}]\n"), qres)
	f.Add([]byte("version: 1\nduration: 1s\nresiliency: resiliency.yaml\napps: [{id: a, steps: [{save: s}]}]\nstores: {s: {}}\n"),
		[]byte("apiVersion: dapr.io/v1alpha1\nkind: Resiliency\nmetadata: {name: r}\nspec:\n  policies:\n    retries:\n      r: {maxRetries: .inf, duration: 1e400}\n    circuitBreakers:\n      c: {maxRequests: NaN, trip: '[1,2,3,4,5,6,7,8,9,10].all(a, [1,2,3,4,5,6,7,8,9,10].all(b, [1,2,3,4,5,6,7,8,9,10].all(c, a+b+c > 0)))'}\n"))
	f.Fuzz(func(t *testing.T, scenario, resiliency []byte) {
		dir := t.TempDir()
		for _, p := range []string{"resiliency.yaml", "resources/resiliency.yaml"} {
			if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, p), resiliency, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		file := filepath.Join(dir, "scenario.yaml")
		sc, err := ParseScenario(file, scenario)
		sc2, err2 := ParseScenario(file, scenario)
		if (err == nil) != (err2 == nil) || (err != nil && err.Error() != err2.Error()) {
			t.Fatalf("two parses differ: %v / %v", err, err2)
		}
		if err != nil {
			checkDiag(t, err)
			return
		}
		if !reflect.DeepEqual(sc, sc2) {
			t.Fatal("two parses give different scenarios")
		}
		// Resources outside the temporary folder are not the input.
		for _, p := range []string{sc.ResourcesPath, sc.Resiliency} {
			if p != "" && !filepath.IsLocal(p) {
				return
			}
		}
		setup, err := Prepare(sc, Overrides{})
		if err != nil {
			checkDiag(t, err)
			return
		}
		var out bytes.Buffer
		eng := NewEngine(setup, traces.Sinks{traces.NewLogWriter(&out, mustWording(t, setup))}, Options{MaxEvents: 5000})
		defer eng.Close()
		err = eng.Run()
		var le *LimitError
		var ce *CrashError
		var he *HotLoopError
		if err != nil && !errors.As(err, &le) && !errors.As(err, &ce) && !errors.As(err, &he) && !errors.Is(err, ErrStuck) {
			t.Fatalf("run failed with an unexpected error %T: %v", err, err)
		}
	})
}

func mustWording(t *testing.T, s *Setup) traces.Wording {
	w, err := traces.WordingFor(s.Profile.Version)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// checkDiag asserts err is a *diag.Error or diag.List whose every entry
// names a file and a line.
func checkDiag(t *testing.T, err error) {
	t.Helper()
	var list diag.List
	var one *diag.Error
	switch {
	case errors.As(err, &list):
	case errors.As(err, &one):
		list = diag.List{one}
	default:
		t.Fatalf("error %T is not a diag error: %v", err, err)
	}
	for _, e := range list {
		if e.File == "" || e.Line <= 0 {
			t.Errorf("error without file and line: %q", e)
		}
		if strings.Contains(e.Error(), "goroutine ") {
			t.Errorf("error text looks like a crash: %q", e)
		}
	}
}
