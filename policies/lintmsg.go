package policies

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/dapr-sim/sim/policies/client"
	"github.com/dapr-sim/sim/policies/retry"
)

// Messaging checks: what a pub/sub delivery or an input binding's event
// meets inside the sidecar, from conformance/PUBSUB.md (dapr@v1.14.4 unless
// a release is named).

// Releases from which a behaviour was read, with no change since; lint
// says nothing about it for older ones.
const (
	// sharedBreakerRead: one breaker per component for both directions,
	// verified in 1.9.6 … 1.16.8 (pkg/resiliency/resiliency.go:946-969).
	sharedBreakerRead = 9
	// bindingStatusRead: the input binding's runner fails any status but
	// 200, read in 1.10.10 (runtime.go:1285-1384) … 1.16.8 (send.go:385).
	bindingStatusRead = 10
)

// lintSite is where a finding about a policy is reported.
type lintSite struct {
	file, field string
	line        int
}

// refSite returns where the kind ("timeout", "retry", "circuit breaker")
// policy ref that target key ("components/<name>/inbound") resolves to is
// written: the target's reference to it, the target itself when the
// reference has no line, or, for a target not listed (a default policy),
// the policy's definition.
func (idx *siteIndex) refSite(key, kind, ref string) (lintSite, bool) {
	fields := map[string]string{"timeout": "timeout", "retry": "retry", "circuit breaker": "circuitBreaker"}
	for _, t := range idx.targets {
		if t.key != key {
			continue
		}
		r := map[string]Ref{"timeout": t.refs.Timeout, "retry": t.refs.Retry, "circuit breaker": t.refs.CircuitBreaker}[kind]
		if r.Line > 0 {
			return lintSite{t.file, t.path + "." + fields[kind], r.Line}, true
		}
		return lintSite{t.file, t.path, t.line}, true
	}
	if d, ok := idx.defAt[kind+"/"+ref]; ok {
		return lintSite{d.file, d.field, d.line}, true
	}
	return lintSite{}, false
}

// deliveryTime is the longest the inbound runner can spend on one delivery
// whose every attempt fails: each attempt up to timeout (0, no timeout
// policy: counted as failing at once), each delay at its largest
// (DelayBounds). bounded is false when nothing limits it (maxRetries -1 on
// a constant policy); byElapsed reports that the exponential backoff's
// maxElapsedTime is the limit (dapr/kit's retry stops when the elapsed
// time plus the next delay would pass it, so one last attempt may follow).
func deliveryTime(p retry.Policy, timeout time.Duration) (d time.Duration, bounded, byElapsed bool) {
	capAt := time.Duration(-1)
	if p.Kind == retry.Exponential && p.MaxElapsedTime > 0 {
		capAt = addSat(p.MaxElapsedTime, timeout)
	}
	if p.MaxRetries < 0 {
		if capAt < 0 {
			return 0, false, false
		}
		return capAt, true, true
	}
	total := mulSat(timeout, p.MaxRetries+1)
	prev := time.Duration(-1)
	for n := int64(1); n <= p.MaxRetries; n++ {
		if capAt >= 0 && total >= capAt {
			break
		}
		delay := p.Delay(n)
		// From the delay that no longer grows (a constant policy's from
		// the second, an exponential one's at maxInterval) every later one
		// is the same: count them at once. A policy still growing after
		// 4096 retries has its rest counted at the cap, an upper bound.
		if delay == prev || n > 4096 {
			if n > 4096 {
				delay = p.MaxInterval
			}
			hi := delay
			if p.Kind == retry.Exponential {
				_, hi = p.JitterBounds(delay)
			}
			total = addSat(total, mulSat(max(hi, 0), p.MaxRetries-n+1))
			break
		}
		_, hi := p.DelayBounds(n)
		total = addSat(total, max(hi, 0))
		prev = delay
	}
	if capAt >= 0 && total > capAt {
		return capAt, true, true
	}
	return total, true, false
}

