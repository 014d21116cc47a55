package harness

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"sync"
	"time"

	"github.com/dapr-sim/sim/sim"
)

// Release is one Dapr release's resiliency code behind the smallest seam
// the harness needs. A per-release module fills it in from
// github.com/dapr/dapr/pkg/resiliency at that tag.
type Release struct {
	// Name is the Dapr tag, e.g. "v1.16.0".
	Name string
	// Profile is sim's profile for that release ("1.16").
	Profile string
	// Load loads the Resiliency resources of the folders as daprd does for
	// appID (LoadLocalResiliency, then FromConfigurations), with a Dapr
	// logger at INFO that writes JSON lines to w.
	Load func(w io.Writer, appID string, folders []string) (Sidecar, error)
}

// Sidecar is one app's loaded resiliency provider.
type Sidecar interface {
	// Call runs op once through Dapr's policy runner for the outbound
	// policy of the state store component, resolving the policy first, as
	// the state API does on every request. op receives the attempt
	// number (resiliency.GetAttempt; 0 when there is no retry policy).
	Call(ctx context.Context, component string, op func(ctx context.Context, attempt int) error) error
	// Invoke runs one service invocation of method on app as daprd does
	// (pkg/api/http/directmessaging.go around pkg/messaging's
	// invokeWithRetry): the endpoint policy's runner, and inside it, for an
	// app with no targets.apps entry, the built-in service retry. remote is
	// one call to the app's sidecar.
	Invoke(ctx context.Context, app, method string, at Attempts, remote Remote) error
	// Actor runs one actor call of actorType/id as the caller's sidecar
	// does (the API layer's pre-lock runner around the release's actor
	// router); the actor is remote. remote is one call to the host's
	// sidecar: the harness makes it Host's call on the host's Sidecar, or
	// ErrUnavailable when the host is stopped.
	Actor(ctx context.Context, actorType, id string, at Attempts, remote Remote) error
	// Host runs the host sidecar's side of a remote actor call (its
	// internal CallActor handler down to the post-lock runner around the
	// app channel), app being the call to the app. The error is what the
	// caller's gRPC client receives.
	Host(ctx context.Context, actorType, id string, app func(ctx context.Context) error) error
	// Publish runs op once through Dapr's policy runner for the outbound
	// policy of a pub/sub component, resolved per request as the runtime's
	// publisher does (ComponentOutboundPolicy(pubsub, resiliency.Pubsub)).
	Publish(ctx context.Context, pubsub string, op func(ctx context.Context, attempt int) error) error
	// Subscribe resolves the inbound policy of a subscription to pubsub,
	// as a subscription does once, when it starts, and returns how it
	// delivers one message: to an HTTP app (publishMessageHTTP), or to a
	// gRPC app when grpc is set (publishMessageGRPC).
	Subscribe(pubsub, topic string, grpc bool) Deliver
	// Rejected reports whether err is a circuit breaker refusal
	// (resiliency.IsCircuitBreakerError).
	Rejected(err error) bool
}

// Deliver runs one delivery of a message as the subscription's handler
// does: the inbound policy's runner around the release's publishMessageHTTP,
// which asks app for the subscriber's answer on every attempt. ctx stands
// for the runner's parent, context.Background() in Dapr (see Drive). The
// error is what the runner returned.
type Deliver func(ctx context.Context, at Attempts, app func(ctx context.Context) (AppAnswer, error)) error

// AppAnswer is a subscriber app's answer to one delivery. The app
// function returns an error instead when the app channel gets none: a
// refused connection (ErrUnavailable) or a done context; a gRPC app's
// refused channel is an answer, its client's status Unavailable (Code).
type AppAnswer struct {
	Status int    // the HTTP status
	Body   string // a 2xx answer's JSON ({"status":"RETRY"}), else the error body; a gRPC app's response status in the same JSON
	// Code is a gRPC app's error code (0: it answered with a response),
	// Desc the error's message.
	Code int
	Desc string
}

