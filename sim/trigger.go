// Input bindings: a sidecar reading a bindings.cron component and
// delivering each event to its app through the component's inbound policy
// (Dapr's pkg/runtime/processor/binding, components-contrib bindings/cron;
// conformance/PUBSUB.md §7.2). Each fire runs on a goroutine of its own in
// Dapr's cron, with no wait for the one before, so a delivery that retries
// past the next fire overlaps it: each has a worker here, made when no
// worker of the binding is idle.

package sim

import (
	"fmt"
	"time"

	"github.com/dapr-sim/sim/policies"
	"github.com/dapr-sim/sim/policies/timeout"
	"github.com/dapr-sim/sim/traces"
)

// trigger is one input binding of one sidecar.
type trigger struct {
	t     *BindingTrigger
	app   App // what its workers run: the app's id and one Trigger step
	spec  *policies.Spec
	refs  []stepRefs
	idle  []int32
	made  int // workers made so far
	fires int
}

// newTriggers builds each sidecar's input bindings. The inbound policy is
// resolved per event in Dapr (binding/send.go:337), which gives the same
// pipeline each time; its breaker is the component's one instance.
func (e *Engine) newTriggers(instance func(string, policies.Resolved) *breakerInst) {
	for i := range e.setup.Triggers {
		t := &e.setup.Triggers[i]
		spec := e.setup.SpecOf(t.App)
		r := spec.ComponentInbound(t.Binding)
		pl := &pipeline{target: Target{Name: t.Binding}, called: true,
			layers: []layer{{operation: r.Operation, retry: r.Retry, timeout: timeout.Policy{Duration: r.Timeout}, breaker: instance(t.App, r), missingBreaker: r.MissingBreaker}}}
		tg := &trigger{t: t, spec: spec, refs: []stepRefs{{pl: pl, log: traces.CompileLogTemplate(t.Log, false)}},
			app: App{ID: t.App, Line: t.Line, Steps: []Step{{Op: Trigger, Target: t.Binding, Method: t.Settings.Route, Log: t.Log, Line: t.Line}}}}
		e.triggers = append(e.triggers, tg)
	}
}

// startTriggers queues each binding's first fire: daprd starts reading it
// when the app is ready, at the start of the run.
func (e *Engine) startTriggers() {
	for i, tg := range e.triggers {
		if next, ok := tg.t.Settings.Schedule.Next(e.q.Now()); ok {
			e.scheduleAt(next, event{kind: evFire, w: int32(i)})
		}
	}
}

// fire is one fire of binding ti's schedule: the next is queued from this
// one (kit's cron asks the schedule again with the instant it woke), and
// the event goes to an idle worker of the binding, or a new one.
func (e *Engine) fire(ti int) {
	tg := e.triggers[ti]
	now := e.q.Now()
	if next, ok := tg.t.Settings.Schedule.Next(now); ok {
		e.scheduleAt(next, event{kind: evFire, w: int32(ti)})
	}
	var wi int32
	if n := len(tg.idle); n > 0 {
		wi = tg.idle[0]
		tg.idle = tg.idle[1:]
	} else {
		wi = int32(len(e.workers))
		e.workers = append(e.workers, &worker{app: &tg.app, spec: tg.spec, index: tg.made, steps: tg.refs, tg: tg})
		tg.made++
	}
	w := e.workers[wi]
	tg.fires++
	w.iteration++
	w.step = 0
	w.tgFire, w.tgStart = tg.fires, now
	e.issue(w, int(wi))
}

// reachTriggered performs an attempt of an input binding's delivery on the
// app as it is now: Dapr POSTs the event to the route, and each attempt
// fails unless the app answers exactly 200 (send.go:354-366).
func (e *Engine) reachTriggered(w *worker) time.Duration {
	w.tgCode, w.tgBody, w.tgGRPC = 0, "", 0
	a := e.apps[w.app.ID]
	if a.protocol.GRPC() {
		return e.reachGRPCTriggered(w, a)
	}
	route := w.app.Steps[0].Method
	lat := a.latency
	refused := !a.up
	if !refused {
		var errText string
		var down bool
		var status int32
		lat, errText, down, status, _ = e.applyWindows(w.app.ID, Trigger, route, lat)
		switch {
		case down:
			refused = true
		case errText != "" && e.windowAnswer == "":
			if status == 0 {
				status = 500
			}
			w.tgCode, w.tgBody = status, errText
			w.answerErr = fmt.Sprintf("error sending binding event to application, status %d", status)
			if e.setup.Profile.RetryMatching {
				// From 1.15 the status travels with the error
				// (resiliency.NewCodeError, dapr@v1.15.0
				// pkg/runtime/processor/binding/send.go:365), so a retry
				// policy's matching decides whether it is retried.
				w.answerStatus = status
			}
		}
	}
	if refused {
		w.answerErr = appRefused(a.protocol, "/"+route)
	}
	return lat
}

// triggered ends an input binding's delivery: the app took the event, or
// it is gone — bindings.cron ignores the handler's error, which Dapr logs
// at debug only (send.go:369-393, 409-427; cron.go:97-105).
func (e *Engine) triggered(w *worker, wi int, r result) {
	tg := w.tg
	e.who(w, traces.Deliver, 0)
	e.ev.Attempts, e.ev.Outcome = w.calls[0].attempt, r.outcome
	e.ev.Took = e.q.Now() - w.tgStart
	e.ev.Reason = w.gaveUp
	w.gaveUp = traces.Reason{}
	switch {
	case r.outcome == traces.OK:
		e.ev.Result = traces.ResultAck
		// {i} counts the binding's events, not the worker's.
		e.ev.AppLine = traces.AppLine{Template: w.steps[0].log, Iteration: w.tgFire, Worker: w.index}
	case w.tgCode == 0, e.apps[w.app.ID].protocol.GRPC():
		// A gRPC app's error is the runner's, wrapped once (send.go
		// :314-316): no response to close, whatever the policy.
		e.ev.Result, e.ev.Error = traces.ResultFailed, "error invoking app: "+r.err
	case w.pl.layers[0].retry != nil:
		// The runner's Disposer closes the failed response it would
		// have returned.
		e.ev.Result, e.ev.Error = traces.ResultFailed, "error invoking app: response object is nil"
	default:
		e.ev.Result, e.ev.Error = traces.ResultFailed, fmt.Sprintf("fails to send binding event to http app channel, status code: %d body: %s", w.tgCode, w.tgBody)
	}
	e.emit()
	w.view.active = false
	for d := range w.pl.layers {
		w.calls[d].token++
	}
	tg.idle = append(tg.idle, int32(wi))
}
