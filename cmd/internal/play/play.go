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
	"github.com/dapr-sim/sim/picture/page"
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

// ErrUsage marks an error in what a command was asked to do (a flag's
// value, a window a page cannot draw) rather than in the input files:
// sim's usage errors, exit status 2, printed "sim: usage: …".
var ErrUsage = errors.New("usage")

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

// PageRun is the run `sim render -o FILE.html` draws for setup, named
// name, of Dapr release dapr and seed seed (a scenario's, or a trace
// header's), its log worded by wording: the whole run; a window sets
// From, To and HasTo.
func PageRun(setup *sim.Setup, name, dapr string, seed int64, wording traces.Wording) picture.PageRun {
	return picture.PageRun{Name: name, Dapr: dapr, Seed: seed, Horizon: setup.Scenario.Duration, Wording: wording,
		Settings: setup.BreakerSettings, Sidecars: len(setup.Sidecars) > 1}
}

// PageData folds the run's events into what the HTML replay page shows
// (picture.BuildPage): a snapshot at every event instant of run's window,
// taken by one replay of setup (sim.Snapshotter) while the events pass.
// events may be called more than once. A window the page cannot draw
// (picture.ErrPageWindow) is an ErrUsage.
func PageData(run picture.PageRun, setup *sim.Setup, events picture.Events) (*page.Data, error) {
	d, err := picture.BuildPage(run, func() picture.PageSnapshots { return sim.NewSnapshotter(setup) }, events)
	if errors.Is(err, picture.ErrPageWindow) {
		return nil, fmt.Errorf("%w: %w", ErrUsage, err)
	}
	return d, err
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
//
// Page is the file `sim render SCENARIO -o x.html` writes, the replay
// page, when the run succeeded; PageError, when the run succeeded but the
// page cannot be drawn (a run of more than picture.MaxPageInstants event
// instants), is what sim render prints on stderr then. The run's output
// is still all there.
type Result struct {
	Stdout, Stderr string
	SVG            string
	Page           string
	PageError      string
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
	var stdout, stderr, svg, html bytes.Buffer
	defer func() {
		if r := recover(); r != nil {
			PrintPanic(&stderr, r)
			res = Result{Stdout: stdout.String(), Stderr: stderr.String(), Status: StatusInternal}
		}
	}()
	events, pageErr, err := run(fsys, scenario, &stdout, &stderr, &svg, &html)
	res = Result{Stdout: stdout.String(), Status: StatusOK}
	if err != nil {
		PrintError(&stderr, err)
		res.Status = StatusFailed
		if IsInputError(err) {
			res.Status = StatusBadInput
		}
	} else {
		res.SVG = svg.String()
		res.Page = html.String()
		if pageErr != nil {
			var msg bytes.Buffer
			PrintError(&msg, pageErr)
			res.PageError = msg.String()
		}
	}
	res.Stderr = stderr.String()
	for _, e := range events {
		if e.Kind == traces.Breaker {
			res.Transitions = append(res.Transitions, Transition{T: e.T, Name: e.Name, From: e.From, To: e.To})
		}
	}
	return res
}

// run plays scenario once: the log to stdout, warnings to stderr, and
// from the run's events the SVG to svg and the replay page to html. The
// page's snapshots replay the run (sim.Snapshotter) against the events
// recorded here, which are those a run of `sim render`'s own gives: the
// run is a pure function of its inputs. A page that cannot be drawn is
// pageErr, not a failed run.
func run(fsys fs.FS, scenario string, stdout, stderr, svg, html io.Writer) (events []traces.Event, pageErr, err error) {
	sc, err := sim.LoadScenarioFS(fsys, scenario)
	if err != nil {
		return nil, nil, err
	}
	setup, err := Prepare(sc, sim.Overrides{}, stderr)
	if err != nil {
		return nil, nil, err
	}
	wording, err := traces.WordingFor(setup.Profile.Version)
	if err != nil {
		return nil, nil, err
	}
	log, err := NewLog(stdout, setup)
	if err != nil {
		return nil, nil, err
	}
	var c traces.Collector
	eng := sim.NewEngine(setup, traces.Sinks{log, &c}, sim.Options{MaxEvents: sim.DefaultMaxEvents})
	defer eng.Close()
	runErr := eng.Run()
	// What the log holds up to a failure is printed, as `sim run` does.
	if err := log.Flush(); err != nil && runErr == nil {
		runErr = err
	}
	if runErr != nil {
		return c.Events, nil, runErr
	}
	if err := picture.WriteSVG(svg, c.Events, SVGOptions(setup, sc.Name)); err != nil {
		return c.Events, nil, err
	}
	recorded := func(sink traces.Sink) error {
		for i := range c.Events {
			// A copy: a sink may keep what it is handed.
			e := c.Events[i]
			if err := sink.Record(&e); err != nil {
				return err
			}
		}
		return nil
	}
	d, err := PageData(PageRun(setup, sc.Name, setup.Profile.Version, setup.Seed, wording), setup, recorded)
	if err != nil {
		return c.Events, err, nil
	}
	return c.Events, nil, page.Write(html, d)
}
