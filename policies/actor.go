package policies

// Actor resolves an actor invocation of actorType/id the way Dapr's API
// layer and actor router do (pkg/api/http/actors.go, pkg/actors/router):
//
//   - Pre-lock (retry and breaker) wraps the whole call, in ActorPreLockPolicy:
//     a targeted type uses exactly its names; any other type falls back to
//     DefaultActor…Policy / Default…Policy when the release has defaults.
//   - For a type with no targets.actors entry, the router adds a built-in
//     runner inside it: DaprBuiltInActorRetries up to 1.14, and
//     DaprBuiltInActorNotFoundRetries from 1.15 (see Profile).
//   - Post-lock (the timeout) bounds the host's work on the call, in
//     ActorPostLockPolicy.
//
// The breaker instance is keyed by the scope: the actor type for `type` (and
// for a default breaker), "<type>-<id>" for `id` and `both` (which Dapr
// treats as id); the key is also the name Dapr logs.
type Actor struct {
	Operation string // actor[<type>, <id>]
	PreLock   Resolved
	// BuiltIn is the router's built-in retry for untargeted types, or nil.
	BuiltIn *Resolved
	// PostLockTimeout is the timeout of the host's call to the actor (0: none).
	PostLockTimeout Resolved
	// CacheSize bounds the type's breaker cache (an LRU: an evicted breaker
	// loses its state).
	CacheSize int
}

// ActorCacheSizes are Dapr's defaults for the per-type breaker caches
// (resiliency.go: defaultActorCacheSize, and the default-policy cache).
const (
	defaultTargetedActorCacheSize = 5000
	defaultActorCacheSize         = defaultEndpointCacheSize
)

// Actor resolves an invocation of actorType/id.
func (s *Spec) Actor(actorType, id string) Actor {
	op := "actor[" + actorType + ", " + id + "]"
	a := Actor{Operation: op}
	a.PreLock.Operation = op
	a.PostLockTimeout.Operation = op
	if !s.Enabled {
		return a
	}
	t, targeted := s.Targets.Actors[actorType]
	var names PolicyNames
	key := actorType
	switch {
	case targeted:
		names = t.PolicyNames
		a.PreLock.Targeted = true
		if t.CircuitBreakerScope != "type" {
			key = actorType + "-" + id
		}
		a.CacheSize = int(t.CircuitBreakerCacheSize)
		if a.CacheSize <= 0 {
			a.CacheSize = defaultTargetedActorCacheSize
		}
	case s.Profile.DefaultPolicies:
		names = s.defaults("Actor")
		a.CacheSize = defaultActorCacheSize
	}
	a.PreLock.Policies = PolicyNames{Retry: names.Retry, CircuitBreaker: names.CircuitBreaker}
	if p, ok := s.Retries[names.Retry]; ok && names.Retry != "" {
		a.PreLock.Retry = &p
	}
	if cb, ok := s.CircuitBreakers[names.CircuitBreaker]; ok && names.CircuitBreaker != "" {
		st := cb.settings(key)
		a.PreLock.Breaker = &st
		a.PreLock.BreakerKey = key
	}
	if d, ok := s.Timeouts[names.Timeout]; ok && names.Timeout != "" {
		a.PostLockTimeout.Timeout = d
		a.PostLockTimeout.Policies.Timeout = names.Timeout
	}
	if !targeted {
		name := BuiltInActorRetries
		if s.Profile.ActorNotFoundRetries {
			name = BuiltInActorNotFoundRetries
		}
		if p, ok := s.Retries[name]; ok {
			a.BuiltIn = &Resolved{Operation: name, Retry: &p, Policies: PolicyNames{Retry: name}}
		}
	}
	return a
}
