package client

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Pubsub is what a pubsub.redis component runs with beside its go-redis
// client: its consumer group and the loops that read, hand out and
// reclaim messages (conformance/PUBSUB.md §3), as the release's
// components-contrib parses them from the metadata after daprd has filled
// in consumerID.
type Pubsub struct {
	// ConsumerID names both the consumer group and the consumer: the app
	// id unless the metadata sets it, placeholders substituted.
	ConsumerID string
	// ProcessingTimeout is how long a message stays pending after its last
	// delivery before the reclaim loop takes it back, and the deadline of
	// the context each delivery runs on. 0 (or a zero RedeliverInterval)
	// turns both off.
	ProcessingTimeout time.Duration
	// RedeliverInterval is the reclaim loop's tick; 0 turns it off.
	RedeliverInterval time.Duration
	// QueueDepth is the buffer between the readers and the workers, the
	// COUNT of each XREADGROUP (0: no COUNT) and of each reclaim's XPENDING
	// (0: it finds nothing, so nothing is reclaimed).
	QueueDepth uint64
	// Concurrency is the number of workers, each running one delivery to
	// its end, inbound retries included (0: no worker, nothing delivered).
	Concurrency uint64
	// MaxLenApprox trims the stream on each publish (XADD MAXLEN ~ n);
	// 0 or less does not trim.
	MaxLenApprox int64
	// StreamTTL (1.16) trims entries older than it on each publish (XADD
	// MINID ~ now-ttl); 0 does not.
	StreamTTL time.Duration
	// Block is each XREADGROUP's BLOCK: the metadata's readTimeout as
	// decoded, before go-redis's defaults (contrib@v1.14.4
	// pubsub/redis/redis.go:271, the same from 1.9). 0 blocks until a
	// message arrives; a negative value sends no BLOCK, so the read
	// returns at once.
	Block time.Duration
}

// DefaultPubsub is what pubsub.redis runs with for app appID when its
// metadata sets nothing (the same in every modelled release:
// contrib@v1.14.4 common/component/redis/redis.go:136-141,
// @v1.10.10 pubsub/redis/redis.go:72-78; consumerID from daprd).
func DefaultPubsub(appID string) Pubsub {
	return Pubsub{
		ConsumerID:        appID,
		ProcessingTimeout: 60 * time.Second,
		RedeliverInterval: 15 * time.Second,
		QueueDepth:        100,
		Concurrency:       10,
	}
}

// Redelivers reports whether a message whose delivery failed is ever
// delivered again: the reclaim loop runs (processingTimeout and
// redeliverInterval both non-zero, contrib@v1.14.4
// pubsub/redis/redis.go:296) and its XPENDING asks for at least one entry.
func (p Pubsub) Redelivers() bool {
	return p.ProcessingTimeout != 0 && p.RedeliverInterval != 0 && p.QueueDepth > 0
}

// Warning ids of Problem about pubsub.redis (see policies.LintChecks).
const (
	// IDNoRedelivery: a value that turns redelivery off.
	IDNoRedelivery = "pubsub-no-redelivery"
	// IDNoWorkers: concurrency 0, so no message is ever delivered.
	IDNoWorkers = "pubsub-no-workers"
	// IDPlaceholder: a {uuid}, {podName} or {namespace} that daprd
	// substitutes with something sim can only stand in for.
	IDPlaceholder = "component-metadata-placeholder"
)

const (
	keyConsumerID        = "consumerID"
	keyProcessingTimeout = "processingTimeout"
	keyRedeliverInterval = "redeliverInterval"
	keyQueueDepth        = "queueDepth"
	keyConcurrency       = "concurrency"
	keyMaxLenApprox      = "maxLenApprox"
)

// pubsubKeys are pubsub.redis's own keys, spelt as contrib reads them.
var pubsubKeys = []string{keyConsumerID, keyProcessingTimeout, keyRedeliverInterval, keyQueueDepth, keyConcurrency, keyMaxLenApprox}

// PubsubFromMetadata reads the spec.metadata of a pubsub.redis component
// of app appID on Dapr 1.minor: its go-redis client (as FromMetadata) and
// its subscriber's settings. daprd first substitutes the placeholders of
// every value, then fills in consumerID (trimmed; the app id when empty).
// Problems are as FromMetadata's, indexes into props.
func PubsubFromMetadata(minor int, appID string, props []Property) (Settings, Pubsub, []Problem) {
	subst := make([]Property, len(props))
	var placeholders []Problem
	for i, pr := range props {
		subst[i] = pr
		if pr.Unresolved {
			continue
		}
		var notes []string
		subst[i].Value, notes = substitute(pr.Value, appID)
		if len(notes) > 0 {
			placeholders = append(placeholders, Problem{Prop: i, ID: IDPlaceholder, Msg: strings.Join(notes, "; ")})
		}
	}
	p, _ := newParser(minor, PubsubType, subst)
	p.problems = append(placeholders, p.problems...)
	st := p.client()
	return st, p.pubsub(appID), p.problems
}

