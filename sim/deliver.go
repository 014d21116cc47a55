// Delivery: a subscriber's sidecar reading a topic of pubsub.redis and
// delivering each message to its app through the component's inbound
// policy runner (Dapr's pkg/runtime/subscription, components-contrib
// pubsub/redis; conformance/PUBSUB.md has the facts and their sources).
//
// Each (sidecar, pub/sub component) has one consumer, as contrib's
// redisStreams: a queue of queueDepth messages, concurrency workers that
// each run one delivery to its end, and per topic a read loop (XREADGROUP
// as soon as an entry lands and the loop is not blocked on a full queue)
// and a reclaim loop (every redeliverInterval, XCLAIM the entries pending
// for processingTimeout). A delivery is a worker's step: the synthetic app
// of a consumer has one Deliver step per topic, run through the inbound
// pipeline, and one Publish step per topic for the dead-letter topic, run
// through the outbound one.

package sim

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/dapr-sim/sim/policies"
	"github.com/dapr-sim/sim/policies/client"
	"github.com/dapr-sim/sim/policies/timeout"
	"github.com/dapr-sim/sim/traces"
)

// consumer is pubsub.redis's subscriber in one sidecar.
type consumer struct {
	sidecar string
	pubsub  string
	store   *StateStore
	ps      client.Pubsub
	// app is what the delivery workers run: the subscriber's id, and per
	// topic a Deliver step (index t) and a dead-letter Publish step
	// (index len(topics)+t).
	app    App
	in     *pipeline // the inbound pipeline, shared by its topics
	topics []*topicSub
	// queue holds messages read and waiting for a worker (at most
	// queueDepth); idle lists the workers waiting for one, longest first.
	queue []queued
	idle  []int32
}

// topicSub is one topic a consumer reads.
type topicSub struct {
	sub   *Subscriber
	rules []*policies.Match // per rule of sub.Rules; nil for one without a match
	// pollHand and claimHand are what the read and reclaim loops hold
	// while blocked on a full queue; a loop reads nothing more until its
	// hand is empty.
	pollHand, claimHand []queued
	pollQueued          bool // a read is queued
	claiming            bool // a reclaim pass is under way (it may be blocked)
	// nextClaim is when the reclaim loop ticks next (for Snapshot).
	nextClaim time.Duration
}

// queued is one message read from a stream.
type queued struct {
	topic int
	entry string // the stream entry id
	raw   string // its data field: the CloudEvent JSON
	// deliveries is Redis's delivery count once this read hands it on: 1
	// from XREADGROUP, the pending entry's count plus one from XCLAIM.
	deliveries int
}

// delivery is the message a delivery worker has in hand.
type delivery struct {
	c       *consumer
	topic   int
	entry   string
	raw     string
	eventID string
	data    string // the CloudEvent's data as the app reads it ({data})
	route   string // the path the routing rules chose
	started time.Duration
	seq     uint32 // the worker's delivery count, for its deadline event
	// deliveries is the message's delivery number (queued.deliveries).
	deliveries int
	// The answer of the attempt in flight (see reachSubscriber).
	status int32
	answer string
	body   string
	code   Code // a gRPC app's error code (body its message)
	// The runner's end, kept while the dead-letter publish runs.
	runnerAttempts int
	runnerOutcome  traces.Outcome
	runnerErr      string
	runnerWhy      traces.Reason
	deadLetter     bool // the dead-letter publish is under way
	dropped        bool // the app answered DROP
}

// appPort is the port sim's subscribers listen on: the address in an app
// channel's transport errors (Dapr's is `--app-port`; a scenario has none).
const appPort = "3000"

// appRefused is an HTTP app channel's error when the app does not listen:
// Go's net/http error for a POST to path, https:// for an app channel with
// TLS (DEVIATIONS.md: the port stands for --app-port).
func appRefused(p Protocol, path string) string {
	scheme := "http"
	if p == HTTPS {
		scheme = "https"
	}
	return `Post "` + scheme + `://127.0.0.1:` + appPort + path + `": dial tcp 127.0.0.1:` + appPort + `: connect: connection refused`
}

// Fixed wording of a delivery's errors (dapr@v1.14.4
// pkg/runtime/subscription/publish.go, pkg/runtime/errors/retriable.go).
const (
	appChannelErr = "error returned from app channel while sending pub/sub event to app: retriable error occurred: "
	retriablePfx  = "retriable error occurred: "
)

