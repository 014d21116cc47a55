package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"strings"
	"time"

	"github.com/dapr-sim/sim/cmd/internal/play"
	"github.com/dapr-sim/sim/internal/input"
	"github.com/dapr-sim/sim/picture"
	"github.com/dapr-sim/sim/picture/page"
	"github.com/dapr-sim/sim/sim"
	"github.com/dapr-sim/sim/traces"
	"github.com/spf13/cobra"
)

func newRenderCommand(stdout, stderr io.Writer) *cobra.Command {
	var out, from, to, format string
	c := &cobra.Command{
		Use:   "render TRACE|SCENARIO -o FILE.html|FILE.svg",
		Short: "Draw a run as an interactive HTML page (or an SVG picture)",
		Long: "render draws the run recorded in TRACE (a `sim run --trace` file, YAML or JSON lines),\n" +
			"or runs SCENARIO first, and writes -o FILE:\n\n" +
			"  FILE.html  one self-contained page (no network, works from file://): a slider and\n" +
			"             the arrow keys move through virtual time, play runs it at 1x, 10x or\n" +
			"             100x; each breaker's state diagram (from the fsm table) highlights the\n" +
			"             current state and shows its counts, beside the sidecar log up to that\n" +
			"             instant and which stores and called apps are up; with pub/sub or\n" +
			"             input bindings, a deliveries lane per topic and subscriber (and per\n" +
			"             binding), each delivery coloured by result, and the messages in flight.\n" +
			"  FILE.svg   the timeline's lanes as a static picture.\n\n" +
			"A file whose first non-blank character is `{`, or with a top-level `format:` key, is a\n" +
			"trace; anything else is a scenario. --from/--to draw a window of a long run.\n" +
			"The file is written under a temporary name and renamed when complete.\n\n" +
			"Exit status: 0 written; 2 the input could not be run or read; 4 the file could not\n" +
			"be written (nothing is left under its name).",
		Example: "  sim render examples/quickstart/scenario.yaml -o quickstart.html\n" +
			"  sim run examples/quickstart/scenario.yaml --trace t.yaml && sim render t.yaml -o t.html\n" +
			"  open 'quickstart.html#t=26.5'",
		Args: oneFile("trace or scenario file"),
		RunE: func(c *cobra.Command, args []string) error {
			ext, err := renderExt(out, format)
			if err != nil {
				return err
			}
			window, err := parseWindow(from, to)
			if err != nil {
				return err
			}
			r, done, err := loadRun(args[0], stderr, func(resources ...string) error {
				return new(files).read(args[0]).read(resources...).write(out).check()
			})
			if err != nil {
				return err
			}
			defer done()
			if ext == ".svg" {
				return renderSVG(out, stdout, r, window)
			}
			d, err := pageData(r, window)
			if err != nil {
				return err
			}
			return writeOutput(out, stdout, func(w io.Writer) error { return page.Write(w, d) })
		},
	}
	c.Flags().StringVarP(&out, "output", "o", "", "write the picture to `FILE` (.html or .svg); - writes it to stdout")
	c.Flags().StringVar(&format, "format", "", "the picture: html or svg (default: from the -o file's name; html for -o -)")
	c.Flags().StringVar(&from, "from", "", "start of the window to draw, e.g. 20s (default: 0s)")
	c.Flags().StringVar(&to, "to", "", "end of the window to draw, e.g. 40s (default: the end of the run)")
	return c
}

