// Pipelines: how a target is called. A pipeline is a target's policy
// layers, outermost first, each one Dapr's runner retry( breaker( timeout(
// inner ) ) ), shared by every worker calling the target. This file holds
// the types (pipeline, layer, breakerInst), the builders of an actor call's
// and a service invocation's layers (actorPipeline, invokePipeline), and
// the breaker caches they draw instances from (breakerLRU). A state store's
// one-layer pipeline is built with the engine (NewEngine); running a call
// through the layers is call.go's.

package sim

import (
	"time"

	"github.com/dapr-sim/sim/policies"
	"github.com/dapr-sim/sim/policies/breaker"
	"github.com/dapr-sim/sim/policies/retry"
	"github.com/dapr-sim/sim/policies/timeout"
)

// pipeline is how one target is called: its policy layers, outermost
// first, shared by every worker calling it. A state store has one layer (its
// component policies). Service invocation can have two: the endpoint
// policies Dapr's API layer applies, and inside them the built-in service
// retry that direct messaging applies to apps without a targets.apps entry.
type pipeline struct {
	target Target
	called bool // the target is an app
	layers []layer
}

// layer is one policy runner: retry( breaker( timeout( inner ) ) ).
type layer struct {
	operation      string
	retry          *retry.Policy
	timeout        timeout.Policy
	breaker        *breakerInst
	missingBreaker string
	// onlyUnavailable: the runner's operation makes every error but gRPC
	// Unavailable permanent (Dapr's built-in service and actor retries).
	onlyUnavailable bool
	// wrapUnavailable: the operation words an Unavailable error
	// "failed to invoke target <wrapTarget> after N retries. Error: …",
	// N being this runner's attempt minus one.
	wrapUnavailable bool
	wrapTarget      string
	// statusIsSuccess: the runner's operation is direct messaging, for
	// which an app's error status is a delivered answer.
	statusIsSuccess bool
	// atHost: the runner runs on the target's own sidecar (an actor host's
	// post-lock policy), so it does not run when that sidecar is down.
	atHost bool
}

// breakerInst is one breaker instance: its settings and current state.
type breakerInst struct {
	sidecar  string // the app id of the sidecar that keeps it
	settings breaker.Settings
	state    breaker.Breaker
	started  bool
	listed   bool // in the engine's live list of breakers (Snapshot)
}

// maxLayers bounds a pipeline's depth: an actor call has three (pre-lock,
// built-in retry, post-lock).
const maxLayers = 3

// ensure creates the breaker's state on its first use, as Dapr creates
// breaker instances lazily on the first request that resolves them.
func (b *breakerInst) ensure(now time.Duration) {
	if !b.started {
		b.state = breaker.New(b.settings, now)
		b.started = true
	}
}

// actorPipeline builds the layers of one actor call, from the outside in:
// the pre-lock runner (retry and breaker), the router's built-in retry for
// an untargeted type, and the host's post-lock timeout. The breaker comes
// from the type's LRU cache, keyed by its scope.
func (e *Engine) actorPipeline(w *worker, actorType, id, method string) *pipeline {
	sidecar := w.app.ID
	a := w.spec.Actor(actorType, id)
	host := e.setup.Hosts[actorType]
	pre := layer{operation: a.Operation, retry: a.PreLock.Retry}
	if a.PreLock.Breaker != nil {
		key := sidecarKey(sidecar, actorType)
		cache, ok := e.actorBreakers[key]
		if !ok {
			cache = newBreakerLRU(a.CacheSize)
			e.actorBreakers[key] = cache
		}
		pre.breaker = cache.get(a.PreLock.BreakerKey, *a.PreLock.Breaker)
		pre.breaker.sidecar = sidecar
	}
	p := &pipeline{target: Target{Name: actorType, Method: method}, called: true}
	switch {
	case a.BuiltIn != nil:
		// An untargeted type: up to 1.14 only remote calls get the built-in
		// runner, from 1.15 the router wraps every call; in both the actor
		// is remote here (hosted by another app), and the operation retries
		// only Unavailable.
		p.layers = []layer{pre, {operation: a.BuiltIn.Operation, retry: a.BuiltIn.Retry,
			onlyUnavailable: true, wrapUnavailable: true, wrapTarget: host}}
	case e.setup.Profile.ActorNotFoundRetries:
		// A targeted type from 1.15: the router's callActor still words an
		// Unavailable error with the attempt of the runner around it.
		pre.wrapUnavailable, pre.wrapTarget = true, host
		p.layers = []layer{pre}
	default:
		p.layers = []layer{pre}
	}
	p.layers = append(p.layers, layer{operation: a.Operation, timeout: timeout.Policy{Duration: a.PostLockTimeout.Timeout}, atHost: true})
	return p
}