// newConsumers builds a consumer per (sidecar, pub/sub) the scenario's
// subscribers read, with its delivery workers appended to e.workers.
// instance draws the inbound pipeline's breaker: Dapr keys a component's
// one instance by its name, for both directions.
func (e *Engine) newConsumers(instance func(string, policies.Resolved) *breakerInst, storeRefs func(sidecar, store string, op OpKind) stepRefs) {
	byKey := map[string]*consumer{}
	for i := range e.setup.Subscribers {
		sub := &e.setup.Subscribers[i]
		k := sidecarKey(sub.App, sub.Pubsub)
		c, ok := byKey[k]
		if !ok {
			spec := e.setup.SpecOf(sub.App)
			ps, _ := spec.PubsubOf(sub.Pubsub)
			c = &consumer{sidecar: sub.App, pubsub: sub.Pubsub, store: e.stores[sub.Pubsub], ps: ps, app: App{ID: sub.App, Line: sub.Line}}
			byKey[k] = c
			e.consumers = append(e.consumers, c)
		}
		ts := &topicSub{sub: sub}
		for _, r := range sub.Rules {
			var m *policies.Match
			if r.Match != "" {
				// Compiled when the spec was loaded; a failure is not
				// possible here but is kept as no match.
				m, _ = policies.CompileMatch(r.Match)
			}
			ts.rules = append(ts.rules, m)
		}
		c.topics = append(c.topics, ts)
	}
	for ci, c := range e.consumers {
		spec := e.setup.SpecOf(c.sidecar)
		r := spec.ComponentInbound(c.pubsub)
		c.in = &pipeline{target: Target{Name: c.pubsub}, called: true,
			layers: []layer{{operation: r.Operation, retry: r.Retry, timeout: timeout.Policy{Duration: r.Timeout}, breaker: instance(c.sidecar, r), missingBreaker: r.MissingBreaker}}}
		n := len(c.topics)
		c.app.Steps = make([]Step, 2*n)
		refs := make([]stepRefs, 2*n)
		for t, ts := range c.topics {
			c.app.Steps[t] = Step{Op: Deliver, Target: c.pubsub, Topic: ts.sub.Topic, Log: ts.sub.Log, Line: ts.sub.Line}
			refs[t] = stepRefs{pl: c.in, store: c.store}
			c.app.Steps[n+t] = Step{Op: Publish, Target: c.pubsub, Topic: ts.sub.DeadLetterTopic, Line: ts.sub.Line}
			if ts.sub.DeadLetterTopic != "" {
				refs[n+t] = storeRefs(c.sidecar, c.pubsub, Publish)
			}
		}
		for k := uint64(0); k < c.ps.Concurrency; k++ {
			wi := int32(len(e.workers))
			e.workers = append(e.workers, &worker{app: &c.app, spec: spec, index: int(k), steps: refs, c: c, ci: ci})
			c.idle = append(c.idle, wi)
		}
		for t, ts := range c.topics {
			k := streamKey{c.pubsub, ts.sub.Topic}
			e.streamReaders[k] = append(e.streamReaders[k], readerRef{ci, t})
		}
	}
}

// readerRef names one topic of one consumer; streamKey one stream, a
// topic of a pub/sub component's Redis.
type (
	readerRef struct{ consumer, topic int }
	streamKey struct{ pubsub, topic string }
)

// subscribe starts every consumer at the start of the run, as a sidecar
// does when its app is ready: the inbound policy is resolved (which makes
// the breaker instance), each topic's group is created (XGROUP CREATE
// <topic> <consumerID> 0 MKSTREAM), and the read and reclaim loops begin.
func (e *Engine) subscribe() {
	now := e.q.Now()
	for ci, c := range e.consumers {
		if b := c.in.layers[0].breaker; b != nil {
			b.ensure(now)
		}
		for t, ts := range c.topics {
			if c.store.mr != nil {
				if rc, err := c.store.streams(); err == nil {
					rc.at(now)
					rc.xgroupCreate(ts.sub.Topic, c.ps.ConsumerID)
				}
			}
			e.queuePoll(ci, t)
			if c.ps.ProcessingTimeout > 0 && c.ps.RedeliverInterval > 0 {
				e.q.At(now, event{kind: evReclaim, w: int32(ci), token: uint32(t)})
				ts.nextClaim = now
			}
		}
	}
}

