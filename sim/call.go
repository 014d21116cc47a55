package sim

import (
	"fmt"
	"math"
	"time"

	"github.com/dapr-sim/sim/policies/breaker"
	"github.com/dapr-sim/sim/policies/retry"
	"github.com/dapr-sim/sim/policies/timeout"
	"github.com/dapr-sim/sim/traces"
)

// A step's call runs through its pipeline's layers, outermost first. Each
// layer is Dapr's runner, retry( breaker( timeout( inner ) ) ): an attempt of
// layer d is a whole call of layer d+1, and an attempt of the innermost layer
// reaches the target. Results travel back up: finishAttempt(d) feeds layer
// d's breaker and retry loop, and when layer d's call ends, its result is the
// outcome of layer d-1's attempt.

// calledApp is an app that only answers service invocation.
type calledApp struct {
	id       string
	latency  time.Duration
	up       bool
	protocol Protocol // how its sidecar talks to it (deliveries, input bindings)
}

// result is how an attempt (or a whole layer's call) ended.
type result struct {
	outcome     traces.Outcome
	err         string // "" when ok
	unavailable bool   // gRPC Unavailable: the called app's sidecar is unreachable
	// status is the HTTP status a called app answered with when it answered
	// with an error (0: none). Its sidecar delivered the answer, so direct
	// messaging sees a success; Dapr's invoke API turns a status outside
	// 200-399 into a failure, retried only if the policy's matching allows.
	status int32
}

var ok = result{outcome: traces.OK}

// errUnavailable is what invoking a stopped app (or one in a flapping
// window's down phase) returns: its sidecar cannot be reached.
const errUnavailable = "rpc error: code = Unavailable desc = connection refused"

// issue starts the worker's current step: the app's request reaches the
// sidecar, which resolves the target's policies and begins the first attempt
// after its processing overhead.
func (e *Engine) issue(w *worker, wi int) {
	st := &w.app.Steps[w.step]
	switch st.Op {
	case Actor:
		w.pl = e.actorPipeline(w, st.Target, expand(st.ActorID, w.iteration, w.index), expand(st.Method, w.iteration, w.index))
	case Invoke:
		w.pl = e.invokePipeline(w, st.Target, expand(st.Method, w.iteration, w.index))
	default:
		w.pl = w.steps[w.step].pl
	}
	w.issued = e.q.Now()
	e.viewIssued(w)
	w.requests++
	if took, hot := hotCheck(w.requests, &w.requestsFrom, w.issued, hotRequests, hotRequestRate); hot {
		e.err = &HotLoopError{At: w.issued, Who: fmt.Sprintf("app %s (worker %d, %s:%d) made %d requests", w.app.ID, w.index, e.sc.File, w.app.Line, hotRequests),
			Count: hotRequests, Span: took, Real: "app", Limit: hotRequestRate,
			Fix: "give the app a pause or an every"}
		return
	}
	for d := range w.pl.layers {
		if b := w.pl.layers[d].breaker; b != nil {
			// Dapr makes the breaker instance when it first resolves the
			// target's policy, and from 1.11 reads its state right there.
			// A subscription resolves its inbound policy once, when it
			// starts (subscribe), not per delivery.
			b.ensure(w.issued)
			if e.setup.Profile.BreakerReadOnResolve && st.Op != Deliver {
				e.consult(w, b)
				if e.err != nil {
					return
				}
			}
		}
	}
	e.startCall(w, 0)
	e.schedule(e.sc.Overhead, event{kind: evAttempt, depth: 0, w: int32(wi), token: w.calls[0].token})
}

// startCall begins layer d's call: a fresh backoff, no attempts yet, and a
// new token so nothing left over from an earlier call of this layer counts.
func (e *Engine) startCall(w *worker, d int) {
	lc := &w.calls[d]
	lc.token++
	lc.attempt = 0
	lc.admitted = false
	lc.deadline = 0
	if p := w.pl.layers[d].retry; p != nil {
		lc.call = retry.Start(p, e.q.Now())
	}
}

