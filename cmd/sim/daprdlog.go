package main

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dapr-sim/sim/daprlog"
	"github.com/dapr-sim/sim/policies"
	"github.com/dapr-sim/sim/sim"
	"github.com/dapr-sim/sim/traces"
)

// logSeeds is how many runs the simulation of a log's outage makes per
// operation, seeds 1 to logSeeds: the model draws go-redis's backoff at
// random, and a line is required only when every run has it, at instants
// within the runs' spread.
const logSeeds = 8

// stateOps are the state API calls a failed call through a state store
// may have been: a log names the component, not the call, and a save (one
// EVAL) fails sooner than a get (HGETALL, then GET), so both are run.
var stateOps = []string{"save", "get"}

// logMaxEvents bounds each run: an outage of a day at one call a second is
// about a million events.
const logMaxEvents = 20_000_000

// logBounds are what a run of a log's simulation may take: events kept
// (logKeep) and events processed.
type logBounds struct {
	keep   int
	events int64
}

// logEvents is how many events a run of a log's simulation may process
// unless --max-events says: a million, and 100,000 for each of the log's
// resiliency lines (an outage of a fortnight retried every 5 s, shown by
// a notice and a Recovered line), up to logMaxEvents. A notice and a
// Recovered line nine months apart, under a policy that retries every
// 5 s with no breaker, ran 20M events a run, 16 runs, a minute and a half.
func logEvents(lines int) int64 { return min(1_000_000+100_000*int64(lines), logMaxEvents) }

// outageScenario writes the scenario a plan implies, as a scenario file
// would say it, so that sim.ParseScenario checks it as it checks any
// other: one app loop of one iteration per failed call (a state store's
// op, a pub/sub component's publish) started lead before its notice's
// instant (the time its first attempt takes to fail), the component
// stopped just before its first failing call and started again before the
// line that shows it back. A call made while the breaker was open fails
// at once, so it starts lead too early: a small error next to the
// breaker's timeout.
func outageScenario(p *daprlog.Plan, dir, appID, release, op string, seed int, lead time.Duration) string {
	var b strings.Builder
	q := strconv.Quote
	// --resources may name a folder or one file, as the scenario's
	// resourcesPath and resiliency keys do (the bytes are read already).
	key := "resourcesPath"
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		key = "resiliency"
	}
	fmt.Fprintf(&b, "version: 1\nname: daprd-log\ndapr: %s\nseed: %d\nduration: %s\n%s: %s\napps:\n",
		q(release), seed, p.Horizon, key, q(dir))
	if appID == "" {
		appID = "app" // resources scoped to no app apply to any
	}
	for _, c := range p.Components {
		for _, e := range c.Calls {
			fmt.Fprintf(&b, "  - id: %s\n    start: %s\n    iterations: 1\n    steps:\n", q(appID), max(e.Lo()-lead, 0))
			if strings.HasPrefix(c.Type, "state.") {
				fmt.Fprintf(&b, "      - %s: %s\n", op, q(c.Name))
			} else {
				fmt.Fprintf(&b, "      - publish: {pubsub: %s, topic: daprd-log}\n", q(c.Name))
			}
		}
	}
	b.WriteString("faults:\n")
	for _, c := range p.Components {
		for _, o := range c.Outages {
			fmt.Fprintf(&b, "  - at: %s\n    stop: %s\n", max(o.Down-lead, 0), q(c.Name))
			if o.Up != nil {
				fmt.Fprintf(&b, "  - at: %s\n    start: %s\n", o.Back, q(c.Name))
			}
		}
	}
	return b.String()
}

// eventList keeps the events of a run the comparison reads: breaker
// transitions, Recovered lines, failed calls, and each operation's first
// retry notice (the one the run's instants are moved by; a run's other
// events, later notices among them, are most of it).
//
// It keeps at most limit of them: a run logging far more than the log
// has lines to compare with disagrees with it wholesale (a breaker
// flipping every few seconds through a months-long outage the log shows
// in three lines), and keeping every transition of such a run took
// gigabytes. Past limit, Record stops the run with a *keepError.
type eventList struct {
	events  []daprlog.Simulated
	noticed map[string]bool
	limit   int
}

// keepError is a run stopped for logging more than the comparison keeps.
type keepError struct{ limit int }

func (e *keepError) Error() string {
	return fmt.Sprintf("it logs more than %d breaker transitions, Recovered lines and failed calls, far more than the log has lines to compare them with", e.limit)
}

func (l *eventList) Record(e *traces.Event) error {
	switch {
	case e.Kind == traces.Retry && e.Notice:
		if l.noticed[e.Operation] {
			return nil
		}
		if l.noticed == nil {
			l.noticed = map[string]bool{}
		}
		l.noticed[e.Operation] = true
	case e.Kind == traces.Breaker, e.Kind == traces.Recovered, e.Kind == traces.Op && e.Outcome == traces.Error:
		if len(l.events) >= l.limit+len(l.noticed) {
			return &keepError{limit: l.limit}
		}
	default:
		return nil
	}
	l.events = append(l.events, daprlog.SimulatedOf(e))
	return nil
}

// logKeep is how many events a run of a log's simulation may keep: a
// multiple of the log's resiliency lines (the lines the runs' events are
// compared with) and some to spare for a short log.
func logKeep(lines int) int { return 1024 + 8*lines }