// Remote is one call to another sidecar. It returns ErrUnavailable when
// that sidecar cannot be reached (the release turns it into the gRPC
// status Unavailable that Dapr's code checks for), an *AppStatus when the
// called app answered with an HTTP error status, or the peer's answer.
type Remote func(ctx context.Context) error

// ErrUnavailable stands for a stopped peer; releases answer it as
// status.Error(codes.Unavailable, "connection refused"), whose text is
// sim's "rpc error: code = Unavailable desc = connection refused".
var ErrUnavailable = errors.New("connection refused")

// Attempts receives the attempts of every runner of a step, as the
// release's composition makes them. A runner's operation calls Attempt when
// it begins and the returned function when it returns.
type Attempts interface {
	// Attempt starts an attempt of the runner named layer: "" for the
	// API-level runner the app's request goes through (endpoint or
	// pre-lock policy), the built-in policy's name for an inner runner.
	// end takes the operation's context, resiliency.GetAttempt(ctx) (0
	// without a retry policy) and the operation's error, and returns it.
	Attempt(layer string) (end func(ctx context.Context, attempt int32, err error) error)
}

// errDown is what a stopped store answers.
var errDown = errors.New("connect: connection refused")

// Drive plays the scenario's app loops against Dapr's runner. It must run
// inside a synctest bubble: time.Now, Sleep and timers are then virtual and
// start at the bubble's start, which stands for daprd's start (t = 0).
// It returns when every worker has stopped; whatever happened after the
// horizon is dropped later by Normalize.
func Drive(sc *sim.Scenario, rel Release) (*Record, []string, error) {
	start := time.Now()
	now := func() time.Duration { return time.Since(start) }
	d := &driver{sc: sc, now: now, rec: &Record{Delays: map[CallID][]time.Duration{}}, sidecars: map[string]Sidecar{}, hosts: map[string]string{},
		subs: map[topicKey][]*subscription{}, published: map[topicKey]int{}}
	if err := d.checkModelled(); err != nil {
		return nil, nil, err
	}

	// Every worker loop stops at the horizon: the deadline lies just past
	// it, so everything at t <= horizon still happens as in sim (whose
	// queue runs events up to and including the horizon).
	ctx, cancel := context.WithDeadline(context.Background(), start.Add(sc.Duration+time.Nanosecond))
	defer cancel()

	sidecars := make([]Sidecar, len(sc.Apps))
	logs := make([]*logSink, len(sc.Apps))
	for i, app := range sc.Apps {
		logs[i] = &logSink{now: now, app: app.ID}
		car, err := rel.Load(logs[i], app.ID, sc.ResourcePaths())
		if err != nil {
			return nil, nil, fmt.Errorf("dapr %s: load resources for %s: %w", rel.Name, app.ID, err)
		}
		sidecars[i] = car
		d.sidecars[app.ID] = car
		for _, typ := range app.Actors {
			d.hosts[typ] = app.ID
		}
	}
	// Subscriptions start with the sidecars (sim's run starts them at 0):
	// each resolves its inbound policy, making its breaker instance now.
	for i, app := range sc.Apps {
		for k, s := range app.Subscriptions {
			key := topicKey{s.Pubsub, s.Topic}
			d.subs[key] = append(d.subs[key], &subscription{app: app.ID, index: k, route: s.Route, deliver: sidecars[i].Subscribe(s.Pubsub, s.Topic, app.Protocol.GRPC())})
		}
	}

	var wg sync.WaitGroup
	d.wg, d.ctx = &wg, ctx
	for i := range sc.Apps {
		app := &sc.Apps[i]
		if len(app.Steps) == 0 {
			continue // a called app runs no loop: it only answers
		}
		for w := range app.Workers {
			wg.Go(func() { d.worker(ctx, app, w, sidecars[i]) })
		}
	}
	wg.Wait()

	var other []string
	for _, l := range logs {
		if err := l.parse(d.rec, &other); err != nil {
			return nil, nil, err
		}
	}
	return d.rec, other, nil
}

