package sim

import (
	"errors"
	"fmt"
	"math"
	mrand "math/rand"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/dapr-sim/sim/clock"
	"github.com/dapr-sim/sim/policies"
	"github.com/dapr-sim/sim/policies/breaker"
	"github.com/dapr-sim/sim/policies/client"
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
	// What the component's client returns for a connect to a host that does
	// not answer, and a reply that does not come (go-redis's net errors,
	// without addresses).
	errDialTimeout = "dial tcp: i/o timeout"
	errReadTimeout = "read tcp: i/o timeout"
	// errWrongType is Redis's reply to GET on a key that holds a hash: what
	// state.redis's GET fallback meets when the store is back by then.
	errWrongType = "WRONGTYPE Operation against a key holding the wrong kind of value"
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
	evFault            evKind = iota // a fault script entry fires; w is its index
	evIterate                        // worker w begins its next iteration
	evAttempt                        // worker w starts an attempt of its current step
	evAnswer                         // the target answers worker w's attempt
	evDeadline                       // worker w's attempt timeout fires
	evWindow                         // fault window w changes (token: windowStart, windowEnd, windowDown, windowUp)
	evTry                            // a try of the component client's command in worker w's attempt ends
	evWake                           // the component client's backoff before its next try ends
	evBgTry                          // a try of background command w ends (token: its slot's gen)
	evBgWake                         // background command w's backoff ends
	evPoll                           // consumer w's read loop of topic token reads (deliver.go)
	evReclaim                        // consumer w's reclaim loop of topic token ticks (depth 1: a blocked pass goes on)
	evDeliveryDeadline               // worker w's delivery (token: its seq) reaches processingTimeout (≤1.13.1)
	evFire                           // input binding w's schedule fires (trigger.go)
)

// event is one queue entry. It is small and has no pointers so the queue
// stays a flat slice the garbage collector does not scan.
type event struct {
	kind  evKind
	depth uint8 // which layer of the worker's pipeline it belongs to
	w     int32
	token uint32 // which attempt of that layer; stale ones are dropped
}

// worker is one copy of an app loop and the call it has in flight.
type worker struct {
	app       *App
	spec      *policies.Spec // its sidecar's
	steps     []stepRefs     // per step of app.Steps, shared by the app's workers
	index     int            // within the app, 0-based
	iteration int
	tick      int64 // `every` grid position of the current iteration
	step      int   // 0-based index into app.Steps
	stopped   bool

	pl     *pipeline
	issued time.Duration
	calls  [maxLayers]layerCall
	// The innermost attempt's answer, known when it starts, delivered after
	// the target's latency.
	answerErr    string        // "" = ok
	unavailable  bool          // the answer is gRPC Unavailable (a stopped or down app)
	answerStatus int32         // the HTTP status a called app answered an error with
	gaveUp       traces.Reason // why the step's retries ended, for its op event
	read         string        // what the step's get read, for {value} in its log
	requests     int           // requests issued, for the hot-loop guard
	requestsFrom time.Duration // when the current hot-loop window of requests began

	// The component client's command in the innermost attempt (see
	// client.go), and its tries so far for the call event's why.
	run   cmdRun
	tries []traces.ClientTry

	// view is where the step in flight stands, for Snapshot.
	view stepView

	// A delivery worker's consumer (its index in Engine.consumers), and
	// the message it has in hand (nil: idle, or a loop's worker).
	c  *consumer
	ci int
	dv *delivery
	// An input binding's worker: its trigger, and the event in hand (its
	// number, when it began, the app's error status and body).
	tg      *trigger
	tgFire  int
	tgStart time.Duration
	tgCode  int32
	tgBody  string
	tgGRPC  Code // a gRPC app's error code (tgBody its message)
}

// stepRefs holds what a state step calls, resolved when the engine is built.
type stepRefs struct {
	pl    *pipeline
	store *StateStore
	// client is the store's component client (nil: the one-step model, a
	// store with no Component whose client sim models).
	client *client.Settings
	// maxLen is a publish's MAXLEN ~ (the pub/sub component's
	// maxLenApprox; 0: no trimming).
	maxLen int64
	// log is the step's log template, compiled once rather than scanned
	// on every operation; its events point to it (traces.AppLine).
	log *traces.LogTemplate
}

// layerCall is the state of one layer's call in flight.
type layerCall struct {
	call     retry.Call
	attempt  int
	admitted bool
	gen      uint64
	tm       timeout.Attempt
	timeout  timeout.Policy // the attempt's timeout (none when its runner did not run)
	deadline clock.Handle
	token    uint32
	hotFrom  time.Duration // when the current hot-loop window of attempts began
}

