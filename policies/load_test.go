package policies

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dapr-sim/sim/internal/diag"
	"github.com/dapr-sim/sim/policies/breaker"
	"github.com/dapr-sim/sim/policies/retry"
	"gopkg.in/yaml.v3"
)

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestProfileFor(t *testing.T) {
	for _, v := range []string{"1.8", "1.8.0", "v1.14.2", "1.16"} {
		if _, err := ProfileFor(v); err != nil {
			t.Errorf("ProfileFor(%q): %v", v, err)
		}
	}
	_, err := ProfileFor("1.7")
	if err == nil || !strings.Contains(err.Error(), "1.8, 1.9, 1.10") || !strings.Contains(err.Error(), "1.16") {
		t.Errorf("ProfileFor(1.7) error = %v", err)
	}
	p8, _ := ProfileFor("1.8.1")
	p16, _ := ProfileFor(Newest)
	if p8.Version != "1.8" || !p8.MaxRetriesZeroIsUnset || !p8.NeedsFeatureFlag || p8.DefaultPolicies {
		t.Errorf("1.8 = %+v", p8)
	}
	if p16.MaxRetriesZeroIsUnset || p16.NeedsFeatureFlag || !p16.DefaultPolicies || !p16.RetryMatching {
		t.Errorf("1.16 = %+v", p16)
	}
	if got := p16.ComponentType("state.redis"); got != "Statestore" {
		t.Errorf("ComponentType(state.redis) = %q", got)
	}
	p10, _ := ProfileFor("1.10")
	if got := p10.ComponentType("crypto.dapr.localstorage"); got != "" {
		t.Errorf("1.10 ComponentType(crypto) = %q, want none (Crypto arrived in 1.11)", got)
	}
}