// substitute is daprd's placeholder substitution in a metadata value
// (dapr@v1.14.4 pkg/runtime/meta/meta.go:75-92; runtime.go in 1.10 and
// 1.11), with stand-ins for what sim cannot know, each noted.
func substitute(v, appID string) (string, []string) {
	var notes []string
	if strings.Contains(v, "{uuid}") {
		// Each occurrence is a new random UUID at every start of the
		// sidecar: sim's stand-in is unique per app and per occurrence,
		// and the same on every run.
		for n := 1; strings.Contains(v, "{uuid}"); n++ {
			v = strings.Replace(v, "{uuid}", "uuid"+strconv.Itoa(n)+"-"+appID, 1)
		}
		notes = append(notes, "Dapr puts a new random UUID for {uuid} at every start of the sidecar (on consumerID: a new consumer group each time, which reads the topic's stream from its first entry); sim puts uuid1-"+appID+" (uuid2-… for the next), the same every run")
	}
	if strings.Contains(v, "{podName}") {
		v = strings.ReplaceAll(v, "{podName}", appID)
		notes = append(notes, "on Kubernetes Dapr puts the pod's name for {podName}, and self-hosted daprd, which has no POD_NAME, fails to initialize the component; sim runs one sidecar per app and puts the app id")
	}
	if strings.Contains(v, "{namespace}") {
		// security.CurrentNamespace: NAMESPACE, else "default"
		// (dapr@v1.14.4 pkg/security/security.go:368-374).
		v = strings.ReplaceAll(v, "{namespace}", "default."+appID)
		notes = append(notes, "Dapr puts the namespace, a dot and the app id for {namespace}; sim puts default."+appID+", what self-hosted daprd without NAMESPACE puts")
	}
	return strings.ReplaceAll(v, "{appID}", appID), notes
}

// exactOnly is the key that name spells with other case when the release
// reads that key only spelt exactly, or "".
func (p *parser) exactOnly(name string) string {
	if p.typ != PubsubType {
		return ""
	}
	if p.minor < since.sharedSettings {
		return exactFold(name, pubsubKeys)
	}
	// redeliverInterval is no Settings field the decoder fills (its tag is
	// "-"): only properties["redeliverInterval"] is read
	// (contrib@v1.14.4 common/component/redis/settings.go:94,
	// redis.go:160-166). consumerID: daprd writes it spelt exactly
	// (pubsub.go), which the decoder prefers.
	return exactFold(name, []string{keyConsumerID, keyRedeliverInterval})
}

// pubsub is the subscriber's settings as contrib parses them, with the
// warnings about values that stop delivery or redelivery.
func (p *parser) pubsub(appID string) Pubsub {
	ps := DefaultPubsub(appID)
	// daprd fills in consumerID before Init (dapr@v1.14.4
	// pkg/runtime/processor/pubsub/pubsub.go:79-83; runtime.go:1943-1947
	// in 1.10.10), so contrib's "missing consumerID" never happens.
	if v, i := p.value(keyConsumerID); i >= 0 {
		if t := strings.TrimSpace(v); t != "" {
			ps.ConsumerID = t
		}
	}
	ps.Block = p.d.read
	at := map[string]int{}
	if p.minor < since.sharedSettings {
		p.pubsubBefore11(&ps, at)
	} else {
		p.pubsubShared(&ps, at)
	}
	if i, ok := at[keyProcessingTimeout]; ok && ps.ProcessingTimeout < 0 {
		p.warn(i, IDNotModelled, "a negative processingTimeout makes every pending message old enough at each reclaim, even one still being delivered, and gives each delivery a context that has already expired; sim keeps the value but does not model the expired context")
	}
	for _, z := range []struct {
		key  string
		zero bool
	}{{keyProcessingTimeout, ps.ProcessingTimeout == 0}, {keyRedeliverInterval, ps.RedeliverInterval == 0}} {
		if i, ok := at[z.key]; ok && z.zero {
			p.warn(i, IDNoRedelivery, "0 turns redelivery off: pubsub.redis never reclaims a message whose delivery failed, so it stays pending, unacknowledged, until the consumer group is deleted; a delivery also runs without the processingTimeout deadline")
		}
	}
	if i, ok := at[keyQueueDepth]; ok && ps.QueueDepth == 0 {
		p.warn(i, IDNoRedelivery, "0 makes each reclaim's XPENDING ask for no entry, so a message whose delivery failed is never redelivered; it also drops XREADGROUP's COUNT (each read takes every new message) and leaves the queue to the workers unbuffered")
	}
	if i, ok := at[keyConcurrency]; ok && ps.Concurrency == 0 {
		// contrib@v1.14.4 pubsub/redis/redis.go:88-95: the workers are
		// started in a loop `for i := 0; i < Concurrency`; enqueue blocks
		// on the full queue (:169-182).
		p.warn(i, IDNoWorkers, "0 starts no worker: pubsub.redis still reads messages (so they become pending) into its queue of queueDepth, then waits forever for a worker; no message is delivered to the app")
	}
	if i, ok := at[keyMaxLenApprox]; ok && ps.MaxLenApprox < 0 {
		p.warn(i, IDValue, "a negative maxLenApprox trims nothing, as 0 does (go-redis sends MAXLEN only for a positive value)")
	}
	if i, ok := p.d.at["readTimeout"]; ok && ps.Block < 0 {
		p.warn(i, IDNotModelled, "on pubsub.redis readTimeout is also XREADGROUP's BLOCK, and a negative one sends no BLOCK: the read returns at once and the poll loop asks again without pause; sim does not model that loop")
	}
	return ps
}