func (e *Engine) attempt(w *worker, wi, d int) {
	now := e.q.Now()
	ly := &w.pl.layers[d]
	lc := &w.calls[d]
	if ly.missingBreaker != "" {
		e.err = &CrashError{At: now, Msg: fmt.Sprintf("the component target %q names circuit breaker %q, which no loaded Resiliency defines; Dapr dereferences a nil breaker on the first request. Define spec.policies.circuitBreakers.%s or fix the name", w.pl.target.Name, ly.missingBreaker, ly.missingBreaker)}
		return
	}
	if ly.retry != nil {
		var err error
		if lc.call.State == retry.Waiting {
			e.rtEff, err = retry.Apply(ly.retry, &lc.call, retry.Event{Kind: retry.WaitElapsed, Now: now}, e.rtEff[:0])
			if err != nil {
				e.invariant(w, err)
				return
			}
		}
		e.rtEff, err = retry.Apply(ly.retry, &lc.call, retry.Event{Kind: retry.AttemptStarted, Now: now}, e.rtEff[:0])
		if err != nil {
			e.invariant(w, err)
			return
		}
	}
	lc.attempt++
	lc.admitted = false
	if w.dv != nil {
		// The app's answer is this attempt's, if the attempt reaches it.
		w.dv.status, w.dv.answer, w.dv.body = 0, "", ""
	}
	if d == 0 {
		w.view.phase, w.view.attempt, w.view.since, w.view.until = traces.Answering, lc.attempt, now, 0
	}
	if took, hot := hotCheck(lc.attempt, &lc.hotFrom, now, hotAttempts, hotAttemptRate); hot {
		st := &w.app.Steps[w.step]
		who := fmt.Sprintf("made %d attempts of one call (the %s of %s by app %s, worker %d, %s:%d)", hotAttempts, st.Op, st.Target, w.app.ID, w.index, e.sc.File, st.Line)
		if ly.retry != nil {
			who = fmt.Sprintf("retry policy %q (on %s) %s", ly.retry.Name, ly.operation, who)
		}
		e.err = &HotLoopError{At: now, Who: who, Count: hotAttempts, Span: took, Real: "sidecar",
			Limit: hotAttemptRate,
			Fix:   "give the policy a duration above 0s, a maxRetries, or the target a circuit breaker"}
		return
	}
	if b := ly.breaker; b != nil {
		var err error
		prior := b.state
		e.brEff, err = breaker.Apply(&b.state, &b.settings, breaker.Event{Kind: breaker.Requested, Now: now}, e.brEff[:0])
		if err != nil {
			e.invariant(w, err)
			return
		}
		rejected := ""
		brEff := e.brEff
		for i := range brEff {
			ef := &brEff[i]
			switch ef.Kind {
			case breaker.Changed:
				e.breakerChanged(b, *ef, prior, breaker.Requested)
			case breaker.Admitted:
				lc.admitted, lc.gen = true, ef.Generation
			case breaker.Rejected:
				rejected = ef.Reason.Error()
			}
		}
		if !lc.admitted {
			e.finishAttempt(w, wi, d, result{outcome: traces.Rejected, err: rejected})
			return
		}
	}
	innermost := d+1 == len(w.pl.layers)
	lc.timeout = ly.timeout
	if innermost && w.steps[w.step].client != nil {
		// A store whose component's client is modelled: the attempt is
		// the component's command(s) through go-redis's tries. The first
		// try is queued before the deadline, as an answer is below.
		e.sendFirst(w, wi, d)
	} else if innermost {
		// The target is reached now; its answer is queued before the
		// deadline so that, at the same instant, the answer wins.
		lat, reached := e.reach(w)
		e.schedule(lat, event{kind: evAnswer, depth: uint8(d), w: int32(wi), token: lc.token})
		if ly.atHost && !reached {
			// The host's post-lock policy runs on the host's sidecar: when
			// that cannot be reached, it never starts.
			lc.timeout = timeout.Policy{}
		}
	}
	var err error
	lc.tm = timeout.New()
	e.toEff, err = timeout.Apply(&lc.timeout, &lc.tm, timeout.Event{Kind: timeout.Started, Now: now}, e.toEff[:0])
	if err != nil {
		e.invariant(w, err)
		return
	}
	toEff := e.toEff
	for i := range toEff {
		ef := &toEff[i]
		if ef.Kind == timeout.ScheduleDeadline {
			// A deadline that overflowed or lies past the horizon never fires.
			lc.deadline = e.scheduleAt(ef.At, event{kind: evDeadline, depth: uint8(d), w: int32(wi), token: lc.token})
		}
	}
	if !innermost {
		// The inner runner is in the same process: its first attempt starts
		// at once.
		e.startCall(w, d+1)
		e.attempt(w, wi, d+1)
	}
}

