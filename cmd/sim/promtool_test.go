package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// promtoolSkip is what the metrics tests say when promtool is missing.
const promtoolSkip = "promtool is not on PATH: install Debian's prometheus (apt-get install prometheus) to run the metrics tests against Prometheus' own tools; .ci/run does"

func promtool(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip(promtoolSkip)
	}
	return p
}

// simOK runs sim with args in-process and fails the test unless it exits 0.
func simOK(t *testing.T, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	if status := Main(args, &stdout, &stderr); status != 0 {
		t.Fatalf("sim %s: exit %d\n%s", strings.Join(args, " "), status, stderr.String())
	}
	return stdout.String()
}

// TestPromtoolLoadsMetrics: Prometheus' backfill tool reads the files
// `sim run --metrics` writes, for a state store scenario, a pub/sub one and
// the alerts example, in the oldest and newest releases' metrics, and keeps
// every sample.
func TestPromtoolLoadsMetrics(t *testing.T) {
	tool := promtool(t)
	for _, tc := range []struct{ scenario, dapr string }{
		{"quickstart", "1.8"},
		{"quickstart", "1.16"},
		{"pubsub", "1.14"},
		{"alerts", "1.16"},
	} {
		t.Run(tc.scenario+"@"+tc.dapr, func(t *testing.T) {
			dir := t.TempDir()
			om := filepath.Join(dir, "metrics.om")
			simOK(t, "run", "../../examples/"+tc.scenario+"/scenario.yaml", "--dapr", tc.dapr, "--metrics", om)
			data, err := os.ReadFile(om)
			if err != nil {
				t.Fatal(err)
			}
			samples := 0
			for _, l := range strings.Split(string(data), "\n") {
				if l != "" && !strings.HasPrefix(l, "#") {
					samples++
				}
			}
			out, err := exec.Command(tool, "tsdb", "create-blocks-from", "openmetrics", om, filepath.Join(dir, "data")).CombinedOutput()
			if err != nil {
				t.Fatalf("promtool refused the file: %v\n%s", err, out)
			}
			// The block table's NUM SAMPLES column.
			fields := strings.Fields(strings.Split(strings.TrimSpace(string(out)), "\n")[1])
			if len(fields) < 5 || fields[4] != strconv.Itoa(samples) {
				t.Errorf("promtool stored %v samples, the file has %d:\n%s", fields, samples, out)
			}
		})
	}
}

// TestPromtoolAlertTests runs examples/alerts' unit tests (one alert must
// fire, one must not) on the series of its simulated outage, and shows
// that the test can fail: with the expectations turned around, promtool
// reports both.
func TestPromtoolAlertTests(t *testing.T) {
	tool := promtool(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "alerts-test.yaml")
	simOK(t, "metrics", "../../examples/alerts/scenario.yaml", "--promtool-test", "../../examples/alerts/tests.yaml", "-o", out)
	if b, err := exec.Command(tool, "test", "rules", out).CombinedOutput(); err != nil {
		t.Fatalf("promtool test rules: %v\n%s", err, b)
	}

	// The breaker alert expected to fire at 2m15s, where a half-open
	// probe has just reset its `for`, and the retry alert expected to fire
	// at 5m: promtool must report both.
	tests, err := os.ReadFile("../../examples/alerts/tests.yaml")
	if err != nil {
		t.Fatal(err)
	}
	wrong := strings.Replace(string(tests), "- eval_time: 3m30s\n", "- eval_time: 2m15s\n", 1)
	wrong = strings.Replace(wrong, "      - eval_time: 5m\n        alertname: DaprRetryStorm\n        exp_alerts: []\n",
		"      - eval_time: 5m\n        alertname: DaprRetryStorm\n        exp_alerts:\n          - exp_labels: {severity: ticket, app_id: order-processor, target: Statestore_statestore}\n", 1)
	if strings.Count(wrong, "2m15s") != 1 || !strings.Contains(wrong, "severity: ticket") {
		t.Fatal("tests.yaml changed: update the edits of this test")
	}
	rules, err := os.ReadFile("../../examples/alerts/rules.yaml")
	if err != nil {
		t.Fatal(err)
	}
	wrongTests := filepath.Join(dir, "tests.yaml")
	if err := os.WriteFile(filepath.Join(dir, "rules.yaml"), rules, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(wrongTests, []byte(wrong), 0o644); err != nil {
		t.Fatal(err)
	}
	simOK(t, "metrics", "../../examples/alerts/scenario.yaml", "--promtool-test", wrongTests, "-o", out)
	b, err := exec.Command(tool, "test", "rules", out).CombinedOutput()
	if err == nil {
		t.Fatalf("promtool passed tests whose expectations are wrong:\n%s", b)
	}
	for _, want := range []string{"alertname: DaprCircuitBreakerOpen, time: 2m15s", "alertname: DaprRetryStorm, time: 5m"} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("promtool's report lacks %q:\n%s", want, b)
		}
	}
}