// published tells the readers of a stream that an entry landed.
func (e *Engine) published(pubsub, topic string) {
	for _, r := range e.streamReaders[streamKey{pubsub, topic}] {
		e.queuePoll(r.consumer, r.topic)
	}
}

// queuePoll queues a read of topic t, once.
func (e *Engine) queuePoll(ci, t int) {
	ts := e.consumers[ci].topics[t]
	if ts.pollQueued {
		return
	}
	ts.pollQueued = true
	e.q.At(e.q.Now(), event{kind: evPoll, w: int32(ci), token: uint32(t)})
}

// poll is a topic's read loop answering: XREADGROUP GROUP <id> <id>
// COUNT <queueDepth> STREAMS <topic> >. A loop blocked on a full queue
// reads nothing; one whose store is down reads again when it is back.
func (e *Engine) poll(ci, t int) {
	c := e.consumers[ci]
	ts := c.topics[t]
	ts.pollQueued = false
	if len(ts.pollHand) > 0 || !c.store.up || c.store.mr == nil {
		return
	}
	rc, err := c.store.streams()
	if err != nil {
		return
	}
	rc.at(e.q.Now())
	msgs, err := rc.xreadgroup(c.ps.ConsumerID, c.ps.ConsumerID, ts.sub.Topic, int(c.ps.QueueDepth))
	if err != nil {
		return
	}
	for _, m := range msgs {
		ts.pollHand = append(ts.pollHand, queued{topic: t, entry: m.ID, raw: m.Data, deliveries: 1})
	}
	e.feed(ci)
}

// reclaim is one tick of a topic's reclaim loop (token's topic), or the
// rest of a pass that was blocked (depth 1): XPENDING, keep what has been
// pending for processingTimeout, XCLAIM it and hand it on, until nothing
// more is due.
func (e *Engine) reclaim(ci, t int, resume bool) {
	c := e.consumers[ci]
	ts := c.topics[t]
	if !resume {
		// A time.Ticker: the next tick comes whatever this one does.
		e.schedule(c.ps.RedeliverInterval, event{kind: evReclaim, w: int32(ci), token: uint32(t)})
		ts.nextClaim = e.q.Now() + c.ps.RedeliverInterval
		if ts.claiming {
			return // the pass is blocked on a full queue; the tick is lost
		}
	}
	ts.claiming = true
	for len(ts.claimHand) == 0 {
		if !c.store.up || c.store.mr == nil || c.ps.QueueDepth == 0 {
			break
		}
		rc, err := c.store.streams()
		if err != nil {
			break
		}
		now := e.q.Now()
		rc.at(now)
		pend, err := rc.xpending(ts.sub.Topic, c.ps.ConsumerID, int(c.ps.QueueDepth))
		if err != nil {
			break
		}
		var ids []string
		deliveries := map[string]int{}
		for _, p := range pend {
			if p.Idle >= c.ps.ProcessingTimeout {
				ids = append(ids, p.ID)
				deliveries[p.ID] = p.Deliveries + 1
			}
		}
		if len(ids) == 0 {
			break
		}
		msgs, err := rc.xclaim(ts.sub.Topic, c.ps.ConsumerID, c.ps.ConsumerID, c.ps.ProcessingTimeout, ids)
		if err != nil {
			break
		}
		for _, m := range msgs {
			raw := m.Data
			e.ev = traces.Event{T: now, Kind: traces.Redeliver, App: c.sidecar, Target: c.pubsub, Topic: ts.sub.Topic,
				Message: m.ID, EventID: cloudEventID(raw), Deliveries: deliveries[m.ID]}
			e.emit()
			ts.claimHand = append(ts.claimHand, queued{topic: t, entry: m.ID, raw: raw, deliveries: deliveries[m.ID]})
			delete(deliveries, m.ID)
		}
		// What XCLAIM did not return was trimmed from the stream while
		// pending: a ghost, which contrib acknowledges so that it does not
		// hold the head of every pass (redis.go:367-412).
		for _, id := range ids {
			if _, ghost := deliveries[id]; ghost {
				rc.xack(ts.sub.Topic, c.ps.ConsumerID, id)
			}
		}
		e.feed(ci)
		if len(msgs) == 0 {
			break
		}
	}
	if len(ts.claimHand) == 0 {
		ts.claiming = false
	}
}

