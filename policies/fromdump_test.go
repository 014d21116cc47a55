package policies

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/dapr-sim/sim/policies/breaker"
	"github.com/dapr-sim/sim/policies/client"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"gopkg.in/yaml.v3"
)

// fromDumpSpecs are specs whose dump must round-trip: the quickstart
// resources, and inline ones covering matching, exponential policies, actor
// and app targets, default policies, an unknown trip variable, a Dapr without
// Resiliency, and the overrides a scenario lays over a spec.
func fromDumpSpecs(t *testing.T) map[string]*Spec {
	t.Helper()
	specs := map[string]*Spec{}
	for _, v := range []string{"1.8", "1.16"} {
		p, err := ProfileFor(v)
		if err != nil {
			t.Fatal(err)
		}
		s, _, err := Load([]string{filepath.Join("testdata", "quickstart")}, "order-processor", p)
		if err != nil {
			t.Fatal(err)
		}
		specs["quickstart "+v] = s
	}
	const res = `apiVersion: dapr.io/v1alpha1
kind: Resiliency
metadata: {name: many}
spec:
  policies:
    timeouts:
      fast: 250ms
      DefaultTimeoutPolicy: 3s
    retries:
      codes:
        policy: constant
        duration: 1s
        maxRetries: 2
        matching: {httpStatusCodes: "500-599,404", gRPCStatusCodes: "14"}
      httpOnly:
        policy: constant
        matching: {httpStatusCodes: "503"}
      expo: {policy: exponential, maxInterval: 8s, maxRetries: -1}
      DefaultRetryPolicy: {policy: constant, duration: 2s, maxRetries: 3}
    circuitBreakers:
      cb: {maxRequests: 2, interval: 10s, timeout: 4s, trip: consecutiveFailures >= 3}
      odd: {trip: "requests > 2 && bogus > 1"}
      plain: {}
      DefaultCircuitBreakerPolicy: {timeout: 30s, trip: totalFailures > 10}
  targets:
    apps:
      checkout: {timeout: fast, retry: codes, circuitBreaker: cb, circuitBreakerCacheSize: 7}
    actors:
      Cart: {timeout: fast, retry: expo, circuitBreaker: odd, circuitBreakerScope: both, circuitBreakerCacheSize: 9}
      Order: {retry: httpOnly, circuitBreaker: plain, circuitBreakerScope: type}
    components:
      statestore:
        outbound: {retry: codes, circuitBreaker: cb}
        inbound: {timeout: fast}
      pubsub:
        inbound: {retry: expo}
`
	const comp = `apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {name: statestore}
spec: {type: state.redis, version: v1}
`
	for _, v := range []string{"1.9", "1.14", "1.15", "1.16"} {
		s, _ := build(t, v, "app", map[string]string{"a.yaml": comp, "b.yaml": res})
		specs["many "+v] = s
	}
	// A component whose metadata changes its client (issue 12).
	const tuned = `apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {name: statestore}
spec:
  type: state.redis
  metadata:
  - {name: redisMaxRetries, value: "-1"}
  - {name: readTimeout, value: 1500}
  - {name: maxRetryBackoff, value: "100000000"}
`
	for _, v := range []string{"1.8", "1.16"} {
		s, _ := build(t, v, "app", map[string]string{"a.yaml": tuned, "b.yaml": res, "c.yaml": featureOn})
		specs["client "+v] = s
	}
	// A pubsub.redis with its own settings, and Subscriptions (issue 14).
	for _, v := range []string{"1.10", "1.16"} {
		s, _ := build(t, v, "app", map[string]string{"a.yaml": pubsubDumped, "b.yaml": res})
		specs["pubsub "+v] = s
	}
	// Binding components (issue 14): a cron, whose schedule is parsed again
	// for the profile, and a redis output binding.
	for _, v := range []string{"1.9", "1.15", "1.16"} {
		s, _ := build(t, v, "app", map[string]string{"a.yaml": bindingsDumped, "b.yaml": res, "c.yaml": featureOn})
		specs["bindings "+v] = s
	}
	// A scenario override changes fields Dapr's YAML cannot set.
	s, _ := build(t, "1.16", "app", map[string]string{"b.yaml": res})
	p := s.Retries["expo"]
	p.InitialInterval, p.Multiplier, p.RandomizationFactor, p.MaxElapsedTime = 123456789, float64(float32(2.3)), float64(float32(0.3)), 0
	s.Retries["expo"] = p
	specs["overridden"] = s
	return specs
}

