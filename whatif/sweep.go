package whatif

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/dapr-sim/sim/internal/diag"
	"github.com/dapr-sim/sim/internal/escape"
	"github.com/dapr-sim/sim/internal/grid"
	"github.com/dapr-sim/sim/sim"
	"github.com/dapr-sim/sim/traces"
)

// Sweep is one `sim sweep`: a scenario read once, the axes of its --set
// flags, the grid of their values and seeds, and the slice of it to run.
type Sweep struct {
	File      string
	Data      []byte        // the scenario, read once and parsed once (Check)
	Base      sim.Overrides // what every run shares: Dapr, Seed, Sources
	MaxEvents int64
	Jobs      int // runs at once
	Axes      []Axis
	Shard     grid.Shard
	Sharded   bool // --shard was given: rows name their run
	// Messages says the scenario has pub/sub messages or input binding
	// events (publish steps, subscriptions, input bindings): the rows get
	// the message columns. Check decides it from the scenario, not from a
	// run's metrics, so every shard of a sweep has the same columns.
	Messages bool

	// sc is the scenario as Check parsed it: every run prepares its own
	// setup from it, and neither Prepare nor a run changes it.
	sc        *sim.Scenario
	grid      *grid.Grid
	runs      []int // the run indexes of this shard, in order
	firstSeed int64
}

// Row is one run's outcome: its metrics (counts and durations), the
// warnings its input drew, or the error that stopped it.
type Row struct {
	Run      grid.Run
	Metrics  traces.Metrics
	Warnings []string
	Err      error
}

// Check checks the scenario, and every value of every axis alone (on
// s.Jobs goroutines), so a bad value stops the sweep before any run; errs (the --set flags that did not
// parse) are reported with those found here.
func (s *Sweep) Check(errs diag.List) error {
	// Not the warnings of the files as written, which no run may play when
	// --set replaces the value warned about: each run's warnings come with
	// its row.
	sc, err := sim.ParseScenario(s.File, s.Data)
	if err != nil {
		return diag.Collect(errs, err, "").Err()
	}
	base, err := sim.Prepare(sc, s.Base)
	if err != nil {
		return diag.Collect(errs, err, "").Err()
	}
	s.Messages = hasMessages(sc)
	s.sc = sc
	type value struct {
		axis  Axis
		value string
	}
	var values []value
	for _, a := range s.Axes {
		for _, v := range a.Values {
			values = append(values, value{a, v})
		}
	}
	// The values are checked on the workers the runs will use: a grid
	// of many values would otherwise keep all cores but one idle before
	// the first run. Their problems are reported in flag order.
	problems := make([]error, len(values))
	parallel(s.Jobs, len(values), func(i int) {
		o := s.Base
		err := values[i].axis.Set(&o, values[i].value)
		if err == nil {
			_, err = s.setup(o, base.Seed)
		}
		problems[i] = err
	})
	seen := map[string]bool{}
	for _, err := range problems {
		if err == nil {
			continue
		}
		// A problem of the path (an unknown policy) comes once per value.
		for _, d := range diag.Collect(nil, err, "") {
			if !seen[d.Error()] {
				seen[d.Error()] = true
				errs = append(errs, d)
			}
		}
	}
	if err := errs.Err(); err != nil {
		return err
	}
	s.firstSeed = base.Seed
	if s.Base.Seed != nil {
		s.firstSeed = *s.Base.Seed
	}
	return nil
}

// Plan lays out the grid of a checked sweep, seeds per combination, and the
// runs of its shard; an error says why the grid cannot be.
func (s *Sweep) Plan(seeds int) error {
	names := make([]grid.Axis, len(s.Axes))
	for i, a := range s.Axes {
		names[i] = grid.Axis{Name: a.Edit.Path(), Values: a.Values}
	}
	g, err := grid.New(names, s.firstSeed, seeds)
	if err != nil {
		return err
	}
	s.grid = g
	s.runs = g.Runs(s.Shard)
	return nil
}

// Len is the number of runs in the whole grid; Runs those of the shard.
func (s *Sweep) Len() int  { return s.grid.Len() }
func (s *Sweep) Runs() int { return len(s.runs) }

// setup prepares one run from the scenario parsed once and its resources
// read once: runs share nothing a run changes.
func (s *Sweep) setup(o sim.Overrides, seed int64) (*sim.Setup, error) {
	o.Seed = &seed
	return sim.Prepare(s.sc, o)
}

// parallel calls f(0) … f(n-1) on up to jobs goroutines (at least one)
// and returns when all have returned.
func parallel(jobs, n int, f func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(max(jobs, 1), n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				f(i)
			}
		}()
	}
	wg.Wait()
}

// errCancelled stops a run another run's failure made pointless.
var errCancelled = errors.New("cancelled: an earlier run failed")

// cancelAbove is a guard sink: it stops run index once some failed run
// has a smaller index (cutoff).
type cancelAbove struct {
	index  int64
	cutoff *atomic.Int64
}

func (c cancelAbove) Record(*traces.Event) error {
	if c.index > c.cutoff.Load() {
		return errCancelled
	}
	return nil
}