// feed moves what the loops hold into the queue and the queue to idle
// workers, as Go's channel between them would: a worker takes the oldest
// message; a blocked loop puts one in as soon as there is room.
func (e *Engine) feed(ci int) {
	c := e.consumers[ci]
	for {
		moved := false
		for len(c.idle) > 0 {
			m, ok := e.take(ci)
			if !ok {
				break
			}
			wi := c.idle[0]
			c.idle = c.idle[1:]
			if !e.startDelivery(int(wi), m) {
				c.idle = append(c.idle, wi)
			}
			moved = true
		}
		for uint64(len(c.queue)) < c.ps.QueueDepth {
			m, ok := e.fromHand(ci)
			if !ok {
				break
			}
			c.queue = append(c.queue, m)
			moved = true
		}
		if !moved {
			return
		}
	}
}

// take returns the next message for a worker: the queue's oldest, else
// (an unbuffered queue, queueDepth 0) straight from a loop's hand.
func (e *Engine) take(ci int) (queued, bool) {
	c := e.consumers[ci]
	if len(c.queue) > 0 {
		m := c.queue[0]
		c.queue = c.queue[1:]
		return m, true
	}
	return e.fromHand(ci)
}

// fromHand takes the next message a blocked loop holds; a read loop whose
// hand empties reads again, and a reclaim pass goes on.
func (e *Engine) fromHand(ci int) (queued, bool) {
	c := e.consumers[ci]
	for t, ts := range c.topics {
		if len(ts.pollHand) > 0 {
			m := ts.pollHand[0]
			ts.pollHand = ts.pollHand[1:]
			if len(ts.pollHand) == 0 {
				e.queuePoll(ci, t)
			}
			return m, true
		}
		if len(ts.claimHand) > 0 {
			m := ts.claimHand[0]
			ts.claimHand = ts.claimHand[1:]
			if len(ts.claimHand) == 0 && ts.claiming {
				e.q.At(e.q.Now(), event{kind: evReclaim, depth: 1, w: int32(ci), token: uint32(t)})
			}
			return m, true
		}
	}
	return queued{}, false
}

// startDelivery gives m to idle worker wi: the handler Dapr's subscription
// runs per message (subscription.go:121-262). It reports false when the
// message needed no delivery (no route matched), leaving the worker idle.
func (e *Engine) startDelivery(wi int, m queued) bool {
	w := e.workers[wi]
	c := w.c
	ts := c.topics[m.topic]
	now := e.q.Now()
	w.iteration++
	dv := &delivery{c: c, topic: m.topic, entry: m.entry, raw: m.raw, started: now, seq: uint32(w.iteration), deliveries: m.deliveries}
	w.dv = dv
	w.step = m.topic
	dv.eventID, dv.data = eventFields(m.raw)
	dv.route = ""
	var asDapr map[string]any // the event as Dapr's rules see it (numbers are float64)
	for i, r := range ts.sub.Rules {
		if ts.rules[i] == nil {
			dv.route = r.Path
			break
		}
		if asDapr == nil {
			json.Unmarshal([]byte(m.raw), &asDapr)
		}
		ok, err := ts.rules[i].Eval(asDapr)
		if err != nil {
			// findMatchingRoute's error: the handler returns it, so the
			// message stays pending (or goes to the dead-letter topic),
			// the runner never runs (subscription.go:190-200).
			dv.runnerOutcome, dv.runnerErr = traces.Error, err.Error()
			if ts.sub.DeadLetterTopic != "" {
				e.deadLetter(w, wi)
				return true
			}
			e.endDelivery(w, wi, traces.ResultPending, result{outcome: traces.Error, err: err.Error()})
			return true
		}
		if ok {
			dv.route = r.Path
			break
		}
	}
	if dv.route == "" {
		// No route: acknowledged without a delivery (subscription.go:202-212).
		e.endDelivery(w, wi, traces.ResultUnrouted, result{outcome: traces.OK})
		return false
	}
	if e.setup.Profile.DeliveryRunner == policies.RunnerOnDelivery && c.ps.ProcessingTimeout > 0 && c.ps.RedeliverInterval > 0 {
		// The runner's parent is the handler's context, which contrib ends
		// at processingTimeout.
		e.schedule(c.ps.ProcessingTimeout, event{kind: evDeliveryDeadline, w: int32(wi), token: dv.seq})
	}
	e.issue(w, wi)
	return true
}

