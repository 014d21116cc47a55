package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	bclock "github.com/benbjohnson/clock"
	"github.com/dapr-sim/sim/clock"
	"github.com/dapr-sim/sim/cmd/internal/play"
	"github.com/dapr-sim/sim/internal/input"
	"github.com/dapr-sim/sim/internal/ynode"
	"github.com/dapr-sim/sim/sim"
	"github.com/dapr-sim/sim/traces"
	"github.com/dapr-sim/sim/traces/prom"
	"github.com/spf13/cobra"
)

func newRunCommand(stdout, stderr io.Writer) *cobra.Command {
	var (
		tracePath   string
		traceFormat string
		dapr        string
		seed        int64
		maxEvents   int64
		speedText   string
		explain     bool
		sets        []string
		metrics     metricsOutput
	)
	c := &cobra.Command{
		Use:   "run SCENARIO",
		Short: "Run a scenario and print the sidecar's log",
		Long: "run plays SCENARIO on the virtual clock and prints, on stdout, the lines the Dapr\n" +
			"sidecar would log (INFO[0026] ..., in the wording of the selected Dapr release) and the\n" +
			"app's own lines (== APP == ...). Warnings about the input go to stderr.\n\n" +
			"Exit status: 0 the run completed; 2 the input could not be run (a bad scenario,\n" +
			"resource, flag or value, a run limit hit); 3 a bug in sim; 4 the log or the trace\n" +
			"could not be written (1 before sim had one status for that).",
		Example: "  sim run examples/quickstart/scenario.yaml\n" +
			"  sim run examples/quickstart/scenario.yaml --dapr 1.16 --trace trace.yaml\n" +
			"  sim run examples/quickstart/scenario.yaml --trace trace.jsonl --trace-format jsonl\n" +
			"  sim run examples/quickstart/scenario.yaml --set circuitBreakers.simpleCB.timeout=30s",
		Args: oneFile("scenario file"),
		RunE: func(c *cobra.Command, args []string) error {
			if c.Flags().Changed("trace") && tracePath == "" {
				return fmt.Errorf("%w: --trace needs a file name", errUsage)
			}
			if c.Flags().Changed("metrics") && metrics.path == "" {
				return fmt.Errorf("%w: --metrics needs a file name", errUsage)
			}
			if metrics.addr != "" {
				if !c.Flags().Changed("speed") {
					return fmt.Errorf("%w: --metrics-addr serves the metrics while the run plays: it needs --speed (sim metrics writes a whole run's)", errUsage)
				}
				if err := loopbackAddr(metrics.addr); err != nil {
					return err
				}
			}
			if metrics.path == input.Stdin {
				return fmt.Errorf("%w: --metrics: want a file name; stdout carries the log (sim metrics writes the metrics to stdout)", errUsage)
			}
			if traceFormat != "yaml" && traceFormat != "jsonl" {
				return fmt.Errorf("%w: --trace-format: want yaml or jsonl, got %q", errUsage, traceFormat)
			}
			if err := checkMaxEvents(maxEvents); err != nil {
				return err
			}
			var speed float64
			if c.Flags().Changed("speed") {
				// Read by the rule every number follows, then checked
				// against what can be played (again with the horizon, once
				// the scenario is loaded).
				v, err := ynode.ParseFloat(speedText)
				if err == nil {
					err = clock.CheckSpeed(v, 0)
				}
				if err != nil {
					return fmt.Errorf("%w: --speed: %v", errUsage, err)
				}
				speed = v
			}
			o, err := flagOverrides(c, dapr, seed, sets)
			if err != nil {
				return err
			}
			return runScenario(args[0], tracePath, traceFormat == "jsonl", o, maxEvents, speed, explain, metrics, stdout, stderr)
		},
	}
	f := c.Flags()
	f.StringVar(&tracePath, "trace", "", "write the trace (header and every event) to `FILE`; - writes it to stdout, in place of the log")
	f.StringVar(&traceFormat, "trace-format", "yaml", "form of the --trace file: yaml, or jsonl (one JSON object per line: the header, then each event)")
	f.StringVar(&dapr, "dapr", "", "Dapr release whose behaviour and log wording to model, 1.8 … 1.16 (default: the scenario's, else the newest)")
	f.Int64Var(&seed, "seed", 0, "seed for every random draw (default: the scenario's)")
	f.Int64Var(&maxEvents, "max-events", sim.DefaultMaxEvents, "stop a run that processes more than `N` events")
	f.StringArrayVar(&sets, "set", nil, setFlagUsage)
	f.BoolVar(&explain, "explain", false, "after each breaker transition, retry decision and failed step, print a line saying why, in numbers; after each delivery not acknowledged as taken and each redelivery, one saying what became of the message")
	f.StringVar(&metrics.path, "metrics", "", "write the metrics the sidecars would export, sampled at every virtual scrape, to `FILE` (OpenMetrics text; see sim metrics)")
	metrics.scrape.add(f)
	f.StringVar(&metrics.addr, "metrics-addr", "", "with --speed, serve the sidecars' metrics on `ADDR`, HOST:PORT on loopback (port 0 picks one), at /metrics while the run plays, as a sidecar does")
	f.StringVar(&speedText, "speed", "", "play the log in real time at `X` times the virtual speed (1 = as a sidecar would print it); for live demos")
	return c
}