func TestQuickstartPipeline(t *testing.T) {
	s, ws, err := Load([]string{"testdata/quickstart"}, "order-processor", mustProfile(t, "1.8"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ws) != 0 {
		t.Errorf("unexpected warnings:\n%s", renderWarnings(ws))
	}
	r := s.ComponentOutbound("statestore")
	if r.Operation != "component[statestore] output" || !r.Targeted {
		t.Errorf("operation %q targeted %v", r.Operation, r.Targeted)
	}
	if r.Retry == nil || r.Retry.Name != "retryForever" || r.Retry.Kind != retry.Constant || r.Retry.Duration != 5*time.Second || r.Retry.MaxRetries != -1 {
		t.Errorf("retry %+v", r.Retry)
	}
	if r.Timeout != 0 {
		t.Errorf("timeout %v", r.Timeout)
	}
	b := r.Breaker
	if b == nil || b.Name != "simpleCB-statestore" || b.MaxRequests != 1 || b.Timeout != 5*time.Second || b.Interval != 0 || b.TripText != "consecutiveFailures >= 5" {
		t.Fatalf("breaker %+v", b)
	}
	if r.BreakerKey != "statestore" || r.MissingBreaker != "" {
		t.Errorf("key %q missing %q", r.BreakerKey, r.MissingBreaker)
	}
	if !b.ReadyToTrip(breaker.Counts{ConsecutiveFailures: 5}) || b.ReadyToTrip(breaker.Counts{ConsecutiveFailures: 4}) {
		t.Error("trip does not open at exactly 5 consecutive failures")
	}
	if in := s.ComponentInbound("statestore"); in.Operation != "component[statestore] input" || in.Retry != nil || in.Breaker != nil {
		t.Errorf("inbound %+v", in)
	}
}

func TestScopes(t *testing.T) {
	doc := strings.Replace(string(readTestdata(t, "quickstart/resiliency.yaml")), "order-processor", "checkout", 1)
	s, ws := build(t, "1.14", "order-processor", map[string]string{"resiliency.yaml": doc})
	findWarning(t, ws, "resiliency.yaml:5:", "scopes", `resource "myresiliency" applies only to ["checkout"], not to app "order-processor"`, "ignores the whole resource")
	if len(s.Resources) != 0 || s.ComponentOutbound("statestore").Retry != nil {
		t.Errorf("resource kept: %v", s.Resources)
	}
	_, ws = build(t, "1.14", "Checkout", map[string]string{"resiliency.yaml": doc})
	findWarning(t, ws, "differs only in case")
}

func TestFeatureFlag(t *testing.T) {
	res := string(readTestdata(t, "quickstart/resiliency.yaml"))
	s, ws := build(t, "1.8", "order-processor", map[string]string{"resiliency.yaml": res})
	findWarning(t, ws, "resiliency.yaml:1:", `Dapr 1.8 loads Resiliency only when a Configuration enables the preview feature "Resiliency"`)
	if s.Enabled || len(s.Retries) != 0 || s.ComponentOutbound("statestore").Retry != nil {
		t.Errorf("policies loaded without the feature flag: %+v", s)
	}
	s, _ = build(t, "1.8", "order-processor", map[string]string{
		"resiliency.yaml": res,
		"config.yaml":     string(readTestdata(t, "quickstart/config.yaml")),
	})
	if !s.Enabled || s.ComponentOutbound("statestore").Retry == nil {
		t.Error("feature flag ignored")
	}
	s, ws = build(t, "1.10", "order-processor", map[string]string{"resiliency.yaml": res})
	if !s.Enabled || len(ws) != 0 {
		t.Errorf("1.10 needs no flag; enabled %v, warnings:\n%s", s.Enabled, renderWarnings(ws))
	}
}

func TestMaxRetriesZero(t *testing.T) {
	doc := resiliency("  policies:\n    retries:\n      none:\n        maxRetries: 0\n")
	s, ws := build(t, "1.8", "a", map[string]string{"r.yaml": doc, "c.yaml": string(readTestdata(t, "quickstart/config.yaml"))})
	if got := s.Retries["none"].MaxRetries; got != -1 {
		t.Errorf("1.8 maxRetries 0 = %d, want -1", got)
	}
	findWarning(t, ws, "r.yaml:9:", "drops maxRetries: 0")
	s, _ = build(t, "1.16", "a", map[string]string{"r.yaml": doc})
	if got := s.Retries["none"].MaxRetries; got != 0 {
		t.Errorf("1.16 maxRetries 0 = %d, want 0", got)
	}
}

func TestBuiltInOverride(t *testing.T) {
	doc := resiliency(`  policies:
    retries:
      DaprBuiltInServiceRetries:
        policy: constant
        duration: 2s
        maxRetries: 1
      DaprBuiltInActorRetries:
        duration: 3s
      DaprBuiltInActorNotFoundRetries:
        maxRetries: 10
`)
	s, ws := build(t, "1.16", "a", map[string]string{"r.yaml": doc})
	if p := s.Retries[BuiltInServiceRetries]; p.MaxRetries != 3 || p.Duration != 2*time.Second {
		t.Errorf("service override = %+v", p)
	}
	// An absent maxRetries is kit's -1, also below 3.
	if p := s.Retries[BuiltInActorRetries]; p.MaxRetries != 3 || p.Duration != 3*time.Second {
		t.Errorf("actor override = %+v", p)
	}
	if p := s.Retries[BuiltInActorNotFoundRetries]; p.MaxRetries != 5 || p.Duration != time.Second {
		t.Errorf("protected policy changed: %+v", p)
	}
	findWarning(t, ws, "r.yaml:8:", "raises it to 3")
	findWarning(t, ws, "r.yaml:14:", "protected built-in")
	if p := s.Retries[BuiltInActorReminderRetries]; p.MaxRetries != 0 || p.Kind != retry.Exponential {
		t.Errorf("reminder built-in = %+v", p)
	}
}

func TestDefaultFallback(t *testing.T) {
	comp := "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: store\nspec:\n  type: state.redis\n"
	retries := func(names ...string) string {
		var b strings.Builder
		b.WriteString("  policies:\n    retries:\n")
		for i, n := range names {
			b.WriteString("      " + n + ":\n        maxRetries: " + string(rune('1'+i)) + "\n")
		}
		b.WriteString("    circuitBreakers:\n      DefaultCircuitBreakerPolicy:\n        maxRequests: 2\n")
		return b.String()
	}
	tests := []struct {
		names []string
		want  string
	}{
		{[]string{"DefaultRetryPolicy"}, "DefaultRetryPolicy"},
		{[]string{"DefaultRetryPolicy", "DefaultComponentRetryPolicy"}, "DefaultComponentRetryPolicy"},
		{[]string{"DefaultRetryPolicy", "DefaultComponentRetryPolicy", "DefaultComponentOutboundRetryPolicy"}, "DefaultComponentOutboundRetryPolicy"},
		{[]string{"DefaultRetryPolicy", "DefaultComponentOutboundRetryPolicy", "DefaultStatestoreComponentOutboundRetryPolicy"}, "DefaultStatestoreComponentOutboundRetryPolicy"},
		{[]string{"DefaultPubsubComponentOutboundRetryPolicy", "DefaultStatestoreComponentInboundRetryPolicy"}, ""},
	}
	for _, tt := range tests {
		s, _ := build(t, "1.16", "a", map[string]string{"c.yaml": comp, "r.yaml": resiliency(retries(tt.names...))})
		r := s.ComponentOutbound("store")
		got := ""
		if r.Retry != nil {
			got = r.Retry.Name
		}
		if got != tt.want || r.Policies.Retry != tt.want {
			t.Errorf("%v: retry %q (names %+v), want %q", tt.names, got, r.Policies, tt.want)
		}
		// The breaker falls back on its own.
		if r.Breaker == nil || r.Breaker.Name != "DefaultCircuitBreakerPolicy-store" || r.Breaker.MaxRequests != 2 {
			t.Errorf("%v: breaker %+v", tt.names, r.Breaker)
		}
	}
	// 1.8 has no default policies.
	s, ws := build(t, "1.8", "a", map[string]string{"c.yaml": comp, "r.yaml": resiliency(retries("DefaultRetryPolicy")),
		"config.yaml": string(readTestdata(t, "quickstart/config.yaml"))})
	if r := s.ComponentOutbound("store"); r.Retry != nil || r.Breaker != nil {
		t.Errorf("1.8 used a default policy: %+v", r)
	}
	findWarning(t, ws, "has no default policies")
}

func TestTargetedNoFallback(t *testing.T) {
	doc := resiliency(`  policies:
    retries:
      r:
        maxRetries: 5
      DefaultRetryPolicy:
        maxRetries: 1
    timeouts:
      DefaultTimeoutPolicy: 3s
    circuitBreakers:
      DefaultCircuitBreakerPolicy: {}
  targets:
    components:
      store:
        outbound:
          retry: r
    apps:
      checkout:
        retry: r
`)
	s, _ := build(t, "1.16", "a", map[string]string{"r.yaml": doc})
	r := s.ComponentOutbound("store")
	if r.Retry == nil || r.Retry.Name != "r" || r.Breaker != nil || r.Timeout != 0 {
		t.Errorf("targeted component picked up defaults: %+v", r)
	}
	// Inbound of a targeted component: targeted too, so nothing.
	if in := s.ComponentInbound("store"); in.Retry != nil || in.Breaker != nil {
		t.Errorf("inbound %+v", in)
	}
	a := s.App("checkout", "checkout:orders")
	if a.Operation != "endpoint[checkout, checkout:orders]" || a.Breaker != nil || a.BuiltInRetry != nil {
		t.Errorf("targeted app %+v", a)
	}
	u := s.App("other", "other:x")
	if u.Retry == nil || u.Retry.Name != "DefaultRetryPolicy" || u.Timeout != 3*time.Second || u.Breaker == nil || u.Breaker.Name != "other:x" || u.BuiltInRetry == nil {
		t.Errorf("untargeted app %+v", u)
	}
}

func TestMissingPolicies(t *testing.T) {
	doc := resiliency(`  policies:
    retries:
      retryForever: {}
  targets:
    components:
      statestore:
        outbound:
          retry: retryForevr
          circuitBreaker: simpleCB
`)
	s, ws := build(t, "1.16", "a", map[string]string{"r.yaml": doc})
	findWarning(t, ws, "r.yaml:13:", "spec.targets.components.statestore.outbound.retry", `no retry policy named "retryForevr"`, `did you mean "retryForever"?`)
	findWarning(t, ws, "r.yaml:14:", `no circuit breaker named "simpleCB"`, "crashes on the first request")
	r := s.ComponentOutbound("statestore")
	if r.Retry != nil || r.Breaker != nil || r.MissingBreaker != "simpleCB" {
		t.Errorf("got %+v", r)
	}
}

func TestLaterResourceOverwrites(t *testing.T) {
	a := resiliency("  policies:\n    timeouts:\n      t: 1s\n      u: 2s\n")
	b := resiliency("  policies:\n    timeouts:\n      t: 5s\n")
	s, _ := build(t, "1.16", "a", map[string]string{"a.yaml": a, "b.yaml": b})
	if s.Timeouts["t"] != 5*time.Second || s.Timeouts["u"] != 2*time.Second {
		t.Errorf("timeouts %v", s.Timeouts)
	}
}

func TestLoadFolderWarnings(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("notes.txt", "hello")
	write("b.yaml", resiliency("  policies:\n    timeouts:\n      t: 1s\n"))
	_, ws, err := Load([]string{dir}, "a", mustProfile(t, Newest))
	if err != nil {
		t.Fatal(err)
	}
	findWarning(t, ws, "notes.txt", "not a .yaml or .yml file")

	write("c.yaml", resiliency("  policies:\n    timeouts:\n      t: 1.5\n"))
	write("d.yml", "kind: Resiliency\nspec:\n  policies:\n    retries:\n      r:\n        policy: never\n")
	_, _, err = Load([]string{dir}, "a", mustProfile(t, Newest))
	var l diag.List
	if !errors.As(err, &l) || len(l) != 2 || !strings.HasSuffix(l[0].File, "c.yaml") || l[1].Line != 6 {
		t.Errorf("got %v", err)
	}
}

func TestDumpDeterministic(t *testing.T) {
	s, _, err := Load([]string{"testdata/quickstart"}, "order-processor", mustProfile(t, Newest))
	if err != nil {
		t.Fatal(err)
	}
	a, err := yaml.Marshal(s.Dump())
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		b, _ := yaml.Marshal(s.Dump())
		if string(a) != string(b) {
			t.Fatal("dump differs between calls")
		}
	}
	for _, want := range []string{"profile: \"1.16\"", "- name: retryForever\n      policy: constant\n      duration: 5s", "trip: consecutiveFailures >= 5", "timeout: 5s"} {
		if !strings.Contains(string(a), want) {
			t.Errorf("dump lacks %q:\n%s", want, a)
		}
	}
}

func mustProfile(t *testing.T, v string) Profile {
	t.Helper()
	p, err := ProfileFor(v)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
