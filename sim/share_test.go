package sim

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/dapr-sim/sim/traces"
)

// Prepare and a run leave the scenario they are given as parsed, so runs
// may share one (sim sweep's do, on several goroutines): every example,
// and a window on an invoked app with no status, the one default Prepare
// writes (on a copy of the windows).
func TestRunsLeaveScenarioAsParsed(t *testing.T) {
	files, err := filepath.Glob("../examples/*/scenario.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	type input struct {
		file string
		data []byte
	}
	var inputs []input
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs = append(inputs, input{f, data})
	}
	const invoke = "../examples/invoke-endpoints/scenario.yaml"
	data, err := os.ReadFile(invoke)
	if err != nil {
		t.Fatal(err)
	}
	const withStatus = "status: 500, "
	if !bytes.Contains(data, []byte(withStatus)) {
		t.Fatalf("%s: no %q to drop", invoke, withStatus)
	}
	inputs = append(inputs, input{invoke, bytes.Replace(data, []byte(withStatus), nil, 1)})
	defaulted := false
	for _, in := range inputs {
		sc, err := ParseScenario(in.file, in.data)
		if err != nil {
			t.Fatalf("%s: %v", in.file, err)
		}
		parsed, _ := ParseScenario(in.file, in.data)
		setup, err := Prepare(sc, Overrides{})
		if err != nil {
			t.Fatalf("%s: %v", in.file, err)
		}
		for _, w := range setup.Scenario.Windows {
			defaulted = defaulted || (w.Status == 500 && !bytes.Contains(in.data, []byte("status: 500")))
		}
		eng := NewEngine(setup, traces.Sinks{}, Options{MaxEvents: 100_000})
		_ = eng.Run() // the day stops at the budget: enough to have run
		eng.Close()
		if !reflect.DeepEqual(sc, parsed) {
			t.Errorf("%s: the scenario changed under Prepare and a run", in.file)
		}
	}
	if !defaulted {
		t.Error("no run defaulted a window's status to 500: the case this test is for did not happen")
	}
}
