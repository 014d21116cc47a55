package sim

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/dapr-sim/sim/clock"
	"github.com/dapr-sim/sim/policies/breaker"
	"github.com/dapr-sim/sim/policies/retry"
	"github.com/dapr-sim/sim/policies/timeout"
	"github.com/dapr-sim/sim/traces"
)

// Limits that bound every run besides its horizon.
const (
	// DefaultMaxEvents bounds the queue entries one run may process. A
	// virtual day of the quickstart's loop is about half a million; the
	// bound keeps a runaway scenario (`every: 1ns`) from filling memory with
	// miniredis keys and the disk with trace.
	DefaultMaxEvents = 10_000_000
	// maxSameInstant is how many queue entries may run without virtual time
	// moving before the run is declared stuck: nothing in the scenario takes
	// time (a retry duration of 0s against a failing store, or a loop with
	// no pause, no latency and overhead 0s).
	maxSameInstant = 1_000_000
)

// Fixed wording of the errors the simulated system produces. The store
// adapter maps every failure onto these, so no socket detail reaches a log.
const (
	errRefused = "connect: connection refused"
	// errInjected is a window's failure when it names no error of its own.
	errInjected = "injected fault"
)

// ErrStuck reports a run whose virtual time stopped advancing.
var ErrStuck = errors.New("virtual time stopped advancing")

// LimitError reports a run stopped by its event budget.
type LimitError struct {
	Events int64
	At     time.Duration
}

func (e *LimitError) Error() string {
	return fmt.Sprintf("stopped after %d events at %s: the event budget is spent (raise it with --max-events)", e.Events, e.At)
}

// CrashError reports that the real sidecar would have crashed here, e.g. on
// a component target naming a circuit breaker that does not exist: Dapr
// dereferences a nil template on the first request.
type CrashError struct {
	At  time.Duration
	Msg string
}

func (e *CrashError) Error() string {
	return fmt.Sprintf("at %s: Dapr would crash here: %s", e.At, e.Msg)
}

type evKind uint8

const (
	evFault    evKind = iota // a fault script entry fires; w is its index
	evIterate                // worker w begins its next iteration
	evAttempt                // worker w starts an attempt of its current step
	evAnswer                 // the target answers worker w's attempt
	evDeadline               // worker w's attempt timeout fires
	evWindow                 // fault window w changes (token: windowStart, windowEnd, windowDown, windowUp)
)

// What an evWindow entry marks, carried in its token.
const (
	windowStart uint32 = iota
	windowEnd
	windowDown
	windowUp
)

// event is one queue entry. It is small and has no pointers so the queue
// stays a flat slice the garbage collector does not scan.
type event struct {
	kind  evKind
	w     int32
	token uint32 // which attempt of worker w it belongs to; stale ones are dropped
}

// pipeline is the resolved policy chain of one target, shared by every
// worker calling it.
type pipeline struct {
	target         string
	operation      string
	retry          *retry.Policy
	timeout        timeout.Policy
	breaker        *breakerInst
	missingBreaker string
}

// breakerInst is one breaker instance: its settings and current state.
type breakerInst struct {
	settings breaker.Settings
	state    breaker.Breaker
	started  bool
}

// worker is one copy of an app loop and the call it has in flight.
type worker struct {
	app       *App
	index     int // within the app, 0-based
	iteration int
	tick      int64 // `every` grid position of the current iteration
	step      int   // 0-based index into app.Steps
	stopped   bool

	pl        *pipeline
	issued    time.Duration
	call      retry.Call
	attempt   int
	admitted  bool
	gen       uint64
	attemptT  timeout.Attempt
	token     uint32
	deadline  clock.Handle
	answerErr string // the attempt's result when it arrives ("" = ok)
}

