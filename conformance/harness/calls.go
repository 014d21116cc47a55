package harness

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dapr-sim/sim/sim"
)

// checkModelled refuses what the Dapr side does not model, rather than
// silently ignoring it: fault windows other than latency and error windows
// on called apps.
func (d *driver) checkModelled() error {
	called := map[string]bool{}
	for _, a := range d.sc.Apps {
		if len(a.Steps) == 0 {
			called[a.ID] = true
		}
	}
	for _, w := range d.sc.Windows {
		switch {
		case !called[w.Target]:
			return fmt.Errorf("line %d: the harness models fault windows on called apps only, not on %q", w.Line, w.Target)
		case w.Period > 0 || w.FailEvery > 0 || w.ErrorRate > 0 || w.Conn != 0:
			return fmt.Errorf("line %d: the harness models latency and error windows only", w.Line)
		}
	}
	// Deliveries: the inbound runner only. What pubsub.redis and the
	// subscription's handler do around it (dead letters, acknowledgements
	// failing while the broker is down, redelivery) is not driven here.
	pubsubs := map[string]bool{}
	for _, a := range d.sc.Apps {
		for _, s := range a.Subscriptions {
			pubsubs[s.Pubsub] = true
			if s.DeadLetterTopic != "" {
				return fmt.Errorf("line %d: the harness does not model dead-letter topics", s.Line)
			}
		}
	}
	for _, f := range d.sc.Faults {
		if pubsubs[f.Stop] {
			return fmt.Errorf("line %d: the harness does not model a subscribed pub/sub stopping (its acknowledgements would fail)", f.Line)
		}
	}
	return nil
}

// callStep issues an invoke or actor step through the release's
// composition of Dapr's runners, records each runner's attempts and the
// step's outcome, and reports whether the step succeeded.
func (d *driver) callStep(ctx context.Context, app *sim.App, w, iter, s int, sc Sidecar) bool {
	st := &app.Steps[s]
	at := &stepAttempts{d: d, app: app.ID, w: w, iter: iter, step: s + 1}
	var err error
	switch st.Op {
	case sim.Invoke:
		err = sc.Invoke(ctx, st.Target, expand(st.Method, iter, w), at, func(ctx context.Context) error {
			return d.answer(ctx, st.Target, sim.Invoke)
		})
	case sim.Actor:
		host := d.hosts[st.Target]
		id := expand(st.ActorID, iter, w)
		err = sc.Actor(ctx, st.Target, id, at, func(ctx context.Context) error {
			if d.down(host, d.now()) {
				// The host's sidecar is unreachable: its post-lock policy
				// never runs; the refusal takes the app's latency, as in sim.
				return d.answer(ctx, host, sim.Actor)
			}
			return d.sidecars[host].Host(ctx, st.Target, id, func(ctx context.Context) error {
				return d.answer(ctx, host, sim.Actor)
			})
		})
	}
	t := d.now()
	d.mu.Lock()
	defer d.mu.Unlock()
	attempts := at.outer
	if err != nil && sc.Rejected(err) {
		// The API-level runner's breaker refused the attempt: the call ends.
		attempts++
		d.rec.Attempts = append(d.rec.Attempts, Attempt{T: t, Start: t, App: app.ID, Worker: w, Iteration: iter, Step: s + 1, Attempt: attempts, Outcome: "rejected"})
	}
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	d.rec.Ops = append(d.rec.Ops, Op{T: t, App: app.ID, Worker: w, Iteration: iter, Step: s + 1, Outcome: outcome, Attempts: attempts})
	return err == nil
}

// answer is a called app answering one request that reaches it now: after
// its latency (a latency window's, the longest, when one holds), with the
// first error window's error, or ErrUnavailable after its own latency when
// the app is stopped. Windows and availability are judged when the request
// arrives, as in sim. A done context (a timeout) ends the wait.
func (d *driver) answer(ctx context.Context, target string, op sim.OpKind) error {
	now := d.now()
	lat := time.Millisecond
	for _, a := range d.sc.Apps {
		if a.ID == target {
			lat = a.Latency
		}
	}
	var res error
	if d.down(target, now) {
		res = ErrUnavailable
	} else {
		slow := time.Duration(-1)
		for _, w := range d.sc.Windows {
			if w.Target != target || now < w.From || (w.HasTo && now >= w.To) || (len(w.Ops) > 0 && !slices.Contains(w.Ops, op)) {
				continue
			}
			if w.Latency != nil && *w.Latency > slow {
				slow = *w.Latency
			}
			if w.Error != "" && res == nil {
				res = errors.New(w.Error)
				if w.Status != 0 {
					// sim gives an invoked app's failing window an HTTP
					// status (default 500): the app answers, with an error.
					res = &AppStatus{Status: w.Status, Body: w.Error}
				}
			}
		}
		if slow >= 0 {
			lat = slow
		}
	}
	timer := time.NewTimer(lat)
	defer timer.Stop()
	select {
	case <-timer.C:
		return res
	case <-ctx.Done():
		return ctx.Err()
	}
}

// AppStatus is a called app's answer with an HTTP error status: its
// sidecar delivered it, so for Dapr's direct messaging it is a response,
// not an error.
type AppStatus struct {
	Status int32
	Body   string
}

func (a *AppStatus) Error() string { return fmt.Sprintf("HTTP %d: %s", a.Status, a.Body) }

// stepAttempts records the attempts of every runner of one step.
type stepAttempts struct {
	d             *driver
	app           string
	w, iter, step int
	outer         int // attempts of the API-level runner begun
}

func (s *stepAttempts) Attempt(layer string) func(context.Context, int32, error) error {
	s.d.mu.Lock()
	if layer == "" {
		s.outer++
	}
	s.d.mu.Unlock()
	return func(ctx context.Context, attempt int32, err error) error {
		if layer != "" && ctx.Err() != nil {
			// An outer runner's timeout (or the run's end) cut this inner
			// attempt off; sim drops what runs inside a timed-out attempt.
			return err
		}
		n := int(attempt)
		if n == 0 {
			n = 1 // no retry policy: Dapr numbers nothing; there is one attempt
		}
		outcome := "ok"
		if err != nil {
			outcome = "error"
		}
		t := s.d.now()
		s.d.mu.Lock()
		s.d.rec.Attempts = append(s.d.rec.Attempts, Attempt{T: t, Start: t, App: s.app, Worker: s.w, Iteration: s.iter, Step: s.step, Operation: layer, Attempt: n, Outcome: outcome})
		s.d.mu.Unlock()
		return err
	}
}

// expand fills a step template as sim does: {i} is the iteration, {w} the
// worker.
func expand(tmpl string, iteration, worker int) string {
	s := strings.ReplaceAll(tmpl, "{i}", strconv.Itoa(iteration))
	return strings.ReplaceAll(s, "{w}", strconv.Itoa(worker))
}