// Engine runs one scenario. It is single-use and not safe for concurrent use.
type Engine struct {
	setup  *Setup
	sc     *Scenario
	q      *clock.Queue[event]
	rng    *rand.Rand
	sink   traces.Sink
	ev     traces.Event
	stores map[string]*StateStore
	apps   map[string]*calledApp
	// pipes holds each sidecar's state store pipelines (sidecarKey).
	pipes map[string]*pipeline
	// actorBreakers and appBreakers hold each actor type's and each called
	// app's breaker cache (Dapr's LRUs).
	actorBreakers map[string]*breakerLRU
	appBreakers   map[string]*breakerLRU
	workers       []*worker

	brEff []breaker.Effect
	rtEff []retry.Effect
	toEff []timeout.Effect
	clEff []client.Effect

	// jitter is go-redis's random source per sidecar (app id): the package
	// draws its backoffs from one process-wide math/rand source seeded 1,
	// so each sidecar has its own, seeded with the scenario's seed (seed 1
	// replays a fresh sidecar's sequence). Kept apart from rng so the
	// client's draws do not move the policies' and windows' draws.
	jitter map[string]*mrand.Rand
	// eventRand draws each sidecar's CloudEvent and trace ids (pubsub.go).
	eventRand map[string]*rand.Rand
	// consumers are the subscribers' pubsub.redis consumers, and
	// streamReaders who reads each stream (pub/sub and topic).
	consumers     []*consumer
	streamReaders map[streamKey][]readerRef
	triggers      []*trigger
	// windowAnswer is the answer (RETRY, DROP) of the window that failed
	// the last attempt applyWindows judged, "" for none.
	windowAnswer string
	// windowCode is that window's gRPC code (0: none given).
	windowCode Code
	// bg holds the commands timed-out attempts left running (1.8/1.9, see
	// bgCommand); a slot is reused once its command ends.
	bg []bgCommand

	// windowCalls counts, per fault window, the attempts it applied to (for
	// failEvery).
	windowCalls []int
	// windows indexes the fault windows by target (see windowIndex);
	// windowLooks counts the windows attempts looked at, for tests.
	windows     map[string]*windowIndex
	windowLooks int64

	maxEvents int64
	events    int64
	popped    func(at time.Duration) // Options.popped
	sameT     int
	lastT     time.Duration
	// spin names the last retry that waited 0s (and when), so a run that
	// stops advancing can say which policy keeps it at one instant.
	spin   string
	spinAt time.Duration
	err    error

	// multi: the run has several sidecars, so a breaker's events name
	// the sidecar keeping it.
	multi bool
	// begun: the run's first events are queued (Run, RunUntil).
	begun bool
	// live is what Snapshot reads besides the machines (snapshot.go).
	live live
}

// Options tune a run.
type Options struct {
	// MaxEvents bounds the queue entries processed; 0 means DefaultMaxEvents.
	MaxEvents int64
	// NoClient runs every store in the one-step model, without its
	// component's client: what Dapr's pkg/resiliency alone does, for the
	// conformance harness that compares sim with it.
	NoClient bool
	// nullStore runs every state step against a store that keeps nothing
	// and answers at once: the engine's own cost, for benchmarks only
	// (availability, latency and faults still apply).
	nullStore bool
	// popped, when set, is called with the time of every queue entry the
	// run pops, before it is dispatched: how BenchmarkFloorDay learns the
	// day's wake-ups from a real run instead of a copy that could drift.
	popped func(at time.Duration)
}