// Engine runs one scenario. It is single-use and not safe for concurrent use.
type Engine struct {
	setup   *Setup
	sc      *Scenario
	q       *clock.Queue[event]
	rng     *rand.Rand
	sink    traces.Sink
	ev      traces.Event
	stores  map[string]*StateStore
	pipes   map[string]*pipeline
	workers []*worker

	brEff []breaker.Effect
	rtEff []retry.Effect
	toEff []timeout.Effect

	// windowCalls counts, per fault window, the attempts it applied to (for
	// failEvery).
	windowCalls []int

	maxEvents int64
	events    int64
	sameT     int
	lastT     time.Duration
	err       error
}

// Options tune a run.
type Options struct {
	// MaxEvents bounds the queue entries processed; 0 means DefaultMaxEvents.
	MaxEvents int64
}

// NewEngine builds an engine for a prepared scenario, recording to sink.
func NewEngine(s *Setup, sink traces.Sink, opt Options) *Engine {
	e := &Engine{
		setup:     s,
		sc:        s.Scenario,
		q:         clock.NewQueue[event](),
		rng:       rand.New(rand.NewPCG(uint64(s.Seed), 0x5eed5eed5eed5eed)),
		sink:      sink,
		stores:    map[string]*StateStore{},
		pipes:     map[string]*pipeline{},
		maxEvents: opt.MaxEvents,
	}
	if e.maxEvents <= 0 {
		e.maxEvents = DefaultMaxEvents
	}
	for _, st := range s.Stores {
		e.stores[st.Name] = newStore(st)
	}
	breakers := map[string]*breakerInst{}
	for _, name := range s.Targets {
		r := s.Spec.ComponentOutbound(name)
		p := &pipeline{target: name, operation: r.Operation, retry: r.Retry, timeout: timeout.Policy{Duration: r.Timeout}, missingBreaker: r.MissingBreaker}
		if r.Breaker != nil {
			// Inbound and outbound of a component share one instance in Dapr,
			// keyed by the component name.
			bi, ok := breakers[r.BreakerKey]
			if !ok {
				settings := r.Breaker.Resolve()
				bi = &breakerInst{settings: settings}
				breakers[r.BreakerKey] = bi
			}
			p.breaker = bi
		}
		e.pipes[name] = p
	}
	for ai := range e.sc.Apps {
		app := &e.sc.Apps[ai]
		for w := 0; w < app.Workers; w++ {
			e.workers = append(e.workers, &worker{app: app, index: w})
		}
	}
	return e
}

// Store returns the miniredis-backed store of that name, for tests and
// summaries, or nil.
func (e *Engine) Store(name string) *StateStore { return e.stores[name] }

// Now is the engine's virtual time.
func (e *Engine) Now() time.Duration { return e.q.Now() }

// Run plays the scenario to its horizon. Failures of the simulated system
// are events; an error here means the run itself could not go on (a sink
// failed, a limit was hit, the sidecar would have crashed).
func (e *Engine) Run() error {
	// Faults are queued first, so a fault and an attempt at the same instant
	// see the fault applied: a window starts at its `at`, inclusive.
	for i, f := range e.sc.Faults {
		e.scheduleAt(f.At, event{kind: evFault, w: int32(i)})
	}
	e.windowCalls = make([]int, len(e.sc.Windows))
	for i, w := range e.sc.Windows {
		e.scheduleAt(w.From, event{kind: evWindow, w: int32(i), token: windowStart})
		if w.HasTo {
			e.scheduleAt(w.To, event{kind: evWindow, w: int32(i), token: windowEnd})
		}
	}
	for i, w := range e.workers {
		if start, ok := w.start(); ok {
			e.scheduleAt(start, event{kind: evIterate, w: int32(i)})
		}
	}
	horizon := e.sc.Duration
	for e.err == nil {
		ev, _, ok := e.q.Pop(horizon)
		if !ok {
			break
		}
		e.events++
		if e.events > e.maxEvents {
			return &LimitError{Events: e.events - 1, At: e.q.Now()}
		}
		if now := e.q.Now(); now == e.lastT {
			e.sameT++
			if e.sameT > maxSameInstant {
				return fmt.Errorf("at %s: %w: %d events ran at this instant; something must take time: a retry duration above 0s, a store latency, a pause, or an overhead above 0s", now, ErrStuck, e.sameT)
			}
		} else {
			e.lastT, e.sameT = now, 0
		}
		e.dispatch(ev)
	}
	return e.err
}

