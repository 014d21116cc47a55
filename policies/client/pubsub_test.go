package client

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// pubsubText renders the fields of p that differ from the defaults of app
// "orders".
func pubsubText(p Pubsub) string {
	d := DefaultPubsub("orders")
	var parts []string
	add := func(differs bool, format string, v any) {
		if differs {
			parts = append(parts, fmt.Sprintf(format, v))
		}
	}
	add(p.ConsumerID != d.ConsumerID, "consumerID %s", p.ConsumerID)
	add(p.ProcessingTimeout != d.ProcessingTimeout, "processingTimeout %v", p.ProcessingTimeout)
	add(p.RedeliverInterval != d.RedeliverInterval, "redeliverInterval %v", p.RedeliverInterval)
	add(p.QueueDepth != d.QueueDepth, "queueDepth %d", p.QueueDepth)
	add(p.Concurrency != d.Concurrency, "concurrency %d", p.Concurrency)
	add(p.MaxLenApprox != d.MaxLenApprox, "maxLenApprox %d", p.MaxLenApprox)
	add(p.StreamTTL != d.StreamTTL, "streamTTL %v", p.StreamTTL)
	add(p.Block != d.Block, "block %v", p.Block)
	return strings.Join(parts, ", ")
}

// TestPubsubFromMetadata: one row per key and quirk, for the releases
// before the shared Settings (1.8-1.10: exact keys, every bad value fails
// Init) and after (1.11+: dapr/kit's decoder, redeliverInterval read only
// as milliseconds).
func TestPubsubFromMetadata(t *testing.T) {
	const old, now = 10, 14
	for _, tc := range []struct {
		name     string
		minors   []int
		props    []Property
		want     string // pubsubText
		problems string // problemsText
	}{
		{"defaults", []int{8, 9, 10, 11, 12, 13, 14, 15, 16}, props("redisHost=localhost:6379", "redisPassword="), "", ""},
		{"processingTimeout in milliseconds", []int{old, now}, props("processingTimeout=30000"), "processingTimeout 30s", ""},
		{"processingTimeout as a duration", []int{old, now}, props("processingTimeout=2m"), "processingTimeout 2m0s", ""},
		{"processingTimeout bad", []int{old, now}, props("processingTimeout=soon"), "", "0 error"},
		{"processingTimeout empty is the default before 1.11", []int{old}, props("processingTimeout="), "", ""},
		{"processingTimeout empty fails the decoder from 1.11", []int{now}, props("processingTimeout="), "", "0 error"},
		{"processingTimeout -5 is no duration before 1.11", []int{old}, props("processingTimeout=-5"), "", "0 error"},
		{"processingTimeout -5 is -5ms from 1.11", []int{now}, props("processingTimeout=-5"), "processingTimeout -5ms", "0 client-not-modelled"},
		{"processingTimeout 0 stops redelivery", []int{old, now}, props("processingTimeout=0"), "processingTimeout 0s", "0 pubsub-no-redelivery"},
		{"ProcessingTimeout is read only spelt exactly before 1.11", []int{old}, props("ProcessingTimeout=5000"), "", "0 component-metadata-ignored"},
		{"ProcessingTimeout is matched case-insensitively from 1.11", []int{now}, props("ProcessingTimeout=5000"), "processingTimeout 5s", ""},
		{"redeliverInterval in milliseconds", []int{old, now}, props("redeliverInterval=5000"), "redeliverInterval 5s", ""},
		{"redeliverInterval as a duration before 1.11", []int{old}, props("redeliverInterval=5s"), "redeliverInterval 5s", ""},
		{"redeliverInterval as a duration is ignored from 1.11", []int{11, now, 16}, props("redeliverInterval=5s"), "", "0 component-metadata-ignored"},
		{"redeliverInterval bad fails before 1.11", []int{old}, props("redeliverInterval=often"), "", "0 error"},
		{"redeliverInterval bad is ignored from 1.11", []int{now}, props("redeliverInterval=often"), "", "0 component-metadata-ignored"},
		{"RedeliverInterval is read only spelt exactly", []int{old, now}, props("RedeliverInterval=5000"), "", "0 component-metadata-ignored"},
		{"redeliverInterval 0 stops redelivery", []int{old, now}, props("redeliverInterval=0"), "redeliverInterval 0s", "0 pubsub-no-redelivery"},
		{"a near-miss", []int{old, now}, props("redeliveryInterval=5000"), "", "0 component-metadata-ignored"},
		{"queueDepth", []int{old, now}, props("queueDepth=10"), "queueDepth 10", ""},
		{"queueDepth 0 stops redelivery", []int{old, now}, props("queueDepth=0"), "queueDepth 0", "0 pubsub-no-redelivery"},
		{"concurrency", []int{old, now}, props("concurrency=1"), "concurrency 1", ""},
		{"concurrency 0 starts no worker", []int{old, now}, props("concurrency=0"), "concurrency 0", "0 pubsub-no-workers"},
		{"concurrency -1", []int{old, now}, props("concurrency=-1"), "", "0 error"},
		{"maxLenApprox", []int{old, now}, props("maxLenApprox=1000"), "maxLenApprox 1000", ""},
		{"maxLenApprox negative trims nothing", []int{old, now}, props("maxLenApprox=-1"), "maxLenApprox -1", "0 component-metadata-value"},
		{"maxLenApprox bad", []int{old, now}, props("maxLenApprox=many"), "", "0 error"},
		{"streamTTL from 1.16", []int{16}, props("streamTTL=10m"), "streamTTL 10m0s", ""},
		{"streamTTL before 1.16", []int{15}, props("streamTTL=10m"), "", ""},
		{"consumerID trimmed", []int{old, now}, props("consumerID=  group1 "), "consumerID group1", ""},
		{"consumerID blank is the app id", []int{old, now}, props("consumerID= "), "", ""},
		{"consumerID with {appID}", []int{old, now}, props("consumerID={appID}-eu"), "consumerID orders-eu", ""},
		{"consumerID with {uuid}", []int{old, now}, props("consumerID={appID}-{uuid}-{uuid}"), "consumerID orders-uuid1-orders-uuid2-orders", "0 component-metadata-placeholder"},
		{"consumerID with {podName}", []int{now}, props("consumerID={podName}"), "", "0 component-metadata-placeholder"},
		{"consumerID with {namespace}", []int{now}, props("consumerID={namespace}"), "consumerID default.orders", "0 component-metadata-placeholder"},
		{"ConsumerID is shadowed by daprd's consumerID", []int{old, now}, props("ConsumerID=group1"), "", "0 component-metadata-ignored"},
		{"readTimeout is the BLOCK", []int{old, now}, props("readTimeout=2s"), "block 2s", ""},
		{"readTimeout -1 sends no BLOCK", []int{old, now}, props("readTimeout=-1"), "block -1ns", "0 client-not-modelled"},
		{"legacy keys are state stores' only", []int{old, now}, props("maxRetries=5", "maxRetryBackoff=100"), "", "0 component-metadata-ignored; 1 component-metadata-ignored"},
		{"a secret", []int{now}, props("concurrency=$secret"), "", "0 component-metadata-secret"},
	} {
		for _, minor := range tc.minors {
			t.Run(fmt.Sprintf("%s/1.%d", tc.name, minor), func(t *testing.T) {
				st, ps, probs := PubsubFromMetadata(minor, "orders", tc.props)
				if g := pubsubText(ps); g != tc.want {
					t.Errorf("pubsub %q, want %q", g, tc.want)
				}
				def, _ := ForRelease(minor, PubsubType)
				if tc.want == "" && st != def {
					t.Errorf("client %s, want the release's %s", short(st), short(def))
				}
				if g := problemsText(probs); g != tc.problems {
					t.Errorf("problems %q, want %q:\n%v", g, tc.problems, probs)
				}
			})
		}
	}
}