type driver struct {
	sc  *sim.Scenario
	now func() time.Duration

	// sidecars holds every app's sidecar by app id; hosts maps an actor
	// type to the app hosting it.
	sidecars map[string]Sidecar
	hosts    map[string]string

	// subs are the subscriptions by topic; published counts each topic's
	// messages. Deliveries run in goroutines of wg that end with ctx.
	subs      map[topicKey][]*subscription
	published map[topicKey]int
	wg        *sync.WaitGroup
	ctx       context.Context

	mu  sync.Mutex
	rec *Record
}

// down reports whether the fault script has the store stopped at t. Faults
// at the same instant as an attempt apply first, as in sim.
func (d *driver) down(store string, t time.Duration) bool {
	down := false
	for _, f := range d.sc.Faults {
		if f.At > t {
			continue
		}
		switch store {
		case f.Stop:
			down = true
		case f.Start:
			down = false
		}
	}
	return down
}

func (d *driver) latency(st *sim.Step) time.Duration {
	if st.Latency != nil {
		return *st.Latency
	}
	for _, s := range d.sc.Stores {
		if s.Name == st.Target {
			return s.Latency
		}
	}
	return sim.DefaultStoreLatency
}

// worker is one copy of an app loop: iterations of steps, with pause or
// every, iterations and onError as sim's scenario contract defines them.
func (d *driver) worker(ctx context.Context, app *sim.App, w int, sc Sidecar) {
	first := app.Start + time.Duration(w)*app.WorkerOffset
	if first > d.sc.Duration {
		return
	}
	sleepUntil(ctx, d.now, first)
	tick := int64(0)
	for iter := 1; ; iter++ {
		if ctx.Err() != nil || (app.Iterations > 0 && iter > app.Iterations) {
			return
		}
		for s := 0; s < len(app.Steps); s++ {
			ok := d.step(ctx, app, w, iter, s, sc)
			if ctx.Err() != nil {
				return
			}
			if !ok {
				switch app.OnError {
				case sim.Skip:
					s = len(app.Steps)
				case sim.Stop:
					return
				}
			}
		}
		if app.Every <= 0 {
			sleepUntil(ctx, d.now, d.now()+app.Pause)
			continue
		}
		// The first tick at or after now, and never one already used: an
		// overrun skips the ticks it covered.
		k := int64((d.now() - first + app.Every - 1) / app.Every)
		if k <= tick {
			k = tick + 1
		}
		tick = k
		next := first + time.Duration(k)*app.Every
		if next > d.sc.Duration {
			return
		}
		sleepUntil(ctx, d.now, next)
	}
}

func sleepUntil(ctx context.Context, now func() time.Duration, t time.Duration) {
	d := t - now()
	if d <= 0 {
		return
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
	case <-ctx.Done():
	}
}

