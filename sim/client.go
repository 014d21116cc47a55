package sim

import (
	"fmt"
	mrand "math/rand"
	"strings"
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
// commands on its own context (client.Settings.CancelledByTimeout false) and
// the command went on in the background after the attempt had failed; sim
// drops it there too (a late write and its jitter draws are not modelled;
// conformance/DEVIATIONS.md).

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
)

var commandNames = [...]string{cmdEval: "EVAL", cmdHGetAll: "HGETALL", cmdGet: "GET"}

func (c command) String() string { return commandNames[c] }

// tryRecord is one try of a command, for the call event's why.
type tryRecord struct {
	cmd   command
	fail  client.Failure // 0: answered
	end   time.Duration  // when the try ended
	sleep time.Duration  // the backoff after it (-1: none)
}

// sendFirst starts the innermost attempt's first command.
func (e *Engine) sendFirst(w *worker, wi, d int) {
	w.answerErr, w.unavailable, w.answerStatus = "", false, 0
	w.tries = w.tries[:0]
	cmd := cmdEval
	if w.app.Steps[w.step].Op == Get {
		cmd = cmdHGetAll
	}
	e.send(w, wi, d, cmd)
}

// send hands one command to go-redis.
func (e *Engine) send(w *worker, wi, d int, cmd command) {
	w.cmd, w.cmdOp = client.Command{}, cmd
	e.stepClient(w, wi, d, client.Event{Kind: client.Sent, Now: e.q.Now()})
}

// stepClient feeds one event to the command's machine and carries out its
// effects.
func (e *Engine) stepClient(w *worker, wi, d int, ev client.Event) {
	var buf [2]client.Effect
	effs, ok := e.applyClient(w, ev, buf[:0])
	if ok {
		e.clientEffects(w, wi, d, effs)
	}
}

// applyClient feeds one event to the command's machine and returns its
// effects, copied into effs: carrying them out can end the step and start
// the next one, whose command reuses clEff.
func (e *Engine) applyClient(w *worker, ev client.Event, effs []client.Effect) ([]client.Effect, bool) {
	var err error
	e.clEff, err = client.Apply(w.steps[w.step].client, &w.cmd, ev, e.clEff[:0])
	if err != nil {
		e.invariant(w, err)
		return effs, false
	}
	return append(effs, e.clEff...), true
}

// clientEffects carries out the command machine's effects.
func (e *Engine) clientEffects(w *worker, wi, d int, effs []client.Effect) {
	cs := w.steps[w.step].client
	for _, ef := range effs {
		switch ef.Kind {
		case client.Try:
			e.try(w, wi, d, cs)
		case client.ScheduleTry:
			if n := len(w.tries); n > 0 {
				w.tries[n-1].sleep = ef.Sleep
			}
			e.scheduleAt(ef.At, event{kind: evWake, depth: uint8(d), w: int32(wi), token: w.calls[d].token})
		case client.Done:
			e.commandDone(w, wi, d, ef)
		}
	}
}

// try puts one try on the wire: the store's state now decides how it ends
// and what it costs, and its end is queued.
func (e *Engine) try(w *worker, wi, d int, cs *client.Settings) {
	var cost time.Duration
	w.tryFail, w.tryErr, cost = e.tryOutcome(w, cs)
	e.schedule(cost, event{kind: evTry, depth: uint8(d), w: int32(wi), token: w.calls[d].token})
}

// tryOutcome says how a try starting now ends and how long it takes. Every
// try pays a round trip of the store's latency (a refused connect too); a
// host that does not answer costs the dial timeout, a server that hangs the
// read timeout. Fault windows apply to each try, as the server or network
// they describe would.
func (e *Engine) tryOutcome(w *worker, cs *client.Settings) (client.Failure, string, time.Duration) {
	st := &w.app.Steps[w.step]
	s := w.steps[w.step].store
	lat := s.latency
	if st.Latency != nil {
		lat = *st.Latency
	}
	if !s.up {
		return client.Refused, errRefused, lat
	}
	lat, errText, down, _, conn := e.applyWindows(st.Target, st.Op, lat)
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
	if w.cmdOp == cmdGet {
		// The key holds the hash state.redis writes: GET answers WRONGTYPE,
		// which go-redis does not retry. A missing key is nil: no data.
		if s.holdsHash(w.app.ID, st, w.iteration, w.index) {
			return client.Reply, errWrongType, lat
		}
		return 0, "", lat
	}
	if r := s.do(w.app.ID, st, w.iteration, w.index); r != "" {
		return client.Reply, r, lat
	}
	return 0, "", lat
}