// schedule queues ev after d, unless that is past the horizon (where
// nothing runs) — which also keeps huge durations from overflowing.
func (e *Engine) schedule(d time.Duration, ev event) clock.Handle {
	now := e.q.Now()
	if d < 0 || d > e.sc.Duration-now {
		return 0
	}
	return e.q.At(now+d, ev)
}

// scheduleAt queues ev at t if t is within the horizon.
func (e *Engine) scheduleAt(t time.Duration, ev event) clock.Handle {
	if t < e.q.Now() || t > e.sc.Duration {
		return 0
	}
	return e.q.At(t, ev)
}

func (e *Engine) dispatch(ev event) {
	switch ev.kind {
	case evFault:
		e.fault(&e.sc.Faults[ev.w])
	case evIterate:
		e.iterate(e.workers[ev.w], int(ev.w))
	case evAttempt:
		w := e.workers[ev.w]
		if ev.token == w.token {
			e.attempt(w, int(ev.w))
		}
	case evAnswer:
		w := e.workers[ev.w]
		if ev.token == w.token {
			e.answer(w, int(ev.w))
		}
	case evDeadline:
		w := e.workers[ev.w]
		if ev.token == w.token {
			e.expire(w, int(ev.w))
		}
	case evWindow:
		e.window(int(ev.w), ev.token)
	}
}

func (e *Engine) emit() {
	if e.err != nil {
		return
	}
	if err := e.sink.Record(&e.ev); err != nil {
		e.err = fmt.Errorf("record event: %w", err)
	}
}

func (e *Engine) fault(f *Fault) {
	name, up := f.Stop, false
	if f.Start != "" {
		name, up = f.Start, true
	}
	e.stores[name].up = up
	change := "stop"
	if up {
		change = "start"
	}
	e.ev = traces.Event{T: e.q.Now(), Kind: traces.Fault, Target: name, Change: change}
	e.emit()
}

// window records a fault window's changes in the trace. Whether an attempt
// is slowed or fails is decided from the window's definition when the
// attempt starts (see applyWindows), so these events only report.
func (e *Engine) window(i int, mark uint32) {
	w := &e.sc.Windows[i]
	e.ev = traces.Event{T: e.q.Now(), Kind: traces.Fault, Target: w.Target}
	switch mark {
	case windowStart:
		e.ev.Change, e.ev.Detail = w.Mode(), w.Detail()
	case windowEnd:
		e.ev.Change = "end"
	case windowDown:
		e.ev.Change = "down"
	case windowUp:
		e.ev.Change = "up"
	}
	e.emit()
	if w.Period <= 0 {
		return
	}
	// A flapping window reports each down and up; the next is queued from
	// this one, so the queue holds one entry per window at a time.
	now := e.q.Now()
	switch mark {
	case windowStart:
		e.ev = traces.Event{T: now, Kind: traces.Fault, Target: w.Target, Change: "down"}
		e.emit()
		e.flap(w, i, now+w.DownFor, windowUp)
	case windowDown:
		e.flap(w, i, now+w.DownFor, windowUp)
	case windowUp:
		e.flap(w, i, now-w.DownFor+w.Period, windowDown)
	}
}

func (e *Engine) flap(w *Window, i int, at time.Duration, mark uint32) {
	if w.HasTo && at >= w.To {
		return
	}
	e.scheduleAt(at, event{kind: evWindow, w: int32(i), token: mark})
}

