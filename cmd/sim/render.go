package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"

	"github.com/dapr-sim/sim/picture"
	"github.com/dapr-sim/sim/picture/page"
	"github.com/dapr-sim/sim/policies"
	"github.com/dapr-sim/sim/sim"
	"github.com/dapr-sim/sim/traces"
	"github.com/spf13/cobra"
)

// maxRenderInstants bounds the HTML page: each event instant carries a
// snapshot of every machine (sim.Snapshots, taken while replaying once), so
// a longer run is rendered a window at a time.
const maxRenderInstants = 20000

func newRenderCommand(stdout, stderr io.Writer) *cobra.Command {
	var out, from, to string
	c := &cobra.Command{
		Use:   "render TRACE|SCENARIO -o FILE.html|FILE.svg",
		Short: "Draw a run as an interactive HTML page (or an SVG picture)",
		Long: "render draws the run recorded in TRACE (a `sim run --trace` file, YAML or JSON lines),\n" +
			"or runs SCENARIO first, and writes -o FILE:\n\n" +
			"  FILE.html  one self-contained page (no network, works from file://): a slider and\n" +
			"             the arrow keys move through virtual time, play runs it at 1x, 10x or\n" +
			"             100x; each breaker's state diagram (from the fsm table) highlights the\n" +
			"             current state and shows its counts, beside the sidecar log up to that\n" +
			"             instant and which stores and called apps are up.\n" +
			"  FILE.svg   the timeline's lanes as a static picture.\n\n" +
			"A file whose first non-blank character is `{`, or with a top-level `format:` key, is a\n" +
			"trace; anything else is a scenario. --from/--to draw a window of a long run.\n" +
			"The file is written under a temporary name and renamed when complete.",
		Example: "  sim render examples/quickstart/scenario.yaml -o quickstart.html\n" +
			"  sim run examples/quickstart/scenario.yaml --trace t.yaml && sim render t.yaml -o t.html\n" +
			"  open 'quickstart.html#t=26.5'",
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != 1 {
				return fmt.Errorf("%w: want one trace or scenario file, got %d arguments (see `sim render --help`)", errUsage, len(args))
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			ext := strings.ToLower(filepath.Ext(out))
			if out == "" || (ext != ".html" && ext != ".htm" && ext != ".svg") {
				return fmt.Errorf("%w: -o: want a file ending in .html or .svg, got %q", errUsage, out)
			}
			window, err := parseWindow(from, to)
			if err != nil {
				return err
			}
			r, err := loadRun(args[0], stderr, func(resources ...string) error {
				return new(files).read(args[0]).read(resources...).write(out).check()
			})
			if err != nil {
				return err
			}
			if ext == ".svg" {
				return writeAtomic(out, func(w io.Writer) error { return renderSVG(w, r, window) })
			}
			d, err := pageData(r, window)
			if err != nil {
				return err
			}
			return writeAtomic(out, func(w io.Writer) error { return page.Write(w, d) })
		},
	}
	c.Flags().StringVarP(&out, "output", "o", "", "write the picture to `FILE` (.html or .svg)")
	c.Flags().StringVar(&from, "from", "", "start of the window to draw, e.g. 20s (default: 0s)")
	c.Flags().StringVar(&to, "to", "", "end of the window to draw, e.g. 40s (default: the end of the run)")
	return c
}

// renderSVG is the .svg branch: the timeline's lanes as a static picture,
// drawn by picture.WriteSVG.
func renderSVG(w io.Writer, r *renderRun, win window) error {
	opt := picture.SVGOptions{Horizon: r.setup.Scenario.Duration, Title: r.name}
	if win.hasFrom {
		opt.From = win.from
	}
	if win.hasTo {
		opt.To = win.to
	}
	if err := picture.WriteSVG(w, r.events, opt); err != nil {
		if errors.Is(err, picture.ErrEmptyWindow) {
			return fmt.Errorf("%w: %w", errUsage, err)
		}
		return err
	}
	return nil
}

// window is the part of the run to draw; set reports which ends were given.
type window struct {
	from, to       time.Duration
	hasFrom, hasTo bool
}