// tried is the end of a try: its reply, or its failure with go-redis's
// draw when a retry follows. The try is recorded as a try event when it or
// an earlier try of the attempt failed, before what its end causes.
func (e *Engine) tried(w *worker, wi, d int) {
	now := e.q.Now()
	record := w.tryFail != 0
	for _, t := range w.tries {
		record = record || t.fail != 0
	}
	w.tries = append(w.tries, tryRecord{cmd: w.cmdOp, fail: w.tryFail, end: now, sleep: -1})
	ev := client.Event{Kind: client.Answered, Now: now}
	if w.tryFail != 0 {
		ev = client.Event{Kind: client.TryFailed, Now: now, Failure: w.tryFail}
		cs := w.steps[w.step].client
		if bound, ok := cs.NextDraw(w.cmd, w.tryFail); ok {
			ev.Draw = e.jitterOf(w.app.ID).Int63n(bound)
		}
	}
	try := w.cmd.Tries
	var buf [2]client.Effect
	effs, ok := e.applyClient(w, ev, buf[:0])
	if !ok {
		return
	}
	if record {
		e.who(w, traces.Try, d)
		e.ev.Attempt = w.calls[d].attempt
		e.ev.Command = w.cmdOp.String()
		e.ev.Try = try
		e.ev.Outcome = traces.OK
		if w.tryFail != 0 {
			e.ev.Outcome, e.ev.Error = traces.Error, w.tryErr
		}
		for _, ef := range effs {
			if ef.Kind == client.ScheduleTry {
				e.ev.Delay = ef.Sleep
			}
		}
		e.emit()
	}
	e.clientEffects(w, wi, d, effs)
}

// woke is the end of a backoff: the next try.
func (e *Engine) woke(w *worker, wi, d int) {
	e.stepClient(w, wi, d, client.Event{Kind: client.SleepElapsed, Now: e.q.Now()})
}

// commandDone ends a command: a failed HGETALL falls back to GET, anything
// else is the attempt's answer.
func (e *Engine) commandDone(w *worker, wi, d int, ef client.Effect) {
	if !ef.OK && w.cmdOp == cmdHGetAll {
		e.send(w, wi, d, cmdGet)
		return
	}
	w.answerErr = ""
	if !ef.OK {
		w.answerErr = w.tryErr
	}
	e.answer(w, wi, d)
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

// clientWhy explains the innermost attempt's tries when one failed: the
// client's settings, then per command its tries and the backoffs between
// them. "" when every command succeeded at its first try, or none ran.
func clientWhy(cs *client.Settings, tries []tryRecord, cmd client.Command, deadline bool) string {
	failed := false
	for _, t := range tries {
		failed = failed || t.fail != 0
	}
	if !failed && !deadline {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "the component's client (go-redis: %d retries, backoff %s to %s)", cs.MaxRetries, cs.MinBackoff, cs.MaxBackoff)
	var cur command
	n := 0
	flush := func() {
		if n > 0 {
			fmt.Fprintf(&b, " (%d %s)", n, plural(n, "try", "tries"))
		}
	}
	for _, t := range tries {
		if t.cmd != cur {
			flush()
			if cur != 0 {
				b.WriteString(";")
			}
			fmt.Fprintf(&b, " sent %s:", t.cmd)
			cur, n = t.cmd, 0
		} else {
			b.WriteString(",")
		}
		n++
		outcome := "ok"
		if t.fail != 0 {
			outcome = t.fail.String()
		}
		fmt.Fprintf(&b, " %s at %s", outcome, t.end)
		if t.sleep >= 0 {
			fmt.Fprintf(&b, ", slept %s", t.sleep)
		}
	}
	flush()
	if deadline && (cmd.State == client.Trying || cmd.State == client.Sleeping) {
		sep := ";"
		if len(tries) == 0 {
			sep = ":"
		}
		where := fmt.Sprintf("during try %d", cmd.Tries)
		if cmd.State == client.Sleeping {
			where = fmt.Sprintf("in the backoff before try %d", cmd.Tries+1)
		}
		if cs.CancelledByTimeout {
			fmt.Fprintf(&b, "%s the deadline cancelled the command %s", sep, where)
		} else {
			fmt.Fprintf(&b, "%s the deadline ended the attempt %s (before 1.10 the component ran the command on its own context, so in real Dapr it went on; sim drops it)", sep, where)
		}
	}
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
