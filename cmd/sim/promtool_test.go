package main

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"gopkg.in/yaml.v3"
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

// omScrapes reads an OpenMetrics file sim wrote with the default --start
// and the given interval: each series' values by scrape, "" before it
// exists, each series padded to the last scrape.
func omScrapes(t *testing.T, data []byte, interval time.Duration) map[string][]string {
	t.Helper()
	start, err := time.Parse(time.RFC3339, defaultStart)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	last := 0
	for _, l := range strings.Split(string(data), "\n") {
		if l == "" || l[0] == '#' {
			continue
		}
		f := strings.Fields(l)
		if len(f) != 3 {
			t.Fatalf("sample line %q: want series, value, timestamp", l)
		}
		sec, err := strconv.ParseFloat(f[2], 64)
		if err != nil {
			t.Fatalf("sample line %q: %v", l, err)
		}
		at := time.Duration(math.Round(sec*1000))*time.Millisecond - time.Duration(start.UnixMilli())*time.Millisecond
		if at%interval != 0 {
			t.Fatalf("sample line %q: not at a scrape", l)
		}
		i := int(at / interval)
		for len(out[f[0]]) < i {
			out[f[0]] = append(out[f[0]], "")
		}
		out[f[0]] = append(out[f[0]], f[1])
		last = max(last, i)
	}
	for k, v := range out {
		for len(v) <= last {
			v = append(v, "")
		}
		out[k] = v
	}
	return out
}

// unexpand reads promtool's expanding notation the way promtool does
// (promql/parser's series description): "_" one missing value, "_xN" N
// of them, "a+bxN" and "a-bxN" the N+1 values a, a±b, … a±N·b.
func unexpand(t *testing.T, s string) []string {
	t.Helper()
	var out []string
	for _, tok := range strings.Fields(s) {
		if tok == "_" {
			out = append(out, "")
			continue
		}
		if n, ok := strings.CutPrefix(tok, "_x"); ok {
			k, err := strconv.Atoi(n)
			if err != nil {
				t.Fatalf("values %q: token %q", s, tok)
			}
			for range k {
				out = append(out, "")
			}
			continue
		}
		head, times, ok := strings.Cut(tok, "x")
		if !ok {
			if _, err := strconv.ParseInt(tok, 10, 64); err != nil {
				t.Fatalf("values %q: token %q", s, tok)
			}
			out = append(out, tok)
			continue
		}
		k, err := strconv.Atoi(times)
		// The step's sign, after a first value that may itself be negative.
		op := strings.LastIndexAny(head, "+-")
		if err != nil || op < 1 {
			t.Fatalf("values %q: token %q", s, tok)
		}
		a, err1 := strconv.ParseInt(head[:op], 10, 64)
		d, err2 := strconv.ParseInt(head[op:], 10, 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("values %q: token %q", s, tok)
		}
		for j := range int64(k) + 1 {
			out = append(out, strconv.FormatInt(a+j*d, 10))
		}
	}
	return out
}

// promtoolTestFile is `sim metrics --promtool-test` written from a
// promtool unit-test file.
type promtoolTestFile struct {
	Tests []struct {
		Interval    string `yaml:"interval"`
		InputSeries []struct {
			Series string `yaml:"series"`
			Values string `yaml:"values"`
		} `yaml:"input_series"`
	} `yaml:"tests"`
}

