package sim

import (
	"math/rand/v2"
	"regexp"
	"testing"
	"time"
)

// The envelope is what encoding/json makes of Dapr's map: keys sorted, JSON
// data parsed and written again compactly with its numbers exact, other
// data as a string, binary data as base64 under data_base64.
func TestCloudEvent(t *testing.T) {
	p := publication{id: "id-1", source: "checkout", topic: "orders", pubsub: "orderpubsub", traceparent: "00-ab-cd-01", at: 6500 * time.Millisecond}
	for _, tc := range []struct{ ct, data, want string }{
		{"application/json", `{ "orderId": 12345678901234567890, "b": [1, 2] }`,
			`{"data":{"b":[1,2],"orderId":12345678901234567890},"datacontenttype":"application/json","id":"id-1","pubsubname":"orderpubsub","source":"checkout","specversion":"1.0","time":"2000-01-01T00:00:06Z","topic":"orders","traceid":"00-ab-cd-01","traceparent":"00-ab-cd-01","tracestate":"","type":"com.dapr.event.sent"}`},
		{"Application/JSON;charset=utf-8", `not json <&>`,
			`{"data":"not json \u003c\u0026\u003e","datacontenttype":"Application/JSON;charset=utf-8","id":"id-1","pubsubname":"orderpubsub","source":"checkout","specversion":"1.0","time":"2000-01-01T00:00:06Z","topic":"orders","traceid":"00-ab-cd-01","traceparent":"00-ab-cd-01","tracestate":"","type":"com.dapr.event.sent"}`},
		{"", `{"orderId":1}`,
			`{"data":"{\"orderId\":1}","datacontenttype":"text/plain","id":"id-1","pubsubname":"orderpubsub","source":"checkout","specversion":"1.0","time":"2000-01-01T00:00:06Z","topic":"orders","traceid":"00-ab-cd-01","traceparent":"00-ab-cd-01","tracestate":"","type":"com.dapr.event.sent"}`},
		{"application/octet-stream", "\x00\x01",
			`{"data_base64":"AAE=","datacontenttype":"application/octet-stream","id":"id-1","pubsubname":"orderpubsub","source":"checkout","specversion":"1.0","time":"2000-01-01T00:00:06Z","topic":"orders","traceid":"00-ab-cd-01","traceparent":"00-ab-cd-01","tracestate":"","type":"com.dapr.event.sent"}`},
	} {
		p.contentType, p.data = tc.ct, []byte(tc.data)
		if got := string(cloudEvent(p)); got != tc.want {
			t.Errorf("content type %q:\n got %s\nwant %s", tc.ct, got, tc.want)
		}
	}
}

func TestNewUUID(t *testing.T) {
	v4 := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	a, b := rand.New(rand.NewPCG(1, 2)), rand.New(rand.NewPCG(1, 2))
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		u := newUUID(a)
		if !v4.MatchString(u) {
			t.Fatalf("%q is not a version 4 UUID", u)
		}
		if seen[u] {
			t.Fatalf("%q drawn twice", u)
		}
		seen[u] = true
		if w := newUUID(b); w != u {
			t.Fatalf("the same seed drew %q and %q", u, w)
		}
	}
}