// metricsOutput is where `sim run --metrics` writes, and its scrapes.
type metricsOutput struct {
	path   string
	addr   string // --metrics-addr: serve them live
	scrape scrapeFlags
}

func runScenario(path, tracePath string, jsonl bool, o sim.Overrides, maxEvents int64, speed float64, explain bool, metrics metricsOutput, stdout, stderr io.Writer) error {
	sc, err := sim.LoadScenario(path)
	if err != nil {
		return err
	}
	if err := new(files).read(path).read(sc.ResourcePaths()...).write(tracePath, metrics.path).writeStdout(stdout).check(); err != nil {
		return err
	}
	if speed > 0 {
		if err := clock.CheckSpeed(speed, sc.Duration); err != nil {
			return fmt.Errorf("%w: --speed: %v", errUsage, err)
		}
	}
	setup, err := prepare(sc, o, stderr)
	if err != nil {
		return err
	}
	var (
		rec      *prom.Recorder
		promOpts prom.Options
	)
	if metrics.path != "" || metrics.addr != "" {
		if promOpts, err = metrics.scrape.options(setup); err != nil {
			return err
		}
		rec = prom.New(setup.MetricSidecars(), promOpts)
	}
	// --trace - puts the trace on stdout, alone: the log is left out (it is
	// a projection of the trace: `sim replay - --print` prints it).
	traceToStdout := tracePath == input.Stdin
	logOut := stdout
	if traceToStdout {
		logOut = io.Discard
	}
	log, err := play.NewLog(logOut, setup)
	if err != nil {
		return err
	}
	log.Explain = explain
	stream := newStreamLog(log, isTerminal(stdout), bclock.New())
	defer stream.Close()
	sinks := traces.Sinks{stream}
	var pacer *clock.Pacer
	if speed > 0 {
		// Playback waits on the real clock; the run itself stays virtual
		// and its output is the same bytes, only spread over time.
		pacer = clock.NewPacer(bclock.New(), speed)
		sinks = traces.Sinks{&pacedLog{log: log, pacer: pacer}}
	}

	var out *atomicFile
	var tw *traces.TraceWriter
	var async *asyncSink
	if tracePath != "" {
		var w io.Writer = stdout
		if !traceToStdout {
			out, err = createAtomic(tracePath)
			if err != nil {
				return err
			}
			defer out.Abort() // a no-op once committed
			stop := out.AbortOnSignal()
			defer stop()
			w = out
		}
		newWriter := traces.NewTraceWriter
		if jsonl {
			newWriter = traces.NewJSONLWriter
		}
		tw, err = newWriter(w, setup.Header())
		if err != nil {
			return err
		}
		async = newAsyncSink(tw)
		sinks = append(sinks, async)
	}
	var live *liveMetrics
	switch {
	case metrics.addr != "":
		live, err = startLive(metrics.addr, rec, pacer, stderr)
		if err != nil {
			return err
		}
		defer live.Close()
		sinks = append(sinks, live)
	case rec != nil:
		sinks = append(sinks, rec)
	}
	eng := sim.NewEngine(setup, sinks, sim.Options{MaxEvents: maxEvents})
	defer eng.Close()
	runErr := eng.Run()
	if async != nil {
		// Every event handed over is written (or its error known) before
		// anything is flushed, committed or removed.
		// The run stopped on the trace's error (at a later event) or
		// ended before the writer met it: either way it is reported the
		// same.
		if err := async.Close(); err != nil && (runErr == nil || errors.Is(runErr, err)) {
			runErr = writeErrorf("write trace %s: %w", outputName(tracePath), err)
		}
	}
	if err := log.Flush(); err != nil && runErr == nil {
		runErr = writeErrorf("write log: %w", err)
	}
	if runErr != nil {
		return runErr
	}
	// The live server still answers scrapes until this function returns,
	// so the recorder is closed under its lock; without one, as is.
	switch {
	case live != nil:
		live.closeRecorder()
	case rec != nil:
		rec.Close()
	}
	if rec != nil && metrics.path != "" {
		// Written whole once the run has ended: OpenMetrics keeps each
		// family's samples together, so no sample can be written before
		// the last event is known.
		if err := checkSampleLines(rec, promOpts); err != nil {
			return err
		}
		if err := writeAtomic(metrics.path, rec.WriteOpenMetrics); err != nil {
			return err
		}
	}
	if tw != nil {
		if err := tw.Close(); err != nil {
			return writeErrorf("write trace %s: %w", outputName(tracePath), err)
		}
		if out != nil {
			if err := out.Commit(); err != nil {
				return err
			}
		}
	}
	return nil
}