// reach performs the innermost attempt on the target as it is now, and
// returns how long the answer takes and whether the target's sidecar could be
// reached. The answer itself waits in the worker.
func (e *Engine) reach(w *worker) (time.Duration, bool) {
	st := &w.app.Steps[w.step]
	w.answerErr, w.unavailable, w.answerStatus = "", false, 0
	switch st.Op {
	case Deliver:
		return e.reachSubscriber(w), true
	case Trigger:
		return e.reachTriggered(w), true
	}
	if st.Op == Invoke || st.Op == Actor {
		host := st.Target
		if st.Op == Actor {
			host = e.setup.Hosts[st.Target]
		}
		a := e.apps[host]
		lat := a.latency
		if !a.up {
			w.answerErr, w.unavailable = errUnavailable, true
			return lat, false
		}
		var down bool
		var status int32
		lat, w.answerErr, down, status, _ = e.applyWindows(host, st.Op, expand(st.Method, w.iteration, w.index), lat)
		switch {
		case down:
			w.answerErr, w.unavailable = errUnavailable, true
		case w.answerErr != "" && st.Op == Invoke:
			w.answerStatus = status
		}
		return lat, !down
	}
	s := w.steps[w.step].store
	lat := s.latency
	if st.Latency != nil {
		lat = *st.Latency
	}
	if !s.up {
		w.answerErr = errRefused
		return lat, false
	}
	if lat, w.answerErr, _, _, _ = e.applyWindows(st.Target, st.Op, "", lat); w.answerErr == "" {
		switch st.Op {
		case Publish:
			w.answerErr = e.publish(w.app.ID, st, w.iteration, w.index, &w.steps[w.step], w.dv)
		case Binding:
			// One step per attempt: bindings.redis's go-redis client (its
			// own retries and timeouts) is not modelled yet.
			w.answerErr = s.bind(st, w.iteration, w.index, e.setup.Profile.BindingGetMissingFails)
			w.read = s.read
		default:
			w.answerErr = s.do(w.app.ID, st, w.iteration, w.index)
			w.read = s.read
		}
	}
	return lat, true
}

func (e *Engine) answer(w *worker, wi, d int) {
	lc := &w.calls[d]
	var err error
	e.toEff, err = timeout.Apply(&lc.timeout, &lc.tm, timeout.Event{Kind: timeout.Answered, Now: e.q.Now()}, e.toEff[:0])
	if err != nil {
		e.invariant(w, err)
		return
	}
	toEff := e.toEff
	for i := range toEff {
		ef := &toEff[i]
		switch ef.Kind {
		case timeout.Deliver:
			if lc.deadline != 0 {
				e.q.Cancel(lc.deadline)
				lc.deadline = 0
			}
			if w.answerErr == "" {
				e.finishAttempt(w, wi, d, ok)
			} else {
				err := w.answerErr
				if w.app.Steps[w.step].Op == Publish {
					err = publishErr(err)
				}
				e.finishAttempt(w, wi, d, result{outcome: traces.Error, err: err, unavailable: w.unavailable, status: w.answerStatus})
			}
		case timeout.Discard:
			// Unreachable from the queue today: once an attempt has failed at
			// its deadline, the layer's token moves on (a retry or the end of
			// its call), so the late answer is dropped in dispatch. Kept so
			// the machine, not the engine, owns the rule.
		}
	}
}

