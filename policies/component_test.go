package policies

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dapr-sim/sim/internal/diag"
	"github.com/dapr-sim/sim/policies/client"
)

// redisComponent is a state.redis Component named statestore whose
// spec.metadata lists items (each "- name: …\n    value: …" already
// indented under metadata), starting on line 8.
func redisComponent(items string) string {
	return "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: statestore\nspec:\n  type: state.redis\n  metadata:\n" + items
}

// pubsubComponent is redisComponent for a pubsub.redis named pubsub.
func pubsubComponent(items string) string {
	return "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: pubsub\nspec:\n  type: pubsub.redis\n  metadata:\n" + items
}

// buildErr is build for input Build must reject: the rendered errors.
func buildErr(t *testing.T, v string, files map[string]string) (string, *Spec) {
	t.Helper()
	p := mustProfile(t, v)
	var parsed []*File
	for n, doc := range files {
		f, _, err := ParseFile(n, []byte(doc))
		if err != nil {
			t.Fatalf("ParseFile(%s): %v", n, err)
		}
		parsed = append(parsed, f)
	}
	s, _, err := Build(parsed, "app", p)
	var l diag.List
	if !errors.As(err, &l) {
		t.Fatalf("Build: err %v, want a diag.List", err)
	}
	return err.Error(), s
}

// TestComponentMetadataClients: the metadata of a state.redis Component
// becomes Spec.Clients (only where it changes the release's defaults), per
// release.
func TestComponentMetadataClients(t *testing.T) {
	for _, tc := range []struct {
		v, items string
		want     *client.Settings // nil: no entry (the defaults)
	}{
		{"1.16", "  - name: redisHost\n    value: localhost:6379\n  - name: actorStateStore\n    value: \"true\"\n", nil},
		{"1.8", "  - name: redisHost\n    value: localhost:6379\n", nil},
		{"1.16", "  - name: redisMaxRetries\n    value: 1\n  - name: redisMaxRetryInterval\n    value: 100\n",
			&client.Settings{MaxRetries: 1, MinBackoff: 2 * time.Second, MaxBackoff: 100 * time.Millisecond, DialTimeout: 5 * time.Second, ReadTimeout: 3 * time.Second, WriteTimeout: 3 * time.Second, RetryDialTimeout: true, CancelledByTimeout: true}},
		// The legacy key: the cap before 1.11 (nanoseconds), the floor after.
		{"1.9", "  - name: maxRetryBackoff\n    value: \"500000000\"\n",
			&client.Settings{MaxRetries: 3, MinBackoff: 8 * time.Millisecond, MaxBackoff: 500 * time.Millisecond, DialTimeout: 5 * time.Second, ReadTimeout: 3 * time.Second, WriteTimeout: 3 * time.Second, RetryDialTimeout: true}},
		{"1.14", "  - name: maxRetryBackoff\n    value: \"100000000\"\n",
			&client.Settings{MaxRetries: 3, MinBackoff: 100 * time.Millisecond, MaxBackoff: 512 * time.Millisecond, DialTimeout: 5 * time.Second, ReadTimeout: 3 * time.Second, WriteTimeout: 3 * time.Second, RetryDialTimeout: true, CancelledByTimeout: true}},
		{"1.14", "  - name: redisMaxRetries\n    value: -1\n  - name: readTimeout\n    value: 500ms\n",
			&client.Settings{MaxRetries: 0, MinBackoff: 2 * time.Second, MaxBackoff: 512 * time.Millisecond, DialTimeout: 5 * time.Second, ReadTimeout: 500 * time.Millisecond, WriteTimeout: 500 * time.Millisecond, RetryDialTimeout: true, CancelledByTimeout: true}},
	} {
		s, ws := build(t, tc.v, "app", map[string]string{"c.yaml": redisComponent(tc.items), "f.yaml": featureOn})
		got, ok := s.Clients["statestore"]
		switch {
		case tc.want == nil && ok:
			t.Errorf("%s %q: Clients has %+v, want none", tc.v, tc.items, got)
		case tc.want != nil && got != *tc.want:
			t.Errorf("%s %q:\n got %+v\nwant %+v\n%s", tc.v, tc.items, got, *tc.want, renderWarnings(ws))
		}
		if c, ok := s.ClientOf("statestore"); !ok || (tc.want != nil && c != *tc.want) {
			t.Errorf("%s: ClientOf = %+v, %v", tc.v, c, ok)
		}
	}
}

// TestComponentMetadataBadValue: a value the component's Init rejects is
// an error at its line and field that says what daprd does.
func TestComponentMetadataBadValue(t *testing.T) {
	doc := redisComponent("  - name: redisHost\n    value: localhost:6379\n  - name: redisMaxRetries\n    value: abc\n")
	got, s := buildErr(t, "1.14", map[string]string{"c.yaml": doc})
	want := `c.yaml:11: spec.metadata[1].value: redisMaxRetries: want a whole number such as "3", got "abc": Dapr 1.14's state.redis fails to initialize (redis client configuration error: decode failed. error decoding 'redisMaxRetries': invalid int "abc"), so daprd exits with a fatal error at start`
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if s == nil || s.Components["statestore"] != "state.redis" {
		t.Error("the spec is still built, for lint")
	}
	ignored := strings.Replace(doc, "spec:\n", "spec:\n  ignoreErrors: true\n", 1)
	if got, _ := buildErr(t, "1.14", map[string]string{"c.yaml": ignored}); !strings.Contains(got, "goes on without the component (spec.ignoreErrors: true)") {
		t.Errorf("ignoreErrors: %s", got)
	}
	// Before 1.11 the legacy key is parsed by ParseRedisMetadata.
	legacy := redisComponent("  - name: maxRetryBackoff\n    value: 2s\n")
	if got, _ := buildErr(t, "1.8", map[string]string{"c.yaml": legacy}); !strings.Contains(got, `c.yaml:9: spec.metadata[0].value: maxRetryBackoff: want a whole number of nanoseconds`) || !strings.Contains(got, "can't parse maxRetryBackoff field") {
		t.Errorf("legacy: %s", got)
	}
}

