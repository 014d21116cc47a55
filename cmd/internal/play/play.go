package play

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"time"

	"github.com/dapr-sim/sim/internal/diag"
	"github.com/dapr-sim/sim/internal/escape"
	"github.com/dapr-sim/sim/picture"
	"github.com/dapr-sim/sim/sim"
	"github.com/dapr-sim/sim/traces"
)

// Exit statuses Run reports, as the CLI's (DESIGN.md, "Command line").
const (
	StatusOK       = 0
	StatusFailed   = 1
	StatusBadInput = 2
	StatusInternal = 3
)

// Prepare checks a loaded scenario and everything it names (sim.Prepare),
// printing the warnings about input Dapr would silently ignore on stderr,
// as every command that runs a scenario does.
func Prepare(sc *sim.Scenario, o sim.Overrides, stderr io.Writer) (*sim.Setup, error) {
	setup, err := sim.Prepare(sc, o)
	if err != nil {
		return nil, err
	}
	for _, w := range setup.Warnings {
		Warn(stderr, w)
	}
	return setup, nil
}

// Warn prints one warning about the input on stderr, its names escaped
// (package escape) like everything sim prints that came from a file.
func Warn(stderr io.Writer, w any) {
	fmt.Fprintln(stderr, escape.Lines(fmt.Sprint(w)))
}

// NewLog is the sidecar log `sim run` writes to w for setup: the wording
// of its Dapr release, each line naming its app when there are several
// sidecars. Flush it when the run ends.
func NewLog(w io.Writer, setup *sim.Setup) (*traces.LogWriter, error) {
	wording, err := traces.WordingFor(setup.Profile.Version)
	if err != nil {
		return nil, err
	}
	log := traces.NewLogWriter(w, wording)
	log.Sidecars = len(setup.Sidecars) > 1
	return log, nil
}

// SVGOptions are the SVG timeline's options for a run of setup titled
// title (the scenario's name), the whole run; a window sets From and To.
// Its actor types' lanes follow their hosts (setup.Hosts), its breakers'
// start at their first request (setup.BreakerNamer).
func SVGOptions(setup *sim.Setup, title string) picture.SVGOptions {
	return picture.SVGOptions{Horizon: setup.Scenario.Duration, Title: title, Hosts: setup.Hosts, BreakerOf: setup.BreakerNamer()}
}

// PrintError prints err as sim does on stderr: an input problem is
// already "file:line: field: what is wrong" (several, one a line);
// anything else is "sim: " and the message.
func PrintError(w io.Writer, err error) {
	var list diag.List
	if errors.As(err, &list) {
		for _, e := range list {
			fmt.Fprintf(w, "%s\n", escape.Lines(e.Error()))
		}
		return
	}
	var de *diag.Error
	if errors.As(err, &de) {
		fmt.Fprintf(w, "%s\n", escape.Lines(err.Error()))
		return
	}
	fmt.Fprintf(w, "sim: %s\n", escape.Lines(err.Error()))
}

// PrintPanic prints what sim says when it panics, recovered value r: a
// bug, never a stack trace.
func PrintPanic(w io.Writer, r any) {
	fmt.Fprintf(w, "sim: internal error: %v\nThis is a bug in sim. Please report it with the command line and the input files.\n", r)
}

// IsInputError reports whether err is about the input (a bad file or
// value, a run limit hit, a run that cannot go on): exit status 2.
func IsInputError(err error) bool {
	var de *diag.Error
	var dl diag.List
	var le *sim.LimitError
	var ce *sim.CrashError
	var he *sim.HotLoopError
	return errors.As(err, &de) || errors.As(err, &dl) || errors.As(err, &le) || errors.As(err, &ce) || errors.As(err, &he) || errors.Is(err, sim.ErrStuck)
}

// Result is what the CLI prints for one scenario: Stdout and Stderr of
// `sim run SCENARIO`, the file `sim render SCENARIO -o x.svg` writes
// (empty when the run failed), the exit status, and the breakers'
// transitions of the run, for a page to read the run by.
type Result struct {
	Stdout, Stderr string
	SVG            string
	Status         int
	Transitions    []Transition
}

// Transition is one breaker event of the run: at T, breaker Name went
// From → To.
type Transition struct {
	T              time.Duration
	Name, From, To string
}

// Run loads scenario, a slash-separated name in fsys, with its resources
// (read in fsys, as the scenario names them), and plays it once for both
// the log and the picture: the run is a pure function of its inputs, so
// its events are those `sim run` and `sim render` each get from a run of
// their own. A panic is reported as Main reports one.
func Run(fsys fs.FS, scenario string) (res Result) {
	var stdout, stderr, svg bytes.Buffer
	defer func() {
		if r := recover(); r != nil {
			PrintPanic(&stderr, r)
			res = Result{Stdout: stdout.String(), Stderr: stderr.String(), Status: StatusInternal}
		}
	}()
	events, err := run(fsys, scenario, &stdout, &stderr, &svg)
	res = Result{Stdout: stdout.String(), Status: StatusOK}
	if err != nil {
		PrintError(&stderr, err)
		res.Status = StatusFailed
		if IsInputError(err) {
			res.Status = StatusBadInput
		}
	} else {
		res.SVG = svg.String()
	}
	res.Stderr = stderr.String()
	for _, e := range events {
		if e.Kind == traces.Breaker {
			res.Transitions = append(res.Transitions, Transition{T: e.T, Name: e.Name, From: e.From, To: e.To})
		}
	}
	return res
}

func run(fsys fs.FS, scenario string, stdout, stderr, svg io.Writer) ([]traces.Event, error) {
	sc, err := sim.LoadScenarioFS(fsys, scenario)
	if err != nil {
		return nil, err
	}
	setup, err := Prepare(sc, sim.Overrides{}, stderr)
	if err != nil {
		return nil, err
	}
	log, err := NewLog(stdout, setup)
	if err != nil {
		return nil, err
	}
	var events traces.Collector
	eng := sim.NewEngine(setup, traces.Sinks{log, &events}, sim.Options{MaxEvents: sim.DefaultMaxEvents})
	defer eng.Close()
	runErr := eng.Run()
	// What the log holds up to a failure is printed, as `sim run` does.
	if err := log.Flush(); err != nil && runErr == nil {
		runErr = err
	}
	if runErr != nil {
		return events.Events, runErr
	}
	return events.Events, picture.WriteSVG(svg, events.Events, SVGOptions(setup, sc.Name))
}
