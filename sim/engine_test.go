package sim

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/dapr-sim/sim/traces"
	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/txtar"
	"gopkg.in/yaml.v3"
)

var update = os.Getenv("SIM_UPDATE_GOLDEN") != ""

// runFile runs a scenario file and returns the sidecar log, the trace and the
// engine (closed by the test's cleanup).
func runFile(t testing.TB, path string, o Overrides) (log, trace string, eng *Engine, err error) {
	t.Helper()
	sc, err := LoadScenario(path)
	if err != nil {
		return "", "", nil, err
	}
	setup, err := Prepare(sc, o)
	if err != nil {
		return "", "", nil, err
	}
	var logBuf, traceBuf bytes.Buffer
	for _, w := range setup.Warnings {
		fmt.Fprintf(&logBuf, "stderr: %s\n", w)
	}
	wording, err := traces.WordingFor(setup.Profile.Version)
	if err != nil {
		t.Fatal(err)
	}
	lw := traces.NewLogWriter(&logBuf, wording)
	lw.Sidecars = len(setup.Sidecars) > 1
	tw, err := traces.NewTraceWriter(&traceBuf, setup.Header())
	if err != nil {
		t.Fatal(err)
	}
	eng = NewEngine(setup, traces.Sinks{lw, tw}, Options{})
	t.Cleanup(eng.Close)
	err = eng.Run()
	if ferr := lw.Flush(); ferr != nil {
		t.Fatal(ferr)
	}
	if cerr := tw.Close(); cerr != nil {
		t.Fatal(cerr)
	}
	return logBuf.String(), traceBuf.String(), eng, err
}