// bindingsDumped is a bindings.cron with a route and an explicit
// direction, and a bindings.redis.
const bindingsDumped = `apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {name: tick}
spec:
  type: bindings.cron
  metadata:
  - {name: schedule, value: "@every 1500ms"}
  - {name: route, value: /cron}
  - {name: direction, value: input}
---
apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {name: cache}
spec:
  type: bindings.redis
  metadata:
  - {name: redisHost, value: localhost:6379}
`

// pubsubDumped is a pubsub.redis whose metadata changes its settings and
// client, with a v2alpha1 and a v1alpha1 Subscription.
const pubsubDumped = `apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {name: pubsub}
spec:
  type: pubsub.redis
  metadata:
  - {name: consumerID, value: "{appID}-eu"}
  - {name: processingTimeout, value: "30000"}
  - {name: concurrency, value: "2"}
  - {name: maxLenApprox, value: "500"}
  - {name: readTimeout, value: 2s}
  - {name: streamTTL, value: 10m}
---
apiVersion: dapr.io/v2alpha1
kind: Subscription
metadata: {name: orders}
spec:
  pubsubname: pubsub
  topic: orders
  routes:
    rules:
      - {match: 'event.type == "big"', path: /big}
    default: /orders
  deadLetterTopic: orders-dlq
  metadata: {rawPayload: "true"}
  bulkSubscribe: {enabled: true}
scopes: [app]
---
apiVersion: dapr.io/v1alpha1
kind: Subscription
metadata: {name: audit}
spec: {pubsubname: pubsub, topic: audit, route: /audit}
`

func TestFromDumpRoundTrip(t *testing.T) {
	for name, s := range fromDumpSpecs(t) {
		t.Run(name, func(t *testing.T) {
			d := s.Dump()
			// Through YAML too, as the trace header carries it.
			data, err := yaml.Marshal(d)
			if err != nil {
				t.Fatal(err)
			}
			read, err := DecodeDump(data)
			if err != nil {
				t.Fatalf("decode: %v\n%s", err, data)
			}
			got, err := FromDump(read)
			if err != nil {
				t.Fatalf("FromDump: %v\n%s", err, data)
			}
			if diff := cmp.Diff(d, got.Dump()); diff != "" {
				t.Errorf("dump changed in the round trip (-before +after):\n%s", diff)
			}
			// Resolutions are equal. A breaker's ReadyToTrip is a func;
			// compare it by what it decides on a range of counts.
			trips := cmp.Comparer(func(a, b func(breaker.Counts) bool) bool {
				if (a == nil) != (b == nil) {
					return false
				}
				if a == nil {
					return true
				}
				for f := uint32(0); f < 12; f++ {
					for r := uint32(0); r < 4; r++ {
						c := breaker.Counts{Requests: f + r, TotalFailures: f, ConsecutiveFailures: f, TotalSuccesses: r, ConsecutiveSuccesses: r}
						if a(c) != b(c) {
							return false
						}
					}
				}
				return true
			})
			opts := cmp.Options{trips, cmpopts.EquateEmpty()}
			for _, target := range []string{"statestore", "pubsub", "other"} {
				if diff := cmp.Diff(s.StateStoreOutbound(target), got.StateStoreOutbound(target), opts); diff != "" {
					t.Errorf("StateStoreOutbound(%s) (-before +after):\n%s", target, diff)
				}
				if diff := cmp.Diff(s.ComponentInbound(target), got.ComponentInbound(target), opts); diff != "" {
					t.Errorf("ComponentInbound(%s) (-before +after):\n%s", target, diff)
				}
			}
			for _, app := range []string{"checkout", "other"} {
				if diff := cmp.Diff(s.App(app, "orders"), got.App(app, "orders"), opts); diff != "" {
					t.Errorf("App(%s) (-before +after):\n%s", app, diff)
				}
			}
			for _, typ := range []string{"Cart", "Order", "Other"} {
				if diff := cmp.Diff(s.Actor(typ, "1"), got.Actor(typ, "1"), opts); diff != "" {
					t.Errorf("Actor(%s) (-before +after):\n%s", typ, diff)
				}
			}
		})
	}
}