// TestComponentMetadataWarnings: values Dapr accepts but ignores or reads
// otherwise than they look are warnings at their line.
func TestComponentMetadataWarnings(t *testing.T) {
	doc := redisComponent("  - name: redisMaxRetries\n    value: 0\n  - name: redisPassword\n    secretKeyRef: {name: redis, key: password}\n  - name: redisMinRetryInterval\n    secretKeyRef:\n      name: redis\n  - name: failover\n    value: true\n")
	_, ws := build(t, "1.16", "app", map[string]string{"c.yaml": doc})
	got := renderWarnings(ws)
	for _, want := range []string{
		`c.yaml:9: warning: spec.metadata[0].value: redisMaxRetries: "0" means go-redis's default, 3 retries; -1 means none`,
		`c.yaml:13: warning: spec.metadata[2].secretKeyRef: redisMinRetryInterval: its value comes from a secret store or the environment, which sim does not read: sim uses the default`,
		`c.yaml:16: warning: spec.metadata[3].value: failover: true makes state.redis a Sentinel failover client`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("want %s\ngot:\n%s", want, got)
		}
	}
	if strings.Contains(got, "redisPassword") {
		t.Errorf("a secret password changes no timing: no warning\n%s", got)
	}
}

// TestComponentMetadataShape: spec.metadata must be a list of mappings, as
// Dapr's decoder needs.
func TestComponentMetadataShape(t *testing.T) {
	doc := "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: s\nspec:\n  type: state.redis\n  metadata:\n    redisHost: localhost\n"
	if got := parseErr(t, "c.yaml", doc); !strings.Contains(got, "c.yaml:8: spec.metadata: want a list of {name, value}, got a mapping") {
		t.Errorf("got %s", got)
	}
}

// TestComponentMetadataPubsub: a pubsub.redis Component's metadata becomes
// Spec.Pubsubs (only where it changes the defaults) and its go-redis client
// Spec.Clients; PubsubOf answers for every pubsub.redis, and for nothing
// else.
func TestComponentMetadataPubsub(t *testing.T) {
	s, ws := build(t, "1.14", "orders", map[string]string{
		"p.yaml": pubsubComponent("  - name: redisHost\n    value: localhost:6379\n"),
		"q.yaml": strings.Replace(pubsubComponent("  - name: consumerID\n    value: \"{appID}-eu\"\n  - name: processingTimeout\n    value: 30000\n  - name: redeliverInterval\n    value: 5s\n  - name: redisMaxRetries\n    value: -1\n"), "name: pubsub", "name: eu", 1),
		"c.yaml": redisComponent("  - name: redisHost\n    value: localhost:6379\n"),
	})
	if _, ok := s.Pubsubs["pubsub"]; ok || len(s.Clients) != 1 {
		t.Errorf("defaults are not recorded: Pubsubs %v, Clients %v", s.Pubsubs, s.Clients)
	}
	if p, ok := s.PubsubOf("pubsub"); !ok || p != client.DefaultPubsub("orders") {
		t.Errorf("PubsubOf(pubsub) = %+v, %v", p, ok)
	}
	want := client.DefaultPubsub("orders")
	want.ConsumerID, want.ProcessingTimeout = "orders-eu", 30*time.Second
	if p, ok := s.PubsubOf("eu"); !ok || p != want {
		t.Errorf("PubsubOf(eu) = %+v, want %+v", p, want)
	}
	if c, ok := s.ClientOf("eu"); !ok || c.MaxRetries != 0 || c.MinBackoff != 8*time.Millisecond {
		t.Errorf("ClientOf(eu) = %+v: want no retries and go-redis's floor, not a state store's 2s", c)
	}
	if _, ok := s.PubsubOf("statestore"); ok {
		t.Error("a state store has no pub/sub settings")
	}
	if got := renderWarnings(ws); !strings.Contains(got, "q.yaml:13: warning: spec.metadata[2].value: redeliverInterval: ignored: Dapr 1.14 reads redeliverInterval only as a whole number of milliseconds") {
		t.Errorf("warnings:\n%s", got)
	}
	got, _ := buildErr(t, "1.10", map[string]string{"p.yaml": pubsubComponent("  - name: concurrency\n    value: many\n")})
	if w := `p.yaml:9: spec.metadata[0].value: concurrency: want a whole number from 0, such as "100", got "many": Dapr 1.10's pubsub.redis fails to initialize (redis streams error: can't parse concurrency field: strconv.ParseUint: parsing "many": invalid syntax), so daprd exits with a fatal error at start`; got != w {
		t.Errorf("got  %s\nwant %s", got, w)
	}
}