// applyWindows returns the latency and outcome of an attempt of op on target
// starting now, under the fault windows that hold then. The longest window
// latency replaces the store's; the first failing window, in file order,
// decides the error. Random draws (errorRate) are made for every matching
// flaky window, in file order, so a run's draws depend only on its events.
func (e *Engine) applyWindows(target string, op OpKind, lat time.Duration) (time.Duration, string) {
	now := e.q.Now()
	errText := ""
	slow := time.Duration(-1)
	for i := range e.sc.Windows {
		w := &e.sc.Windows[i]
		if w.Target != target || !w.matches(op, now) {
			continue
		}
		if w.Latency != nil && *w.Latency > slow {
			slow = *w.Latency
		}
		fails := false
		switch {
		case w.Period > 0:
			fails = (now-w.From)%w.Period < w.DownFor
		case w.FailEvery > 0:
			e.windowCalls[i]++
			fails = e.windowCalls[i]%w.FailEvery == 0
		case w.ErrorRate > 0:
			fails = e.rng.Float64() < w.ErrorRate
		case w.Error != "":
			fails = true
		}
		if fails && errText == "" {
			errText = w.Error
			if errText == "" {
				errText = errInjected
				if w.Period > 0 {
					errText = errRefused // down like a stopped container
				}
			}
		}
	}
	if slow >= 0 {
		lat = slow
	}
	return lat, errText
}

func (e *Engine) iterate(w *worker, wi int) {
	if w.stopped {
		return
	}
	if w.app.Iterations > 0 && w.iteration >= w.app.Iterations {
		w.stopped = true
		return
	}
	w.iteration++
	w.step = 0
	e.issue(w, wi)
}

// issue starts the worker's current step: the app's request reaches the
// sidecar, which resolves the target's policies and begins the first attempt
// after its processing overhead.
func (e *Engine) issue(w *worker, wi int) {
	st := &w.app.Steps[w.step]
	w.pl = e.pipes[st.Target]
	w.issued = e.q.Now()
	w.attempt = 0
	if b := w.pl.breaker; b != nil {
		// Dapr makes the breaker instance when it first resolves the
		// target's policy, and from 1.11 reads its state right there.
		b.ensure(w.issued)
		if e.setup.Profile.BreakerReadOnResolve {
			e.consult(w, b)
			if e.err != nil {
				return
			}
		}
	}
	if w.pl.retry != nil {
		w.call = retry.Start(w.pl.retry, e.q.Now())
	}
	w.token++
	e.schedule(e.sc.Overhead, event{kind: evAttempt, w: int32(wi), token: w.token})
}

func (e *Engine) attempt(w *worker, wi int) {
	now := e.q.Now()
	pl := w.pl
	if pl.missingBreaker != "" {
		e.err = &CrashError{At: now, Msg: fmt.Sprintf("the component target %q names circuit breaker %q, which no loaded Resiliency defines; Dapr dereferences a nil breaker on the first request. Define spec.policies.circuitBreakers.%s or fix the name", pl.target, pl.missingBreaker, pl.missingBreaker)}
		return
	}
	if pl.retry != nil {
		var err error
		if w.call.State == retry.Waiting {
			w.call, e.rtEff, err = retry.Step(pl.retry, w.call, retry.Event{Kind: retry.WaitElapsed, Now: now}, e.rtEff[:0])
			if err != nil {
				e.invariant(w, err)
				return
			}
		}
		w.call, e.rtEff, err = retry.Step(pl.retry, w.call, retry.Event{Kind: retry.AttemptStarted, Now: now}, e.rtEff[:0])
		if err != nil {
			e.invariant(w, err)
			return
		}
	}
	w.attempt++
	w.admitted = false
	if b := pl.breaker; b != nil {
		var err error
		b.state, e.brEff, err = breaker.Step(b.state, &b.settings, breaker.Event{Kind: breaker.Requested, Now: now}, e.brEff[:0])
		if err != nil {
			e.invariant(w, err)
			return
		}
		rejected := ""
		for _, ef := range e.brEff {
			switch ef.Kind {
			case breaker.Changed:
				e.breakerChanged(b, ef)
			case breaker.Admitted:
				w.admitted, w.gen = true, ef.Generation
			case breaker.Rejected:
				rejected = ef.Reason.Error()
			}
		}
		if !w.admitted {
			e.finishAttempt(w, wi, traces.Rejected, rejected)
			return
		}
	}
	// The store does its work now; the answer arrives after its latency.
	st := &w.app.Steps[w.step]
	s := e.stores[st.Target]
	lat := s.latency
	if st.Latency != nil {
		lat = *st.Latency
	}
	if !s.up {
		w.answerErr = errRefused
	} else if lat, w.answerErr = e.applyWindows(st.Target, st.Op, lat); w.answerErr == "" {
		w.answerErr = s.do(w.app.ID, st, w.iteration, w.index)
	}
	e.schedule(lat, event{kind: evAnswer, w: int32(wi), token: w.token})
	var err error
	w.attemptT, e.toEff, err = timeout.Step(&pl.timeout, timeout.New(), timeout.Event{Kind: timeout.Started, Now: now}, e.toEff[:0])
	if err != nil {
		e.invariant(w, err)
		return
	}
	for _, ef := range e.toEff {
		if ef.Kind == timeout.ScheduleDeadline {
			// A deadline that overflowed or lies past the horizon never fires.
			w.deadline = e.scheduleAt(ef.At, event{kind: evDeadline, w: int32(wi), token: w.token})
		}
	}
}