// TestFromDumpClient: a component's client settings survive the trace
// header, and a header written before they were recorded loads with the
// release's defaults.
func TestFromDumpClient(t *testing.T) {
	for _, v := range []string{"1.8", "1.16"} {
		s := fromDumpSpecs(t)["client "+v]
		want, ok := s.ClientOf("statestore")
		if !ok || len(s.Clients) != 1 {
			t.Fatalf("%s: the metadata sets no client: %+v", v, s.Clients)
		}
		got, err := FromDump(s.Dump())
		if err != nil {
			t.Fatal(err)
		}
		if c, _ := got.ClientOf("statestore"); c != want {
			t.Errorf("%s: ClientOf after the round trip = %+v, want %+v", v, c, want)
		}
		if y := mustYAML(t, s.Dump()); !strings.Contains(y, "readTimeout: 1.5s") {
			t.Errorf("%s: dump without the client:\n%s", v, y)
		}
	}
	old := "profile: \"1.14\"\nappID: app\nenabled: true\nresources: []\ncomponents:\n  - {name: statestore, type: state.redis}\ntimeouts: []\nretries: []\ncircuitBreakers: []\ntargets: {apps: [], actors: [], components: []}\n"
	d, err := DecodeDump([]byte(old))
	if err != nil {
		t.Fatal(err)
	}
	s, err := FromDump(d)
	if err != nil {
		t.Fatal(err)
	}
	def, _ := client.ForRelease(14, "state.redis")
	if c, ok := s.ClientOf("statestore"); !ok || c != def {
		t.Errorf("old header: ClientOf = %+v, %v; want the 1.14 defaults %+v", c, ok, def)
	}
	bad := fromDumpSpecs(t)["client 1.16"].Dump()
	bad.Components[0].Client.ReadTimeout = "1500"
	if _, err := FromDump(bad); err == nil || !strings.Contains(err.Error(), `spec.components.statestore.client.readTimeout: want a duration such as "5s", got "1500"`) {
		t.Errorf("bad duration: %v", err)
	}
}

// TestFromDumpPubsub: a pubsub.redis's settings and the Subscriptions
// survive the trace header; a spec with neither dumps exactly as before
// they were recorded, and such a header loads with the defaults.
func TestFromDumpPubsub(t *testing.T) {
	for _, v := range []string{"1.10", "1.16"} {
		s := fromDumpSpecs(t)["pubsub "+v]
		want, _ := s.PubsubOf("pubsub")
		if want.ConsumerID != "app-eu" || want.Concurrency != 2 || len(s.Subscriptions) != 2 {
			t.Fatalf("%s: %+v, %d subscriptions", v, want, len(s.Subscriptions))
		}
		got, err := FromDump(s.Dump())
		if err != nil {
			t.Fatal(err)
		}
		if p, ok := got.PubsubOf("pubsub"); !ok || p != want {
			t.Errorf("%s: PubsubOf after the round trip = %+v, want %+v", v, p, want)
		}
		// What a delivery needs comes back; where it was written does not.
		where := cmp.Options{
			cmpopts.IgnoreFields(Subscription{}, "File", "Line", "APIVersion", "PubsubLine", "TopicLine", "RoutesLine", "DeadLetterLine"),
			cmpopts.IgnoreFields(RouteRule{}, "Line"),
			cmpopts.IgnoreFields(MetadataItem{}, "Line", "Field"),
		}
		if diff := cmp.Diff(s.Subscriptions, got.Subscriptions, where); diff != "" {
			t.Errorf("%s: Subscriptions (-before +after):\n%s", v, diff)
		}
		y := mustYAML(t, s.Dump())
		for _, w := range []string{"consumerID: app-eu", "pubsubname: pubsub", "match: event.type == \"big\"", "deadLetterTopic: orders-dlq", "bulkSubscribe: true"} {
			if !strings.Contains(y, w) {
				t.Errorf("%s: dump without %q:\n%s", v, w, y)
			}
		}
	}
	for name, s := range fromDumpSpecs(t) {
		if strings.HasPrefix(name, "pubsub") {
			continue
		}
		if y := mustYAML(t, s.Dump()); strings.Contains(y, "subscriptions") || strings.Contains(y, "pubsub:") {
			t.Errorf("%s: a spec without pub/sub settings dumps them:\n%s", name, y)
		}
	}
	old := "profile: \"1.14\"\nappID: app\nenabled: true\nresources: []\ncomponents:\n  - {name: pubsub, type: pubsub.redis}\ntimeouts: []\nretries: []\ncircuitBreakers: []\ntargets: {apps: [], actors: [], components: []}\n"
	d, err := DecodeDump([]byte(old))
	if err != nil {
		t.Fatal(err)
	}
	s, err := FromDump(d)
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := s.PubsubOf("pubsub"); !ok || p != client.DefaultPubsub("app") || len(s.Subscriptions) != 0 {
		t.Errorf("old header: PubsubOf = %+v, %v; want the defaults", p, ok)
	}
	bad := fromDumpSpecs(t)["pubsub 1.16"].Dump()
	bad.Components[0].Pubsub.RedeliverInterval = "15"
	bad.Subscriptions[0].Routes[0].Match = "event.type =="
	_, err = FromDump(bad)
	for _, w := range []string{`spec.components.pubsub.pubsub.redeliverInterval: want a duration such as "5s", got "15"`, "spec.subscriptions[0].routes[0].match:"} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("bad dump: %v, want %q", err, w)
		}
	}
}