// Play plays the shard's runs on a pool of s.Jobs workers and returns their
// rows in run order; progress, if not nil, is called on the caller's
// goroutine with the number of runs finished, 0 first. Each run is one
// engine on one goroutine; only whole runs go in parallel, so a row is
// the same bytes whatever the number of cores. When a run fails, the runs
// after it are cancelled and those before it finish, so the error
// reported (Result), the first failing run in grid order, is the same
// whatever the scheduling.
func (s *Sweep) Play(progress func(done int)) []Row {
	if progress == nil {
		progress = func(int) {}
	}
	rows := make([]Row, len(s.runs))
	var cutoff atomic.Int64
	cutoff.Store(math.MaxInt64)
	type done struct {
		pos int
		row Row
	}
	jobs := min(max(s.Jobs, 1), len(s.runs))
	// Workers take the next run themselves, lower the cutoff themselves
	// when a run fails, and hand rows over through a buffer: no run waits
	// for another goroutine to be scheduled on a core the runs keep busy.
	finished := make(chan done, jobs)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				pos := int(next.Add(1) - 1)
				if pos >= len(s.runs) || int64(s.runs[pos]) > cutoff.Load() {
					return // the runs left are after a failed one (runs are in grid order)
				}
				row := s.one(s.grid.Run(s.runs[pos]), &cutoff)
				if err := row.Err; err != nil && !errors.Is(err, errCancelled) {
					for i := int64(row.Run.Index); ; {
						c := cutoff.Load()
						if i >= c || cutoff.CompareAndSwap(c, i) {
							break
						}
					}
				}
				finished <- done{pos, row}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(finished)
	}()

	progress(0)
	n := 0
	for d := range finished {
		rows[d.pos] = d.row
		n++
		progress(n)
	}
	return rows
}

// RunError is a run that failed, named by its index and values. Err is
// the cause, whose kind decides the exit status.
type RunError struct {
	Index  int
	Values string // the run's values and seed, as Describe words them
	Err    error
}

func (e *RunError) Error() string { return fmt.Sprintf("run %d (%s): %s", e.Index, e.Values, e.Err) }

// Result goes through the rows in run order: the warnings of the runs up
// to the first that failed, each once, and that failure (a *RunError), if
// any.
func (s *Sweep) Result(rows []Row) (warnings []string, err error) {
	warned := map[string]bool{}
	for _, r := range rows {
		for _, w := range r.Warnings {
			if !warned[w] {
				warned[w] = true
				warnings = append(warnings, w)
			}
		}
		if r.Err != nil && !errors.Is(r.Err, errCancelled) {
			// The run's values name what to fix; the status is the cause's.
			return warnings, &RunError{Index: r.Run.Index, Values: s.Describe(r.Run), Err: r.Err}
		}
	}
	return warnings, nil
}

// one prepares and plays one run, folding its events into counts as they
// come.
func (s *Sweep) one(r grid.Run, cutoff *atomic.Int64) Row {
	row := Row{Run: r}
	if int64(r.Index) > cutoff.Load() {
		row.Err = errCancelled
		return row
	}
	o := s.Base
	o.Edits = nil
	var err error
	for i, a := range s.Axes {
		if err = a.Set(&o, r.Values[i]); err != nil {
			break
		}
	}
	var setup *sim.Setup
	if err == nil {
		setup, err = s.setup(o, r.Seed)
	}
	if err != nil {
		row.Err = err
		return row
	}
	for _, w := range setup.Warnings {
		row.Warnings = append(row.Warnings, w.String())
	}
	row.Metrics, row.Err = Measure(setup, s.MaxEvents, traces.MeasureCounts, cancelAbove{int64(r.Index), cutoff})
	row.Metrics.Transitions = nil // a row shows counts and durations: keep a big grid's rows small
	return row
}

// Describe names a run by its values and seed, as an error about it does.
func (s *Sweep) Describe(r grid.Run) string {
	var parts []string
	for i, a := range s.Axes {
		parts = append(parts, escape.Text(a.Edit.Path()+"="+r.Values[i]))
	}
	parts = append(parts, fmt.Sprintf("seed %d", r.Seed))
	return strings.Join(parts, ", ")
}

// Measure runs a prepared scenario and folds its events into metrics as
// they come, holding none of them. guards see each event first; one that
// returns an error stops the run with it.
func Measure(setup *sim.Setup, maxEvents int64, mode traces.MeasureMode, guards ...traces.Sink) (traces.Metrics, error) {
	m := traces.NewMeasurer(mode)
	eng := sim.NewEngine(setup, append(traces.Sinks(guards), m), sim.Options{MaxEvents: maxEvents})
	defer eng.Close()
	if err := eng.Run(); err != nil {
		return traces.Metrics{}, err
	}
	return m.Metrics(), nil
}

// hasMessages reports whether a scenario can record what
// traces.Metrics.Messages looks for: a publish step's op event, or a
// deliver event of a subscription or an input binding.
func hasMessages(sc *sim.Scenario) bool {
	for _, a := range sc.Apps {
		if len(a.Subscriptions) > 0 || len(a.Bindings) > 0 {
			return true
		}
		for _, st := range a.Steps {
			if st.Op == sim.Publish {
				return true
			}
		}
	}
	return false
}