// outputName is how messages name an output: "-" is stdout.
func outputName(path string) string {
	if path == input.Stdin {
		return "stdout"
	}
	return path
}

// atomicFile is written under a temporary name beside its target and renamed
// into place only when complete, so a failed or interrupted run never leaves
// a partial file under the name the user asked for. A target that exists and
// is not a regular file (/dev/null, a named pipe a reader waits on) is
// written in place (direct): renaming over it would replace the device with
// a file, and there is no partial file to hide. So is a link under /dev or
// /proc (/dev/stdout); through any other link the file it names is
// replaced and the link kept.
type atomicFile struct {
	*os.File
	target string // as the user named it, for messages
	dest   string // what the rename replaces: target, or the file a link to it names
	direct bool
	done   bool
}

func createAtomic(target string) (*atomicFile, error) {
	dest := target // what the finished file replaces
	if info, err := os.Lstat(target); err == nil && info.Mode()&os.ModeSymlink != 0 {
		if streamLink(target) {
			return openDirect(target)
		}
		// A link to a file: the file is replaced and the link kept.
		if resolved, err := filepath.EvalSymlinks(target); err == nil {
			dest = resolved
		} else if link, err := os.Readlink(target); err == nil {
			if !filepath.IsAbs(link) {
				link = filepath.Join(filepath.Dir(target), link)
			}
			dest = link // a dangling link: create what it names
		}
	}
	if info, err := os.Stat(dest); err == nil && !info.Mode().IsRegular() {
		if info.IsDir() {
			return nil, writeErrorf("create %s: is a directory", target)
		}
		return openDirect(target)
	}
	f, err := os.CreateTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".*.tmp")
	if err != nil {
		return nil, writeErrorf("create %s: %w", target, err)
	}
	return &atomicFile{File: f, target: target, dest: dest}, nil
}

