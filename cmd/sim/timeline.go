package main

import (
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
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != 1 {
				return fmt.Errorf("%w: want one scenario or trace file, got %d arguments (see `sim timeline --help`)", errUsage, len(args))
			}
			return nil
		},
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
			if maxEvents < 1 {
				return fmt.Errorf("%w: --max-events must be at least 1, got %d", errUsage, maxEvents)
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
			var events []traces.Event
			// A file that cannot be opened is left to the scenario loader to report.
			if isTrace, _ := traceFile(path); isTrace {
				if c.Flags().Changed("dapr") || c.Flags().Changed("seed") || c.Flags().Changed("max-events") {
					return fmt.Errorf("%w: --dapr, --seed and --max-events go with a scenario; %s is a trace, drawn as recorded", errUsage, path)
				}
				tr, err := traces.ReadFile(path)
				if err != nil {
					return err
				}
				events, opt.Horizon, opt.Title = tr.Events, picture.TraceHorizon(tr), tr.Name
			} else {
				var o sim.Overrides
				o.Dapr = dapr
				if c.Flags().Changed("seed") {
					o.Seed = &seed
				}
				events, opt.Horizon, opt.Title, err = runForEvents(path, o, maxEvents, stdout, stderr)
				if err != nil {
					return err
				}
			}
			if end := max(opt.Horizon, lastT(events)); opt.To == 0 && opt.From >= end {
				return fmt.Errorf("%w: --from %s is not before the end of the run (%s)", errUsage, from, end)
			}
			if err := picture.WriteTimeline(stdout, events, opt); err != nil {
				return writeErrorf("write timeline: %w", err)
			}
			return nil
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

func lastT(events []traces.Event) time.Duration {
	if len(events) == 0 {
		return 0
	}
	return events[len(events)-1].T
}

// runForEvents runs the scenario at path as `sim run` does, collecting its
// events instead of printing the log, and returns them with the horizon
// and the scenario's name.
func runForEvents(path string, o sim.Overrides, maxEvents int64, stdout, stderr io.Writer) ([]traces.Event, time.Duration, string, error) {
	sc, err := sim.LoadScenario(path)
	if err != nil {
		return nil, 0, "", err
	}
	if err := new(files).read(path).read(sc.ResourcePaths()...).writeStdout(stdout).check(); err != nil {
		return nil, 0, "", err
	}
	setup, err := prepare(sc, o, stderr)
	if err != nil {
		return nil, 0, "", err
	}
	events, err := collect(setup, maxEvents)
	if err != nil {
		return nil, 0, "", err
	}
	return events, sc.Duration, sc.Name, nil
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
