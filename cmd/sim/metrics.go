package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/dapr-sim/sim/internal/diag"
	"github.com/dapr-sim/sim/internal/input"
	"github.com/dapr-sim/sim/sim"
	"github.com/dapr-sim/sim/traces"
	"github.com/dapr-sim/sim/traces/prom"
	"github.com/prometheus/common/model"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"
)

// Scrape defaults: Prometheus' own scrape interval, and a fixed instant
// for virtual time 0 so the same run writes the same file.
const (
	defaultScrapeInterval = 15 * time.Second
	defaultStart          = "2026-01-01T00:00:00Z"
	// maxScrapes bounds the samples of a series (a year at 15 s is 2.1
	// million): each series keeps a count per scrape.
	maxScrapes = 2_500_000
	// maxSampleLines bounds what a run's metrics file holds, about 300 MB
	// of OpenMetrics text (a line is 100 to 150 bytes): the day example
	// at 15 s is 490,926 lines. The scrapes alone do not bound it, as
	// every series has a line per scrape (a histogram 14).
	maxSampleLines = 2_000_000
)

// checkSampleLines refuses, before anything is written, a run whose
// metrics would take more than maxSampleLines sample lines.
func checkSampleLines(rec *prom.Recorder, o prom.Options) error {
	if n := rec.SampleLines(); n > maxSampleLines {
		return fmt.Errorf("%w: --scrape-interval: %s over the scenario's %s makes %d sample lines, more than %d: choose a longer interval", errUsage, o.Interval, o.Horizon, n, maxSampleLines)
	}
	return nil
}

// scrapeFlags are the flags that place a run's metrics in time.
type scrapeFlags struct {
	interval string
	start    string
}

func (s *scrapeFlags) add(f *pflag.FlagSet) {
	f.StringVar(&s.interval, "scrape-interval", defaultScrapeInterval.String(), "virtual time between two scrapes of the sidecars' metrics, at least 1ms")
	f.StringVar(&s.start, "start", defaultStart, "the wall-clock instant (RFC 3339) of the run's virtual time 0, for the metrics' timestamps")
}

// options checks the flags against the scenario's horizon.
func (s *scrapeFlags) options(setup *sim.Setup) (prom.Options, error) {
	d, err := time.ParseDuration(s.interval)
	if err != nil || d < time.Millisecond || d%time.Millisecond != 0 {
		return prom.Options{}, fmt.Errorf("%w: --scrape-interval: want a duration of whole milliseconds, at least 1ms, such as 15s, got %q", errUsage, s.interval)
	}
	horizon := setup.Scenario.Duration
	if n := horizon / d; n >= maxScrapes {
		return prom.Options{}, fmt.Errorf("%w: --scrape-interval: %s over the scenario's %s is %d scrapes, more than %d: choose a longer interval", errUsage, d, horizon, n+1, maxScrapes)
	}
	start, err := time.Parse(time.RFC3339, s.start)
	if err != nil || start.Year() < 1970 || start.Year() > 9999 {
		return prom.Options{}, fmt.Errorf("%w: --start: want an RFC 3339 instant from 1970 on, such as %s, got %q", errUsage, defaultStart, s.start)
	}
	return prom.Options{Minor: setup.MetricsMinor(), Interval: d, Horizon: horizon, Start: start.UTC()}, nil
}

func newMetricsCommand(stdout, stderr io.Writer) *cobra.Command {
	var (
		out       string
		testsPath string
		dapr      string
		seed      int64
		maxEvents int64
		sets      []string
		scrape    scrapeFlags
	)
	c := &cobra.Command{
		Use:   "metrics SCENARIO",
		Short: "Write the Prometheus metrics a run's sidecars would export",
		Long: "metrics plays SCENARIO and writes the metrics its Dapr sidecars would have exported\n" +
			"(dapr_resiliency_*, dapr_component_*; see docs/metrics.md), sampled at every virtual\n" +
			"scrape, as an OpenMetrics text file: `promtool tsdb create-blocks-from openmetrics`\n" +
			"loads it into Prometheus. With --promtool-test, it writes instead the unit-test file\n" +
			"TESTS names (`promtool test rules`), each test's input_series the run's series, so\n" +
			"alert rules are tested against the simulated outage.\n\n" +
			"Exit status: 0 written; 2 bad input or a run limit; 3 a bug in sim; 4 the output\n" +
			"could not be written.",
		Example: "  sim metrics examples/quickstart/scenario.yaml -o quickstart.om\n" +
			"  sim metrics examples/alerts/scenario.yaml --promtool-test examples/alerts/tests.yaml -o alerts-test.yaml",
		Args: oneFile("scenario file"),
		RunE: func(c *cobra.Command, args []string) error {
			if err := checkMaxEvents(maxEvents); err != nil {
				return err
			}
			o, err := flagOverrides(c, dapr, seed, sets)
			if err != nil {
				return err
			}
			return writeMetrics(args[0], out, testsPath, o, maxEvents, scrape, stdout, stderr)
		},
	}
	f := c.Flags()
	f.StringVarP(&out, "output", "o", "", "write to `FILE` instead of stdout")
	f.StringVar(&testsPath, "promtool-test", "", "write the promtool unit-test file `TESTS` with each test's interval and input_series from the run")
	f.StringVar(&dapr, "dapr", "", "Dapr release whose metrics to model, 1.8 … 1.16 (default: the scenario's, else the newest)")
	f.Int64Var(&seed, "seed", 0, "seed for every random draw (default: the scenario's)")
	f.Int64Var(&maxEvents, "max-events", sim.DefaultMaxEvents, "stop a run that processes more than `N` events")
	f.StringArrayVar(&sets, "set", nil, setFlagUsage)
	scrape.add(f)
	return c
}