// TestPubsubClientDefaults: pubsub.redis gets go-redis's own defaults in
// every release (no state-store legacy defaults), and its metadata's
// timing keys as state.redis reads them.
func TestPubsubClientDefaults(t *testing.T) {
	for minor := 8; minor <= 16; minor++ {
		s, ok := ForRelease(minor, PubsubType)
		if !ok || short(s) != "retries 3, backoff 8ms..512ms, dial 5s, read 3s, write 3s" || !s.RetryDialTimeout || s.CancelledByTimeout != (minor >= 10) {
			t.Errorf("1.%d: %s %+v", minor, short(s), s)
		}
	}
	s, _, ps := PubsubFromMetadata(14, "orders", props("redisMaxRetries=-1", "redisMinRetryInterval=0", "redisMaxRetryInterval=100ms"))
	if short(s) != "retries 0, backoff 8ms..100ms, dial 5s, read 3s, write 3s" || problemsText(ps) != "1 component-metadata-value" {
		t.Errorf("%s %v", short(s), ps)
	}
	if !strings.Contains(ps[0].Msg, "8ms; -1 means no backoff") {
		t.Errorf("message names state stores' floor: %s", ps[0].Msg)
	}
}

// TestPubsubErrorsAreContribs: the errors Init returns, per release.
func TestPubsubErrorsAreContribs(t *testing.T) {
	for _, tc := range []struct {
		minor int
		prop  string
		dapr  string
	}{
		{10, "processingTimeout=soon", `redis streams error: can't parse processingTimeout field: time: invalid duration "soon"`},
		{10, "queueDepth=x", `redis streams error: can't parse queueDepth field: strconv.ParseUint: parsing "x": invalid syntax`},
		{10, "maxLenApprox=x", `redis streams error: invalid maxLenApprox x, strconv.ParseInt: parsing "x": invalid syntax`},
		{14, "processingTimeout=soon", `redis client configuration error: decode failed. error decoding 'processingTimeout': invalid duration "soon"`},
		{14, "concurrency=-1", `redis client configuration error: decode failed. error decoding 'concurrency': invalid uint "-1"`},
	} {
		_, _, ps := PubsubFromMetadata(tc.minor, "orders", props(tc.prop))
		if len(ps) != 1 || !ps[0].Error || ps[0].Dapr != tc.dapr {
			t.Errorf("1.%d %s: %+v, want the error %q", tc.minor, tc.prop, ps, tc.dapr)
		}
	}
}

// TestPubsubRedelivers: what turns the reclaim loop off.
func TestPubsubRedelivers(t *testing.T) {
	d := DefaultPubsub("a")
	if !d.Redelivers() {
		t.Error("the defaults redeliver")
	}
	for _, p := range []Pubsub{{ProcessingTimeout: 0, RedeliverInterval: time.Second, QueueDepth: 1}, {ProcessingTimeout: time.Second, QueueDepth: 1}, {ProcessingTimeout: time.Second, RedeliverInterval: time.Second}} {
		if p.Redelivers() {
			t.Errorf("%+v redelivers", p)
		}
	}
}