func (e *Engine) answer(w *worker, wi int) {
	var err error
	w.attemptT, e.toEff, err = timeout.Step(&w.pl.timeout, w.attemptT, timeout.Event{Kind: timeout.Answered, Now: e.q.Now()}, e.toEff[:0])
	if err != nil {
		e.invariant(w, err)
		return
	}
	for _, ef := range e.toEff {
		switch ef.Kind {
		case timeout.Deliver:
			if w.deadline != 0 {
				e.q.Cancel(w.deadline)
				w.deadline = 0
			}
			if w.answerErr == "" {
				e.finishAttempt(w, wi, traces.OK, "")
			} else {
				e.finishAttempt(w, wi, traces.Error, w.answerErr)
			}
		case timeout.Discard:
			// Unreachable from the queue today: once an attempt has failed at
			// its deadline, the retry loop or the op's completion moves the
			// worker's token on, so the late answer is dropped in dispatch.
			// Kept so the machine, not the engine, owns the rule.
		}
	}
}

func (e *Engine) expire(w *worker, wi int) {
	now := e.q.Now()
	var err error
	w.attemptT, e.toEff, err = timeout.Step(&w.pl.timeout, w.attemptT, timeout.Event{Kind: timeout.DeadlineFired, Now: now}, e.toEff[:0])
	if err != nil {
		e.invariant(w, err)
		return
	}
	for _, ef := range e.toEff {
		if ef.Kind == timeout.Expired {
			w.deadline = 0
			e.ev = e.who(w, traces.Timeout)
			e.ev.Attempt = w.attempt
			e.emit()
			e.finishAttempt(w, wi, traces.Error, timeout.ErrDeadlineExceeded.Error())
		}
	}
	// The answer is still in the queue. When it arrives the worker's token
	// has moved on and dispatch drops it, as Dapr drops the late result of
	// the goroutine it stopped waiting for.
}

