package harness

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/dapr-sim/sim/sim"
)

// topicKey names a topic of a pub/sub component.
type topicKey struct{ pubsub, topic string }

// subscription is one app's subscription to a topic, started on the Dapr
// side.
type subscription struct {
	app     string
	index   int // its place in the app's subscriptions
	route   string
	deliver Deliver
}

// deliveryOperation is the name Dapr's inbound runner gives a component's
// deliveries (resiliency.go ComponentInboundPolicy). Both sides put it on a
// delivery's attempts, which keeps them apart from an app loop's own.
func deliveryOperation(pubsub string) string { return "component[" + pubsub + "] input" }

// xadd hands a message just published to topic to every subscription of
// it: each starts its delivery now, in a goroutine of its own, as
// pubsub.redis's workers each run one delivery to its end. Dapr's runner
// has context.Background() as its parent; the run's context stands in for
// it so that no delivery outlives the horizon (nothing after it is
// compared).
func (d *driver) xadd(pubsub, topic string) {
	key := topicKey{pubsub, topic}
	d.mu.Lock()
	d.published[key]++
	n := d.published[key]
	d.mu.Unlock()
	for _, s := range d.subs[key] {
		d.wg.Go(func() { d.deliverOne(d.ctx, s, pubsub, topic, n) })
	}
}

// deliverOne runs message n of a topic through the subscription's
// delivery, records each attempt and the delivery's end, and classifies
// the end as the subscription's handler does (subscription.go: a nil
// runner result is acknowledged; without a dead-letter topic an error
// leaves the message pending).
func (d *driver) deliverOne(ctx context.Context, s *subscription, pubsub, topic string, n int) {
	at := &deliveryAttempts{d: d, app: s.app, n: n, step: s.index + 1, operation: deliveryOperation(pubsub)}
	var last AppAnswer // the last attempt's answer (under d.mu)
	err := s.deliver(ctx, at, func(ctx context.Context) (AppAnswer, error) {
		a, err := d.subscriberAnswer(ctx, s.app, s.route)
		d.mu.Lock()
		last = a
		d.mu.Unlock()
		return a, err
	})
	t := d.now()
	d.mu.Lock()
	defer d.mu.Unlock()
	attempts := at.made
	outcome, result := "ok", "ack"
	switch {
	case err != nil:
		outcome, result = "error", "pending"
		if d.sidecars[s.app].Rejected(err) {
			// The breaker refused the attempt: the delivery ends at once,
			// and sim's deliver event says why.
			outcome = "rejected"
			attempts++
			d.rec.Attempts = append(d.rec.Attempts, Attempt{T: t, Start: t, App: s.app, Iteration: n, Step: s.index + 1, Operation: at.operation, Attempt: attempts, Outcome: "rejected"})
		}
	case last.Code == int(sim.CodeUnimplemented):
		result = "unimplemented"
	case last.Status == 404:
		result = "notfound"
	case last.Body == `{"status":"DROP"}`:
		result = "dropped"
	}
	d.rec.Deliveries = append(d.rec.Deliveries, Delivery{T: t, App: s.app, Topic: topic, N: n, Result: result, Outcome: outcome, Attempts: attempts})
}

// subscriberAnswer is the subscriber app answering one delivery that
// reaches it now, as sim's reachSubscriber judges it: a stopped app
// refuses the connection after its latency; otherwise the windows holding
// for deliveries to its route give the latency (the longest) and the
// answer (the first failing one's: a status word in a 200, or its error
// with its status, default 500). A done context (Dapr's timeout) ends the
// wait.
func (d *driver) subscriberAnswer(ctx context.Context, app, route string) (AppAnswer, error) {
	now := d.now()
	lat := sim.DefaultStoreLatency
	grpc := false
	for _, a := range d.sc.Apps {
		if a.ID == app {
			lat, grpc = a.Latency, a.Protocol.GRPC()
		}
	}
	var res error
	ans := AppAnswer{Status: 200}
	if d.down(app, now) && grpc {
		// grpc-go's picker fails the call with the channel's dial error.
		ans.Code, ans.Desc = int(sim.CodeUnavailable), grpcRefused
	} else if d.down(app, now) {
		res = ErrUnavailable
	} else {
		slow := time.Duration(-1)
		failed := false
		method := strings.TrimPrefix(route, "/")
		for _, w := range d.sc.Windows {
			if w.Target != app || now < w.From || (w.HasTo && now >= w.To) ||
				(len(w.Ops) > 0 && !slices.Contains(w.Ops, sim.Deliver)) ||
				(len(w.Methods) > 0 && !slices.Contains(w.Methods, method)) {
				continue
			}
			if w.Latency != nil && *w.Latency > slow {
				slow = *w.Latency
			}
			if failed || (w.Error == "" && w.Answer == "") {
				continue
			}
			failed = true
			switch {
			case w.Answer != "":
				ans.Body = fmt.Sprintf(`{"status":%q}`, w.Answer)
			case grpc:
				// A handler's plain error reaches the client as Unknown.
				ans.Code, ans.Desc = int(sim.CodeUnknown), w.Error
				if w.Code != 0 {
					ans.Code = int(w.Code)
				}
			default:
				ans.Status, ans.Body = 500, w.Error
				if w.Status != 0 {
					ans.Status = int(w.Status)
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
		if res != nil {
			return AppAnswer{}, res
		}
		return ans, nil
	case <-ctx.Done():
		return AppAnswer{}, ctx.Err()
	}
}

// grpcRefused is the message of a gRPC client's Unavailable status while
// the app does not listen (grpc@v1.64.1 picker_wrapper.go:171,
// internal/transport/http2_client.go:222; sim's text, port 3000 standing
// for --app-port).
const grpcRefused = `connection error: desc = "transport: Error while dialing: dial tcp 127.0.0.1:3000: connect: connection refused"`

// deliveryAttempts records the attempts of one delivery's runner, keyed
// by subscriber, message (as Iteration) and subscription (as Step).
type deliveryAttempts struct {
	d         *driver
	app       string
	n, step   int
	operation string
	made      int // attempts begun
}

func (a *deliveryAttempts) Attempt(layer string) func(context.Context, int32, error) error {
	a.d.mu.Lock()
	a.made++
	a.d.mu.Unlock()
	return func(ctx context.Context, attempt int32, err error) error {
		n := int(attempt)
		if n == 0 {
			n = 1 // no retry policy: Dapr numbers nothing; there is one attempt
		}
		outcome := "ok"
		if err != nil {
			outcome = "error"
		}
		t := a.d.now()
		a.d.mu.Lock()
		a.d.rec.Attempts = append(a.d.rec.Attempts, Attempt{T: t, Start: t, App: a.app, Iteration: a.n, Step: a.step, Operation: a.operation, Attempt: n, Outcome: outcome})
		a.d.mu.Unlock()
		return err
	}
}
