package policies

import (
	"strings"
	"testing"
	"time"

	"github.com/dapr-sim/sim/policies/retry"
)

func TestUnknownKeyWarning(t *testing.T) {
	doc := resiliency(`  policies:
    retries:
      slow:
        policy: exponential
        maxIntervall: 10s
        initialInterval: 1s
        jitter: 0.1
  target:
    apps: {}
`)
	_, ws, err := ParseFile("r.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	findWarning(t, ws, "r.yaml:10:", "spec.policies.retries.slow.maxIntervall", "Dapr does not know this key and ignores it", `did you mean "maxInterval"?`)
	findWarning(t, ws, "r.yaml:11:", "spec.policies.retries.slow.initialInterval", `no "initialInterval"`, "uses 500ms")
	w := findWarning(t, ws, "r.yaml:12:", "spec.policies.retries.slow.jitter")
	if strings.Contains(w, "did you mean") {
		t.Errorf("unexpected suggestion: %s", w)
	}
	findWarning(t, ws, "r.yaml:13:", "spec.target:", `did you mean "targets"?`)
}

func TestCaseInsensitiveKey(t *testing.T) {
	doc := resiliency(`  policies:
    retries:
      r:
        Policy: Exponential
        MaxRetries: 7
`)
	f, ws, err := ParseFile("r.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	rs := f.Resiliencies[0].Retries[0]
	if rs.MaxRetries == nil || *rs.MaxRetries != 7 || rs.Policy == nil || *rs.Policy != retry.Exponential {
		t.Fatalf("got %+v", rs)
	}
	findWarning(t, ws, "r.yaml:10:", "spec.policies.retries.r.MaxRetries", `reads this as "maxRetries"`)
}

func TestConstantMaxIntervalWarning(t *testing.T) {
	doc := resiliency(`  policies:
    retries:
      retryForever:
        policy: constant
        maxInterval: 5s
        maxRetries: -1
      expo:
        policy: exponential
        duration: 2s
`)
	_, ws, err := ParseFile("r.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	findWarning(t, ws, "r.yaml:10:", "spec.policies.retries.retryForever.maxInterval", "no effect on a constant policy", "duration (5s, the default)")
	findWarning(t, ws, "r.yaml:14:", "spec.policies.retries.expo.duration", "no effect on an exponential policy", "maxInterval (1m0s)")
}

func TestParseErrors(t *testing.T) {
	doc := resiliency(`  policies:
    timeouts:
      t: 1.5
    retries:
      r:
        policy: linear
        maxRetries: three
    circuitBreakers:
      cb:
        maxRequests: -1
        interval: 10 s
        trip: ")"
  targets:
    actors:
      a:
        circuitBreaker: cb
        circuitBreakerScope: instance
`)
	got := parseErr(t, "r.yaml", doc)
	want := []string{
		`r.yaml:8: spec.policies.timeouts.t: want a duration`,
		`r.yaml:11: spec.policies.retries.r.policy: want constant or exponential, got "linear"`,
		`r.yaml:12: spec.policies.retries.r.maxRetries: want a whole number, got "three"`,
		`r.yaml:15: spec.policies.circuitBreakers.cb.maxRequests: want a whole number from 0 to 4294967295, got -1`,
		`r.yaml:16: spec.policies.circuitBreakers.cb.interval: want a duration`,
		`r.yaml:17: spec.policies.circuitBreakers.cb.trip: invalid CEL expression`,
		`r.yaml:22: spec.targets.actors.a.circuitBreakerScope: want type, id or both, got "instance"`,
	}
	lines := strings.Split(got, "\n")
	if len(lines) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%s", len(lines), len(want), got)
	}
	for i := range want {
		if !strings.HasPrefix(lines[i], want[i]) {
			t.Errorf("error %d:\n got %s\nwant prefix %s", i, lines[i], want[i])
		}
	}
}

func TestMalformedYAML(t *testing.T) {
	got := parseErr(t, "r.yaml", "kind: Resiliency\nspec:\n  policies: [\n")
	if !strings.HasPrefix(got, "r.yaml:") || !strings.Contains(got, "malformed YAML") {
		t.Errorf("got %s", got)
	}
}

// TestMultiDocument: components and subscriptions come from every document,
// a Resiliency only from the first (Dapr's Resiliency loader reads one
// document per file).
func TestMultiDocument(t *testing.T) {
	data := `apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: statestore
spec:
  type: state.redis
---
apiVersion: dapr.io/v1alpha1
kind: Resiliency
metadata:
  name: second
spec:
  policies: {}
---
apiVersion: dapr.io/v1alpha1
kind: Subscription
metadata:
  name: orders
spec: {pubsubname: p, topic: orders, route: /orders}
`
	f, ws, err := ParseFile("all.yaml", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Components) != 1 || f.Components[0].Type != "state.redis" || len(f.Resiliencies) != 0 || len(f.Subscriptions) != 1 {
		t.Fatalf("got %+v", f)
	}
	findWarning(t, ws, "all.yaml:8:", "reads only the first document")
	if len(ws) != 1 {
		t.Errorf("want 1 warning, got:\n%s", renderWarnings(ws))
	}
}

func TestAPIVersionWarning(t *testing.T) {
	doc := "apiVersion: dapr.io/v2\nkind: Resiliency\nspec: {}\n"
	f, ws, err := ParseFile("r.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Resiliencies) != 1 {
		t.Fatal("resource dropped: Dapr checks only the kind")
	}
	findWarning(t, ws, "r.yaml:1:", `want "dapr.io/v1alpha1", got "dapr.io/v2"`, "checks only the kind")
}

func TestQuickstartParse(t *testing.T) {
	for _, name := range []string{"resiliency.yaml", "statestore.yaml", "config.yaml"} {
		data := readTestdata(t, "quickstart/"+name)
		f, ws, err := ParseFile(name, data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(ws) != 0 {
			t.Errorf("%s: unexpected warnings:\n%s", name, renderWarnings(ws))
		}
		switch name {
		case "resiliency.yaml":
			r := f.Resiliencies[0]
			if r.Name != "myresiliency" || strings.Join(r.Scopes, ",") != "order-processor" {
				t.Errorf("resource %q scopes %v", r.Name, r.Scopes)
			}
			rs := r.Retries[0]
			if rs.Name != "retryForever" || *rs.Duration != 5*time.Second || *rs.MaxRetries != -1 {
				t.Errorf("retry %+v", rs)
			}
		case "statestore.yaml":
			if c := f.Components[0]; c.Name != "statestore" || c.Type != "state.redis" {
				t.Errorf("component %+v", c)
			}
		case "config.yaml":
			if c := f.Configurations[0]; len(c.Features) != 1 || c.Features[0].Name != "Resiliency" || !c.Features[0].Enabled {
				t.Errorf("configuration %+v", c)
			}
		}
	}
}
