package sim

import (
	"fmt"
	mrand "math/rand"
	"time"

	"github.com/dapr-sim/sim/policies/client"
	"github.com/dapr-sim/sim/traces"
)

// The component's own client inside the innermost attempt on a state store
// whose Component sim models (issue 12; policies/client): each Redis command
// the component sends runs through go-redis's tries, one engine event per
// try and per backoff, queued with the innermost layer's token — so a Dapr
// timeout that abandons the attempt drops the pending tries, as go-redis's
// context cancellation does from Dapr 1.10. Before 1.10 the component ran its
// commands on its own context (client.Settings.CancelledByTimeout false): the
// command goes on in the background after the attempt has failed (detach,
// bgCommand), its tries still reach the store and draw jitter.

// command is one Redis command a state.redis operation sends.
type command uint8

const (
	_ command = iota
	// cmdEval: a save or a delete, one Lua script.
	cmdEval
	// cmdHGetAll: a get's first command.
	cmdHGetAll
	// cmdGet: a get's fallback after HGETALL failed with any error (the
	// component's getDefault → directGet): a second full command.
	cmdGet
	// cmdXAdd: pubsub.redis's publish, one XADD.
	cmdXAdd
)

var commandNames = [...]string{cmdEval: "EVAL", cmdHGetAll: "HGETALL", cmdGet: "GET", cmdXAdd: "XADD"}

func (c command) String() string { return commandNames[c] }

// cmdRun is one command of the component's client in flight: whose it is,
// the machine's value, and how its try on the wire will end. A worker's
// innermost attempt owns one; on 1.8/1.9 a command whose attempt timed out
// goes on as a background one (bgCommand).
type cmdRun struct {
	app        *App
	refs       *stepRefs
	step       int // 0-based index into app.Steps
	iteration  int
	index      int // the worker's index within its app
	attempt    int // the innermost layer's attempt it belongs to
	cmd        client.Command
	op         command
	tryFail    client.Failure // 0: the try gets its reply
	tryErr     string
	failedOnce bool          // a try of the attempt failed: its tries are recorded
	next       time.Duration // when its pending try end or wake fires
	waking     bool          // the pending event is a wake
	read       string        // what its get read
	forward    *delivery     // a dead-letter publish's message (see publish)
}

// bgCommand is a command the attempt that sent it stopped waiting for: on
// Dapr 1.8 and 1.9 the component ran every command on its own context, so a
// Dapr timeout left it running (client.Settings.CancelledByTimeout false).
// Its tries go on against the store — a late write lands — and draw from the
// sidecar's go-redis source; its result goes nowhere.
type bgCommand struct {
	run  cmdRun
	gen  uint32 // its queue entries carry gen; a reused slot's old ones are stale
	live bool
}

// sendFirst starts the innermost attempt's first command.
func (e *Engine) sendFirst(w *worker, wi, d int) {
	w.answerErr, w.unavailable, w.answerStatus = "", false, 0
	w.tries = w.tries[:0]
	// Cleared and filled in place, as who fills an event: a literal would
	// be built aside and copied over.
	r := &w.run
	*r = cmdRun{}
	r.app, r.refs, r.step, r.iteration, r.index = w.app, &w.steps[w.step], w.step, w.iteration, w.index
	r.attempt, r.forward = w.calls[d].attempt, w.dv
	cmd := cmdEval
	switch w.app.Steps[w.step].Op {
	case Get:
		cmd = cmdHGetAll
	case Publish:
		cmd = cmdXAdd
	}
	e.send(w, wi, d, cmd)
}

// send hands one command of the worker's attempt to go-redis.
func (e *Engine) send(w *worker, wi, d int, cmd command) {
	w.run.cmd, w.run.op = client.Command{}, cmd
	e.stepClient(w, wi, d, client.Event{Kind: client.Sent, Now: e.q.Now()})
}

// stepClient feeds one event to the worker's command and carries out its
// effects.
func (e *Engine) stepClient(w *worker, wi, d int, ev client.Event) {
	var buf [2]client.Effect
	if effs, ok := e.applyClient(&w.run, ev, buf[:0]); ok {
		e.clientEffects(w, wi, d, effs)
	}
}

// applyClient feeds one event to r's machine and returns its effects,
// copied into effs: carrying them out can end the step and start the next
// one, whose command reuses clEff.
func (e *Engine) applyClient(r *cmdRun, ev client.Event, effs []client.Effect) ([]client.Effect, bool) {
	var err error
	e.clEff, err = client.Apply(r.refs.client, &r.cmd, ev, e.clEff[:0])
	if err != nil {
		e.err = fmt.Errorf("internal error (a bug in sim) at %s, app %s worker %d iteration %d step %d: %w",
			e.q.Now(), r.app.ID, r.index, r.iteration, r.step+1, err)
		return effs, false
	}
	return append(effs, e.clEff...), true
}