// finishAttempt feeds an attempt's outcome to the breaker (if it admitted
// the attempt) and then to the retry loop, in Dapr's order: the breaker's
// afterRequest runs inside Execute, before the retry loop sees the error.
func (e *Engine) finishAttempt(w *worker, wi int, outcome traces.Outcome, errText string) {
	now := e.q.Now()
	pl := w.pl
	stale := false // the breaker ignored this outcome: its generation has passed
	if b := pl.breaker; b != nil && w.admitted {
		kind := breaker.Succeeded
		if outcome != traces.OK {
			kind = breaker.Failed
		}
		var err error
		b.state, e.brEff, err = breaker.Step(b.state, &b.settings, breaker.Event{Kind: kind, Now: now, Generation: w.gen}, e.brEff[:0])
		if err != nil {
			e.invariant(w, err)
			return
		}
		for _, ef := range e.brEff {
			switch ef.Kind {
			case breaker.Changed:
				e.breakerChanged(b, ef)
			case breaker.Stale:
				stale = true
			}
		}
	}
	e.ev = e.who(w, traces.Call)
	e.ev.Attempt = w.attempt
	e.ev.Outcome = outcome
	e.ev.Error = errText
	e.ev.Stale = stale
	e.emit()

	if pl.retry == nil {
		e.complete(w, wi, outcome, errText)
		return
	}
	rev := retry.Event{Kind: retry.AttemptSucceeded, Now: now}
	if outcome != traces.OK {
		// A breaker refusal is made permanent by Dapr's runner so that the
		// retry loop ends at once; every other error is retried.
		rev = retry.Event{Kind: retry.AttemptFailed, Now: now, Permanent: outcome == traces.Rejected}
		// Draw only when the backoff will really compute a delay: not for a
		// permanent error, nor once maxRetries is spent (the wrapper stops
		// without asking the exponential backoff).
		if !rev.Permanent && pl.retry.NeedsJitter() && (pl.retry.MaxRetries < 0 || w.call.Tries < pl.retry.MaxRetries) {
			rev.Jitter = e.rng.Float64()
		}
	}
	var err error
	w.call, e.rtEff, err = retry.Step(pl.retry, w.call, rev, e.rtEff[:0])
	if err != nil {
		e.invariant(w, err)
		return
	}
	notice := false
	for _, ef := range e.rtEff {
		switch ef.Kind {
		case retry.Notice:
			notice = true
		case retry.Recovered:
			e.ev = e.who(w, traces.Recovered)
			e.ev.Operation = pl.operation
			e.ev.Attempts = int(ef.Attempts)
			e.emit()
		case retry.Wait:
			e.ev = e.who(w, traces.Retry)
			e.ev.Operation = pl.operation
			e.ev.Attempt = w.attempt
			e.ev.Delay = ef.Backoff // as Dapr reports it; a negative one waits 0
			e.ev.Notice = notice
			e.emit()
			w.token++
			if ef.Delay <= e.sc.Duration {
				e.schedule(ef.Delay+e.sc.Overhead, event{kind: evAttempt, w: int32(wi), token: w.token})
			}
		case retry.Done:
			e.complete(w, wi, traces.OK, "")
		case retry.GaveUp:
			e.complete(w, wi, outcome, errText)
		}
	}
}

// complete hands the step's final result to the app, which logs on success
// and moves on according to onError on failure.
func (e *Engine) complete(w *worker, wi int, outcome traces.Outcome, errText string) {
	st := &w.app.Steps[w.step]
	e.ev = e.who(w, traces.Op)
	e.ev.Attempts = w.attempt
	if outcome == traces.OK {
		e.ev.Outcome = traces.OK
		e.ev.Log = expand(st.Log, w.iteration, w.index)
	} else {
		e.ev.Outcome = traces.Error
		e.ev.Error = apiError(st, w.iteration, w.index, errText)
	}
	e.ev.Took = e.q.Now() - w.issued
	e.emit()
	w.token++ // nothing of this step may touch the worker any more

	next := w.step + 1
	if outcome != traces.OK {
		switch w.app.OnError {
		case Skip:
			next = len(w.app.Steps)
		case Stop:
			w.stopped = true
			return
		}
	}
	if next < len(w.app.Steps) {
		w.step = next
		e.issue(w, wi)
		return
	}
	e.endIteration(w, wi)
}