// NewEngine builds an engine for a prepared scenario, recording to sink.
func NewEngine(s *Setup, sink traces.Sink, opt Options) *Engine {
	e := &Engine{
		setup:         s,
		sc:            s.Scenario,
		q:             clock.NewQueue[event](),
		rng:           rand.New(rand.NewPCG(uint64(s.Seed), 0x5eed5eed5eed5eed)),
		sink:          sink,
		stores:        map[string]*StateStore{},
		apps:          map[string]*calledApp{},
		actorBreakers: map[string]*breakerLRU{},
		appBreakers:   map[string]*breakerLRU{},
		pipes:         map[string]*pipeline{},
		maxEvents:     opt.MaxEvents,
		popped:        opt.popped,
		jitter:        map[string]*mrand.Rand{},
		eventRand:     map[string]*rand.Rand{},
		streamReaders: map[streamKey][]readerRef{},
	}
	if e.maxEvents <= 0 {
		e.maxEvents = DefaultMaxEvents
	}
	e.windows = indexWindows(s.Scenario.Windows)
	e.multi = len(s.Sidecars) > 1
	for _, st := range s.Stores {
		e.stores[st.Name] = newStore(st, opt.nullStore)
	}
	for _, a := range s.Called {
		e.apps[a.ID] = &calledApp{id: a.ID, latency: a.Latency, up: true, protocol: a.Protocol}
	}
	for _, a := range s.Scenario.Apps {
		if _, ok := e.apps[a.ID]; !ok && (s.subscribes(a.ID) || s.triggered(a.ID)) {
			// A loop that subscribes answers its deliveries too.
			e.apps[a.ID] = &calledApp{id: a.ID, latency: a.Latency, up: true, protocol: a.Protocol}
		}
	}
	breakers := map[string]*breakerInst{}
	instance := func(sidecar string, r policies.Resolved) *breakerInst {
		if r.Breaker == nil {
			return nil
		}
		// Inbound and outbound of a component share one instance in Dapr,
		// keyed by the component name; an app's are keyed by endpoint.
		// Each sidecar has its own.
		key := sidecarKey(sidecar, r.BreakerKey)
		bi, ok := breakers[key]
		if !ok {
			bi = &breakerInst{sidecar: sidecar, settings: r.Breaker.Resolve()}
			breakers[key] = bi
		}
		return bi
	}
	// storeRefs resolves what a sidecar's state steps on a store call, once
	// per sidecar and store: its pipeline and the component's client.
	type refsKey struct{ sidecar, store string }
	refs := map[refsKey]stepRefs{}
	storeRefs := func(sidecar, store string, op OpKind) stepRefs {
		k := refsKey{sidecar, store}
		if r, ok := refs[k]; ok {
			return r
		}
		spec := s.SpecOf(sidecar)
		r := spec.StateStoreOutbound(store)
		if op == Publish || op == Binding {
			// The publish and output binding APIs resolve the component's
			// own kind (ComponentOutboundPolicy(name, Pubsub), publisher.go;
			// ComponentOutboundPolicy(name, Binding), binding/send.go).
			r = spec.ComponentOutbound(store)
		}
		p := &pipeline{target: Target{Name: store}}
		p.layers = []layer{{operation: r.Operation, retry: r.Retry, timeout: timeout.Policy{Duration: r.Timeout}, breaker: instance(sidecar, r), missingBreaker: r.MissingBreaker}}
		e.pipes[sidecarKey(sidecar, store)] = p
		sr := stepRefs{pl: p, store: e.stores[store]}
		if ps, ok := spec.PubsubOf(store); ok && op == Publish {
			sr.maxLen = ps.MaxLenApprox
		}
		if cs, ok := spec.ClientOf(store); ok && !opt.NoClient {
			sr.client = &cs
		}
		refs[k] = sr
		return sr
	}
	// Subscriptions start with their sidecars, before any publish: the
	// inbound policy is resolved first, and its template makes the
	// breaker a component's two directions share.
	e.newConsumers(instance, storeRefs)
	e.newTriggers(instance)
	for ai := range e.sc.Apps {
		app := &e.sc.Apps[ai]
		if len(app.Steps) == 0 {
			continue // a called app runs no loop
		}
		// What each step calls, looked up once: the store's pipeline and
		// the store (nil for invocations, whose pipelines are per request).
		steps := make([]stepRefs, len(app.Steps))
		for i := range app.Steps {
			st := &app.Steps[i]
			if st.Op != Actor && st.Op != Invoke {
				steps[i] = storeRefs(app.ID, st.Target, st.Op)
			}
			// {value} is what a get read; in another step's line it is
			// text like any other.
			steps[i].log = traces.CompileLogTemplate(st.Log, st.Op == Get || st.Op == Binding)
		}
		for w := 0; w < app.Workers; w++ {
			e.workers = append(e.workers, &worker{app: app, spec: s.SpecOf(app.ID), index: w, steps: steps})
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
	return e.run(e.sc.Duration)
}

// begin queues what a run starts with, once.
func (e *Engine) begin() {
	if e.begun {
		return
	}
	e.begun = true
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
	e.subscribe()
	e.startTriggers()
	for i, w := range e.workers {
		if w.c != nil {
			continue // a delivery worker waits for messages
		}
		if start, ok := w.start(); ok {
			e.scheduleAt(start, event{kind: evIterate, w: int32(i)})
		}
	}
}

// run dispatches every queued event at or before limit (at most the
// horizon).
func (e *Engine) run(limit time.Duration) error {
	e.begin()
	horizon := min(limit, e.sc.Duration)
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
				if e.spin != "" && e.spinAt == now {
					return fmt.Errorf("at %s: %w: %d events ran at this instant; %s retries after 0s, and with no latency or overhead no attempt takes time: give the policy a duration above 0s (or a maxRetries), or the scenario an overhead above 0s", now, ErrStuck, e.sameT, e.spin)
				}
				return fmt.Errorf("at %s: %w: %d events ran at this instant; something must take time: a retry duration above 0s, a store latency, a pause, or an overhead above 0s", now, ErrStuck, e.sameT)
			}
		} else {
			e.lastT, e.sameT = now, 0
		}
		if e.popped != nil {
			e.popped(e.lastT)
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
		if ev.token == w.calls[ev.depth].token {
			e.attempt(w, int(ev.w), int(ev.depth))
		}
	case evAnswer:
		w := e.workers[ev.w]
		if ev.token == w.calls[ev.depth].token {
			e.answer(w, int(ev.w), int(ev.depth))
		}
	case evDeadline:
		w := e.workers[ev.w]
		if ev.token == w.calls[ev.depth].token {
			e.expire(w, int(ev.w), int(ev.depth))
		}
	case evWindow:
		e.window(int(ev.w), ev.token)
	case evTry:
		w := e.workers[ev.w]
		if ev.token == w.calls[ev.depth].token {
			e.tried(w, int(ev.w), int(ev.depth))
		}
	case evWake:
		w := e.workers[ev.w]
		if ev.token == w.calls[ev.depth].token {
			e.woke(w, int(ev.w), int(ev.depth))
		}
	case evBgTry:
		if b := &e.bg[ev.w]; b.live && ev.token == b.gen {
			e.bgTried(int(ev.w))
		}
	case evBgWake:
		if b := &e.bg[ev.w]; b.live && ev.token == b.gen {
			e.bgWoke(int(ev.w))
		}
	case evPoll:
		e.poll(int(ev.w), int(ev.token))
	case evReclaim:
		e.reclaim(int(ev.w), int(ev.token), ev.depth == 1)
	case evDeliveryDeadline:
		e.deliveryDeadline(int(ev.w), ev.token)
	case evFire:
		e.fire(int(ev.w))
	}
}