// simulateLog runs the plan's scenario once per operation and seed, the
// runs in parallel, and returns what they expect of the log
// (daprlog.Expect). The runs are folded in (operation, seed) order, the
// same lines whatever the number of cores, each as soon as it and the
// runs before it have ended: at most one run more than there are workers
// is held at a time, not all of them (a long log's runs each keep
// thousands of events).
func simulateLog(p *daprlog.Plan, src *policies.Sources, dir, appID, release string, b logBounds) ([]daprlog.Expected, error) {
	if p.Anchor == nil {
		return nil, nil
	}
	type job struct {
		op   string
		seed int
	}
	var jobs []job
	for _, op := range logOps(p) {
		for seed := 1; seed <= logSeeds; seed++ {
			jobs = append(jobs, job{op, seed})
		}
	}
	workers := min(runtime.GOMAXPROCS(0), len(jobs))
	runs := make([][]daprlog.Simulated, len(jobs))
	errs := make([]error, len(jobs))
	done := make([]chan struct{}, len(jobs))
	for i := range done {
		done[i] = make(chan struct{})
	}
	// A slot is taken as a run is handed out and given back once it is
	// folded: a run that ends before those before it waits in runs.
	slots := make(chan struct{}, workers+1)
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				runs[i], errs[i] = simulateRun(p, src, dir, appID, release, jobs[i].op, jobs[i].seed, b)
				close(done[i])
			}
		}()
	}
	go func() {
		for i := range jobs {
			slots <- struct{}{}
			next <- i
		}
		close(next)
	}()
	x := daprlog.NewExpectation(p)
	for i := range jobs {
		<-done[i]
		if errs[i] == nil {
			x.Add(runs[i])
		}
		runs[i] = nil
		<-slots
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("simulate the outage the log implies (%s, seed %d): %w", jobs[i].op, jobs[i].seed, err)
		}
	}
	return x.Lines(), nil
}

// simulateRun runs the plan as op with seed. A pilot run of the first
// call alone tells how long its first attempt takes to fail before the
// notice; the run then issues every call that much earlier, so that the
// notices fall on the log's.
func simulateRun(p *daprlog.Plan, src *policies.Sources, dir, appID, release, op string, seed int, b logBounds) ([]daprlog.Simulated, error) {
	pilot := *p
	for _, c := range p.Components {
		if c.Operation == p.Anchor.Operation {
			c.Calls = c.Calls[:1]
			c.Outages = []daprlog.Outage{{First: c.Outages[0].First, Down: c.Outages[0].Down}}
			pilot.Components = []daprlog.Component{c}
			break
		}
	}
	pilot.Horizon = p.Anchor.Lo() + time.Minute
	events, err := simulateOnce(outageScenario(&pilot, dir, appID, release, op, seed, 0), src, b)
	if err != nil {
		return nil, err
	}
	lead := max(firstNotice(events, p.Anchor.Operation)-p.Anchor.Lo(), 0)
	return simulateOnce(outageScenario(p, dir, appID, release, op, seed, lead), src, b)
}

// firstNotice is the instant of a run's first retry notice for op (0: none).
func firstNotice(events []daprlog.Simulated, op string) time.Duration {
	for i := range events {
		if e := &events[i]; e.Kind == traces.Retry && e.Notice && e.Operation == op {
			return e.T
		}
	}
	return 0
}

// simulateOnce runs one scenario text over the resources read already and
// returns its events.
func simulateOnce(text string, src *policies.Sources, b logBounds) ([]daprlog.Simulated, error) {
	setup, err := prepareLogScenario(text, src)
	if err != nil {
		return nil, err
	}
	events := eventList{limit: b.keep}
	eng := sim.NewEngine(setup, &events, sim.Options{MaxEvents: b.events})
	defer eng.Close()
	if err := eng.Run(); err != nil {
		return nil, err
	}
	return events.events, nil
}

// parsing lets one run at a time parse its scenario: a long log's has an
// app per failed call, and its YAML tree, short-lived, is most of the
// memory a run takes (two trees at once on two cores, not one).
var parsing sync.Mutex

func prepareLogScenario(text string, src *policies.Sources) (*sim.Setup, error) {
	parsing.Lock()
	defer parsing.Unlock()
	sc, err := sim.ParseScenario("daprd-log scenario", []byte(text))
	if err != nil {
		return nil, err
	}
	return sim.Prepare(sc, sim.Overrides{Sources: src})
}

// logOps are the operations the failed calls are simulated as: a state
// store's save and get, or a pub/sub component's publish.
func logOps(p *daprlog.Plan) []string {
	for _, c := range p.Components {
		if strings.HasPrefix(c.Type, "state.") {
			return stateOps
		}
	}
	return []string{"publish"}
}

// describePlan is the line that says what was simulated: each outage,
// or with more than three the count, the first and the last.
func describePlan(lg *daprlog.Log, p *daprlog.Plan) string {
	var parts []string
	calls := 0
	for _, c := range p.Components {
		calls += len(c.Calls)
		span := func(o daprlog.Outage) string {
			s := fmt.Sprintf("from line %d (%s)", o.First.Line, lg.Stamp(o.First.At))
			if o.Up == nil {
				return s + " to the log's end"
			}
			return s + fmt.Sprintf(" to line %d (%s)", o.Up.Line, lg.Stamp(o.Up.At))
		}
		switch n := len(c.Outages); {
		case n > 3:
			parts = append(parts, fmt.Sprintf("%s failing %d times, first %s, last %s", c.Name, n, span(c.Outages[0]), span(c.Outages[n-1])))
		default:
			for _, o := range c.Outages {
				parts = append(parts, c.Name+" failing "+span(o))
			}
		}
	}
	return fmt.Sprintf("outage: %s; %d failed call(s), one per retry notice; simulated as %s, seeds 1–%d each", strings.Join(parts, ", "), calls, strings.Join(logOps(p), " and "), logSeeds)
}
