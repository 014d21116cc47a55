package main

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/dapr-sim/sim/daprlog"
	"github.com/dapr-sim/sim/internal/escape"
	"github.com/dapr-sim/sim/internal/input"
	"github.com/dapr-sim/sim/policies"
	"github.com/dapr-sim/sim/sim"
	"github.com/dapr-sim/sim/traces"
	"github.com/spf13/cobra"
)

func newReplayCommand(stdout, stderr io.Writer) *cobra.Command {
	var print, explain bool
	var at string
	var maxEvents int64
	var daprdLog, resources, appID, dapr string
	format := newFormatFlag("text", "json")
	c := &cobra.Command{
		Use:   "replay TRACE | replay --daprd-log FILE --resources DIR",
		Short: "Run a trace's scenario again and compare the events",
		Long: "replay rebuilds the run from TRACE's header alone (the scenario as run and the\n" +
			"resolved Resiliency spec; the resources folder is not read), runs it again and\n" +
			"compares every event with the recorded one. Identical: one summary line. Diverged:\n" +
			"the first differing event, the events just before it and the fields that differ.\n" +
			"--print re-emits the sidecar log from the recorded events without running anything.\n" +
			"--at T replays the run to instant T (inclusive; a duration such as 31s or 26.5s),\n" +
			"comparing the events as it goes, and prints the engine's state then: breakers\n" +
			"with their counts, in-flight requests, stores and called apps.\n\n" +
			"--daprd-log FILE --resources DIR reads a log a real Dapr sidecar wrote (logrus\n" +
			"text on a terminal or not, or daprd's JSON form), keeps its resiliency lines and\n" +
			"checks them against the policies in DIR, both ways: lines the policies cannot\n" +
			"produce, and lines they must. For the second it infers the outage the log shows\n" +
			"(a failed call at each retry notice; each component down from its first notice\n" +
			"until the line that shows it back), simulates it with DIR as saves and as gets,\n" +
			"seeds 1-8, and reports each breaker transition or Recovered line every run logs\n" +
			"and the log lacks (missing, with the instant), each the runs do not log (extra),\n" +
			"and each further from the runs' instants than the log's stamps allow (early or\n" +
			"late: whole seconds in the terminal form, the runs' spread and 100 ms with\n" +
			"sub-second stamps), in the log's own stamps. What the log leaves open (an outage\n" +
			"that began before it or outlasts it, a call the simulation does not replay) is\n" +
			"printed as a note. Each line is printed with its file:line and why. --app-id\n" +
			"picks the app whose scopes apply (default: the log's app_id, else the one app the\n" +
			"resources scope); --dapr the release whose wording and behaviour to assume\n" +
			"(default: recognised from the wording).\n\n" +
			"--format json writes the comparison's outcome, or with --at the state, as one JSON\n" +
			"document (docs/output-formats.md); --print writes the log, whose events as JSON\n" +
			"are `sim run --trace-format jsonl`.\n\n" +
			"TRACE is YAML or JSON lines (`sim run --trace-format jsonl`): a file whose first\n" +
			"non-blank character is `{` is read as JSON lines.\n\n" +
			"Exit status: 0 identical (or printed); 1 diverged: an event differs, is missing or\n" +
			"is extra; 2 the trace cannot be replayed: unreadable, not a trace, a YAML or JSON\n" +
			"syntax error (a file cut inside a line), a format version this sim does not read,\n" +
			"or a header that does not describe a runnable scenario. With --daprd-log: 0\n" +
			"consistent; 1 inconsistencies; 2 unreadable log or resources. Either way: 4 the\n" +
			"output could not be written.",
		Example: "  sim run examples/quickstart/scenario.yaml --trace t.yaml && sim replay t.yaml\n" +
			"  sim replay t.yaml --print\n" +
			"  sim replay t.yaml --at 31s\n" +
			"  sim replay --daprd-log daprd.log --resources ./resources",
		Args: func(c *cobra.Command, args []string) error {
			if daprdLog != "" {
				if len(args) != 0 {
					return fmt.Errorf("%w: --daprd-log takes no trace file, got %d arguments (see `sim replay --help`)", errUsage, len(args))
				}
				if resources == "" {
					return fmt.Errorf("%w: --daprd-log needs --resources DIR, the folder the sidecar read", errUsage)
				}
				if print || at != "" {
					return fmt.Errorf("%w: --daprd-log cannot be combined with --print or --at", errUsage)
				}
				if format.value != "text" {
					return fmt.Errorf("%w: --format %s does not go with --daprd-log, which prints text only", errUsage, format.value)
				}
				return nil
			}
			if resources != "" || appID != "" || dapr != "" {
				return fmt.Errorf("%w: --resources, --app-id and --dapr go with --daprd-log", errUsage)
			}
			if err := checkMaxEvents(maxEvents); err != nil {
				return err
			}
			if explain && !print {
				return fmt.Errorf("%w: --explain goes with --print (sim replay t.yaml --print --explain)", errUsage)
			}
			if print && at != "" {
				return fmt.Errorf("%w: --print and --at cannot be combined", errUsage)
			}
			if print && format.value != "text" {
				return fmt.Errorf("%w: --print writes the sidecar log as text; for the events as JSON write the trace with `sim run --trace-format jsonl`", errUsage)
			}
			if len(args) != 1 {
				return fmt.Errorf("%w: want one trace file, got %d arguments (see `sim replay --help`)", errUsage, len(args))
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			if daprdLog != "" {
				budget := int64(0) // the log's own (logEvents)
				if c.Flags().Changed("max-events") {
					budget = maxEvents
				}
				return checkDaprdLog(daprdLog, resources, appID, dapr, budget, stdout)
			}
			var instant time.Duration
			if at != "" {
				d, err := time.ParseDuration(at)
				if err != nil || d < 0 {
					return fmt.Errorf("%w: --at: want an instant such as 31s or 26.5s, got %q", errUsage, at)
				}
				instant = d
			}
			tr, err := traces.OpenTrace(args[0])
			if err != nil {
				return err
			}
			defer tr.Close()
			if print {
				return printLog(tr, stdout, explain)
			}
			if at != "" {
				return stateAt(args[0], tr, instant, maxEvents, format.value, stdout)
			}
			return replay(args[0], tr, maxEvents, format.value, stdout)
		},
	}
	c.Flags().BoolVar(&print, "print", false, "print the sidecar log from the recorded events (the bytes sim run printed), without re-running")
	c.Flags().BoolVar(&explain, "explain", false, "with --print: after each breaker transition, retry decision and failed step, a line saying why, in numbers; after each delivery not acknowledged as taken and each redelivery, one saying what became of the message")
	c.Flags().Int64Var(&maxEvents, "max-events", sim.DefaultMaxEvents, "stop a replay that processes more than `N` events (exit 2); with --daprd-log, what each simulated run may process (past it the log is checked one-sided)")
	c.Flags().StringVar(&at, "at", "", "print the state of every machine at this instant (e.g. 31s): the run replayed to it, the engine's own state")
	c.Flags().StringVar(&daprdLog, "daprd-log", "", "check a real Dapr sidecar's log against the policies in --resources")
	c.Flags().StringVar(&resources, "resources", "", "with --daprd-log: the resources folder the sidecar read")
	c.Flags().StringVar(&appID, "app-id", "", "with --daprd-log: the sidecar's app id (default: from the log, or the one scoped app)")
	c.Flags().StringVar(&dapr, "dapr", "", "with --daprd-log: the Dapr release (1.8…1.16; default: recognised from the wording)")
	format.addTo(c.Flags(), "output of the comparison or of --at: text or json")
	return c
}

// printLog projects the recorded events through the sidecar-log writer in
// the wording of the header's Dapr release, as they are read.
func printLog(tr *traces.Reader, stdout io.Writer, explain bool) error {
	wording, err := traces.WordingFor(tr.Dapr)
	if err != nil {
		// A problem further down the trace is reported first, as when the
		// whole trace was read before anything else.
		if derr := tr.Drain(); derr != nil {
			return derr
		}
		return statusError{status: exitBadInput, err: fmt.Errorf("header dapr: %w", err)}
	}
	log := traces.NewLogWriter(stdout, wording)
	log.Explain = explain
	log.Sidecars = tr.Sidecars != nil
	for e, err := range tr.Events() {
		if err != nil {
			log.Flush()
			return err
		}
		if err := log.Record(&e); err != nil {
			return writeErrorf("write log: %w", err)
		}
	}
	if err := log.Flush(); err != nil {
		return writeErrorf("write log: %w", err)
	}
	return nil
}

// prepareTrace builds the setup from the trace's header. A problem with the
// events is reported before one with the header's scenario, as when the
// whole trace was read first.
func prepareTrace(path string, tr *traces.Reader) (*sim.Setup, error) {
	setup, err := sim.PrepareTrace(path, tr)
	if err != nil {
		if derr := tr.Drain(); derr != nil {
			return nil, derr
		}
		return nil, err
	}
	return setup, nil
}

// stateAt prints the state of every machine at instant at: the header's
// scenario replayed to at, compared event by event with the trace as it
// goes, and the engine's own state then (sim.Engine.Snapshot). The rest of
// the run is replayed too, to tell which steps the trace never ends.
func stateAt(path string, tr *traces.Reader, at time.Duration, maxEvents int64, format string, stdout io.Writer) error {
	setup, err := prepareTrace(path, tr)
	if err != nil {
		return err
	}
	ahead := &countedSource{src: newPrefetch(tr)}
	defer ahead.src.Close()
	cmp := traces.NewComparer(ahead)
	cmp.Stop = true
	eng := sim.NewEngine(setup, cmp, sim.Options{MaxEvents: maxEvents})
	defer eng.Close()
	runErr := eng.RunUntil(at)
	snap := eng.Snapshot()
	data, err := eng.StoreData()
	if err != nil {
		return fmt.Errorf("replay %s: read the stores at %s: %w", path, at, err)
	}
	snap.Data = data
	if runErr == nil {
		runErr = eng.Run()
	}
	if runErr != nil && !errors.Is(runErr, traces.ErrDiverged) {
		if cerr := cmp.Err(); cerr != nil {
			return cerr
		}
		// A run stopped by its own failure (as the recorded one was) still
		// has a state; one that hit --max-events does not.
		var limit *sim.LimitError
		if errors.As(runErr, &limit) {
			if derr := ahead.src.Drain(); derr != nil {
				return derr
			}
			return fmt.Errorf("replay %s: %w", path, runErr)
		}
	}
	d, err := cmp.Finish()
	if err != nil {
		return err
	}
	snap.Total = ahead.n
	if d != nil {
		snap.Notes = append(snap.Notes, fmt.Sprintf("the trace differs from the run its header describes at event #%d (%s): the state is the run's", d.Index+1, d.At()))
	} else {
		sim.Settle(snap, eng.Unfinished())
	}
	write := snap.Write
	if format == "json" {
		write = snap.WriteJSON
	}
	if err := write(stdout); err != nil {
		return writeErrorf("write state: %w", err)
	}
	return nil
}

// countedSource counts the trace's events a Comparer reads.
type countedSource struct {
	src *prefetch
	n   int
}

func (c *countedSource) Next() (traces.Event, error) {
	e, err := c.src.Next()
	if err == nil {
		c.n++
	}
	return e, err
}

// replay runs the header's scenario again, comparing each event with the
// next recorded one as it happens: neither the trace nor the run is held in
// memory.
func replay(path string, tr *traces.Reader, maxEvents int64, format string, stdout io.Writer) error {
	setup, err := prepareTrace(path, tr)
	if err != nil {
		return err
	}
	ahead := newPrefetch(tr)
	defer ahead.Close()
	cmp := traces.NewComparer(ahead)
	// The run stops at the first difference: a tampered header can describe
	// a run far longer than the trace, which need not be played to the end.
	cmp.Stop = true
	eng := sim.NewEngine(setup, cmp, sim.Options{MaxEvents: maxEvents})
	defer eng.Close()
	if err := eng.Run(); err != nil && !errors.Is(err, traces.ErrDiverged) {
		if cerr := cmp.Err(); cerr != nil {
			return cerr
		}
		if derr := ahead.Drain(); derr != nil {
			return derr
		}
		return fmt.Errorf("replay %s: %w", path, err)
	}
	d, err := cmp.Finish()
	if err != nil {
		return err
	}
	if format == "json" {
		r := traces.ReplayReport{Trace: path, Divergence: d}
		if d == nil {
			r.Summary = cmp.Summary()
		}
		if err := r.WriteJSON(stdout); err != nil {
			return writeErrorf("write replay: %w", err)
		}
		if d != nil {
			return statusError{status: exitFailed}
		}
		return nil
	}
	if d != nil {
		if _, err := fmt.Fprint(stdout, escape.Lines(fmt.Sprint(d))); err != nil {
			return writeErrorf("write the difference: %w", err)
		}
		return statusError{status: exitFailed}
	}
	s := cmp.Summary()
	breakers := "none"
	if len(s.Breakers) > 0 {
		names := make([]string, len(s.Breakers))
		for i, b := range s.Breakers {
			names[i] = escape.Name(b)
		}
		breakers = strings.Join(names, ", ")
	}
	if _, err := fmt.Fprintf(stdout, "replay: %d events identical over %s–%s; breakers: %s\n", s.Events, s.First, s.Last, breakers); err != nil {
		return writeErrorf("write summary: %w", err)
	}
	return nil
}

// checkDaprdLog reads a real sidecar's log and checks its resiliency lines
// against the resources in dir.
//
// maxEvents bounds each run of the simulation (0: logEvents of the log).
func checkDaprdLog(logPath, dir, appID, dapr string, maxEvents int64, stdout io.Writer) error {
	f, err := input.Open(logPath)
	if err != nil {
		return statusError{status: exitBadInput, err: fmt.Errorf("--daprd-log: %w", err)}
	}
	defer f.Close()
	lg, err := daprlog.Read(logPath, f)
	if err != nil {
		return statusError{status: exitBadInput, err: err}
	}
	release, how := dapr, ""
	if release == "" {
		release, _ = daprlog.Release(lg.Entries)
		how = " (recognised from the wording)"
	}
	profile, err := policies.ProfileFor(release)
	if err != nil {
		return statusError{status: exitBadInput, err: fmt.Errorf("--dapr: %w", err)}
	}
	if appID == "" {
		appID = lg.AppID
	}
	if appID == "" {
		appID, err = scopedApp(dir)
		if err != nil {
			return err
		}
	}
	// The files are read once: the check and every run of the simulation
	// load the same bytes (and a folder on standard input can be read
	// only once).
	src := policies.ReadSources([]string{dir})
	spec, _, err := src.Load(appID, profile, nil)
	if err != nil {
		return err
	}
	problems := daprlog.Check(lg.Entries, spec, release)
	// The other side: what the outage the log shows must have logged, by
	// simulating it with the same resources and release.
	plan := daprlog.Infer(lg, spec)
	if maxEvents == 0 {
		maxEvents = logEvents(len(lg.Entries))
	}
	if exp, err := simulateLog(plan, src, dir, appID, release, logBounds{keep: logKeep(len(lg.Entries)), events: maxEvents}); err != nil {
		// The log and the resources were read; what the simulation
		// cannot take (a log longer than a scenario's horizon, say) leaves
		// the one-sided check standing, and says so.
		plan.Notes = append(plan.Notes, daprlog.Problem{Entry: plan.Anchor, Msg: fmt.Sprintf("note: %v: checked one-sided only", err)})
		plan.Anchor = nil
	} else {
		problems = append(problems, daprlog.Compare(lg, plan, exp)...)
	}
	sort.SliceStable(problems, func(i, j int) bool { return problems[i].Entry.Line < problems[j].Entry.Line })
	out := &stickyWriter{w: stdout}
	written := func() error {
		if out.err != nil {
			return writeErrorf("write daprd-log check: %w", out.err)
		}
		return nil
	}
	for _, n := range plan.Notes {
		fmt.Fprintln(out, escape.Lines(n.String()))
	}
	for _, p := range problems {
		fmt.Fprintln(out, escape.Lines(p.String()))
	}
	if plan.Anchor != nil {
		fmt.Fprintln(out, escape.Lines("daprd-log: "+describePlan(lg, plan)))
	}
	counts := map[daprlog.Kind]int{}
	for _, e := range lg.Entries {
		counts[e.Kind]++
	}
	app := appID
	if app == "" {
		app = "(none)"
	}
	fmt.Fprintf(out, "daprd-log: %d resiliency lines (%d retry notices, %d recovered, %d breaker transitions) checked against %s as app %s on Dapr %s%s: ",
		len(lg.Entries), counts[daprlog.Notice], counts[daprlog.Recovered], counts[daprlog.Breaker], escape.Text(dir), escape.Name(app), escape.Text(release), how)
	if len(problems) == 0 {
		fmt.Fprintln(out, "consistent")
		return written()
	}
	fmt.Fprintf(out, "%d inconsistent\n", len(problems))
	if err := written(); err != nil {
		return err
	}
	return statusError{status: exitFailed}
}

// scopedApp is the one app the Resiliency resources in dir are scoped to,
// or "" when they name none.
func scopedApp(dir string) (string, error) {
	files, _, err := policies.ReadFiles([]string{dir})
	if err != nil {
		return "", err
	}
	set := map[string]bool{}
	for _, f := range files {
		for _, r := range f.Resiliencies {
			for _, s := range r.Scopes {
				set[s] = true
			}
		}
	}
	if len(set) > 1 {
		apps := make([]string, 0, len(set))
		for a := range set {
			apps = append(apps, a)
		}
		sort.Strings(apps)
		return "", fmt.Errorf("%w: the resources are scoped to %s: say which sidecar wrote the log with --app-id", errUsage, strings.Join(apps, ", "))
	}
	for a := range set {
		return a, nil
	}
	return "", nil
}
