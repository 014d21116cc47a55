package policies

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/dapr-sim/sim/internal/diag"
)

// lintFiles parses files (name → YAML, in name order) and lints them.
func lintFiles(t *testing.T, files map[string]string, o LintOptions) []Finding {
	t.Helper()
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var parsed []*File
	var warns []diag.Warning
	for _, n := range names {
		f, ws, err := ParseFile(n, []byte(files[n]))
		if err != nil {
			t.Fatalf("ParseFile(%s): %v", n, err)
		}
		parsed = append(parsed, f)
		warns = append(warns, ws...)
	}
	fs, err := Lint(parsed, warns, o)
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

func renderFindings(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// res is a Resiliency named name with body under spec: (indented two spaces).
func res(name, body string) string {
	return "apiVersion: dapr.io/v1alpha1\nkind: Resiliency\nmetadata:\n  name: " + name + "\nspec:\n" + body
}

// tripLiterals is 200 integer literals: a grid of some 10^10 count tuples.
var tripLiterals = func() string {
	var out []string
	for i := 1; i <= 200; i++ {
		out = append(out, strconv.Itoa(i*7))
	}
	return strings.Join(out, ",")
}()

// lintCases has one fixture per finding id (TestLintEveryCheckHasAFixture
// holds the table to that). want lists "file:line id" that must be reported;
// absent lists ids that must not be.
var lintCases = []struct {
	name    string
	files   map[string]string
	opts    LintOptions
	version string
	want    []string
	absent  []string
}{
	{
		name: "retry shorter than the breaker's open timeout",
		files: map[string]string{"r.yaml": res("r", `  policies:
    retries:
      fast: {policy: constant, duration: 1s}
    circuitBreakers:
      cb: {timeout: 5s, trip: consecutiveFailures >= 5}
  targets:
    components:
      statestore:
        outbound:
          retry: fast
          circuitBreaker: cb
`)},
		want:   []string{"r.yaml:15 retry-before-breaker-timeout"},
		absent: []string{"retry-at-breaker-timeout", "retry-forever-without-breaker"},
	},
	{
		name: "a bounded retry shorter than the open timeout fails fast: a note",
		files: map[string]string{"r.yaml": res("r", `  policies:
    retries:
      quick: {duration: 1s, maxRetries: 3}
    circuitBreakers:
      cb: {timeout: 5s, trip: consecutiveFailures >= 2}
  targets:
    apps:
      orders: {retry: quick, circuitBreaker: cb}
`)},
		want:   []string{"r.yaml:13 fail-fast-after-trip"},
		absent: []string{"retry-before-breaker-timeout"},
	},
	{
		name: "exponential whose largest delay is shorter than the open timeout",
		files: map[string]string{"r.yaml": res("r", `  policies:
    retries:
      expo: {policy: exponential, maxInterval: 2s}
    circuitBreakers:
      cb: {timeout: 5s}
  targets:
    apps:
      orders: {retry: expo, circuitBreaker: cb}
`)},
		want: []string{"r.yaml:13 retry-before-breaker-timeout"},
	},
	{
		name: "exponential that trips while its delays are still short",
		files: map[string]string{"r.yaml": res("r", `  policies:
    retries:
      expo: {policy: exponential, maxInterval: 60s}
    circuitBreakers:
      cb: {timeout: 30s, trip: consecutiveFailures >= 5}
  targets:
    apps:
      orders: {retry: expo, circuitBreaker: cb}
`)},
		want: []string{"r.yaml:13 retry-before-breaker-timeout"},
	},
	{
		name: "retry longer than the open timeout is fine",
		files: map[string]string{"r.yaml": res("r", `  policies:
    retries:
      slow: {duration: 6s}
    circuitBreakers:
      cb: {timeout: 5s, trip: consecutiveFailures >= 5}
  targets:
    components:
      statestore: {outbound: {retry: slow, circuitBreaker: cb}}
`)},
		absent: []string{"retry-before-breaker-timeout", "retry-at-breaker-timeout", "interval-before-trip", "retry-forever-without-breaker"},
	},
	{
		name:   "the quickstart's 5s retry against a 5s breaker timeout is the tie note",
		files:  map[string]string{"r.yaml": quickstartYAML},
		want:   []string{"r.yaml:5 scopes", "r.yaml:26 retry-at-breaker-timeout"},
		absent: []string{"retry-before-breaker-timeout", "retry-forever-without-breaker", "unused-policy"},
	},
	{
		name: "interval shorter than the trip needs",
		files: map[string]string{"r.yaml": res("r", `  policies:
    retries:
      every5: {duration: 5s}
    circuitBreakers:
      windowed: {interval: 10s, timeout: 4s, trip: consecutiveFailures >= 5}
  targets:
    components:
      statestore:
        outbound:
          retry: every5
          circuitBreaker: windowed
`)},
		want: []string{"r.yaml:16 interval-before-trip"},
	},
	{
		name: "interval equal to the time the trip needs is still a hazard",
		files: map[string]string{"r.yaml": res("r", `  policies:
    retries:
      every5: {duration: 5s}
    circuitBreakers:
      windowed: {interval: 20s, timeout: 4s, trip: consecutiveFailures >= 5}
  targets:
    components:
      statestore: {outbound: {retry: every5, circuitBreaker: windowed}}
`)},
		want: []string{"r.yaml:13 interval-before-trip"},
	},
	{
		name: "interval longer than the trip needs is fine",
		files: map[string]string{"r.yaml": res("r", `  policies:
    retries:
      every5: {duration: 5s}
    circuitBreakers:
      windowed: {interval: 21s, timeout: 4s, trip: consecutiveFailures >= 5}
  targets:
    components:
      statestore: {outbound: {retry: every5, circuitBreaker: windowed}}
`)},
		absent: []string{"interval-before-trip"},
	},
	{
		name: "unlimited retries without a breaker (maxRetries unset)",
		files: map[string]string{"r.yaml": res("r", `  policies:
    retries:
      forever: {duration: 2s}
  targets:
    components:
      statestore:
        outbound:
          retry: forever
`)},
		want: []string{"r.yaml:13 retry-forever-without-breaker"},
	},
	{
		name: "unlimited retries that do not wait, without a breaker (issue 11)",
		files: map[string]string{"r.yaml": res("r", `  policies:
    retries:
      retryForever: {policy: constant, duration: 0s, maxRetries: -1}
  targets:
    components:
      statestore:
        outbound:
          retry: retryForever
`)},
		want: []string{"r.yaml:13 retry-forever-at-once", "r.yaml:13 retry-forever-without-breaker"},
	},
	{
		name: "no retry-forever-at-once with a wait, a limit or a breaker",
		files: map[string]string{"r.yaml": res("r", `  policies:
    retries:
      waits: {policy: constant, duration: 1ms, maxRetries: -1}
      limited: {policy: constant, duration: 0s, maxRetries: 3}
      broken: {policy: constant, duration: 0s, maxRetries: -1}
    circuitBreakers:
      cb: {trip: consecutiveFailures > 2}
  targets:
    components:
      a: {outbound: {retry: waits}}
      b: {outbound: {retry: limited}}
      c: {outbound: {retry: broken, circuitBreaker: cb}}
`)},
		absent: []string{"retry-forever-at-once"},
	},
	{
		name: "unlimited retries through the default policies",
		files: map[string]string{"r.yaml": res("r", `  policies:
    retries:
      DefaultRetryPolicy: {duration: 2s, maxRetries: -1}
`)},
		want:   []string{"r.yaml:8 retry-forever-without-breaker"},
		absent: []string{"unused-policy"},
	},
	{
		name: "maxRetries 0 on 1.9 means unlimited",
		files: map[string]string{"r.yaml": res("r", `  policies:
    retries:
      none: {maxRetries: 0}
  targets:
    components:
      statestore: {outbound: {retry: none}}
`), "c.yaml": featureOn},
		version: "1.9",
		want:    []string{"r.yaml:8 max-retries-zero", "r.yaml:11 retry-forever-without-breaker"},
	},
	{
		name: "timeout not shorter than the caller's deadline",
		files: map[string]string{"r.yaml": res("r", `  policies:
    timeouts:
      long: 45s
      short: 5s
  targets:
    components:
      statestore: {outbound: {timeout: long}}
      other: {outbound: {timeout: short}}
`)},
		opts:   LintOptions{Deadline: 30 * time.Second},
		want:   []string{"r.yaml:8 timeout-beyond-deadline"},
		absent: []string{"r.yaml:9 timeout-beyond-deadline"},
	},
	{
		name: "trips that can never be true",
		files: map[string]string{"r.yaml": res("r", `  policies:
    circuitBreakers:
      a: {trip: consecutiveSuccesses > 0}
      b: {trip: requests < 0}
      c: {trip: consecutiveFailures > 5 && consecutiveFailures < 3}
      d: {trip: consecutiveFailure >= 5}
      e: {trip: totalFailures < consecutiveFailures}
      ok1: {trip: consecutiveFailures >= 500}
      ok2: {trip: requests > 20 && totalFailures >= 3}
      ok3: {trip: consecutiveFailures >= 5 || typo > 1}
  targets:
    apps:
      x: {circuitBreaker: a}
`)},
		want:   []string{"r.yaml:8 trip-never-true", "r.yaml:9 trip-never-true", "r.yaml:10 trip-never-true", "r.yaml:11 trip-never-true", "r.yaml:11 trip-unknown-variable", "r.yaml:12 trip-never-true"},
		absent: []string{"r.yaml:13 trip-never-true", "r.yaml:14 trip-never-true", "r.yaml:15 trip-never-true"},
	},
	{
		name: "trips that are not bools, or too large for the grid (issue 11)",
		files: map[string]string{"r.yaml": res("r", `  policies:
    circuitBreakers:
      a: {trip: consecutiveFailures + 1}
      b: {trip: consecutiveFailures}
      c: {trip: "requests in [`+tripLiterals+`] && consecutiveSuccesses > 0"}
      ok: {trip: consecutiveFailures >= 5}
  targets:
    apps:
      x: {circuitBreaker: a}
`)},
		want:   []string{"r.yaml:8 trip-not-bool", "r.yaml:9 trip-not-bool", "r.yaml:10 trip-grid-budget"},
		absent: []string{"r.yaml:10 trip-never-true", "r.yaml:11 trip-not-bool", "r.yaml:11 trip-grid-budget"},
	},
	{
		name: "policies nothing targets",
		files: map[string]string{"r.yaml": res("r", `  policies:
    timeouts:
      t: 5s
    retries:
      r: {maxRetries: 3}
      DaprBuiltInServiceRetries: {maxRetries: 5}
    circuitBreakers:
      cb: {}
      DefaultCircuitBreakerPolicy: {}
`)},
		want:   []string{"r.yaml:8 unused-policy", "r.yaml:10 unused-policy", "r.yaml:13 unused-policy"},
		absent: []string{"r.yaml:11 unused-policy", "r.yaml:14 unused-policy"},
	},
	{
		name: "a policy targeted only by another app's resource is used",
		files: map[string]string{
			"a.yaml": res("shared", "  policies:\n    retries:\n      r: {maxRetries: 3}\n"),
			"b.yaml": "scopes: [orders]\n" + res("orders", "  policies: {}\n  targets:\n    apps:\n      x: {retry: r}\n"),
		},
		want:   []string{"b.yaml:1 scopes"},
		absent: []string{"unused-policy"},
	},
	{
		name: "a component target naming a missing breaker crashes Dapr",
		files: map[string]string{"r.yaml": res("r", `  policies: {}
  targets:
    components:
      statestore:
        outbound:
          circuitBreaker: simpleCB
    apps:
      orders:
        retry: nope
        timeout: nope
        circuitBreaker: nope
`)},
		want: []string{"r.yaml:11 missing-breaker-crash", "r.yaml:14 missing-retry", "r.yaml:15 missing-timeout", "r.yaml:16 missing-breaker"},
	},
	{
		name:  "scoped to another app",
		files: map[string]string{"r.yaml": "scopes: [checkout]\n" + res("r", "  policies: {}\n")},
		opts:  LintOptions{AppID: "order-processor"},
		want:  []string{"r.yaml:1 scoped-out"},
	},
	{
		name: "keys Dapr ignores or reads differently",
		files: map[string]string{"r.yaml": res("r", `  policies:
    retries:
      r:
        policy: constant
        maxInterval: 5s
        MaxRetries: 3
        maxRetries: 4
        initialInterval: 1s
        durration: 1s
      r:
        policy: exponential
        duration: 2s
      m:
        matching: {httpStatusCodes: "500"}
  targets:
    actors:
      a:
        circuitBreakerScope: id
      b:
        circuitBreaker: cb
        circuitBreakerScope: both
    apps:
      x: {retry: r}
      y: {retry: m}
`) + "\n---\n" + res("second", "  policies: {}\n") + "\n---\n- a list\n"},
		want: []string{
			"r.yaml:10 constant-max-interval", "r.yaml:11 key-case", "r.yaml:12 duplicate-key",
			"r.yaml:13 not-settable", "r.yaml:14 unknown-key", "r.yaml:15 duplicate-name",
			"r.yaml:17 exponential-duration",
			"r.yaml:23 scope-without-breaker", "r.yaml:26 actor-scope-both",
			"r.yaml:32 second-document", "r.yaml:40 not-a-mapping",
		},
	},
	{
		name: "matching before 1.15",
		files: map[string]string{"r.yaml": res("r", `  policies:
    retries:
      m:
        matching: {httpStatusCodes: "500"}
  targets:
    apps:
      y: {retry: m}
`)},
		version: "1.14",
		want:    []string{"r.yaml:9 matching-unknown"},
	},
	{
		name: "resource and component metadata",
		files: map[string]string{
			"r.yaml": "apiVersion: dapr.io/v1\nkind: Resiliency\nmetadata: {name: r}\nspec: {policies: {}}\n",
			"c.yaml": "apiVersion: dapr.io/v2\nkind: Component\nmetadata: {name: old}\nspec: {type: state.redis}\n---\nkind: Component\nmetadata: {}\nspec: {type: state.redis}\n---\napiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata: {name: s}\nspec: {type: state.redis}\n---\napiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata: {name: s}\nspec: {type: pubsub.redis}\n",
			"f.yaml": "kind: Configuration\nmetadata: {name: c}\nspec:\n  features:\n    - name: Resiliency\n      enabled: yes please\n",
		},
		want: []string{"r.yaml:1 api-version", "c.yaml:1 component-api-version", "c.yaml:6 component-no-name", "c.yaml:15 component-redefined", "f.yaml:6 feature-enabled-value"},
	},
	{
		name: "subscriptions",
		files: map[string]string{
			"s.yaml": "apiVersion: dapr.io/v2alpha1\nkind: Subscription\nmetadata: {name: a}\nspec:\n  pubsubname: p\n  topic: t\n  routes:\n    rules:\n      - match: event.type == 'x'\n---\napiVersion: dapr.io/v3\nkind: Subscription\nmetadata: {name: b}\nspec: {pubsubname: p, topic: t, routes: {default: /t}}\n---\napiVersion: dapr.io/v1alpha1\nkind: Subscription\nmetadata: {name: c}\nspec: {pubsubname: p, topic: t}\n---\napiVersion: dapr.io/v1alpha1\nkind: Subscription\nmetadata: {name: d}\n",
		},
		want: []string{"s.yaml:9 subscription-no-route", "s.yaml:11 subscription-api-version", "s.yaml:19 subscription-no-route", "s.yaml:21 subscription-incomplete"},
	},
	{
		name: "YAML tags Dapr drops or decodes",
		files: map[string]string{
			"r.yaml": "apiVersion: dapr.io/v1alpha1\nkind: Resiliency\nmetadata: {name: !!binary cg==}\nspec:\n  policies: !custom\n    retries: {r: {policy: !foo constant, maxRetries: 3}}\n",
		},
		want: []string{"r.yaml:3 yaml-tag", "r.yaml:5 yaml-tag", "r.yaml:6 yaml-tag"},
	},
	{
		name: "built-in overrides",
		files: map[string]string{"r.yaml": res("r", `  policies:
    retries:
      DaprBuiltInActorNotFoundRetries: {maxRetries: 9}
      DaprBuiltInServiceRetries: {maxRetries: 1}
`)},
		want: []string{"r.yaml:8 builtin-protected", "r.yaml:9 builtin-min-retries"},
	},
	{
		name:    "Dapr 1.8 without the feature flag, and default names before 1.9",
		files:   map[string]string{"r.yaml": res("r", "  policies:\n    retries:\n      DefaultRetryPolicy: {maxRetries: 3}\n")},
		version: "1.8",
		want:    []string{"r.yaml:1 feature-flag"},
	},
	{
		name: "policies outside a Resiliency",
		files: map[string]string{
			"conf.yaml":     "apiVersion: dapr.io/v1alpha1\nkind: Configuration\nmetadata: {name: c}\nspec:\n  policies:\n    retries: {r: {maxRetries: 3}}\n",
			"fragment.yaml": "retries:\n  r: {maxRetries: 3}\n",
		},
		want: []string{"conf.yaml:1 not-a-resiliency", "fragment.yaml:1 not-a-resiliency"},
	},
	{
		name:    "default names before 1.9",
		files:   map[string]string{"r.yaml": res("r", "  policies:\n    retries:\n      DefaultRetryPolicy: {maxRetries: 3}\n"), "c.yaml": featureOn},
		version: "1.8",
		want:    []string{"r.yaml:8 default-before-1.9", "r.yaml:8 unused-policy"},
	},
	{
		name: "component metadata Dapr ignores or reads otherwise",
		files: map[string]string{"c.yaml": redisComponent(`  - name: redisMaxRetries
    value: 0
  - name: MaxRetries
    value: 2
  - name: redisMinRetryInterval
    secretKeyRef: {name: redis, key: backoff}
  - name: redisType
    value: cluster
`)},
		want: []string{"c.yaml:9 component-metadata-value", "c.yaml:11 component-metadata-ignored", "c.yaml:13 component-metadata-secret", "c.yaml:15 client-not-modelled"},
	},
	{
		// A cron without direction: input is read only if the app answers
		// OPTIONS; a redis binding restricted to input does nothing, and
		// its component-level ttlInSeconds is never read.
		name: "bindings: the OPTIONS probe, a direction without the type's side",
		files: map[string]string{
			"cron.yaml":  bindingComponent("tick", CronBindingType, "  - {name: schedule, value: '@every 10s'}\n"),
			"redis.yaml": bindingComponent("cache", RedisBindingType, "  - {name: direction, value: input}\n  - {name: ttlInSeconds, value: 60}\n"),
		},
		want:   []string{"cron.yaml:1 binding-probe", "redis.yaml:8 binding-direction", "redis.yaml:9 component-metadata-ignored"},
		absent: []string{"client-not-modelled"},
	},
	{
		name: "pubsub.redis metadata that stops delivery or redelivery",
		files: map[string]string{"p.yaml": pubsubComponent(`  - name: consumerID
    value: "{uuid}"
  - name: processingTimeout
    value: 0
  - name: concurrency
    value: 0
`)},
		want:   []string{"p.yaml:9 component-metadata-placeholder", "p.yaml:11 pubsub-no-redelivery", "p.yaml:13 pubsub-no-workers"},
		absent: []string{"client-outlasts-timeout", "client-trip-time"},
	},
	{
		// 2m30s of retries against the default processingTimeout 60s: on
		// 1.14 the message is reclaimed for a second worker, and its
		// dead-letter publish runs on an expired context.
		name:    "inbound retry outlasting processingTimeout, with a dead-letter topic",
		files:   map[string]string{"p.yaml": pubsubComponent("  - {name: redisHost, value: localhost:6379}\n"), "r.yaml": inboundRes, "s.yaml": subscriptionDoc("orders-sub", "pubsub", "orders-dlq")},
		version: "1.14",
		want:    []string{"r.yaml:16 delivery-outlasts-processing-timeout", "s.yaml:10 dead-letter-after-deadline"},
		absent:  []string{"pubsub-no-redelivery", "component-breaker-shared", "binding-retries-non-200"},
	},
	{
		// From 1.15 a failed dead-letter publish leaves the message pending.
		name:   "1.15 keeps the message when the dead-letter publish fails",
		files:  map[string]string{"p.yaml": pubsubComponent("  - {name: redisHost, value: localhost:6379}\n"), "r.yaml": inboundRes, "s.yaml": subscriptionDoc("orders-sub", "pubsub", "orders-dlq")},
		want:   []string{"r.yaml:16 delivery-outlasts-processing-timeout"},
		absent: []string{"dead-letter-after-deadline"},
	},
	{
		// A processingTimeout of 3m outlasts the 2m30s: nothing to say.
		name:   "inbound retry inside processingTimeout",
		files:  map[string]string{"p.yaml": pubsubComponent("  - {name: processingTimeout, value: 3m}\n"), "r.yaml": inboundRes, "s.yaml": subscriptionDoc("orders-sub", "pubsub", "orders-dlq")},
		absent: []string{"delivery-outlasts-processing-timeout", "dead-letter-after-deadline"},
	},
	{
		// Without a Subscription or an inbound target nothing is delivered.
		name: "no subscription, no inbound target",
		files: map[string]string{"p.yaml": pubsubComponent("  - {name: redisHost, value: localhost:6379}\n"), "r.yaml": res("r", `  policies:
    retries:
      DefaultRetryPolicy: {policy: constant, duration: 10s, maxRetries: 20}
`)},
		absent: []string{"delivery-outlasts-processing-timeout"},
	},
	{
		// An untargeted subscribed component: the default retry, reported
		// at its definition.
		name: "a default retry outlasting processingTimeout",
		files: map[string]string{"p.yaml": pubsubComponent("  - {name: redisHost, value: localhost:6379}\n"), "s.yaml": subscriptionDoc("orders-sub", "pubsub", ""), "r.yaml": res("r", `  policies:
    retries:
      DefaultRetryPolicy: {policy: constant, duration: 5s, maxRetries: -1}
    circuitBreakers:
      DefaultCircuitBreakerPolicy: {timeout: 30s, trip: consecutiveFailures >= 5}
`)},
		want: []string{"r.yaml:8 delivery-outlasts-processing-timeout"},
	},
	{
		// Redelivery off: the subscription without a deadLetterTopic is
		// named at its pubsubname (line 6); the one with a DLQ is not.
		name: "a subscription whose failed messages stay pending",
		files: map[string]string{"p.yaml": pubsubComponent("  - {name: redeliverInterval, value: 0}\n"),
			"s.yaml": subscriptionDoc("orders-sub", "pubsub", ""), "t.yaml": subscriptionDoc("dlq-sub", "pubsub", "orders-dlq")},
		want:   []string{"p.yaml:8 pubsub-no-redelivery", "s.yaml:6 pubsub-no-redelivery"},
		absent: []string{"t.yaml:6 pubsub-no-redelivery"},
	},
	{
		name: "inbound and outbound name different breakers",
		files: map[string]string{"r.yaml": res("r", `  policies:
    circuitBreakers:
      cbIn: {timeout: 30s, trip: consecutiveFailures >= 5}
      cbOut: {timeout: 10s, trip: consecutiveFailures >= 3}
  targets:
    components:
      orderpubsub:
        inbound:
          circuitBreaker: cbIn
        outbound:
          circuitBreaker: cbOut
      statestore:
        inbound:
          circuitBreaker: cbIn
        outbound:
          circuitBreaker: cbOut
      same:
        inbound:
          circuitBreaker: cbIn
        outbound:
          circuitBreaker: cbIn
`), "c.yaml": redisComponent("  - {name: redisHost, value: localhost:6379}\n")},
		want:   []string{"r.yaml:14 component-breaker-shared"},
		absent: []string{"r.yaml:19 component-breaker-shared", "r.yaml:24 component-breaker-shared"},
	},
	{
		name: "an input binding with an inbound retry",
		files: map[string]string{"b.yaml": "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: tick\nspec:\n  type: bindings.cron\n  metadata:\n  - {name: schedule, value: \"@every 10s\"}\n",
			"r.yaml": res("r", `  policies:
    retries:
      r: {policy: constant, duration: 1s, maxRetries: 3}
  targets:
    components:
      tick:
        inbound:
          retry: r
`)},
		want: []string{"r.yaml:13 binding-retries-non-200"},
	},
	{
		// 1.16: a failing save costs 1.536s in go-redis. The 1s timeout
		// ends every failing attempt first; with it, one call's 5th
		// failure comes 4 × (6s + 1s) = 28s after its first, past the
		// 26s interval the retry delays alone (24s) would fit in.
		name:   "the client's time defeats the timeout and the breaker's interval",
		files:  map[string]string{"c.yaml": redisComponent("  - {name: redisHost, value: localhost:6379}\n"), "r.yaml": clientRes("1s", "6s", "26s")},
		want:   []string{"r.yaml:16 client-outlasts-timeout", "r.yaml:18 client-slows-breaker", "r.yaml:18 client-trip-time"},
		absent: []string{"interval-before-trip"},
	},
	{
		// The same policies with a client that gives up at once.
		name:   "a client without retries neither outlasts nor slows",
		files:  map[string]string{"c.yaml": redisComponent("  - {name: redisMaxRetries, value: -1}\n"), "r.yaml": clientRes("1s", "6s", "26s")},
		absent: []string{"client-outlasts-timeout", "client-slows-breaker", "client-trip-time"},
	},
	{
		// On 1.8 a 20ms timeout is shorter than a failing save (24ms at
		// least) and the command runs on after it.
		name:    "1.8: the command runs on after the timeout",
		files:   map[string]string{"c.yaml": redisComponent("  - {name: redisHost, value: localhost:6379}\n"), "r.yaml": clientRes("20ms", "6s", "0s"), "f.yaml": featureOn},
		version: "1.8",
		want:    []string{"r.yaml:16 client-outlasts-timeout", "r.yaml:18 client-trip-time"},
		absent:  []string{"client-slows-breaker"},
	},
	{
		// An untargeted store runs with the default policies: reported at
		// their definitions.
		name: "the client against default policies",
		files: map[string]string{"c.yaml": redisComponent("  - {name: redisHost, value: localhost:6379}\n"), "r.yaml": res("r", `  policies:
    timeouts:
      DefaultTimeoutPolicy: 2s
    retries:
      DefaultRetryPolicy: {policy: constant, duration: 5s, maxRetries: -1}
    circuitBreakers:
      DefaultCircuitBreakerPolicy: {timeout: 5s, trip: consecutiveFailures >= 3}
`)},
		want: []string{"r.yaml:8 client-outlasts-timeout", "r.yaml:12 client-trip-time"},
	},
	{
		// 1.16: a 5s timeout outlasts a failing get (3.072s).
		name:   "a timeout longer than a failing get",
		files:  map[string]string{"c.yaml": redisComponent("  - {name: redisHost, value: localhost:6379}\n"), "r.yaml": clientRes("5s", "6s", "0s")},
		absent: []string{"client-outlasts-timeout", "client-slows-breaker"},
	},
}

// clientRes is a Resiliency on the statestore component with a timeout,
// a constant retry without limit and a breaker (trip at the 5th
// consecutive failure, open 5s) clearing its counts every interval; the
// target's timeout is on line 16, its circuitBreaker on line 18.
func clientRes(timeout, retryEvery, interval string) string {
	return res("r", `  policies:
    timeouts: {t: `+timeout+`}
    retries:
      r: {policy: constant, duration: `+retryEvery+`, maxRetries: -1}
    circuitBreakers:
      cb: {timeout: 5s, interval: `+interval+`, trip: consecutiveFailures >= 5}
  targets:
    components:
      statestore:
        outbound:
          timeout: t
          retry: r
          circuitBreaker: cb
`)
}

const featureOn = "apiVersion: dapr.io/v1alpha1\nkind: Configuration\nmetadata: {name: c}\nspec:\n  features:\n    - {name: Resiliency, enabled: true}\n"

// TestLint runs each fixture and checks the findings it must and must not
// contain.
func TestLint(t *testing.T) {
	for _, tc := range lintCases {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.opts
			if tc.version != "" {
				o.Profile = mustProfile(t, tc.version)
			}
			fs := lintFiles(t, tc.files, o)
			has := func(s string) bool {
				for _, f := range fs {
					// "file:line id" names one finding; a bare id any.
					if s == f.ID || s == fmt.Sprintf("%s:%d %s", f.File, f.Line, f.ID) {
						return true
					}
				}
				return false
			}
			for _, w := range tc.want {
				if !has(w) {
					t.Errorf("want %s; got:\n%s", w, renderFindings(fs))
				}
			}
			for _, a := range tc.absent {
				if has(a) {
					t.Errorf("want no %s; got:\n%s", a, renderFindings(fs))
				}
			}
		})
	}
}