func writeMetrics(path, out, testsPath string, o sim.Overrides, maxEvents int64, scrape scrapeFlags, stdout, stderr io.Writer) error {
	sc, err := sim.LoadScenario(path)
	if err != nil {
		return err
	}
	var tests *yaml.Node
	if testsPath != "" {
		if tests, err = readPromtoolTests(testsPath); err != nil {
			return err
		}
	}
	if err := new(files).read(path, testsPath).read(sc.ResourcePaths()...).write(out).writeStdout(stdout).check(); err != nil {
		return err
	}
	setup, err := prepare(sc, o, stderr)
	if err != nil {
		return err
	}
	opts, err := scrape.options(setup)
	if err != nil {
		return err
	}
	rec := prom.New(setup.MetricSidecars(), opts)
	eng := sim.NewEngine(setup, traces.Sinks{rec}, sim.Options{MaxEvents: maxEvents})
	defer eng.Close()
	if err := eng.Run(); err != nil {
		return err
	}
	rec.Close()
	if err := checkSampleLines(rec, opts); err != nil {
		return err
	}
	if out == "" {
		out = input.Stdin
	}
	if tests == nil {
		return writeOutput(out, stdout, rec.WriteOpenMetrics)
	}
	fillPromtoolTests(tests, testsPath, out, rec, opts.Interval)
	return writeOutput(out, stdout, func(w io.Writer) error {
		enc := yaml.NewEncoder(w)
		enc.SetIndent(2)
		if err := enc.Encode(tests); err != nil {
			return err
		}
		return enc.Close()
	})
}

// readPromtoolTests reads a `promtool test rules` file: a mapping with a
// tests sequence.
func readPromtoolTests(path string) (*yaml.Node, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &diag.Error{File: path, Msg: input.ErrText(err)}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, &diag.Error{File: path, Msg: "not YAML: " + err.Error()}
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, &diag.Error{File: path, Msg: "want a promtool test file: a mapping with rule_files and tests"}
	}
	tests := mapValue(doc.Content[0], "tests")
	if tests == nil || tests.Kind != yaml.SequenceNode || len(tests.Content) == 0 {
		line := doc.Content[0].Line
		if k := mapKey(doc.Content[0], "tests"); k != nil {
			line = k.Line
		}
		return nil, &diag.Error{File: path, Line: line, Field: "tests", Msg: "want a list of tests (alert_rule_test, promql_expr_test), got none"}
	}
	for i, t := range tests.Content {
		if t.Kind != yaml.MappingNode {
			return nil, &diag.Error{File: path, Line: t.Line, Field: fmt.Sprintf("tests[%d]", i), Msg: "want a mapping"}
		}
		if k := mapKey(t, "input_series"); k != nil {
			return nil, &diag.Error{File: path, Line: k.Line, Field: fmt.Sprintf("tests[%d].input_series", i), Msg: "sim writes the input series from the run; leave it out"}
		}
	}
	return &doc, nil
}

// fillPromtoolTests sets every test's interval and input_series from the
// run, and rewrites relative rule_files to stay right from the output's
// folder (promtool reads them relative to the test file).
func fillPromtoolTests(doc *yaml.Node, testsPath, out string, rec *prom.Recorder, interval time.Duration) {
	root := doc.Content[0]
	if rf := mapValue(root, "rule_files"); rf != nil && rf.Kind == yaml.SequenceNode && out != input.Stdin {
		for _, n := range rf.Content {
			if n.Kind != yaml.ScalarNode || filepath.IsAbs(n.Value) {
				continue
			}
			from, err1 := filepath.Abs(filepath.Dir(out))
			to, err2 := filepath.Abs(filepath.Join(filepath.Dir(testsPath), n.Value))
			if err1 != nil || err2 != nil {
				continue
			}
			if rel, err := filepath.Rel(from, to); err == nil {
				n.Value = filepath.ToSlash(rel)
			}
		}
	}
	series := rec.InputSeries()
	for _, t := range mapValue(root, "tests").Content {
		seq := &yaml.Node{Kind: yaml.SequenceNode}
		for _, s := range series {
			seq.Content = append(seq.Content, &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
				str("series"), {Kind: yaml.ScalarNode, Value: s.Series, Style: yaml.SingleQuotedStyle},
				str("values"), {Kind: yaml.ScalarNode, Value: s.Values, Style: yaml.SingleQuotedStyle},
			}})
		}
		setMapValue(t, "input_series", seq)
		// Prometheus' duration syntax, not Go's: promtool rejects "1.5s"
		// and reads "1s500ms".
		setMapValue(t, "interval", str(model.Duration(interval).String()))
	}
}

func str(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: s} }

func mapKey(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i]
		}
	}
	return nil
}

func mapValue(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// setMapValue sets key to v, placing a new key first so the run's series
// open the test, before what the author wrote.
func setMapValue(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append([]*yaml.Node{str(key), v}, m.Content...)
}