func parseWindow(from, to string) (window, error) {
	var w window
	parse := func(flag, s string) (time.Duration, error) {
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 || d > sim.MaxHorizon {
			return 0, fmt.Errorf("%w: --%s: want an instant such as 20s, at most a year (%s), got %q", errUsage, flag, sim.MaxHorizon, s)
		}
		return d, nil
	}
	var err error
	if from != "" {
		if w.from, err = parse("from", from); err != nil {
			return w, err
		}
		w.hasFrom = true
	}
	if to != "" {
		if w.to, err = parse("to", to); err != nil {
			return w, err
		}
		w.hasTo = true
	}
	if w.hasFrom && w.hasTo && w.to <= w.from {
		return w, fmt.Errorf("%w: --to %s is not after --from %s", errUsage, w.to, w.from)
	}
	return w, nil
}

// renderRun is a run to draw: its setup and every event, from a trace or
// from running a scenario.
type renderRun struct {
	name    string
	dapr    string
	seed    int64
	setup   *sim.Setup
	events  []traces.Event
	wording traces.Wording
}

// loadRun reads the trace or runs the scenario at path; check is called
// first with the resource paths a scenario names, to refuse an output that
// would overwrite an input before anything runs.
func loadRun(path string, stderr io.Writer, check func(resources ...string) error) (*renderRun, error) {
	isTrace, err := traceFile(path)
	if err != nil {
		return nil, statusError{status: exitBadInput, err: fmt.Errorf("render: %w", err)}
	}
	r := &renderRun{}
	if isTrace {
		if err := check(); err != nil {
			return nil, err
		}
		tr, err := traces.ReadFile(path)
		if err != nil {
			return nil, err
		}
		if r.setup, err = sim.PrepareTrace(path, tr); err != nil {
			return nil, err
		}
		r.name, r.dapr, r.seed, r.events = tr.Name, tr.Dapr, tr.Seed, tr.Events
	} else {
		sc, err := sim.LoadScenario(path)
		if err != nil {
			return nil, err
		}
		if err := check(sc.ResourcePaths()...); err != nil {
			return nil, err
		}
		if r.setup, err = prepare(sc, sim.Overrides{}, stderr); err != nil {
			return nil, err
		}
		events, err := collect(r.setup, sim.DefaultMaxEvents)
		if err != nil {
			return nil, err
		}
		r.name, r.dapr, r.seed, r.events = sc.Name, r.setup.Profile.Version, r.setup.Seed, events
	}
	if r.wording, err = traces.WordingFor(r.dapr); err != nil {
		return nil, statusError{status: exitBadInput, err: fmt.Errorf("%s: dapr: %w", path, err)}
	}
	return r, nil
}