func (e *Engine) emit() {
	if e.err != nil {
		return
	}
	if err := e.sink.Record(&e.ev); err != nil {
		e.err = fmt.Errorf("record event: %w", err)
		return
	}
	e.viewRecorded()
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

// start is when the worker's first iteration begins, and false when that
// lies beyond what a time.Duration can hold.
func (w *worker) start() (time.Duration, bool) {
	a := w.app
	if a.WorkerOffset > 0 && time.Duration(w.index) > (math.MaxInt64-a.Start)/a.WorkerOffset {
		return 0, false
	}
	return a.Start + time.Duration(w.index)*a.WorkerOffset, true
}

// expand fills a step template: {i} is the iteration, {w} the worker.
// A template with no placeholder is returned as is; otherwise the result is
// built in one pass with one allocation.
func expand(tmpl string, iteration, workerIndex int) string {
	if strings.IndexByte(tmpl, '{') < 0 {
		return tmpl
	}
	var buf [128]byte
	return string(appendExpand(buf[:0], tmpl, iteration, workerIndex))
}

// appendExpand appends tmpl to b with {i} and {w} filled in. One left-to-right
// pass gives what replacing every {i} and then every {w} gives: the numbers
// written hold no brace, and the two placeholders cannot overlap.
func appendExpand(b []byte, tmpl string, iteration, workerIndex int) []byte {
	for {
		j := strings.IndexByte(tmpl, '{')
		if j < 0 || j+2 >= len(tmpl) {
			return append(b, tmpl...)
		}
		b = append(b, tmpl[:j]...)
		if tmpl[j+2] == '}' {
			switch tmpl[j+1] {
			case 'i':
				b = strconv.AppendInt(b, int64(iteration), 10)
				tmpl = tmpl[j+3:]
				continue
			case 'w':
				b = strconv.AppendInt(b, int64(workerIndex), 10)
				tmpl = tmpl[j+3:]
				continue
			}
		}
		b = append(b, '{')
		tmpl = tmpl[j+1:]
	}
}

// apiError is the error the app receives from Dapr's state, invoke,
// publish or output binding API, in Dapr's wording
// (pkg/messages/predefined.go, pkg/api/errors/pubsub.go).
func apiError(p policies.Profile, st *Step, iteration, workerIndex int, cause string) string {
	switch st.Op {
	case Binding:
		if !p.InvokingBindingWording {
			return fmt.Sprintf("error when invoke output binding %s: %s", st.Target, cause)
		}
		return fmt.Sprintf("error invoking output binding %s: %s", st.Target, cause)
	case Publish:
		verb := "publish"
		if p.PublishingWording {
			verb = "publishing"
		}
		return fmt.Sprintf("error when %s to topic %s in pubsub %s: %s", verb, st.Topic, st.Target, cause)
	case Invoke:
		return fmt.Sprintf("failed to invoke, id: %s, err: %s", st.Target, cause)
	case Actor:
		return "error invoke actor method: " + cause
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
