package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/dapr-sim/sim/internal/input"
	"github.com/dapr-sim/sim/picture"
	"github.com/dapr-sim/sim/sim"
	"github.com/dapr-sim/sim/traces"
	"github.com/spf13/cobra"
)

func newTimelineCommand(stdout, stderr io.Writer) *cobra.Command {
	var (
		width     int
		from, to  string
		color     string
		dapr      string
		seed      int64
		maxEvents int64
	)
	c := &cobra.Command{
		Use:   "timeline SCENARIO|TRACE",
		Short: "Draw a run as swimlanes in the terminal",
		Long: "timeline draws a run as swimlanes: one lane per store or called app (up, slow, flaky,\n" +
			"error, down), one per circuit breaker (closed, open, half-open, ^ under each\n" +
			"transition) and one per app worker (attempts ok, failed and retried, failed; the\n" +
			"backoff between them), over a time axis in seconds, then the list of changes and a\n" +
			"legend. A column covering several states shows the most telling one. The argument is\n" +
			"a scenario, which is run first (warnings go to stderr), or a trace written by\n" +
			"`sim run --trace` (YAML or JSON lines), which is drawn as recorded.\n\n" +
			"The width is --width, else $COLUMNS on a terminal, else 100. Colour is used on a\n" +
			"terminal unless NO_COLOR is set (--color always|never overrides both).\n\n" +
			"Exit status: 0 drawn; 2 the input could not be run or read; 4 the timeline could\n" +
			"not be written.",
		Example: "  sim timeline examples/quickstart/scenario.yaml\n" +
			"  sim timeline trace.yaml --from 25s --to 37s --width 120",
		Args: oneFile("scenario or trace file"),
		RunE: func(c *cobra.Command, args []string) error {
			opt := picture.TimelineOptions{Width: width}
			var err error
			if opt.From, err = instantFlag("from", from); err != nil {
				return err
			}
			if opt.To, err = instantFlag("to", to); err != nil {
				return err
			}
			if c.Flags().Changed("to") && opt.To <= opt.From {
				return fmt.Errorf("%w: --to %s must be after --from %s", errUsage, to, opt.From)
			}
			if c.Flags().Changed("width") && (width < 20 || width > 10000) {
				return fmt.Errorf("%w: --width must be from 20 to 10000 columns, got %d", errUsage, width)
			}
			if err := checkMaxEvents(maxEvents); err != nil {
				return err
			}
			tty := isTerminal(stdout)
			switch color {
			case "auto", "always", "never":
				opt.Color = wantColor(color, tty, os.Getenv("NO_COLOR"))
			default:
				return fmt.Errorf("%w: --color: want auto, always or never, got %q", errUsage, color)
			}
			if width == 0 {
				opt.Width = defaultWidth(tty, os.Getenv("COLUMNS"))
			}

			path := args[0]
			var events picture.Events
			// A file that cannot be opened is left to the scenario loader to report.
			if isTrace, _ := traceFile(path); isTrace {
				if c.Flags().Changed("dapr") || c.Flags().Changed("seed") || c.Flags().Changed("max-events") {
					return fmt.Errorf("%w: --dapr, --seed and --max-events go with a scenario; %s is a trace, drawn as recorded", errUsage, path)
				}
				tr, err := traces.OpenTrace(path)
				if err != nil {
					return err
				}
				defer tr.Close()
				events, opt.Horizon, opt.Title = traceEvents(path, tr), picture.HeadHorizon(&tr.Head), tr.Name
				// The header's setup says which app hosts each actor
				// type and which breaker each attempt goes through. A
				// header sim cannot prepare (one written by hand) still
				// draws, from what the events alone tell: actor types'
				// lanes without their hosts' faults, breakers' lanes from
				// their first transition.
				if setup, err := sim.PrepareTrace(path, tr); err == nil {
					opt.Hosts, opt.BreakerOf = setup.Hosts, setup.BreakerNamer()
				}
			} else {
				var o sim.Overrides
				o.Dapr = dapr
				if c.Flags().Changed("seed") {
					o.Seed = &seed
				}
				var setup *sim.Setup
				events, opt.Horizon, opt.Title, setup, err = scenarioEvents(path, o, maxEvents, stdout, stderr)
				if err != nil {
					return err
				}
				opt.Hosts, opt.BreakerOf = setup.Hosts, setup.BreakerNamer()
			}
			return drawTimeline(stdout, events, opt, from)
		},
	}
	f := c.Flags()
	f.IntVar(&width, "width", 0, "width of each line in `N` columns, labels included (default: $COLUMNS on a terminal, else 100)")
	f.StringVar(&from, "from", "", "draw from this instant (e.g. 25s; default: 0s)")
	f.StringVar(&to, "to", "", "draw up to this instant (e.g. 37s; default: the end of the run)")
	f.StringVar(&color, "color", "auto", "ANSI colour: auto (on a terminal, unless NO_COLOR is set), always or never")
	f.StringVar(&dapr, "dapr", "", "with a scenario: the Dapr release to model, 1.8 … 1.16 (default: the scenario's, else the newest)")
	f.Int64Var(&seed, "seed", 0, "with a scenario: seed for every random draw (default: the scenario's)")
	f.Int64Var(&maxEvents, "max-events", sim.DefaultMaxEvents, "with a scenario: stop a run that processes more than `N` events")
	return c
}