func (e *Engine) expire(w *worker, wi, d int) {
	ly := &w.pl.layers[d]
	lc := &w.calls[d]
	var err error
	e.toEff, err = timeout.Apply(&lc.timeout, &lc.tm, timeout.Event{Kind: timeout.DeadlineFired, Now: e.q.Now()}, e.toEff[:0])
	if err != nil {
		e.invariant(w, err)
		return
	}
	toEff := e.toEff
	for i := range toEff {
		ef := &toEff[i]
		if ef.Kind == timeout.Expired {
			lc.deadline = 0
			// The attempt's context is done: whatever runs inside it (an
			// inner runner, the target's answer) is no longer waited for.
			// Before 1.10 the component's command did not see it and goes
			// on in the background.
			if d+1 == len(w.pl.layers) && w.steps[w.step].client != nil {
				e.detach(w)
			}
			e.abandonInner(w, d)
			if w.dv != nil {
				// The app's answer never came.
				w.dv.status, w.dv.answer, w.dv.body = 0, "", ""
			}
			e.who(w, traces.Timeout, d)
			e.ev.Attempt = lc.attempt
			if d > 0 && ly.retry == nil {
				// A timeout-only layer (the actor host's post-lock timeout)
				// makes one attempt per attempt of the layer around it.
				e.ev.Attempt = w.calls[d-1].attempt
			}
			e.emit()
			e.finishAttempt(w, wi, d, result{outcome: traces.Error, err: timeout.ErrDeadlineExceeded.Error()})
		}
	}
	// A pending answer is dropped in dispatch when it arrives, as Dapr drops
	// the late result of the goroutine it stopped waiting for.
}

// abandonInner invalidates everything queued for the layers inside d.
func (e *Engine) abandonInner(w *worker, d int) {
	for i := d + 1; i < len(w.pl.layers); i++ {
		w.calls[i].token++
	}
	if d+1 == len(w.pl.layers) {
		w.calls[d].token++ // the answer of layer d itself
	}
}