// deliveryDeadline ends a delivery whose runner runs on the handler's
// context when processingTimeout passes (≤1.13.1): the runner returns the
// context's error, and what it had in flight is no longer waited for.
func (e *Engine) deliveryDeadline(wi int, seq uint32) {
	w := e.workers[wi]
	if w.dv == nil || w.dv.seq != seq || w.dv.deadLetter {
		return
	}
	for d := range w.pl.layers {
		lc := &w.calls[d]
		lc.token++
		if lc.deadline != 0 {
			e.q.Cancel(lc.deadline)
			lc.deadline = 0
		}
	}
	e.complete(w, wi, result{outcome: traces.Error, err: timeout.ErrDeadlineExceeded.Error()})
}

// reachSubscriber performs a delivery's attempt on the subscriber app as it
// is now: Dapr's HTTP app channel POSTs the CloudEvent to the route, and
// the app's answer decides what the runner sees (publish.go:39-130).
func (e *Engine) reachSubscriber(w *worker) time.Duration {
	dv := w.dv
	dv.status, dv.answer, dv.body, dv.code = 0, "", "", 0
	w.answerErr, w.unavailable, w.answerStatus = "", false, 0
	a := e.apps[w.app.ID]
	if a.protocol.GRPC() {
		return e.reachGRPCSubscriber(w, a)
	}
	lat := a.latency
	refused := !a.up
	if !refused {
		var errText string
		var down bool
		var status int32
		lat, errText, down, status, _ = e.applyWindows(w.app.ID, Deliver, strings.TrimPrefix(dv.route, "/"), lat)
		switch {
		case down:
			refused = true
		case e.windowAnswer != "":
			dv.answer = e.windowAnswer
			if dv.answer == "RETRY" {
				w.answerErr = fmt.Sprintf("RETRY status returned from app while processing pub/sub event %s: retriable error occurred", dv.eventID)
			}
		case errText != "":
			if status == 0 {
				status = 500
			}
			dv.status, dv.body = status, errText
			if e.setup.Profile.RetryMatching {
				// From 1.15 the error carries its status
				// (resiliency.NewCodeError), so a retry policy's
				// matching decides whether it is retried (dapr@v1.15.4
				// subscription/publish.go:130-133).
				w.answerStatus = status
			}
			if status != 404 {
				w.answerErr = retriablePfx + fmt.Sprintf("retriable error returned from app while processing pub/sub event %s, topic: %s, body: %s. status code returned: %d",
					dv.eventID, dv.c.topics[dv.topic].sub.Topic, errText, status)
			}
		}
	}
	if refused {
		w.answerErr = appChannelErr + appRefused(a.protocol, dv.route)
	}
	return lat
}

// delivered ends a Deliver step's runner, or the dead-letter publish after
// it, with r: what the sidecar does with the message (subscription.go
// :222-261 and sendToDeadLetter).
func (e *Engine) delivered(w *worker, wi int, r result) {
	dv := w.dv
	c := dv.c
	ts := c.topics[dv.topic]
	dlq := ts.sub.DeadLetterTopic
	p := e.setup.Profile
	if !dv.deadLetter {
		dv.runnerAttempts, dv.runnerOutcome, dv.runnerErr, dv.runnerWhy = w.calls[0].attempt, r.outcome, r.err, w.gaveUp
		w.gaveUp = traces.Reason{}
		switch {
		case r.outcome == traces.OK && dv.status == 404:
			e.endDelivery(w, wi, traces.ResultNotFound, r)
		case r.outcome == traces.OK && dv.code == CodeUnimplemented:
			e.endDelivery(w, wi, traces.ResultUnimplemented, r)
		case r.outcome == traces.OK && dv.answer == "DROP":
			dv.dropped = true
			if dlq != "" && p.DropToDeadLetter {
				e.deadLetter(w, wi)
				return
			}
			e.endDelivery(w, wi, traces.ResultDropped, r)
		case r.outcome == traces.OK:
			e.endDelivery(w, wi, traces.ResultAck, r)
		case dlq != "":
			e.deadLetter(w, wi)
		default:
			e.endDelivery(w, wi, traces.ResultPending, r)
		}
		return
	}
	switch {
	case dv.dropped:
		e.endDelivery(w, wi, traces.ResultDropped, r)
	case r.outcome == traces.OK:
		e.endDelivery(w, wi, traces.ResultDeadLetter, r)
	case p.DeadLetterFailKeepsPending:
		e.endDelivery(w, wi, traces.ResultPending, r)
	default:
		e.endDelivery(w, wi, traces.ResultLost, r)
	}
}

