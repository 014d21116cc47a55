package policies

import (
	"fmt"
	"time"

	"github.com/dapr-sim/sim/policies/breaker"
	"github.com/dapr-sim/sim/policies/retry"
)

// Resolved is the policy pipeline Dapr runs one request to a target with:
// retry( breaker( timeout( operation ) ) ). Absent parts are nil or zero.
type Resolved struct {
	// Operation is the name Dapr logs: "component[statestore] output",
	// "component[x] input" or "endpoint[appID, endpoint]".
	Operation string
	// Policies are the policy names that applied (after default fallback).
	Policies PolicyNames
	// Targeted reports that the target is listed in spec.targets, so no
	// default policy applied.
	Targeted bool

	Retry   *retry.Policy
	Timeout time.Duration // 0: none (Dapr treats ≤ 0 as none)
	// Breaker holds the instance settings, gobreaker defaults applied; Name
	// is what Dapr logs ("<cbPolicy>-<component>" for components, the
	// endpoint for apps).
	Breaker *breaker.Settings
	// BreakerKey identifies the breaker instance: the component name for
	// components (inbound and outbound share one instance, built from
	// whichever direction is resolved first), "endpoint[appID, endpoint]"
	// for apps (one per endpoint in the app's cache).
	BreakerKey string
	// MissingBreaker names a component target's circuit breaker that is not
	// defined: Dapr dereferences nil and crashes on the first request.
	MissingBreaker string
	// CacheSize, for apps, bounds the app's breaker cache (an LRU keyed by
	// endpoint: an evicted breaker loses its state).
	CacheSize int

	// BuiltInRetry is, for apps only, the built-in service retry that Dapr's
	// direct messaging wraps around calls to an app not in targets.apps (it
	// retries only gRPC Unavailable and Unauthenticated errors).
	BuiltInRetry *retry.Policy
}

// ComponentOutbound resolves calls from the sidecar to component (state,
// pub/sub publish, output bindings, …), taking the component's kind for
// default policy names from its Component resource.
func (s *Spec) ComponentOutbound(component string) Resolved {
	return s.component(component, s.Profile.ComponentType(s.Components[component]), "Outbound")
}

// StateStoreOutbound resolves a state API call to component. Dapr's state API
// names the kind itself (ComponentOutboundPolicy(name, Statestore), in
// pkg/api/http/http.go and pkg/api/grpc/grpc.go), so the Statestore default
// names apply whether or not a Component resource is loaded.
func (s *Spec) StateStoreOutbound(component string) Resolved {
	return s.component(component, s.Profile.ComponentType("state."), "Outbound")
}

// ComponentInbound resolves deliveries from component to the app (pub/sub
// delivery, input bindings).
func (s *Spec) ComponentInbound(component string) Resolved {
	return s.component(component, s.Profile.ComponentType(s.Components[component]), "Inbound")
}

func (s *Spec) component(component, typ, dir string) Resolved {
	r := Resolved{Operation: "component[" + component + "] output"}
	if dir == "Inbound" {
		r.Operation = "component[" + component + "] input"
	}
	if !s.Enabled {
		return r
	}
	if t, ok := s.Targets.Components[component]; ok {
		r.Targeted = true
		r.Policies = t.Outbound
		if dir == "Inbound" {
			r.Policies = t.Inbound
		}
	} else if s.Profile.DefaultPolicies {
		r.Policies = s.defaults(typ+"Component"+dir, "Component"+dir, "Component")
	}
	s.fill(&r)
	if n := r.Policies.CircuitBreaker; n != "" {
		cb, ok := s.CircuitBreakers[n]
		if !ok {
			r.MissingBreaker = n
		} else {
			st := cb.settings(n + "-" + component)
			r.Breaker = &st
			r.BreakerKey = component
		}
	}
	return r
}

// defaultEndpointCacheSize is the size of an app's breaker cache when
// circuitBreakerCacheSize is 0, and of a default policy's (resiliency.go).
const defaultEndpointCacheSize = 100

// App resolves service invocation to appID at endpoint, the key Dapr keeps
// the app's breakers under ("<appID>:<method>" for gRPC and HTTP invoke).
func (s *Spec) App(appID, endpoint string) Resolved {
	r := Resolved{Operation: "endpoint[" + appID + ", " + endpoint + "]"}
	if !s.Enabled {
		return r
	}
	r.CacheSize = defaultEndpointCacheSize
	if t, ok := s.Targets.Apps[appID]; ok {
		r.Targeted = true
		r.Policies = t.PolicyNames
		if t.CircuitBreakerCacheSize > 0 {
			r.CacheSize = int(t.CircuitBreakerCacheSize)
		}
	} else {
		if s.Profile.DefaultPolicies {
			r.Policies = s.defaults("App")
		}
		if b, ok := s.Retries[BuiltInServiceRetries]; ok {
			r.BuiltInRetry = &b
		}
	}
	s.fill(&r)
	if n := r.Policies.CircuitBreaker; n != "" {
		// Dapr checks that the template exists for apps: a missing one
		// means no breaker.
		if cb, ok := s.CircuitBreakers[n]; ok {
			st := cb.settings(endpoint)
			r.Breaker = &st
			r.BreakerKey = r.Operation
		}
	}
	return r
}

// fill sets the timeout and retry named by r.Policies; names that do not
// exist leave them absent, as in Dapr.
func (s *Spec) fill(r *Resolved) {
	if d, ok := s.Timeouts[r.Policies.Timeout]; ok && r.Policies.Timeout != "" {
		r.Timeout = d
	}
	if p, ok := s.Retries[r.Policies.Retry]; ok && r.Policies.Retry != "" {
		r.Retry = &p
	}
}

// defaults returns, for each kind independently, the first default policy
// name that exists: Default{level}{X}Policy for each level, then
// Default{X}Policy (resiliency.go getDefaultPolicy).
func (s *Spec) defaults(levels ...string) PolicyNames {
	pick := func(kind string, has func(string) bool) string {
		for _, l := range append(levels, "") {
			name := fmt.Sprintf("Default%s%sPolicy", l, kind)
			if has(name) {
				return name
			}
		}
		return ""
	}
	return PolicyNames{
		Timeout:        pick("Timeout", func(n string) bool { _, ok := s.Timeouts[n]; return ok }),
		Retry:          pick("Retry", func(n string) bool { _, ok := s.Retries[n]; return ok }),
		CircuitBreaker: pick("CircuitBreaker", func(n string) bool { _, ok := s.CircuitBreakers[n]; return ok }),
	}
}