// pageData turns the run into what the page shows: a snapshot at every
// event instant of the window (sim.Snapshots: the engine's own state, taken
// while replaying the run once, as `replay --at` does for one instant),
// the log lines (the sidecar-log projection) and each breaker's diagram
// with its policy's numbers.
func pageData(r *renderRun, win window) (*page.Data, error) {
	end := r.setup.Scenario.Duration
	if n := len(r.events); n > 0 {
		end = max(end, r.events[n-1].T)
	}
	from, to := time.Duration(0), end
	if win.hasFrom {
		from = win.from
	}
	if win.hasTo {
		to = win.to
	}
	if from >= to {
		return nil, fmt.Errorf("%w: --from %s is not before the end of the run (%s)", errUsage, from, to)
	}
	instants := []time.Duration{from}
	for i := range r.events {
		t := r.events[i].T
		if t > from && t <= to && t != instants[len(instants)-1] {
			instants = append(instants, t)
		}
	}
	if len(instants) > maxRenderInstants {
		return nil, fmt.Errorf("%w: %d event instants between %s and %s; a page draws at most %d: choose a window with --from and --to",
			errUsage, len(instants), from, to, maxRenderInstants)
	}
	d := &page.Data{
		Title:    "sim: " + r.name,
		Subtitle: fmt.Sprintf("Dapr %s · seed %d · %d events · %s to %s of virtual time", r.dapr, r.seed, len(r.events), from, to),
		From:     int64(from),
		To:       int64(to),
	}
	// The snapshots at the window's instants, and at the end for the
	// diagrams, from one replay.
	snaps := sim.Snapshots(r.setup, r.events, append(instants, end))
	next := 0 // first event after the previous instant
	for i, t := range instants {
		snap := snaps[i]
		ps := page.Snapshot{T: int64(t), Events: snap.Folded, Notes: snap.Notes, Requests: []string{}, Happened: []string{}}
		for ; next < len(r.events) && r.events[next].T <= t; next++ {
			if r.events[next].T == t {
				ps.Happened = append(ps.Happened, traces.Describe(&r.events[next]))
			}
		}
		for _, b := range snap.Breakers {
			exp := int64(-1)
			if b.Expires {
				exp = int64(b.Expiry)
			}
			ps.Breakers = append(ps.Breakers, page.Breaker{Name: b.Name, State: b.State, Generation: b.Generation,
				Requests: b.Requests, TotalSuccesses: b.TotalSuccesses, ConsecutiveSuccesses: b.ConsecutiveSuccesses,
				TotalFailures: b.TotalFailures, ConsecutiveFailures: b.ConsecutiveFailures, Expiry: exp})
		}
		for _, tg := range snap.Targets {
			pt := page.Target{Kind: tg.Kind, Name: tg.Name, Up: tg.Up, Since: -1}
			if tg.Changed {
				pt.Since = int64(tg.Since)
			}
			for _, w := range tg.Windows {
				pt.Windows = append(pt.Windows, strings.TrimSpace(w.Mode+" "+w.Detail))
			}
			ps.Targets = append(ps.Targets, pt)
		}
		for _, q := range snap.Requests {
			ps.Requests = append(ps.Requests, requestText(q))
		}
		if ps.Breakers == nil {
			ps.Breakers = []page.Breaker{}
		}
		if ps.Targets == nil {
			ps.Targets = []page.Target{}
		}
		d.Snapshots = append(d.Snapshots, ps)
	}
	lw := traces.NewLogWriter(io.Discard, r.wording)
	for i := range r.events {
		e := &r.events[i]
		if e.T > to {
			break
		}
		if line, ok := lw.Line(e); ok {
			d.Log = append(d.Log, page.LogLine{T: int64(e.T), Text: strings.TrimSuffix(line, "\n")})
		}
	}
	if d.Log == nil {
		d.Log = []page.LogLine{}
	}
	// One diagram per breaker the run created, in name order.
	final := snaps[len(instants)]
	for i, b := range final.Breakers {
		g := policies.Graph
		var dg page.Diagram
		if s, ok := r.setup.BreakerSettings(b.Name); ok {
			s.Name = b.Name
			fd := policies.BreakerGraph(s).ChangesOnly()
			dg = page.Diagram{Breaker: b.Name, Title: fd.Title, SVG: fd.SVG(fmt.Sprintf("breaker%d", i))}
		} else {
			fd, err := g("breaker")
			if err != nil {
				return nil, err
			}
			fd = fd.ChangesOnly()
			dg = page.Diagram{Breaker: b.Name, Title: "circuit breaker " + b.Name, SVG: fd.SVG(fmt.Sprintf("breaker%d", i))}
		}
		d.Diagrams = append(d.Diagrams, dg)
	}
	return d, nil
}

func requestText(q traces.RequestState) string {
	s := fmt.Sprintf("%s w%d it%d step%d %s %s: attempt %d", q.App, q.Worker, q.Iteration, q.Step, q.Op, q.Target, q.Attempt)
	switch q.Phase {
	case traces.Issued:
		s += " starts at " + q.Until.String()
	case traces.Answering:
		s += " started " + q.Since.String() + ", waiting for the answer"
	case traces.Backoff:
		s += fmt.Sprintf(" at %s (attempt %d failed %s)", q.Until, q.Attempt-1, q.Since)
	}
	if q.Breaker != "" {
		s += " via " + q.Breaker
	}
	return s
}

// writeAtomic writes path through write under a temporary name and renames
// it into place only when complete (createAtomic, as `sim run --trace`).
func writeAtomic(path string, write func(io.Writer) error) error {
	out, err := createAtomic(path)
	if err != nil {
		return err
	}
	defer out.Abort() // a no-op once committed
	stop := out.AbortOnSignal()
	defer stop()
	bw := bufio.NewWriter(out)
	if err := write(bw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return out.Commit()
}