func addSat(a, b time.Duration) time.Duration {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

func mulSat(a time.Duration, n int64) time.Duration {
	if a <= 0 || n <= 0 {
		return 0
	}
	if a > time.Duration(math.MaxInt64/n) {
		return math.MaxInt64
	}
	return a * time.Duration(n)
}

// deliveryWords says how long retry p (with timeout) may hold one
// delivery: "for up to 2m30s", "for up to 15m0s (its maxElapsedTime)",
// "without limit".
func deliveryWords(d time.Duration, bounded, byElapsed bool, timeout time.Duration) string {
	switch {
	case !bounded:
		return "without limit"
	case byElapsed:
		return fmt.Sprintf("for up to %s (the exponential backoff's maxElapsedTime, plus one last attempt)", d)
	case timeout > 0:
		return fmt.Sprintf("for up to %s (every attempt failing at its timeout, every delay at its longest)", d)
	}
	return fmt.Sprintf("for up to %s (every delay at its longest; no timeout policy bounds an attempt, so each is counted as failing at once)", d)
}

// messagingChecks looks at what deliveries from pub/sub components and
// input bindings meet: the inbound runner against pubsub.redis's
// processingTimeout, the dead-letter publish after it, subscriptions that
// leave a failed message pending for good, the breaker both directions of
// a component share, and the status an input binding's runner wants.
func (l *linter) messagingChecks(s *Spec, idx *siteIndex) {
	for _, name := range sortedKeys(s.Components) {
		switch typ := s.Components[name]; {
		case typ == client.PubsubType:
			l.pubsubDelivery(s, idx, name)
		case strings.HasPrefix(typ, "bindings."):
			l.bindingStatus(s, idx, name)
		}
	}
	l.sharedBreakers(s, idx)
}

// pubsubDelivery checks the deliveries of pubsub.redis component name.
func (l *linter) pubsubDelivery(s *Spec, idx *siteIndex, name string) {
	ps, _ := s.PubsubOf(name)
	var subs []Subscription
	for _, sub := range s.Subscriptions {
		if sub.Pubsub == name {
			subs = append(subs, sub)
		}
	}

	// pubsub-no-redelivery, for each subscription that gives a failed
	// message no way out: the component's own warning says redelivery is
	// off; here, which topics it leaves stuck. Without a deadLetterTopic
	// the handler returns the runner's error, so no XACK (dapr@v1.14.4
	// pkg/runtime/subscription/subscription.go:252-256), and only the
	// reclaim loop would deliver it again (contrib pubsub/redis/redis.go:296,
	// Pubsub.Redelivers).
	if !ps.Redelivers() && ps.Concurrency > 0 {
		var why []string
		if ps.ProcessingTimeout == 0 {
			why = append(why, "processingTimeout 0s")
		}
		if ps.RedeliverInterval == 0 {
			why = append(why, "redeliverInterval 0s")
		}
		if ps.QueueDepth == 0 {
			why = append(why, "queueDepth 0")
		}
		for _, sub := range subs {
			if sub.DeadLetterTopic != "" {
				continue
			}
			l.add(Finding{File: sub.File, Line: sub.PubsubLine, Field: "spec.pubsubname", ID: client.IDNoRedelivery,
				Msg: fmt.Sprintf("subscription %q to topic %q has no deadLetterTopic, and pubsub.redis component %q never redelivers (%s): a message whose delivery fails (the app's error, the retries given up, the breaker open) stays pending, unacknowledged, for good", sub.Name, sub.Topic, name, strings.Join(why, ", "))})
		}
	}

	// The rest needs the processingTimeout deadline on each delivery,
	// which pubsub.redis sets only when both processingTimeout and
	// redeliverInterval are non-zero (contrib pubsub/redis/redis.go:241-244).
	if ps.ProcessingTimeout <= 0 || ps.RedeliverInterval == 0 {
		return
	}
	subscribed := false
	for _, sub := range subs {
		if !sub.Bulk { // bulk subscriptions take another path (PUBSUB.md §1.7)
			subscribed = true
		}
	}
	t, targeted := s.Targets.Components[name]
	if targeted && t.Inbound != (PolicyNames{}) {
		subscribed = true
	}
	in := s.ComponentInbound(name)
	if !subscribed || in.Retry == nil || in.Retry.MaxRetries == 0 {
		return
	}
	d, bounded, byElapsed := deliveryTime(*in.Retry, in.Timeout)
	pt := ps.ProcessingTimeout
	if bounded && d < pt {
		return
	}
	how := deliveryWords(d, bounded, byElapsed, in.Timeout)
	than := "longer than"
	if bounded && d == pt {
		than = "as long as"
	}
	key := "components/" + name + "/inbound"

	// delivery-outlasts-processing-timeout: the runner around the app
	// call (subscription.go:222; parent per release in
	// Profile.DeliveryRunner) against the worker's deadline (contrib
	// redis.go:241-244) and the reclaim of a message idle processingTimeout,
	// at a redeliverInterval tick (contrib redis.go:293-381).
	if st, ok := idx.refSite(key, "retry", in.Policies.Retry); ok && (!bounded || d > pt) {
		reclaim := fmt.Sprintf("the component takes the still-pending message back %s to %s after it was handed out and a second worker delivers it again while the first still retries: the app gets duplicates, one more copy for each further %s to %s the retries go on", pt, pt+ps.RedeliverInterval, pt, pt+ps.RedeliverInterval)
		cancelled := fmt.Sprintf("the runner runs on the delivery's context, which ends at processingTimeout: the delivery is cancelled after %s (context deadline exceeded) and the retries planned after that never happen", pt)
		var what string
		switch s.Profile.DeliveryRunner {
		case RunnerOnBackground:
			if ps.Redelivers() {
				what = "on Dapr " + s.Profile.Version + " the runner goes on past it (its parent context is Background), and " + reclaim
			}
		case RunnerPatchDependent:
			what = "on Dapr " + DeliveryRunnerPatch + " and later 1.13 patches the runner goes on past it (its parent context is Background)"
			if ps.Redelivers() {
				what += ", and " + reclaim
			}
			what += "; on 1.13.0 and 1.13.1 " + cancelled
		default:
			what = "on Dapr " + s.Profile.Version + " " + cancelled
		}
		if what != "" {
			l.add(Finding{File: st.file, Line: st.line, Field: st.field, ID: "delivery-outlasts-processing-timeout",
				Msg: fmt.Sprintf("retry %q may retry one delivery from pubsub.redis component %q %s, longer than the component's processingTimeout %s: %s", in.Policies.Retry, name, how, pt, what)})
		}
	}

	// dead-letter-after-deadline: after give-up the dead-letter publish
	// runs on the handler's ctx (subscription.go:257-259, sendToDeadLetter
	// :275-290), and its failure is ignored before 1.15.
	if !s.Profile.DeadLetterLostAfterDeadline {
		return
	}
	var ended string
	switch s.Profile.DeliveryRunner {
	case RunnerOnBackground:
		ended = "the runner runs past it"
	case RunnerPatchDependent:
		ended = "the runner is cancelled at processingTimeout (up to 1.13.1) or runs past it (from " + DeliveryRunnerPatch + ")"
	default:
		ended = "the runner is cancelled at processingTimeout"
	}
	for _, sub := range subs {
		if sub.DeadLetterTopic == "" || sub.Bulk {
			continue
		}
		line := sub.DeadLetterLine
		if line == 0 {
			line = sub.Line
		}
		l.add(Finding{File: sub.File, Line: line, Field: "spec.deadLetterTopic", ID: "dead-letter-after-deadline",
			Msg: fmt.Sprintf("subscription %q sends a message to dead-letter topic %q once retry %q gives up, which may take %s, %s processingTimeout %s of pubsub.redis component %q: on Dapr %s %s, so the dead-letter publish runs on the delivery's expired context and fails, and the message is acknowledged anyway: lost, in neither topic",
				sub.Name, sub.DeadLetterTopic, in.Policies.Retry, strings.TrimPrefix(how, "for "), than, pt, name, s.Profile.Version, ended)})
	}
}

// bindingStatus notes that the input binding component name's runner
// counts every status but 200 as a failure (dapr@v1.14.4
// pkg/runtime/processor/binding/send.go:354-393: `%w, status %d` at
// :364-365 for any other status; with a retry policy the Disposer zeroes
// the failed response, pkg/resiliency/policy.go:217-221).
func (l *linter) bindingStatus(s *Spec, idx *siteIndex, name string) {
	if s.Profile.minor < bindingStatusRead {
		return
	}
	in := s.ComponentInbound(name)
	if in.Retry == nil || in.Retry.MaxRetries == 0 {
		return
	}
	st, ok := idx.refSite("components/"+name+"/inbound", "retry", in.Policies.Retry)
	if !ok {
		return
	}
	limit := "until the retry gives up, and the event then fails"
	if in.Retry.MaxRetries < 0 {
		limit = "without limit (maxRetries -1)"
	}
	l.add(Finding{File: st.file, Line: st.line, Field: st.field, ID: "binding-retries-non-200",
		Msg: fmt.Sprintf("retry %q retries each event that binding %q (%s) delivers to the app as an input binding until the app answers exactly 200: an app that answers 201 or 204 is called again %s", in.Policies.Retry, name, s.Components[name], limit)})
}

// sharedBreakers notes components whose inbound and outbound name
// different circuit breakers: Dapr keeps one breaker per component, keyed
// by its name only (pkg/resiliency/resiliency.go:838,851,799,812 into
// componentCBs, :946-969), built from the template of the direction
// resolved first and named "<template>-<component>" (:964).
func (l *linter) sharedBreakers(s *Spec, idx *siteIndex) {
	if s.Profile.minor < sharedBreakerRead {
		return
	}
	names := map[string]bool{}
	for n := range s.Components {
		names[n] = true
	}
	for n := range s.Targets.Components {
		names[n] = true
	}
	for _, name := range sortedKeys(names) {
		// Only pub/sub and bindings have both directions; a component
		// without a resource may be either.
		typ := s.Components[name]
		if typ != "" && !strings.HasPrefix(typ, "pubsub.") && !strings.HasPrefix(typ, "bindings.") {
			continue
		}
		in, out := s.ComponentInbound(name), s.ComponentOutbound(name)
		if in.Breaker == nil || out.Breaker == nil || in.Policies.CircuitBreaker == out.Policies.CircuitBreaker {
			continue
		}
		st, ok := idx.refSite("components/"+name+"/inbound", "circuit breaker", in.Policies.CircuitBreaker)
		if !ok {
			continue
		}
		cbIn, cbOut := in.Policies.CircuitBreaker, out.Policies.CircuitBreaker
		l.add(Finding{File: st.file, Line: st.line, Field: st.field, ID: "component-breaker-shared",
			Msg: fmt.Sprintf("component %q names circuit breaker %q inbound and %q outbound, but Dapr keeps one breaker per component for both directions, built from the template resolved first: on a sidecar that subscribes to it (or reads it as an input binding) that is %q when the subscription starts, so the breaker is %q and %q is not used; on one that only publishes (or invokes it) it is %q. Either way failures of publishing count against the breaker that blocks deliveries, and the other way round",
				name, cbIn, cbOut, cbIn, in.Breaker.Name, cbOut, cbOut)})
	}
}