func instantFlag(name, v string) (time.Duration, error) {
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 || d > sim.MaxHorizon {
		return 0, fmt.Errorf("%w: --%s: want an instant such as 31s or 26.5s, at most a year (%s), got %q", errUsage, name, sim.MaxHorizon, v)
	}
	return d, nil
}

// drawTimeline draws the run's events as they stream past (nothing is
// written before the last has): a problem reading them is reported as it
// is, a --from at or after the end of the run (known only then) as bad
// input, anything else as a failed write.
func drawTimeline(stdout io.Writer, events picture.Events, opt picture.TimelineOptions, from string) error {
	var readErr error
	var last time.Duration
	err := picture.WriteTimelineFrom(stdout, func(sink traces.Sink) error {
		readErr = events(lastEvent{sink, &last})
		return readErr
	}, opt)
	switch {
	case err == nil:
		return nil
	case readErr != nil:
		return readErr
	case errors.Is(err, picture.ErrEmptyWindow) && opt.To == 0:
		return fmt.Errorf("%w: --from %s is not before the end of the run (%s)", errUsage, from, max(opt.Horizon, last))
	}
	return writeErrorf("write timeline: %w", err)
}

// lastEvent passes events to a sink, noting the instant of the last.
type lastEvent struct {
	traces.Sink
	t *time.Duration
}

func (l lastEvent) Record(e *traces.Event) error {
	*l.t = e.T
	return l.Sink.Record(e)
}

// scenarioEvents loads and prepares the scenario at path as `sim run`
// does and returns its run as events (each reading runs it again), with
// the horizon, the scenario's name and its setup.
func scenarioEvents(path string, o sim.Overrides, maxEvents int64, stdout, stderr io.Writer) (picture.Events, time.Duration, string, *sim.Setup, error) {
	sc, err := sim.LoadScenario(path)
	if err != nil {
		return nil, 0, "", nil, err
	}
	if err := new(files).read(path).read(sc.ResourcePaths()...).writeStdout(stdout).check(); err != nil {
		return nil, 0, "", nil, err
	}
	setup, err := prepare(sc, o, stderr)
	if err != nil {
		return nil, 0, "", nil, err
	}
	events := func(sink traces.Sink) error {
		eng := sim.NewEngine(setup, sink, sim.Options{MaxEvents: maxEvents})
		defer eng.Close()
		return eng.Run()
	}
	return events, sc.Duration, sc.Name, setup, nil
}

// traceFile reports whether path holds a trace rather than a scenario
// (traces.LooksLikeTrace); err says why it could not be opened.
func traceFile(path string) (bool, error) {
	f, err := input.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	return traces.LooksLikeTrace(f), nil
}

// isTerminal reports whether w is a character device (a terminal), without
// a dependency: a pipe, a file or a test's buffer is not.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// wantColor decides ANSI colour: --color always or never wins; auto colours
// a terminal unless NO_COLOR is set to anything but "" (no-color.org).
func wantColor(mode string, tty bool, noColor string) bool {
	switch mode {
	case "always":
		return true
	case "never":
		return false
	}
	return tty && noColor == ""
}

// defaultWidth is $COLUMNS on a terminal when it is a usable number, else
// picture.DefaultTimelineWidth; piped output never depends on the terminal.
func defaultWidth(tty bool, columns string) int {
	if tty {
		if n, err := strconv.Atoi(columns); err == nil && n >= 20 && n <= 1000 {
			return n
		}
	}
	return picture.DefaultTimelineWidth
}
