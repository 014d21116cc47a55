package sim

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dapr-sim/sim/traces"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/rogpeppe/go-internal/txtar"
	"gopkg.in/yaml.v3"
)

// replayTrace reads a trace, rebuilds its setup from the header alone and
// runs it again, returning the first difference with the recorded events.
func replayTrace(t *testing.T, name string, data []byte) *traces.Divergence {
	t.Helper()
	tr, err := traces.Read(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	setup, err := PrepareTrace(name, tr)
	if err != nil {
		t.Fatalf("prepare from %s header: %v", name, err)
	}
	if len(setup.Warnings) != 0 {
		t.Errorf("replay re-emits warnings: %v", setup.Warnings)
	}
	var got traces.Collector
	eng := NewEngine(setup, &got, Options{})
	defer eng.Close()
	if err := eng.Run(); err != nil {
		t.Fatalf("replay of %s: %v", name, err)
	}
	return traces.Compare(tr.Events, got.Events)
}

// writeTrace runs the scenario at path and returns its trace in form jsonl
// or YAML.
func writeTrace(t *testing.T, path string, jsonl bool) []byte {
	t.Helper()
	sc, err := LoadScenario(path)
	if err != nil {
		t.Fatal(err)
	}
	setup, err := Prepare(sc, Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	newWriter := traces.NewTraceWriter
	if jsonl {
		newWriter = traces.NewJSONLWriter
	}
	tw, err := newWriter(&buf, setup.Header())
	if err != nil {
		t.Fatal(err)
	}
	eng := NewEngine(setup, tw, Options{})
	defer eng.Close()
	if err := eng.Run(); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestReplayEveryScenario is STYLE.md's determinism rule: every golden
// scenario survives run → trace → replay with an empty diff, from the
// header alone (the resources are removed before the replay), in both trace
// forms.
func TestReplayEveryScenario(t *testing.T) {
	files, err := filepath.Glob("testdata/scenarios/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	files = append(files, "../examples/quickstart/scenario.yaml")
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			path := file
			if strings.HasSuffix(file, ".txtar") {
				dir := t.TempDir()
				ar, err := txtar.ParseFile(file)
				if err != nil {
					t.Fatal(err)
				}
				for _, f := range ar.Files {
					p := filepath.Join(dir, f.Name)
					if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(p, f.Data, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				path = filepath.Join(dir, "scenario.yaml")
			}
			sc, err := LoadScenario(path)
			if err != nil {
				t.Skipf("a scenario that does not load has no trace: %v", err)
			}
			if _, err := Prepare(sc, Overrides{}); err != nil {
				t.Skipf("a scenario that does not run has no trace: %v", err)
			}
			yamlTrace := writeTrace(t, path, false)
			jsonlTrace := writeTrace(t, path, true)
			if strings.HasSuffix(file, ".txtar") {
				// The header must be enough: take the resources away.
				for _, p := range sc.ResourcePaths() {
					if err := os.RemoveAll(p); err != nil {
						t.Fatal(err)
					}
				}
			}
			if d := replayTrace(t, "trace.yaml", yamlTrace); d != nil {
				t.Errorf("YAML trace does not replay:\n%s", d)
			}
			if d := replayTrace(t, "trace.jsonl", jsonlTrace); d != nil {
				t.Errorf("JSONL trace does not replay:\n%s", d)
			}
			// Both forms hold the same events.
			y, err := traces.Read(bytes.NewReader(yamlTrace))
			if err != nil {
				t.Fatal(err)
			}
			j, err := traces.Read(bytes.NewReader(jsonlTrace))
			if err != nil {
				t.Fatal(err)
			}
			if d := traces.Compare(y.Events, j.Events); d != nil {
				t.Errorf("YAML and JSONL traces hold different events:\n%s", d)
			}
		})
	}
}

// PrepareFromHeader takes the scenario block as bytes and the spec as a
// dump: the setup it builds equals the one Prepare built from the files, and
// it checks references as Prepare does (here against the dump's components).
func TestPrepareFromHeader(t *testing.T) {
	sc, err := LoadScenario("../examples/quickstart/scenario.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want, err := Prepare(sc, Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	h := want.Header()
	block, err := yaml.Marshal(h.Scenario)
	if err != nil {
		t.Fatal(err)
	}
	dump := want.Spec.Dump()
	got, err := PrepareFromHeader("header", block, SidecarDump{App: dump.AppID, Spec: dump})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want.Targets, got.Targets); diff != "" {
		t.Errorf("targets (-Prepare +PrepareFromHeader):\n%s", diff)
	}
	if diff := cmp.Diff(want.Stores, got.Stores, cmpopts.IgnoreFields(Store{}, "Line")); diff != "" {
		t.Errorf("stores (-Prepare +PrepareFromHeader):\n%s", diff)
	}
	if diff := cmp.Diff(dump, got.Spec.Dump()); diff != "" {
		t.Errorf("spec (-Prepare +PrepareFromHeader):\n%s", diff)
	}
	if got.Seed != want.Seed || got.Profile != want.Profile || len(got.Warnings) != 0 {
		t.Errorf("seed %d profile %s warnings %v, want %d %s none", got.Seed, got.Profile.Version, got.Warnings, want.Seed, want.Profile.Version)
	}

	// The reference checks run: without the Component, a step naming an
	// undeclared store is refused as it would be by Prepare.
	bad := strings.Replace(string(block), "stores:\n    statestore:\n        latency: 1ms\n", "", 1)
	noComp := dump
	noComp.Components = nil
	_, err = PrepareFromHeader("header", []byte(bad), SidecarDump{App: noComp.AppID, Spec: noComp})
	if err == nil || !strings.Contains(err.Error(), `no state store named "statestore"`) {
		t.Errorf("got %v, want the undeclared store reported", err)
	}
	// A header whose scenario and spec disagree is refused.
	other := dump
	other.Profile = "1.16"
	if _, err := PrepareFromHeader("header", block, SidecarDump{App: other.AppID, Spec: other}); err == nil || !strings.Contains(err.Error(), "resolved for") {
		t.Errorf("got %v, want the profile mismatch reported", err)
	}
	other = dump
	other.AppID = "someone-else"
	if _, err := PrepareFromHeader("header", block, SidecarDump{App: other.AppID, Spec: other}); err == nil || !strings.Contains(err.Error(), "someone-else") {
		t.Errorf("got %v, want the app id mismatch reported", err)
	}
}