func TestFromDumpKeepsMatchingLists(t *testing.T) {
	s := fromDumpSpecs(t)["many 1.16"]
	got, err := FromDump(s.Dump())
	if err != nil {
		t.Fatal(err)
	}
	m := got.Retries["httpOnly"].Matching
	if m == nil || m.GRPCStatusCodes != nil || len(m.HTTPStatusCodes) != 1 {
		t.Fatalf("httpOnly matching = %+v, want HTTP 503 only and no gRPC list", m)
	}
	if m.NeedRetry(14) != true || m.NeedRetry(500) || !m.NeedRetry(503) {
		t.Errorf("httpOnly matching decides differently: %+v", m)
	}
	// 1.14 does not know matching: the dump has none.
	if got := fromDumpSpecs(t)["many 1.14"].Dump(); strings.Contains(mustYAML(t, got), "matching") {
		t.Errorf("1.14 dump has matching:\n%s", mustYAML(t, got))
	}
}

func TestFromDumpErrors(t *testing.T) {
	base := fromDumpSpecs(t)["many 1.16"].Dump()
	for _, tc := range []struct {
		name string
		edit func(d *SpecDump)
		want string
	}{
		{"profile", func(d *SpecDump) { d.Profile = "1.7" }, "spec.profile: unknown Dapr version"},
		{"duration", func(d *SpecDump) { d.CircuitBreakers[0].Timeout = "5" }, `spec.circuitBreakers.DefaultCircuitBreakerPolicy.timeout: want a duration such as "5s", got "5"`},
		{"trip", func(d *SpecDump) { d.CircuitBreakers[0].Trip = "requests >" }, "spec.circuitBreakers.DefaultCircuitBreakerPolicy.trip:"},
		{"kind", func(d *SpecDump) { d.Retries[0].Policy = "linear" }, `want constant or exponential, got "linear"`},
		{"codes", func(d *SpecDump) { s := "700"; d.Retries[0].Matching = &MatchingDump{HTTPStatusCodes: &s} }, "matching.httpStatusCodes"},
		{"twice", func(d *SpecDump) { d.Timeouts = append(d.Timeouts, d.Timeouts[0]) }, "is given twice"},
	} {
		d := base
		d.CircuitBreakers = append([]BreakerDump{}, base.CircuitBreakers...)
		d.Retries = append([]RetryDump{}, base.Retries...)
		d.Timeouts = append([]TimeoutDump{}, base.Timeouts...)
		tc.edit(&d)
		_, err := FromDump(d)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
	if _, err := DecodeDump([]byte("profile: \"1.16\"\nsurprise: 1\n")); err == nil || !strings.Contains(err.Error(), "surprise") {
		t.Errorf("unknown field: got %v", err)
	}
}

func mustYAML(t *testing.T, v any) string {
	t.Helper()
	b, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