// TestLintEveryCheckHasAFixture holds lintCases to one fixture per id, and
// every id a fixture expects to a registered check.
func TestLintEveryCheckHasAFixture(t *testing.T) {
	covered := map[string]bool{}
	for _, tc := range lintCases {
		for _, w := range tc.want {
			id := w[strings.LastIndexByte(w, ' ')+1:]
			if _, ok := LintCheck(id); !ok {
				t.Errorf("%s: %q is not a registered check", tc.name, id)
			}
			covered[id] = true
		}
	}
	// subfolder and not-yaml come from ReadFiles (TestLintReadFiles).
	covered["subfolder"], covered["not-yaml"] = true, true
	for _, c := range LintChecks() {
		if !covered[c.ID] {
			t.Errorf("no fixture reports %s", c.ID)
		}
		if c.Summary == "" || c.Explanation == "" || strings.Contains(c.Explanation, "http") {
			t.Errorf("%s: want a summary and a link-free explanation", c.ID)
		}
	}
}

func TestLintReadFiles(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	files, ws, err := ReadFiles([]string{dir})
	if err != nil {
		t.Fatal(err)
	}
	fs, err := Lint(files, ws, LintOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range fs {
		ids = append(ids, f.ID)
	}
	if got := strings.Join(ids, " "); got != "not-yaml subfolder" {
		t.Errorf("ids = %q, want not-yaml subfolder:\n%s", got, renderFindings(fs))
	}
}

// TestLintQuickstart: the quickstart resources are clean at the default
// level (warning); the 5s retry against the 5s breaker timeout is a note.
func TestLintQuickstart(t *testing.T) {
	files, ws, err := ReadFiles([]string{"testdata/quickstart"})
	if err != nil {
		t.Fatal(err)
	}
	for _, app := range []string{"", "order-processor"} {
		fs, err := Lint(files, ws, LintOptions{AppID: app})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			if f.Level >= LevelWarning {
				t.Errorf("app %q: %s", app, f)
			}
		}
	}
}