// finishAttempt feeds an attempt's outcome to layer d's breaker (if it
// admitted the attempt) and then to its retry loop, in Dapr's order: the
// breaker's afterRequest runs inside Execute, before the retry loop sees the
// error.
func (e *Engine) finishAttempt(w *worker, wi, d int, r result) {
	now := e.q.Now()
	ly := &w.pl.layers[d]
	lc := &w.calls[d]
	if ly.wrapUnavailable && r.unavailable {
		// Dapr's direct messaging and actor router word such errors so,
		// with GetAttempt(ctx)-1: the attempt count exists in the context
		// only inside a runner that retries, so without one it reads -1.
		n := lc.attempt - 1
		if ly.retry == nil {
			n = -1
		}
		r.err = fmt.Sprintf("failed to invoke target %s after %d retries. Error: %s", ly.wrapTarget, n, r.err)
	}
	// What this layer's runner sees: for direct messaging, an app's error
	// status is a delivered answer, a success.
	seen := r
	if ly.statusIsSuccess && r.status != 0 {
		seen = ok
	}
	stale := false // the breaker ignored this outcome: its generation has passed
	if b := ly.breaker; b != nil && lc.admitted {
		kind := breaker.Succeeded
		if seen.outcome != traces.OK {
			kind = breaker.Failed
		}
		var err error
		prior := b.state
		e.brEff, err = breaker.Apply(&b.state, &b.settings, breaker.Event{Kind: kind, Now: now, Generation: lc.gen}, e.brEff[:0])
		if err != nil {
			e.invariant(w, err)
			return
		}
		brEff := e.brEff
		for i := range brEff {
			ef := &brEff[i]
			switch ef.Kind {
			case breaker.Changed:
				e.breakerChanged(b, *ef, prior, kind)
			case breaker.Stale:
				stale = true
			}
		}
	}
	if d == 0 || ly.retry != nil || ly.breaker != nil {
		// An inner layer that is only a timeout (an actor host's post-lock
		// timeout) has no attempts of its own worth a line: its timeout
		// event and the layer around it tell the story.
		e.who(w, traces.Call, d)
		e.ev.Attempt = lc.attempt
		e.ev.Outcome = seen.outcome
		e.ev.Error = seen.err
		e.ev.Stale = stale
		if dv := w.dv; dv != nil && !dv.deadLetter {
			e.ev.Topic, e.ev.Message, e.ev.EventID = dv.c.topics[dv.topic].sub.Topic, dv.entry, dv.eventID
			e.ev.Status, e.ev.Answer, e.ev.Body = int(dv.status), dv.answer, dv.body
			if dv.code != 0 {
				e.ev.Code = dv.code.String()
			}
		} else if w.tg != nil && r.outcome != traces.Rejected {
			e.ev.Status, e.ev.Body = int(w.tgCode), w.tgBody
			if w.tgGRPC != 0 {
				e.ev.Code = w.tgGRPC.String()
			}
		}
		if cs := w.steps[w.step].client; cs != nil && d+1 == len(w.pl.layers) && r.outcome != traces.Rejected {
			// Worded at once: the tries are a list the engine reuses. When
			// no try failed and no deadline caught the command (most
			// attempts) the why is empty, and is not built to find that out.
			if deadline := r.err == timeout.ErrDeadlineExceeded.Error(); deadline || w.run.failedOnce {
				cr := clientWhy(cs, w.tries, w.run.cmd, deadline)
				e.ev.Why = cr.Text()
			}
		}
		e.emit()
		if d == 0 {
			w.view.hasInner = false
		} else {
			w.view.inner, w.view.hasInner = innerView{kind: traces.Call, operation: ly.operation, attempt: lc.attempt, t: now, outcome: seen.outcome}, true
		}
	}

	if ly.retry == nil {
		e.endCall(w, wi, d, r)
		return
	}
	rev := retry.Event{Kind: retry.AttemptSucceeded, Now: now}
	if seen.outcome != traces.OK {
		// A breaker refusal is made permanent by Dapr's runner so that the
		// retry loop ends at once; the built-in service and actor retries
		// make every error but Unavailable permanent; from 1.15 an app's
		// error status is retried only if the policy's matching allows it;
		// every other error is retried.
		permanent := seen.outcome == traces.Rejected ||
			(ly.onlyUnavailable && !seen.unavailable) ||
			(seen.status != 0 && !ly.retry.Matching.NeedRetry(seen.status))
		rev = retry.Event{Kind: retry.AttemptFailed, Now: now, Permanent: permanent}
		// Draw only when the backoff will really compute a delay: not for a
		// permanent error, nor once maxRetries is spent.
		if !permanent && ly.retry.DrawsJitter(lc.call.Backoff) {
			rev.Jitter = e.rng.Float64()
		}
	}
	var err error
	before := lc.call
	e.rtEff, err = retry.Apply(ly.retry, &lc.call, rev, e.rtEff[:0])
	if err != nil {
		e.invariant(w, err)
		return
	}
	notice := false
	rtEff := e.rtEff
	for i := range rtEff {
		ef := &rtEff[i]
		switch ef.Kind {
		case retry.Notice:
			notice = true
		case retry.Recovered:
			e.who(w, traces.Recovered, d)
			e.ev.Operation = ly.operation
			e.ev.Attempts = int(ef.Attempts)
			e.emit()
		case retry.Wait:
			e.who(w, traces.Retry, d)
			e.ev.Operation = ly.operation
			e.ev.Attempt = lc.attempt
			e.ev.Delay = ef.Backoff // as Dapr reports it; a negative one waits 0
			e.ev.Notice = notice
			e.ev.Reason = retryWhy(ly.retry, before, lc.call, rev.Jitter)
			e.emit()
			wake := now + ef.Delay + e.sc.Overhead
			if wake < now {
				wake = math.MaxInt64 // a delay past any horizon
			}
			if d == 0 {
				w.view.phase, w.view.attempt, w.view.since, w.view.until = traces.Backoff, lc.attempt+1, now, wake
			} else {
				w.view.inner, w.view.hasInner = innerView{kind: traces.Retry, operation: ly.operation, attempt: lc.attempt, t: now, wake: wake}, true
			}
			lc.token++
			if ef.Delay+e.sc.Overhead <= 0 {
				e.spin, e.spinAt = fmt.Sprintf("retry policy %q (on %s)", ly.retry.Name, ly.operation), e.q.Now()
			}
			if ef.Delay <= e.sc.Duration {
				e.schedule(ef.Delay+e.sc.Overhead, event{kind: evAttempt, depth: uint8(d), w: int32(wi), token: lc.token})
			}
		case retry.Done, retry.GaveUp:
			// The call's result is the last attempt's, as the layer above
			// sees it (an app's error status travels on).
			if ef.Kind == retry.GaveUp && d == 0 {
				w.gaveUp = gaveUpWhy(ly.retry, *ef, seen)
			}
			e.endCall(w, wi, d, r)
		}
	}
}