// step issues one step through Dapr's runner and records its attempts and
// its outcome. It reports whether the step succeeded.
func (d *driver) step(ctx context.Context, app *sim.App, w, iter, s int, sc Sidecar) bool {
	st := &app.Steps[s]
	if st.Op == sim.Invoke || st.Op == sim.Actor {
		return d.callStep(ctx, app, w, iter, s, sc)
	}
	id := CallID{App: app.ID, Worker: w, Iteration: iter, Step: s + 1}
	lat := d.latency(st)
	made := 0                 // attempts that reached the store
	var lastEnd time.Duration // when the previous attempt ended
	call := sc.Call
	if st.Op == sim.Publish {
		call = sc.Publish
	}
	err := call(ctx, st.Target, func(ctx context.Context, attempt int) error {
		begin := d.now()
		d.mu.Lock()
		made++
		n := made
		if n > 1 {
			d.rec.Delays[id] = append(d.rec.Delays[id], begin-lastEnd)
		}
		d.mu.Unlock()
		if attempt == 0 {
			attempt = n // no retry policy: Dapr numbers nothing; there is one attempt
		}
		down := d.down(st.Target, begin)
		if st.Op == sim.Publish && !down {
			// The XADD: Redis takes the entry when the attempt starts, and
			// the subscribers' read loops hand it on at once (sim's model,
			// DEVIATIONS.md "Delivery starts at the XADD").
			d.xadd(st.Target, st.Topic)
		}
		timer := time.NewTimer(lat)
		defer timer.Stop()
		var res error
		outcome := "ok"
		select {
		case <-timer.C:
			if down {
				res, outcome = errDown, "error"
			}
		case <-ctx.Done():
			// Dapr's timeout (or the end of the run) stopped the attempt;
			// the timeout wrapper reports it as a failure at this instant.
			res, outcome = ctx.Err(), "error"
		}
		end := d.now()
		d.mu.Lock()
		lastEnd = end
		d.rec.Attempts = append(d.rec.Attempts, Attempt{T: end, Start: begin, App: app.ID, Worker: w, Iteration: iter, Step: s + 1, Attempt: attempt, Outcome: outcome})
		d.mu.Unlock()
		return res
	})
	t := d.now()
	d.mu.Lock()
	defer d.mu.Unlock()
	attempts := made
	if err != nil && sc.Rejected(err) {
		// A refusal ends the call at once (Dapr makes it permanent when a
		// retry policy exists), so it is always the call's last attempt.
		attempts++
		d.rec.Attempts = append(d.rec.Attempts, Attempt{T: t, Start: t, App: app.ID, Worker: w, Iteration: iter, Step: s + 1, Attempt: attempts, Outcome: "rejected"})
		if made > 0 {
			d.rec.Delays[id] = append(d.rec.Delays[id], t-lastEnd)
		}
	}
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	d.rec.Ops = append(d.rec.Ops, Op{T: t, App: app.ID, Worker: w, Iteration: iter, Step: s + 1, Outcome: outcome, Attempts: attempts})
	return err == nil
}

// logSink receives a Dapr logger's JSON lines and stamps each with the
// virtual time at which it was written: the logger writes synchronously from
// the goroutine that logs, inside the bubble.
type logSink struct {
	now func() time.Duration
	app string

	mu    sync.Mutex
	lines []stamped
}

type stamped struct {
	t    time.Duration
	line []byte
}

func (l *logSink) Write(p []byte) (int, error) {
	t := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	sc := bufio.NewScanner(bytes.NewReader(p))
	for sc.Scan() {
		l.lines = append(l.lines, stamped{t: t, line: append([]byte(nil), sc.Bytes()...)})
	}
	return len(p), nil
}

var (
	reBreaker   = regexp.MustCompile(`^Circuit breaker "(.+)" changed state from (\S+) to (\S+)$`)
	reNotice    = regexp.MustCompile(`^Error processing operation (.+)\. Retrying in (.+)…$`)
	reRecovered = regexp.MustCompile(`^Recovered processing operation (.+) after (\d+) attempts$`)
)

// parse turns the captured lines into the record's log streams. Lines that
// are none of the three are returned in other, for the test log.
func (l *logSink) parse(r *Record, other *[]string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, s := range l.lines {
		var line struct {
			Level string `json:"level"`
			Msg   string `json:"msg"`
		}
		if err := json.Unmarshal(s.line, &line); err != nil {
			return fmt.Errorf("dapr log line is not JSON: %q: %w", s.line, err)
		}
		if m := reBreaker.FindStringSubmatch(line.Msg); m != nil && line.Level == "info" {
			r.Breakers = append(r.Breakers, Transition{T: s.t, Name: m[1], From: m[2], To: m[3]})
			continue
		}
		if m := reNotice.FindStringSubmatch(line.Msg); m != nil && line.Level == "warning" {
			d, err := time.ParseDuration(m[2])
			if err != nil {
				return fmt.Errorf("dapr retry notice %q: %w", line.Msg, err)
			}
			r.Notices = append(r.Notices, Notice{T: s.t, App: l.app, Operation: m[1], Delay: d})
			continue
		}
		if m := reRecovered.FindStringSubmatch(line.Msg); m != nil && line.Level == "info" {
			n, _ := strconv.Atoi(m[2])
			r.Recovered = append(r.Recovered, Recovery{T: s.t, App: l.app, Operation: m[1], Attempts: n})
			continue
		}
		*other = append(*other, fmt.Sprintf("%s %s %s", s.t, line.Level, line.Msg))
	}
	return nil
}
