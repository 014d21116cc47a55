package policies

import (
	"testing"
	"time"
)

func TestActorResolution(t *testing.T) {
	src := `apiVersion: dapr.io/v1alpha1
kind: Resiliency
metadata: {name: r}
spec:
  policies:
    timeouts: {short: 200ms, DefaultActorTimeoutPolicy: 3s}
    retries: {once: {policy: constant, duration: 100ms, maxRetries: 1}}
    circuitBreakers: {cb: {maxRequests: 1, timeout: 1s}, DefaultCircuitBreakerPolicy: {timeout: 2s}}
  targets:
    actors:
      Cart: {retry: once, timeout: short, circuitBreaker: cb, circuitBreakerScope: id, circuitBreakerCacheSize: 10}
      Order: {retry: once, circuitBreaker: cb, circuitBreakerScope: type}
      Both: {circuitBreaker: cb, circuitBreakerScope: both}
`
	for _, tc := range []struct {
		release, typ, id    string
		breakerKey, builtIn string
		retry               bool
		postLock            time.Duration
		cache               int
	}{
		{"1.16", "Cart", "7", "Cart-7", "", true, 200 * time.Millisecond, 10},
		{"1.16", "Order", "7", "Order", "", true, 0, 5000},
		{"1.16", "Both", "7", "Both-7", "", false, 0, 5000},
		// Untargeted: the default breaker is per type; the router's built-in
		// retry changed in 1.15; the default timeout bounds the host's work.
		{"1.16", "Other", "7", "Other", BuiltInActorNotFoundRetries, false, 3 * time.Second, 100},
		{"1.14", "Other", "7", "Other", BuiltInActorRetries, false, 3 * time.Second, 100},
	} {
		spec, _ := build(t, tc.release, "app", map[string]string{"r.yaml": src})
		a := spec.Actor(tc.typ, tc.id)
		if a.Operation != "actor["+tc.typ+", "+tc.id+"]" {
			t.Errorf("%s %s: operation %q", tc.release, tc.typ, a.Operation)
		}
		if a.PreLock.BreakerKey != tc.breakerKey || (a.PreLock.Breaker != nil && a.PreLock.Breaker.Name != tc.breakerKey) {
			t.Errorf("%s %s: breaker key %q, want %q", tc.release, tc.typ, a.PreLock.BreakerKey, tc.breakerKey)
		}
		if (a.PreLock.Retry != nil) != tc.retry {
			t.Errorf("%s %s: retry %v, want %v", tc.release, tc.typ, a.PreLock.Retry != nil, tc.retry)
		}
		got := ""
		if a.BuiltIn != nil {
			got = a.BuiltIn.Operation
		}
		if got != tc.builtIn {
			t.Errorf("%s %s: built-in %q, want %q", tc.release, tc.typ, got, tc.builtIn)
		}
		if a.PostLockTimeout.Timeout != tc.postLock {
			t.Errorf("%s %s: post-lock timeout %s, want %s", tc.release, tc.typ, a.PostLockTimeout.Timeout, tc.postLock)
		}
		if a.CacheSize != tc.cache {
			t.Errorf("%s %s: cache size %d, want %d", tc.release, tc.typ, a.CacheSize, tc.cache)
		}
	}
}

// The state API names the component kind itself, so the Statestore default
// names apply even when no Component resource is loaded (found by the
// conformance suite against Dapr's own code).
func TestStateStoreOutboundWithoutComponent(t *testing.T) {
	src := `apiVersion: dapr.io/v1alpha1
kind: Resiliency
metadata: {name: r}
spec:
  policies:
    retries:
      DefaultRetryPolicy: {policy: constant, duration: 5s, maxRetries: 0}
      DefaultStatestoreComponentOutboundRetryPolicy: {policy: constant, duration: 1s}
  targets: {}
`
	spec, _ := build(t, "1.16", "app", map[string]string{"r.yaml": src})
	r := spec.StateStoreOutbound("statestore")
	if r.Policies.Retry != "DefaultStatestoreComponentOutboundRetryPolicy" {
		t.Errorf("state call retry %q, want the Statestore default", r.Policies.Retry)
	}
	if r := spec.ComponentOutbound("statestore"); r.Policies.Retry != "DefaultRetryPolicy" {
		t.Errorf("a component of unknown kind resolves to %q, want DefaultRetryPolicy", r.Policies.Retry)
	}
}