// deadLetter publishes the message in hand to its subscription's
// dead-letter topic through the pub/sub's outbound policy, on the
// handler's context: past processingTimeout that context is done and the
// publish fails at once (PUBSUB.md §2, §9.2).
func (e *Engine) deadLetter(w *worker, wi int) {
	dv := w.dv
	dv.deadLetter = true
	w.step = len(dv.c.topics) + dv.topic
	ps := dv.c.ps
	if !dv.dropped && ps.ProcessingTimeout > 0 && ps.RedeliverInterval > 0 && e.q.Now()-dv.started >= ps.ProcessingTimeout {
		e.delivered(w, wi, result{outcome: traces.Error, err: timeout.ErrDeadlineExceeded.Error()})
		return
	}
	e.issue(w, wi)
}

// endDelivery acknowledges the message unless it stays pending, records
// the delivery's end, and frees the worker for the next message.
func (e *Engine) endDelivery(w *worker, wi int, res string, r result) {
	dv := w.dv
	c := dv.c
	ts := c.topics[dv.topic]
	now := e.q.Now()
	ackErr := ""
	if res != traces.ResultPending {
		// XACK on Background (redis.go:252): it fails while Redis does.
		switch {
		case !c.store.up:
			ackErr = errRefused
		case c.store.mr != nil:
			if rc, err := c.store.streams(); err == nil {
				rc.at(now)
				if err := rc.xack(ts.sub.Topic, c.ps.ConsumerID, dv.entry); err != nil {
					ackErr = err.Error()
				}
			}
		}
	}
	w.step = dv.topic
	e.who(w, traces.Deliver, 0)
	e.ev.Topic, e.ev.Message, e.ev.EventID = ts.sub.Topic, dv.entry, dv.eventID
	e.ev.Result = res
	e.ev.Took = now - dv.started
	if res == traces.ResultUnrouted {
		e.ev.Outcome = traces.OK
	} else {
		e.ev.Attempts, e.ev.Outcome, e.ev.Error, e.ev.Reason = dv.runnerAttempts, dv.runnerOutcome, dv.runnerErr, dv.runnerWhy
	}
	if dv.deadLetter {
		e.ev.DeadLetter = ts.sub.DeadLetterTopic
		if r.outcome != traces.OK {
			e.ev.Error = r.err
		}
	}
	if res == traces.ResultAck && ackErr == "" && ts.sub.Log != "" {
		e.ev.Log = expandMessage(ts.sub.Log, dv.data, dv.eventID, dv.raw)
	}
	if ackErr != "" {
		// The app took it, the XACK failed: it stays pending and comes
		// back (ERROR "Error acknowledging Redis message").
		e.ev.Result, e.ev.Error = traces.ResultAckFailed, ackErr
	}
	e.emit()
	w.view.active = false
	if w.pl != nil {
		for d := range w.pl.layers {
			w.calls[d].token++
		}
	}
	w.dv = nil
	if res == traces.ResultUnrouted {
		return // feed is handing out messages: it keeps the worker
	}
	c.idle = append(c.idle, int32(wi))
	e.feed(w.ci)
}

// expandMessage fills a subscriber's line: {data}, {id} and {event}. It
// is what strings.NewReplacer with those three pairs gives (no placeholder
// is a prefix of another, so one left-to-right pass finds the same
// matches) without building a replacer per message.
func expandMessage(tmpl, data, id, event string) string {
	if strings.IndexByte(tmpl, '{') < 0 {
		return tmpl
	}
	var b strings.Builder
	for {
		j := strings.IndexByte(tmpl, '{')
		if j < 0 {
			b.WriteString(tmpl)
			return b.String()
		}
		b.WriteString(tmpl[:j])
		rest := tmpl[j:]
		switch {
		case strings.HasPrefix(rest, "{data}"):
			b.WriteString(data)
			tmpl = rest[len("{data}"):]
		case strings.HasPrefix(rest, "{id}"):
			b.WriteString(id)
			tmpl = rest[len("{id}"):]
		case strings.HasPrefix(rest, "{event}"):
			b.WriteString(event)
			tmpl = rest[len("{event}"):]
		default:
			b.WriteByte('{')
			tmpl = rest[1:]
		}
	}
}