// clientEffects carries out the worker's command's effects.
func (e *Engine) clientEffects(w *worker, wi, d int, effs []client.Effect) {
	r := &w.run
	for i := range effs {
		ef := &effs[i]
		switch ef.Kind {
		case client.Try:
			cost := e.try(r)
			r.next, r.waking = e.q.Now()+cost, false
			e.schedule(cost, event{kind: evTry, depth: uint8(d), w: int32(wi), token: w.calls[d].token})
		case client.ScheduleTry:
			if n := len(w.tries); n > 0 {
				w.tries[n-1].Sleep = ef.Sleep
			}
			r.next, r.waking = ef.At, true
			e.scheduleAt(ef.At, event{kind: evWake, depth: uint8(d), w: int32(wi), token: w.calls[d].token})
		case client.Done:
			e.commandDone(w, wi, d, *ef)
		}
	}
}

// try puts one try of r on the wire: the store's state now decides how it
// ends, kept in r, and what it costs, returned.
func (e *Engine) try(r *cmdRun) time.Duration {
	var cost time.Duration
	r.tryFail, r.tryErr, cost = e.tryOutcome(r)
	return cost
}

// tryOutcome says how a try starting now ends and how long it takes. Every
// try pays a round trip of the store's latency (a refused connect too); a
// host that does not answer costs the dial timeout, a server that hangs the
// read timeout. Fault windows apply to each try, as the server or network
// they describe would.
func (e *Engine) tryOutcome(r *cmdRun) (client.Failure, string, time.Duration) {
	st := &r.app.Steps[r.step]
	s, cs := r.refs.store, r.refs.client
	lat := s.latency
	if st.Latency != nil {
		lat = *st.Latency
	}
	if !s.up {
		return client.Refused, errRefused, lat
	}
	lat, errText, down, _, conn := e.applyWindows(st.Target, st.Op, "", lat)
	switch conn {
	case ConnRefused:
		return client.Refused, errText, lat
	case ConnNoAnswer:
		return client.DialTimedOut, errText, cs.DialTimeout
	case ConnHang:
		return client.ReadTimedOut, errText, cs.ReadTimeout
	}
	if errText != "" {
		if down {
			return client.Refused, errText, lat // a flapping window's down phase: like a stopped store
		}
		return client.ReplyFailure(errText), errText, lat
	}
	if r.op == cmdGet {
		// The key holds the hash state.redis writes: GET answers WRONGTYPE,
		// which go-redis does not retry. A missing key is nil: no data.
		if s.holdsHash(r.app.ID, st, r.iteration, r.index) {
			return client.Reply, errWrongType, lat
		}
		r.read = ""
		return 0, "", lat
	}
	res := ""
	if r.op == cmdXAdd {
		res = e.publish(r.app.ID, st, r.iteration, r.index, r.refs, r.forward)
	} else {
		res = s.do(r.app.ID, st, r.iteration, r.index)
		r.read = s.read
	}
	if res != "" {
		return client.Reply, res, lat
	}
	return 0, "", lat
}

// tryEnded feeds the end of r's try to its machine: its reply, or its
// failure with go-redis's draw when a retry follows. The try is recorded as
// a try event when it or an earlier try of its attempt failed, before what
// its end causes.
func (e *Engine) tryEnded(r *cmdRun, effs []client.Effect) ([]client.Effect, bool) {
	now := e.q.Now()
	r.failedOnce = r.failedOnce || r.tryFail != 0
	ev := client.Event{Kind: client.Answered, Now: now}
	if r.tryFail != 0 {
		ev = client.Event{Kind: client.TryFailed, Now: now, Failure: r.tryFail}
		if bound, ok := r.refs.client.NextDraw(r.cmd, r.tryFail); ok {
			ev.Draw = e.jitterOf(r.app.ID).Int63n(bound)
		}
	}
	try := r.cmd.Tries
	effs, ok := e.applyClient(r, ev, effs)
	if !ok || !r.failedOnce {
		return effs, ok
	}
	st := &r.app.Steps[r.step]
	e.ev = traces.Event{T: now, Kind: traces.Try, App: r.app.ID, Worker: r.index, Iteration: r.iteration, Step: r.step + 1,
		Target: st.Target, Op: st.Op.String(), Attempt: r.attempt, Command: r.op.String(), Try: try, Outcome: traces.OK}
	if r.tryFail != 0 {
		e.ev.Outcome, e.ev.Error = traces.Error, r.tryErr
	}
	for i := range effs {
		ef := &effs[i]
		if ef.Kind == client.ScheduleTry {
			e.ev.Delay = ef.Sleep
		}
	}
	e.emit()
	return effs, true
}