// renderSVG is the .svg branch: the timeline's lanes as a static picture,
// drawn by picture.WriteSVGFrom as the run's events stream past. It folds
// them before the output is created: a problem reading them, or an empty
// window, leaves no file behind.
func renderSVG(out string, stdout io.Writer, r *renderRun, win window) error {
	opt := play.SVGOptions(r.setup, r.name)
	if win.hasFrom {
		opt.From = win.from
	}
	if win.hasTo {
		opt.To = win.to
	}
	var svg bytes.Buffer
	if err := picture.WriteSVGFrom(&svg, r.events, opt); err != nil {
		if errors.Is(err, picture.ErrEmptyWindow) {
			return fmt.Errorf("%w: %w", errUsage, err)
		}
		return err
	}
	return writeOutput(out, stdout, func(w io.Writer) error {
		_, err := svg.WriteTo(w)
		return err
	})
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

// renderRun is a run to draw: its setup and a way to record its events,
// from a trace or from running a scenario, as often as a picture asks.
type renderRun struct {
	name    string
	dapr    string
	seed    int64
	setup   *sim.Setup
	wording traces.Wording
	events  picture.Events
}

// traceEvents reads the events of the trace at path, whose header tr has
// read: the first reading goes on from tr, another (a picture that reads
// the events twice) opens the file anew. Each event passes to the sink
// and is not kept.
func traceEvents(path string, tr *traces.Reader) picture.Events {
	first := tr
	return func(sink traces.Sink) error {
		rd := first
		first = nil
		if rd == nil {
			var err error
			if rd, err = traces.OpenTrace(path); err != nil {
				return err
			}
			defer rd.Close()
		}
		// One event value for the whole reading: the sink takes a pointer,
		// which would move a loop variable to the heap at every event.
		var e traces.Event
		for {
			var err error
			if e, err = rd.Next(); errors.Is(err, io.EOF) {
				return nil
			} else if err != nil {
				return err
			}
			if err := sink.Record(&e); err != nil {
				return err
			}
		}
	}
}

// loadRun opens the trace or loads the scenario at path; check is called
// first with the resource paths a scenario names, to refuse an output that
// would overwrite an input before anything runs. Close the trace with done.
func loadRun(path string, stderr io.Writer, check func(resources ...string) error) (r *renderRun, done func(), err error) {
	isTrace, err := traceFile(path)
	if err != nil {
		return nil, nil, statusError{status: exitBadInput, err: fmt.Errorf("render: %w", err)}
	}
	r = &renderRun{}
	done = func() {}
	// drain reads the events for a problem with them, which is reported
	// before one with the header's release, as when the whole trace was
	// read first.
	var drain func() error
	if isTrace {
		if err := check(); err != nil {
			return nil, nil, err
		}
		tr, err := traces.OpenTrace(path)
		if err != nil {
			return nil, nil, err
		}
		done = func() { tr.Close() }
		if r.setup, err = prepareTrace(path, tr); err != nil {
			done()
			return nil, nil, err
		}
		r.name, r.dapr, r.seed = tr.Name, tr.Dapr, tr.Seed
		r.events = traceEvents(path, tr)
		drain = tr.Drain
	} else {
		sc, err := sim.LoadScenario(path)
		if err != nil {
			return nil, nil, err
		}
		if err := check(sc.ResourcePaths()...); err != nil {
			return nil, nil, err
		}
		if r.setup, err = prepare(sc, sim.Overrides{}, stderr); err != nil {
			return nil, nil, err
		}
		r.name, r.dapr, r.seed = sc.Name, r.setup.Profile.Version, r.setup.Seed
		r.events = func(sink traces.Sink) error {
			eng := sim.NewEngine(r.setup, sink, sim.Options{MaxEvents: sim.DefaultMaxEvents})
			defer eng.Close()
			return eng.Run()
		}
		drain = func() error { return r.events(traces.Sinks{}) }
	}
	if r.wording, err = traces.WordingFor(r.dapr); err != nil {
		derr := drain()
		done()
		if derr != nil {
			return nil, nil, derr
		}
		return nil, nil, statusError{status: exitBadInput, err: fmt.Errorf("%s: dapr: %w", path, err)}
	}
	return r, done, nil
}

// pageData folds the run into what the page shows (play.PageData, which
// the browser playground calls too): a snapshot at every event instant of
// the window, taken by one replay (sim.Snapshotter) while the run's events
// pass; a window it cannot draw is a usage error.
func pageData(r *renderRun, win window) (*page.Data, error) {
	run := play.PageRun(r.setup, r.name, r.dapr, r.seed, r.wording)
	run.From, run.To, run.HasTo = win.from, win.to, win.hasTo
	return play.PageData(run, r.setup, r.events)
}

// renderExt is the picture's kind as a file extension: from --format, else
// from the -o file's name, html for stdout.
func renderExt(out, format string) (string, error) {
	switch format {
	case "html", "svg":
		return "." + format, nil
	case "":
	default:
		return "", fmt.Errorf("%w: --format: want html or svg, got %q", errUsage, format)
	}
	if out == input.Stdin {
		return ".html", nil
	}
	ext := strings.ToLower(filepath.Ext(out))
	if out == "" || (ext != ".html" && ext != ".htm" && ext != ".svg") {
		return "", fmt.Errorf("%w: -o: want a file ending in .html or .svg, got %q", errUsage, out)
	}
	return ext, nil
}

// writeOutput is writeAtomic, or, for path "-", a buffered write to
// stdout.
func writeOutput(path string, stdout io.Writer, write func(io.Writer) error) error {
	if path != input.Stdin {
		return writeAtomic(path, write)
	}
	bw := bufio.NewWriter(stdout)
	if err := write(bw); err != nil {
		return writeOrOther(bw, "stdout", err)
	}
	if err := bw.Flush(); err != nil {
		return writeErrorf("write stdout: %w", err)
	}
	return nil
}

// writeOrOther tells a picture writer's error that came from writing (bw
// keeps it: its Flush fails too) from any other, so a failed write has its
// one exit status.
func writeOrOther(bw *bufio.Writer, name string, err error) error {
	if bw.Flush() == nil {
		return err
	}
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return &outputError{err} // it names the file already
	}
	return writeErrorf("write %s: %w", name, err)
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
		return writeOrOther(bw, path, err)
	}
	if err := bw.Flush(); err != nil {
		return writeErrorf("write %s: %w", path, err)
	}
	return out.Commit()
}
