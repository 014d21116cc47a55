package sim

import (
	"os"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/dapr-sim/sim/traces"
)

// quickstartFS is examples/quickstart's scenario and resources as files in
// memory, as the browser playground hands them over.
func quickstartFS(t *testing.T) fstest.MapFS {
	t.Helper()
	fsys := fstest.MapFS{}
	for _, name := range []string{"scenario.yaml", "resources/config.yaml", "resources/resiliency.yaml", "resources/statestore.yaml"} {
		b, err := os.ReadFile("../examples/quickstart/" + name)
		if err != nil {
			t.Fatal(err)
		}
		fsys[name] = &fstest.MapFile{Data: b}
	}
	return fsys
}

func runEvents(t *testing.T, sc *Scenario) []traces.Event {
	t.Helper()
	setup, err := Prepare(sc, Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	var c traces.Collector
	eng := NewEngine(setup, &c, Options{})
	defer eng.Close()
	if err := eng.Run(); err != nil {
		t.Fatal(err)
	}
	return c.Events
}

// TestLoadScenarioFS: a scenario read from an fs.FS reads its resources
// there and runs as the same files read from disk do.
func TestLoadScenarioFS(t *testing.T) {
	fsys := quickstartFS(t)
	sc, err := LoadScenarioFS(fsys, "scenario.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := sc.ResourcePaths(); len(got) != 1 || got[0] != "resources" {
		t.Errorf("ResourcePaths() = %q, want [resources]", got)
	}
	disk, err := LoadScenario("../examples/quickstart/scenario.yaml")
	if err != nil {
		t.Fatal(err)
	}
	got, want := runEvents(t, sc), runEvents(t, disk)
	if len(got) == 0 || !reflect.DeepEqual(got, want) {
		t.Errorf("the run from memory has %d events, from disk %d, and they differ", len(got), len(want))
	}
}

// TestLoadScenarioFSErrors: problems in memory are named by file, line
// and field as on disk, and nothing is read from the working directory.
func TestLoadScenarioFSErrors(t *testing.T) {
	fsys := quickstartFS(t)
	res := string(fsys["resources/resiliency.yaml"].Data)
	fsys["resources/resiliency.yaml"] = &fstest.MapFile{Data: []byte(strings.Replace(res, "timeout: 5s", "timeout: soon", 1))}
	sc, err := LoadScenarioFS(fsys, "scenario.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Prepare(sc, Overrides{})
	if err == nil || !strings.HasPrefix(err.Error(), "resources/resiliency.yaml:") || !strings.Contains(err.Error(), "timeout") {
		t.Errorf("a bad timeout: %v; want an error at resources/resiliency.yaml:LINE naming timeout", err)
	}

	for name := range fsys {
		if strings.HasPrefix(name, "resources/") {
			delete(fsys, name)
		}
	}
	sc, err = LoadScenarioFS(fsys, "scenario.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err = Prepare(sc, Overrides{}); err == nil || !strings.Contains(err.Error(), "scenario.yaml:") || !strings.Contains(err.Error(), "resources does not exist") {
		t.Errorf("no resources: %v; want scenario.yaml:LINE: resourcesPath: resources does not exist", err)
	}
	if _, err := LoadScenarioFS(fsys, "other.yaml"); err == nil || !strings.HasPrefix(err.Error(), "other.yaml: cannot read scenario") {
		t.Errorf("a missing scenario: %v", err)
	}
}