// invokePipeline builds the layers of one service invocation of app's
// method: the endpoint policy Dapr's invoke API applies and, for an app with
// no targets.apps entry, direct messaging's built-in retry inside it. Dapr
// keys an app's breakers by "<appID>:<method>" in the app's LRU cache and
// logs that name (pkg/api/http/directmessaging.go).
func (e *Engine) invokePipeline(w *worker, app, method string) *pipeline {
	sidecar := w.app.ID
	endpoint := app + ":" + method
	r := w.spec.App(app, endpoint)
	outer := layer{operation: r.Operation, retry: r.Retry, timeout: timeout.Policy{Duration: r.Timeout}}
	if r.Breaker != nil {
		key := sidecarKey(sidecar, app)
		cache, ok := e.appBreakers[key]
		if !ok {
			cache = newBreakerLRU(r.CacheSize)
			e.appBreakers[key] = cache
		}
		outer.breaker = cache.get(endpoint, *r.Breaker)
		outer.breaker.sidecar = sidecar
	}
	p := &pipeline{target: Target{Name: app, Method: method}, called: true, layers: []layer{outer}}
	if r.BuiltInRetry != nil {
		p.layers = append(p.layers, layer{operation: policies.BuiltInServiceRetries, retry: r.BuiltInRetry,
			onlyUnavailable: true, wrapUnavailable: true, wrapTarget: app, statusIsSuccess: true})
	}
	return p
}

// sidecarOf names the sidecar keeping b where a run records it: "" in a run
// with one sidecar, whose traces and snapshots say nothing of it.
func (e *Engine) sidecarOf(b *breakerInst) string {
	if !e.multi {
		return ""
	}
	return b.sidecar
}

// sidecarKey keys what each sidecar keeps of its own (breakers, pipelines,
// clients) by its app id and name: app ids and names hold no NUL.
func sidecarKey(sidecar, name string) string { return sidecar + "\x00" + name }

// breakerLRU is Dapr's per-actor-type breaker cache (golang-lru): at most
// size instances; adding one more evicts the least recently used, whose
// state is lost.
type breakerLRU struct {
	size  int
	used  uint64
	items map[string]*lruItem
}

type lruItem struct {
	b    *breakerInst
	used uint64
}

func newBreakerLRU(size int) *breakerLRU {
	if size <= 0 {
		size = 1
	}
	return &breakerLRU{size: size, items: map[string]*lruItem{}}
}

// get returns the instance for key, making one from settings when absent.
func (c *breakerLRU) get(key string, settings breaker.Settings) *breakerInst {
	c.used++
	if it, ok := c.items[key]; ok {
		it.used = c.used
		return it.b
	}
	if len(c.items) >= c.size {
		oldest, oldestUsed := "", uint64(0)
		for k, it := range c.items {
			if oldest == "" || it.used < oldestUsed {
				oldest, oldestUsed = k, it.used
			}
		}
		delete(c.items, oldest)
	}
	b := &breakerInst{settings: settings.Resolve()}
	c.items[key] = &lruItem{b: b, used: c.used}
	return b
}