// tried is the end of a try of the worker's command.
func (e *Engine) tried(w *worker, wi, d int) {
	t := traces.ClientTry{Command: w.run.op.String(), End: e.q.Now(), Sleep: -1}
	if w.run.tryFail != 0 {
		t.Failure = w.run.tryFail.String()
	}
	w.tries = append(w.tries, t)
	var buf [2]client.Effect
	if effs, ok := e.tryEnded(&w.run, buf[:0]); ok {
		e.clientEffects(w, wi, d, effs)
	}
}

// woke is the end of a backoff: the next try.
func (e *Engine) woke(w *worker, wi, d int) {
	e.stepClient(w, wi, d, client.Event{Kind: client.SleepElapsed, Now: e.q.Now()})
}

// commandDone ends a command: a failed HGETALL falls back to GET, anything
// else is the attempt's answer.
func (e *Engine) commandDone(w *worker, wi, d int, ef client.Effect) {
	if !ef.OK && w.run.op == cmdHGetAll {
		e.send(w, wi, d, cmdGet)
		return
	}
	w.answerErr, w.read = "", w.run.read
	if !ef.OK {
		w.answerErr = w.run.tryErr
	}
	e.answer(w, wi, d)
}

// detach hands the worker's command in flight to the background when the
// attempt's deadline ends it and the release's component does not pass the
// request's context to go-redis (1.8, 1.9). Its pending try end or wake is
// queued again for the background slot; the worker's own entry is stale
// once the layer's token moves on.
func (e *Engine) detach(w *worker) {
	r := &w.run
	if r.refs == nil || r.refs.client == nil || r.refs.client.CancelledByTimeout {
		return
	}
	if r.cmd.State != client.Trying && r.cmd.State != client.Sleeping {
		return
	}
	i := -1
	for j := range e.bg {
		if !e.bg[j].live {
			i = j
			break
		}
	}
	if i < 0 {
		e.bg = append(e.bg, bgCommand{})
		i = len(e.bg) - 1
	}
	b := &e.bg[i]
	b.run, b.live = *r, true
	b.run.failedOnce = true // its attempt failed: every try it makes is recorded
	b.gen++
	kind := evBgTry
	if r.waking {
		kind = evBgWake
	}
	e.scheduleAt(r.next, event{kind: kind, w: int32(i), token: b.gen})
	r.refs = nil
}

// bgTried and bgWoke step a background command; its result goes nowhere,
// but a failed HGETALL still falls back to GET, as the component's Get goes
// on.
func (e *Engine) bgTried(i int) {
	var buf [2]client.Effect
	if effs, ok := e.tryEnded(&e.bg[i].run, buf[:0]); ok {
		e.bgEffects(i, effs)
	}
}

func (e *Engine) bgWoke(i int) {
	var buf [2]client.Effect
	if effs, ok := e.applyClient(&e.bg[i].run, client.Event{Kind: client.SleepElapsed, Now: e.q.Now()}, buf[:0]); ok {
		e.bgEffects(i, effs)
	}
}

func (e *Engine) bgEffects(i int, effs []client.Effect) {
	b := &e.bg[i]
	for _, ef := range effs {
		switch ef.Kind {
		case client.Try:
			cost := e.try(&b.run)
			e.schedule(cost, event{kind: evBgTry, w: int32(i), token: b.gen})
		case client.ScheduleTry:
			e.scheduleAt(ef.At, event{kind: evBgWake, w: int32(i), token: b.gen})
		case client.Done:
			if !ef.OK && b.run.op == cmdHGetAll {
				b.run.cmd, b.run.op = client.Command{}, cmdGet
				var buf2 [2]client.Effect
				if effs2, ok := e.applyClient(&b.run, client.Event{Kind: client.Sent, Now: e.q.Now()}, buf2[:0]); ok {
					e.bgEffects(i, effs2)
				}
				return
			}
			b.live = false
		}
	}
}

// jitterOf returns the sidecar's go-redis random source.
func (e *Engine) jitterOf(app string) *mrand.Rand {
	r, ok := e.jitter[app]
	if !ok {
		r = mrand.New(mrand.NewSource(e.setup.Seed))
		e.jitter[app] = r
	}
	return r
}

// clientWhy records the innermost attempt's tries through the component's
// client, with its settings and where a deadline caught the command.
func clientWhy(cs *client.Settings, tries []traces.ClientTry, cmd client.Command, deadline bool) traces.ClientReason {
	r := traces.ClientReason{MaxRetries: cs.MaxRetries, MinBackoff: cs.MinBackoff, MaxBackoff: cs.MaxBackoff,
		Tries: tries, Deadline: deadline, Try: cmd.Tries, Cancels: cs.CancelledByTimeout}
	switch cmd.State {
	case client.Trying:
		r.Pending = traces.InTry
	case client.Sleeping:
		r.Pending = traces.InBackoff
	}
	return r
}