// streamLink reports a link under /dev or /proc (/dev/stdout, /dev/fd/3,
// /proc/self/fd/1): a stream the caller set up, written in place even when
// it leads to a regular file (stdout redirected to one).
func streamLink(path string) bool {
	abs, err := filepath.Abs(path)
	if err != nil {
		return false
	}
	return strings.HasPrefix(abs, "/dev/") || strings.HasPrefix(abs, "/proc/")
}

func openDirect(target string) (*atomicFile, error) {
	f, err := os.OpenFile(target, os.O_WRONLY, 0)
	if err != nil {
		return nil, writeErrorf("create %s: %w", target, err)
	}
	return &atomicFile{File: f, target: target, direct: true}, nil
}

// AbortOnSignal removes the temporary file if a terminating signal ends
// the process (see terminating) before Commit. The returned function stops
// watching.
func (a *atomicFile) AbortOnSignal() (stop func()) {
	return onSignal(func() {
		if !a.direct && !a.done {
			os.Remove(a.File.Name())
		}
	})
}

// Write writes to the file; an error names the file as the user did, never
// the temporary file.
func (a *atomicFile) Write(p []byte) (int, error) {
	n, err := a.File.Write(p)
	return n, a.userPath(err)
}

// WriteString is Write for a string (io.StringWriter, which bufio uses).
func (a *atomicFile) WriteString(s string) (int, error) {
	n, err := a.File.WriteString(s)
	return n, a.userPath(err)
}

// ReadFrom copies r into the file (io.ReaderFrom, which bufio and io.Copy
// use).
func (a *atomicFile) ReadFrom(r io.Reader) (int64, error) {
	n, err := a.File.ReadFrom(r)
	return n, a.userPath(err)
}

// userPath puts the target's name in place of the temporary file's in err.
func (a *atomicFile) userPath(err error) error {
	var pe *os.PathError
	if a.direct || !errors.As(err, &pe) {
		return err
	}
	c := *pe
	c.Path = a.target
	return &c
}

func (a *atomicFile) Commit() error {
	if a.direct {
		a.done = true
		if err := a.File.Close(); err != nil {
			return writeErrorf("write %s: %w", a.target, err)
		}
		return nil
	}
	// CreateTemp makes the file private; a trace is an ordinary output.
	if err := a.File.Chmod(0o644); err != nil {
		a.Abort()
		return writeErrorf("write %s: %s", a.target, input.ErrText(err))
	}
	if err := a.File.Close(); err != nil {
		a.Abort()
		return writeErrorf("write %s: %s", a.target, input.ErrText(err))
	}
	var err error
	signalsHeld(func() {
		if err = os.Rename(a.File.Name(), a.dest); err != nil {
			os.Remove(a.File.Name())
			var le *os.LinkError
			if errors.As(err, &le) {
				err = le.Err
			}
		}
		a.done = true
	})
	if err != nil {
		return writeErrorf("write %s: %w", a.target, err)
	}
	return nil
}

// Abort removes the temporary file (closes a direct one); a no-op once
// committed.
func (a *atomicFile) Abort() {
	signalsHeld(func() {
		if a.done {
			return
		}
		a.File.Close()
		if !a.direct {
			os.Remove(a.File.Name())
		}
		a.done = true
	})
}

// pacedLog prints each log line when the real clock reaches its virtual
// instant (scaled by --speed), flushing line by line.
type pacedLog struct {
	log   *traces.LogWriter
	pacer *clock.Pacer
}

func (p *pacedLog) Record(e *traces.Event) error {
	_, printed := p.log.Line(e)
	_, explained := traces.Explanation(e)
	if !printed && !(p.log.Explain && explained) {
		return nil
	}
	p.pacer.Wait(e.T)
	if err := p.log.Record(e); err != nil {
		return err
	}
	return p.log.Flush()
}