// pubsubBefore11 is contrib 1.10's parseRedisMetadata (@v1.10.10
// pubsub/redis/redis.go:72-133, the same in 1.8 and 1.9): exact keys, an
// empty value is the default, and every bad value fails Init.
func (p *parser) pubsubBefore11(ps *Pubsub, at map[string]int) {
	duration := func(key string, dst *time.Duration) {
		v, i := p.value(key)
		if i < 0 || v == "" {
			return
		}
		if ms, err := strconv.ParseUint(v, 10, 64); err == nil {
			*dst, at[key] = time.Duration(ms)*time.Millisecond, i
			return
		}
		d, err := time.ParseDuration(v)
		if err != nil {
			p.fail(i, fmt.Sprintf("want %s, got %q", kindWants[kStdDuration], v), fmt.Sprintf("redis streams error: can't parse %s field: %s", key, err))
			return
		}
		*dst, at[key] = d, i
	}
	duration(keyProcessingTimeout, &ps.ProcessingTimeout)
	duration(keyRedeliverInterval, &ps.RedeliverInterval)
	for _, u := range []struct {
		key string
		dst *uint64
	}{{keyQueueDepth, &ps.QueueDepth}, {keyConcurrency, &ps.Concurrency}} {
		v, i := p.value(u.key)
		if i < 0 || v == "" {
			continue
		}
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			p.fail(i, fmt.Sprintf("want %s, got %q", kindWants[kUint], v), fmt.Sprintf("redis streams error: can't parse %s field: %s", u.key, err))
			continue
		}
		*u.dst, at[u.key] = n, i
	}
	if v, i := p.value(keyMaxLenApprox); i >= 0 && v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			p.fail(i, fmt.Sprintf("want %s, got %q", kindWants[kInt], v), fmt.Sprintf("redis streams error: invalid maxLenApprox %s, %s", v, err))
		} else {
			ps.MaxLenApprox, at[keyMaxLenApprox] = n, i
		}
	}
}

// pubsubShared is ParseClientFromProperties for PubSubType from 1.11
// (contrib@v1.14.4 common/component/redis/redis.go:136-167, the same
// through 1.16.5): Settings.Decode has already read processingTimeout,
// queueDepth, concurrency, maxLenApprox and streamTTL case-insensitively
// (decode, which reports what it rejects); then processingTimeout and
// redeliverInterval, by their exact names, are read again as a whole
// number of milliseconds when they are one.
func (p *parser) pubsubShared(ps *Pubsub, at map[string]int) {
	decoded := func(key string) (string, int) {
		v, i := p.lookup(key)
		if i < 0 || p.failed(i) {
			return "", -1
		}
		return v, i
	}
	// kit's duration hook: a whole number (negatives too) is
	// milliseconds, anything else time.ParseDuration.
	kitDuration := func(v string) time.Duration {
		if n, err := strconv.Atoi(v); err == nil {
			return time.Duration(n) * time.Millisecond
		}
		d, _ := time.ParseDuration(v)
		return d
	}
	if v, i := decoded(keyProcessingTimeout); i >= 0 {
		ps.ProcessingTimeout, at[keyProcessingTimeout] = kitDuration(v), i
	}
	if v, i := decoded("streamTTL"); i >= 0 && p.minor >= 16 {
		ps.StreamTTL = kitDuration(v)
	}
	if v, i := decoded(keyQueueDepth); i >= 0 {
		ps.QueueDepth, _ = strconv.ParseUint(v, 10, 64)
		at[keyQueueDepth] = i
	}
	if v, i := decoded(keyConcurrency); i >= 0 {
		ps.Concurrency, _ = strconv.ParseUint(v, 10, 64)
		at[keyConcurrency] = i
	}
	if v, i := decoded(keyMaxLenApprox); i >= 0 {
		ps.MaxLenApprox, _ = strconv.ParseInt(v, 10, 64)
		at[keyMaxLenApprox] = i
	}
	if v, i := p.value(keyRedeliverInterval); i >= 0 && v != "" {
		ms, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			// The comment at redis.go:165 expects Decode to have read a
			// duration string, but the field's tag is "-": nothing does.
			p.warn(i, IDIgnored, "ignored: Dapr %s reads redeliverInterval only as a whole number of milliseconds (such as 5000): any other text, a duration such as 5s included, leaves the default 15s", p.release())
		} else {
			ps.RedeliverInterval, at[keyRedeliverInterval] = time.Duration(ms)*time.Millisecond, i
		}
	}
}