// endCall hands layer d's final result up: to the app for the outermost
// layer, else as the outcome of layer d-1's attempt. Only a breaker can
// reject, so an inner refusal reaches the outer layer as an error.
func (e *Engine) endCall(w *worker, wi, d int, r result) {
	w.calls[d].token++ // nothing queued for this call may run any more
	if w.pl.layers[d].atHost && r.outcome != traces.OK && !r.unavailable {
		// An error raised on the actor's host crosses back over gRPC as
		// messages.ErrActorInvoke with code Internal
		// (pkg/api/grpc/daprinternal.go, CallActor).
		r.err = "rpc error: code = Internal desc = error invoke actor method: " + r.err
	}
	if d == 0 {
		e.complete(w, wi, r)
		return
	}
	if r.outcome == traces.Rejected {
		r.outcome = traces.Error
	}
	lc := &w.calls[d-1]
	if lc.deadline != 0 {
		e.q.Cancel(lc.deadline)
		lc.deadline = 0
	}
	var err error
	e.toEff, err = timeout.Apply(&lc.timeout, &lc.tm, timeout.Event{Kind: timeout.Answered, Now: e.q.Now()}, e.toEff[:0])
	if err != nil {
		e.invariant(w, err)
		return
	}
	e.finishAttempt(w, wi, d-1, r)
}