// The quickstart transcript, in order, among the other lines (DESIGN.md's
// first acceptance test).
func TestQuickstartTranscript(t *testing.T) {
	log, _, eng, err := runFile(t, "../examples/quickstart/scenario.yaml", Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i := 1; i <= 4; i++ {
		want = append(want, fmt.Sprintf("== APP == Saving Order: { orderId: '%d' }", i), fmt.Sprintf("== APP == Getting Order: { orderId: '%d' }", i))
	}
	want = append(want,
		`INFO[0006] Error processing operation component[statestore] output. Retrying...`,
		`INFO[0026] Circuit breaker "simpleCB-statestore" changed state from closed to open`,
		`INFO[0031] Circuit breaker "simpleCB-statestore" changed state from open to half-open`,
		`INFO[0031] Circuit breaker "simpleCB-statestore" changed state from half-open to open`,
		`INFO[0036] Circuit breaker "simpleCB-statestore" changed state from open to half-open`,
		`INFO[0036] Circuit breaker "simpleCB-statestore" changed state from half-open to closed`,
		`INFO[0036] Recovered processing operation component[statestore] output.`,
	)
	for i := 5; i <= 9; i++ {
		want = append(want, fmt.Sprintf("== APP == Saving Order: { orderId: '%d' }", i), fmt.Sprintf("== APP == Getting Order: { orderId: '%d' }", i))
	}
	got := strings.Split(strings.TrimSuffix(log, "\n"), "\n")
	if len(got) < len(want) {
		t.Fatalf("got %d lines, want at least %d:\n%s", len(got), len(want), log)
	}
	if d := cmp.Diff(want, got[:len(want)]); d != "" {
		t.Errorf("transcript (-want +got):\n%s", d)
	}

	// The orders really are in miniredis, in the state.redis layout.
	st := eng.Store("statestore")
	for i := 1; i <= 9; i++ {
		key := fmt.Sprint(i)
		data, ok := st.Data("order-processor", key)
		if !ok || data != fmt.Sprintf(`{"orderId":%d}`, i) {
			t.Errorf("order %d: HGET order-processor||%d data = %q, %v", i, i, data, ok)
		}
		if v := st.Version("order-processor", key); v != 1 {
			t.Errorf("order %d: version %d, want 1", i, v)
		}
	}
}

// TestScenarios runs every txtar archive in testdata/scenarios: its comment
// states the intent; it holds scenario.yaml and any resources, and golden
// files `log` (stderr warnings and the sidecar log) and `events` (the trace's
// events). SIM_UPDATE_GOLDEN=1 rewrites the goldens; review the diff.
func TestScenarios(t *testing.T) {
	files, err := filepath.Glob("testdata/scenarios/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			golden := map[string]int{}
			for i, f := range ar.Files {
				if f.Name == "log" || f.Name == "events" {
					golden[f.Name] = i
					continue
				}
				p := filepath.Join(dir, f.Name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, f.Data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			got := map[string]string{}
			got["log"], got["events"] = outputs(t, filepath.Join(dir, "scenario.yaml"))
			// Determinism: a second run gives the same bytes.
			log2, events2 := outputs(t, filepath.Join(dir, "scenario.yaml"))
			if log2 != got["log"] || events2 != got["events"] {
				t.Fatalf("two runs differ")
			}
			if update {
				for _, name := range []string{"log", "events"} {
					i, ok := golden[name]
					if !ok {
						ar.Files = append(ar.Files, txtar.File{Name: name})
						i = len(ar.Files) - 1
					}
					ar.Files[i].Data = []byte(got[name])
				}
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			for _, name := range []string{"log", "events"} {
				i, ok := golden[name]
				if !ok {
					t.Fatalf("no golden %q: run with SIM_UPDATE_GOLDEN=1 and review it", name)
				}
				if d := goldenDiff(string(ar.Files[i].Data), got[name]); d != "" {
					t.Errorf("%s differs from the golden (-want +got):\n%s", name, d)
				}
			}
		})
	}
}

// outputs runs a scenario and returns the log golden (warnings, log lines,
// or the error that stopped the run) and the events part of the trace.
func outputs(t *testing.T, path string) (string, string) {
	t.Helper()
	log, trace, _, err := runFile(t, path, Overrides{})
	if err != nil {
		log += "error: " + err.Error() + "\n"
	}
	// Paths are reported as the user named them; the test's are temporary.
	log = strings.ReplaceAll(log, filepath.Dir(path)+string(filepath.Separator), "")
	if i := strings.Index(trace, "events:\n"); i >= 0 {
		trace = trace[i:]
	}
	return log, trace
}

func goldenDiff(want, got string) string {
	if want == got {
		return ""
	}
	return cmp.Diff(strings.Split(want, "\n"), strings.Split(got, "\n"))
}

// A golden that differs by one character is reported: the comparison the
// scenario tests rely on can fail.
func TestGoldenDiffCatchesMismatch(t *testing.T) {
	log, _, _, err := runFile(t, "../examples/quickstart/scenario.yaml", Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	tampered := strings.Replace(log, "INFO[0026]", "INFO[0027]", 1)
	if tampered == log {
		t.Fatal("tampering changed nothing")
	}
	if d := goldenDiff(tampered, log); d == "" {
		t.Error("a golden differing in one line compared equal")
	}
}

// Same inputs and seed, same bytes: across runs and GOMAXPROCS values.
func TestDeterminism(t *testing.T) {
	var first string
	for _, procs := range []int{1, 2, 8} {
		prev := runtime.GOMAXPROCS(procs)
		for i := 0; i < 3; i++ {
			log, trace, _, err := runFile(t, "../examples/quickstart/scenario.yaml", Overrides{})
			if err != nil {
				t.Fatal(err)
			}
			if first == "" {
				first = log + trace
			} else if log+trace != first {
				t.Fatalf("GOMAXPROCS=%d run %d differs from the first run", procs, i)
			}
		}
		runtime.GOMAXPROCS(prev)
	}
}

// With overhead 0s the quickstart's tie at 31 s goes the other way: the
// retry lands exactly at the breaker's expiry, gobreaker needs expiry < now,
// so the attempt is rejected and the save fails with the breaker's error.
func TestPureModelTie(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile("../examples/quickstart/scenario.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(data), "overhead: 1us", "overhead: 0s", 1)
	s = strings.Replace(s, "resourcesPath: ./resources", "resourcesPath: "+filepath.Join(mustAbs(t, "../examples/quickstart"), "resources"), 1)
	path := filepath.Join(dir, "scenario.yaml")
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	_, trace, _, err := runFile(t, path, Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	want := "kind: op, app: order-processor, worker: 0, iteration: 5, step: 1, target: statestore, op: save, attempts: 6, outcome: error, error: \"failed saving state in state store statestore: circuit breaker is open\""
	if !strings.Contains(trace, want) {
		t.Errorf("want the save of order 5 to fail on the open breaker after 6 attempts; trace:\n%s", trace)
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// A constant retry with no delay against a dead store, and no overhead,
// never lets time advance: the run is stopped and says so.
func TestStuckTimeIsStopped(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("r.yaml", `apiVersion: dapr.io/v1alpha1
kind: Resiliency
metadata: {name: r}
spec:
  policies:
    retries:
      spin: {policy: constant, duration: 0s, maxRetries: -1}
  targets:
    components:
      s: {outbound: {retry: spin}}
`)
	write("scenario.yaml", `version: 1
duration: 10s
overhead: 0s
resiliency: r.yaml
apps:
  - id: a
    steps: [{save: s}]
stores:
  s: {latency: 0s}
faults:
  - {at: 0s, stop: s}
`)
	_, _, _, err := runFile(t, filepath.Join(dir, "scenario.yaml"), Overrides{})
	if !errors.Is(err, ErrStuck) {
		t.Fatalf("got %v, want ErrStuck", err)
	}
	if !strings.Contains(err.Error(), `retry policy "spin" (on component[s] output) retries after 0s`) {
		t.Errorf("the message does not name the policy: %v", err)
	}
}

// The trace header's scenario block is itself a valid scenario: it parses
// back to what was run (the resources aside, which the header carries
// resolved under spec).
func TestHeaderScenarioParsesBack(t *testing.T) {
	_, trace, _, err := runFile(t, "../examples/quickstart/scenario.yaml", Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Scenario yaml.Node `yaml:"scenario"`
	}
	if err := yaml.Unmarshal([]byte(trace), &doc); err != nil {
		t.Fatal(err)
	}
	block, err := yaml.Marshal(&doc.Scenario)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseScenario("header", block)
	if err != nil {
		t.Fatalf("header scenario does not parse: %v\n%s", err, block)
	}
	want, err := LoadScenario("../examples/quickstart/scenario.yaml")
	if err != nil {
		t.Fatal(err)
	}
	got.File, want.File = "", ""
	want.Expect = nil // assertions are not part of the run: the header leaves them out
	ignoreLines := cmp.FilterPath(func(p cmp.Path) bool { return strings.HasSuffix(p.Last().String(), "Line") }, cmp.Ignore())
	if d := cmp.Diff(want, got, ignoreLines); d != "" {
		t.Errorf("header scenario differs from the file (-file +header):\n%s", d)
	}
}

// From 1.11 Dapr reads the breaker when it resolves the policy, before the
// overhead of the first attempt: the lazy half-open happens 1us earlier than
// on 1.10, where only the attempt consults the breaker.
func TestBreakerReadOnResolveByRelease(t *testing.T) {
	ar, err := txtar.ParseFile("testdata/scenarios/workers_halfopen.txtar")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range ar.Files {
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for release, want := range map[string]string{
		"1.10": "{t: 4.500001s, kind: breaker, name: cb-store, from: open, to: half-open,",
		"1.11": "{t: 4.5s, kind: breaker, name: cb-store, from: open, to: half-open,",
		"1.16": "{t: 4.5s, kind: breaker, name: cb-store, from: open, to: half-open,",
	} {
		_, trace, _, err := runFile(t, filepath.Join(dir, "scenario.yaml"), Overrides{Dapr: release})
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(trace, want) {
			t.Errorf("Dapr %s: want %s in the trace", release, want)
		}
	}
}