// TestPromtoolSeriesMatchOpenMetrics: every input series `sim metrics
// --promtool-test` writes holds, read back as promtool reads its notation,
// the values of the OpenMetrics file at the same scrapes: none starts a
// scrape early or late, none is missing. Without promtool.
func TestPromtoolSeriesMatchOpenMetrics(t *testing.T) {
	for _, tc := range []struct{ scenario, interval string }{
		{"alerts", "15s"},
		{"alerts", "7s"},
		{"quickstart", "15s"},
		{"pubsub", "10s"},
	} {
		t.Run(tc.scenario+"@"+tc.interval, func(t *testing.T) {
			dir := t.TempDir()
			interval, err := time.ParseDuration(tc.interval)
			if err != nil {
				t.Fatal(err)
			}
			scenario := "../../examples/" + tc.scenario + "/scenario.yaml"
			om := filepath.Join(dir, "metrics.om")
			simOK(t, "metrics", scenario, "--scrape-interval", tc.interval, "-o", om)
			tests := filepath.Join(dir, "tests.yaml")
			if err := os.WriteFile(tests, []byte("tests:\n  - promql_expr_test: []\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "out.yaml")
			simOK(t, "metrics", scenario, "--scrape-interval", tc.interval, "--promtool-test", tests, "-o", out)

			data, err := os.ReadFile(om)
			if err != nil {
				t.Fatal(err)
			}
			want := omScrapes(t, data, interval)
			data, err = os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			var got promtoolTestFile
			if err := yaml.Unmarshal(data, &got); err != nil {
				t.Fatal(err)
			}
			if len(got.Tests) != 1 || len(got.Tests[0].InputSeries) != len(want) {
				t.Fatalf("want one test with the OpenMetrics file's %d series, got %+v", len(want), got.Tests)
			}
			for _, s := range got.Tests[0].InputSeries {
				w, ok := want[s.Series]
				if !ok {
					t.Errorf("series %s: not in the OpenMetrics file", s.Series)
					continue
				}
				// A series' values end at the last scrape, as its
				// OpenMetrics samples do.
				if g := unexpand(t, s.Values); !slices.Equal(g, w) {
					t.Errorf("series %s: values %q read as\n%q\nthe OpenMetrics file has\n%q", s.Series, s.Values, g, w)
				}
			}
		})
	}
}

// TestPromtoolSeriesAligned: promtool itself reads the input series at
// the scrapes the OpenMetrics file has them. For each scrape, an
// expression test selecting every dapr_ series at that instant expects
// exactly the OpenMetrics file's samples of that scrape; a series
// starting a scrape early or late fails it. At 1500ms, the test's
// interval must be written as promtool reads durations (1s500ms, not Go's
// 1.5s).
func TestPromtoolSeriesAligned(t *testing.T) {
	tool := promtool(t)
	for _, every := range []time.Duration{defaultScrapeInterval, 1500 * time.Millisecond} {
		t.Run(every.String(), func(t *testing.T) {
			dir := t.TempDir()
			scenario := "../../examples/alerts/scenario.yaml"
			om := filepath.Join(dir, "metrics.om")
			simOK(t, "metrics", scenario, "--scrape-interval", every.String(), "-o", om)
			data, err := os.ReadFile(om)
			if err != nil {
				t.Fatal(err)
			}
			scrapes := omScrapes(t, data, every)
			names := make([]string, 0, len(scrapes))
			n := 0
			for k, v := range scrapes {
				names = append(names, k)
				n = len(v)
			}
			slices.Sort(names)
			var b strings.Builder
			b.WriteString("tests:\n  - promql_expr_test:\n")
			for i := range n {
				fmt.Fprintf(&b, "      - expr: '{__name__=~\"dapr_.+\"}'\n        eval_time: %s\n        exp_samples:\n", model.Duration(time.Duration(i)*every))
				for _, k := range names {
					if v := scrapes[k][i]; v != "" {
						fmt.Fprintf(&b, "          - labels: '%s'\n            value: %s\n", k, v)
					}
				}
			}
			tests := filepath.Join(dir, "tests.yaml")
			if err := os.WriteFile(tests, []byte(b.String()), 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "out.yaml")
			simOK(t, "metrics", scenario, "--scrape-interval", every.String(), "--promtool-test", tests, "-o", out)
			if b, err := exec.Command(tool, "test", "rules", out).CombinedOutput(); err != nil {
				t.Fatalf("promtool refused the file or reads its series at other scrapes than the OpenMetrics file's: %v\n%.4000s", err, b)
			}
		})
	}
}