func (e *Engine) endIteration(w *worker, wi int) {
	app := w.app
	now := e.q.Now()
	if app.Every <= 0 {
		e.schedule(app.Pause, event{kind: evIterate, w: int32(wi)})
		return
	}
	// Fixed rate on the grid start + k*every: the next iteration starts on
	// the first tick at or after now — an iteration that ends exactly on a
	// tick starts the next one there; an overrun skips the ticks it covered.
	start, _ := w.start()
	k := int64((now - start + app.Every - 1) / app.Every)
	if k <= w.tick {
		k = w.tick + 1
	}
	w.tick = k
	if k > int64((e.sc.Duration-start)/app.Every) {
		return // past the horizon
	}
	e.q.At(start+time.Duration(k)*app.Every, event{kind: evIterate, w: int32(wi)})
}

// consult runs the breaker's lazy clock check with no request (gobreaker's
// State()), logging any transition it causes.
func (e *Engine) consult(w *worker, b *breakerInst) {
	var err error
	b.state, e.brEff, err = breaker.Step(b.state, &b.settings, breaker.Event{Kind: breaker.Consulted, Now: e.q.Now()}, e.brEff[:0])
	if err != nil {
		e.invariant(w, err)
		return
	}
	for _, ef := range e.brEff {
		if ef.Kind == breaker.Changed {
			e.breakerChanged(b, ef)
		}
	}
}

func (e *Engine) breakerChanged(b *breakerInst, ef breaker.Effect) {
	e.ev = traces.Event{T: e.q.Now(), Kind: traces.Breaker, Name: b.settings.Name, From: ef.From.String(), To: ef.To.String()}
	e.emit()
}

func (e *Engine) who(w *worker, k traces.Kind) traces.Event {
	st := &w.app.Steps[w.step]
	return traces.Event{
		T: e.q.Now(), Kind: k,
		App: w.app.ID, Worker: w.index, Iteration: w.iteration, Step: w.step + 1,
		Target: st.Target, Op: st.Op.String(),
	}
}

// invariant stops the run when a policy machine rejects what the engine fed
// it: that is a bug in sim, reported with where it happened.
func (e *Engine) invariant(w *worker, err error) {
	e.err = fmt.Errorf("internal error (a bug in sim) at %s, app %s worker %d iteration %d step %d: %w",
		e.q.Now(), w.app.ID, w.index, w.iteration, w.step+1, err)
}

// start is when the worker's first iteration begins, and false when that
// lies beyond what a time.Duration can hold.
func (w *worker) start() (time.Duration, bool) {
	a := w.app
	if a.WorkerOffset > 0 && time.Duration(w.index) > (math.MaxInt64-a.Start)/a.WorkerOffset {
		return 0, false
	}
	return a.Start + time.Duration(w.index)*a.WorkerOffset, true
}

// ensure creates the breaker's state on its first use, as Dapr creates
// breaker instances lazily on the first request that resolves them.
func (b *breakerInst) ensure(now time.Duration) {
	if !b.started {
		b.state = breaker.New(b.settings, now)
		b.started = true
	}
}

// expand fills a step template: {i} is the iteration, {w} the worker.
func expand(tmpl string, iteration, workerIndex int) string {
	if !strings.Contains(tmpl, "{") {
		return tmpl
	}
	s := strings.ReplaceAll(tmpl, "{i}", strconv.Itoa(iteration))
	return strings.ReplaceAll(s, "{w}", strconv.Itoa(workerIndex))
}

// apiError is the error the app receives from Dapr's state API, in Dapr's
// wording (pkg/messages/predefined.go).
func apiError(st *Step, iteration, workerIndex int, cause string) string {
	switch st.Op {
	case Get:
		return fmt.Sprintf("fail to get %s from state store %s: %s", expand(st.Key, iteration, workerIndex), st.Target, cause)
	case Delete:
		return fmt.Sprintf("failed deleting state with key %s: %s", expand(st.Key, iteration, workerIndex), cause)
	default:
		return fmt.Sprintf("failed saving state in state store %s: %s", st.Target, cause)
	}
}

// Close releases the engine's miniredis instances.
func (e *Engine) Close() {
	for _, s := range e.stores {
		s.Close()
	}
}