// TestLintWarningsHaveIDs: every warning the parser and builder emit carries
// a registered id.
func TestLintWarningsHaveIDs(t *testing.T) {
	for _, tc := range lintCases {
		for name, doc := range tc.files {
			_, ws, _ := ParseFile(name, []byte(doc))
			for _, w := range ws {
				if _, ok := LintCheck(w.ID); !ok {
					t.Errorf("%s: warning without a registered id: %q %s", tc.name, w.ID, w)
				}
			}
		}
	}
}

// TestLintDeterministic: the same input gives the same findings, sorted.
func TestLintDeterministic(t *testing.T) {
	tc := lintCases[len(lintCases)-5]
	a := renderFindings(lintFiles(t, tc.files, LintOptions{}))
	for i := 0; i < 5; i++ {
		if b := renderFindings(lintFiles(t, tc.files, LintOptions{})); b != a {
			t.Fatalf("run %d differs:\n%s\nvs\n%s", i, a, b)
		}
	}
}

func TestTripGrid(t *testing.T) {
	for _, tc := range []struct {
		src      string
		possible bool
		single   int64
	}{
		{"consecutiveFailures >= 5", true, 5},
		{"consecutiveFailures > 5", true, 6},
		{"consecutiveFailures >= 500", true, 500},
		{"requests > 20 && totalFailures >= 3", true, 21},
		{"totalSuccesses >= 1 && totalFailures > 2", true, 0},
		{"consecutiveSuccesses > 0", false, 0},
		{"requests < 0", false, 0},
		{"consecutiveFailures > 5 && consecutiveFailures < 3", false, 0},
		{"consecutiveFailure >= 5", false, 0},
		{"consecutiveFailures >= 5 || typo > 1", true, 5},
		{"consecutiveFailures >= 5.0", true, 5},
		{"'x'", false, 0},
	} {
		tr, err := CompileTrip(tc.src)
		if err != nil {
			t.Fatalf("%s: %v", tc.src, err)
		}
		f := evalTripGrid(tr)
		if f.possible != tc.possible || f.single != tc.single {
			t.Errorf("%s: possible %v single %d, want %v %d", tc.src, f.possible, f.single, tc.possible, tc.single)
		}
	}
}

// quickstartYAML is testdata/quickstart/resiliency.yaml.
var quickstartYAML = func() string {
	b, err := os.ReadFile("testdata/quickstart/resiliency.yaml")
	if err != nil {
		return ""
	}
	return string(b)
}()