// complete hands the step's final result to the app, which logs on success
// and moves on according to onError on failure.
func (e *Engine) complete(w *worker, wi int, r result) {
	if w.c != nil {
		e.delivered(w, wi, r)
		return
	}
	if w.tg != nil {
		e.triggered(w, wi, r)
		return
	}
	st := &w.app.Steps[w.step]
	e.who(w, traces.Op, 0)
	e.ev.Attempts = w.calls[0].attempt
	outcome := r.outcome
	switch {
	case outcome == traces.OK:
		e.ev.Outcome = traces.OK
		// The line as facts, worded by whichever sink prints it. The value
		// is what the get read, as the app would print it: stale or lost
		// data shows in the app's own line. Field by field, as who fills
		// the event: a composite literal is built aside and copied over,
		// and the copy stalled on it (5 % of the engine's time).
		l := &e.ev.AppLine
		l.Template, l.Iteration, l.Worker, l.Value = w.steps[w.step].log, w.iteration, w.index, w.read
	case r.status != 0:
		// Dapr hands the app's own answer back to the caller.
		e.ev.Outcome = traces.Error
		e.ev.Error = fmt.Sprintf("%s answered HTTP %d: %s", st.Target, r.status, r.err)
	default:
		e.ev.Outcome = traces.Error
		e.ev.Error = apiError(e.setup.Profile, st, w.iteration, w.index, r.err)
	}
	e.ev.Took = e.q.Now() - w.issued
	if outcome != traces.OK {
		e.ev.Reason = w.gaveUp
	}
	w.gaveUp = traces.Reason{}
	e.emit()
	w.view.active = false
	for d := range w.pl.layers {
		w.calls[d].token++ // nothing of this step may touch the worker any more
	}

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

// consult runs the breaker's lazy clock check with no request (gobreaker's
// State()), logging any transition it causes.
func (e *Engine) consult(w *worker, b *breakerInst) {
	var err error
	prior := b.state
	e.brEff, err = breaker.Apply(&b.state, &b.settings, breaker.Event{Kind: breaker.Consulted, Now: e.q.Now()}, e.brEff[:0])
	if err != nil {
		e.invariant(w, err)
		return
	}
	brEff := e.brEff
	for i := range brEff {
		ef := &brEff[i]
		if ef.Kind == breaker.Changed {
			e.breakerChanged(b, *ef, prior, breaker.Consulted)
		}
	}
}

func (e *Engine) breakerChanged(b *breakerInst, ef breaker.Effect, prior breaker.Breaker, kind breaker.EventKind) {
	e.ev = traces.Event{T: e.q.Now(), Kind: traces.Breaker, Name: b.settings.Name, From: ef.From.String(), To: ef.To.String()}
	e.ev.App = e.sidecarOf(b)
	e.ev.Reason = e.breakerWhy(b, ef, prior, kind)
	e.emit()
}

// breakerWhy records a transition's facts, from the breaker as it was
// before the step that made it (gobreaker's rules, policies/breaker).
func (e *Engine) breakerWhy(b *breakerInst, ef breaker.Effect, prior breaker.Breaker, kind breaker.EventKind) traces.Reason {
	now := e.q.Now()
	st := &b.settings
	switch {
	case ef.From == breaker.Closed && ef.To == breaker.Open:
		return traces.Reason{Kind: traces.BreakerTripped, Text: st.TripText, Counts: traces.TripCounts(prior.TripCounts(now)),
			Until: now + st.Timeout, Timeout: st.Timeout}
	case ef.From == breaker.Open && ef.To == breaker.HalfOpen:
		return traces.Reason{Kind: traces.BreakerHalfOpened, Until: prior.Expiry, By: consultedBy(kind), MaxRequests: st.MaxRequests}
	case ef.From == breaker.HalfOpen && ef.To == breaker.Open:
		return traces.Reason{Kind: traces.BreakerReopened, Until: now + st.Timeout, Timeout: st.Timeout}
	case ef.From == breaker.HalfOpen && ef.To == breaker.Closed:
		return traces.Reason{Kind: traces.BreakerClosed, Counts: traces.TripCounts{ConsecutiveSuccesses: prior.Counts.ConsecutiveSuccesses + 1},
			MaxRequests: st.MaxRequests}
	}
	return traces.Reason{}
}

func consultedBy(kind breaker.EventKind) traces.Consult {
	switch kind {
	case breaker.Consulted:
		return traces.ByResolve
	case breaker.Requested:
		return traces.ByAdmission
	}
	return traces.ByOutcome
}

// retryWhy records one retry decision's facts: for an exponential policy,
// the interval the backoff was drawn around and its bounds; the retries
// used against maxRetries. The event itself holds the attempt and backoff.
func retryWhy(p *retry.Policy, before, after retry.Call, jitter float64) traces.Reason {
	if p.Kind == retry.Constant {
		return traces.Reason{Kind: traces.ConstantBackoff, Retries: after.Tries, MaxRetries: p.MaxRetries}
	}
	ci := before.Interval
	lo, hi := p.JitterBounds(ci)
	return traces.Reason{Kind: traces.ExponentialBackoff, Interval: ci, Lo: lo, Hi: hi, Factor: p.RandomizationFactor, U: jitter,
		Retries: after.Tries, MaxRetries: p.MaxRetries}
}

// gaveUpWhy records why a call's retries ended without success.
func gaveUpWhy(p *retry.Policy, ef retry.Effect, last result) traces.Reason {
	switch ef.Reason {
	case retry.MaxRetries:
		return traces.Reason{Kind: traces.GaveUpMaxRetries, MaxRetries: p.MaxRetries, Attempts: ef.Attempts}
	case retry.MaxElapsed:
		return traces.Reason{Kind: traces.GaveUpMaxElapsed, MaxElapsedTime: p.MaxElapsedTime, Attempts: ef.Attempts}
	case retry.Permanent:
		if last.outcome == traces.Rejected {
			return traces.Reason{Kind: traces.GaveUpRefused, Attempts: ef.Attempts, Text: last.err}
		}
		return traces.Reason{Kind: traces.GaveUpPermanent, Attempts: ef.Attempts}
	case retry.StopDelay:
		return traces.Reason{Kind: traces.GaveUpStop}
	}
	return traces.Reason{}
}

// who starts an event about the worker's current step. Attempts of an
// inner layer (the built-in service retry) name their runner's operation, so
// they can be told from the outer layer's.
func (e *Engine) who(w *worker, k traces.Kind, d int) {
	st := &w.app.Steps[w.step]
	// Cleared and filled in place: an event is a few hundred bytes, and a
	// composite literal is built aside and then copied over it, twice the
	// memory traffic of the step's own work.
	ev := &e.ev
	*ev = traces.Event{}
	ev.T, ev.Kind = e.q.Now(), k
	ev.App, ev.Worker, ev.Iteration, ev.Step = w.app.ID, w.index, w.iteration, w.step+1
	ev.Target, ev.Op = st.Target, st.Op.String()
	e.viewWho(w)
	if d > 0 && (k == traces.Call || k == traces.Timeout) {
		e.ev.Operation = w.pl.layers[d].operation
	}
}

// invariant stops the run when a policy machine rejects what the engine fed
// it: that is a bug in sim, reported with where it happened.
func (e *Engine) invariant(w *worker, err error) {
	e.err = fmt.Errorf("internal error (a bug in sim) at %s, app %s worker %d iteration %d step %d: %w",
		e.q.Now(), w.app.ID, w.index, w.iteration, w.step+1, err)
}
