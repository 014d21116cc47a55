package sim

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"math/rand/v2"
	"regexp"
	"strings"
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

// eventReadSeeds are stored events, well formed or not, on which the
// field readers must agree with decoding the whole event.
var eventReadSeeds = []string{
	`{"data":"{\"orderId\":1}","datacontenttype":"text/plain","id":"8a1e","pubsubname":"p","source":"s","specversion":"1.0","time":"2000-01-01T00:00:06Z","topic":"orders","traceid":"00-ab-cd-01","traceparent":"00-ab-cd-01","tracestate":"","type":"com.dapr.event.sent"}`,
	`{"data":{"b":[1,2.50,{"c":null}],"orderId":12345678901234567890,"big":1e400},"id":"x"}`,
	`{"data_base64":"AAE=","id":"x"}`,
	`{"data":null,"data_base64":"AAE=","id":null}`,
	`{"data":null,"data_base64":5,"id":5}`,
	`{"id":"a","id":"b","data":"1","data":2}`,
	`{"id":"a","ID":"b","Id":7,"iD":null}`,
	`{"\u0069d":"esc","d\u0061ta":"<&>"}`,
	`{"id":"caf\u00e9 \ud83d\ude00 \ud800","data":"tab\there\\\"\/\b\f\n\r"}`,
	"{\"id\":\"\xff\xfe\",\"data\":\"\xc3\x28 ok\"}",
	" \t\n{ \"id\" : \"x\" , \"data\" : [ 1 , true , false , null ] } \n",
	`{"data":-0.5e-3,"id":"n"}`,
	`{"data":true}`, `{"data":{}}`, `{"data":[]}`, `{}`, `[]`, `null`, `"id"`, `5`, ``,
	`{"id":"x"} trailing`, `{"id":"x"}{"id":"y"}`, `{"id":"x",}`, `{"id":"x"`, `{"id":"x","data":01}`,
	`{"a":{"id":"nested"},"id":"top","data":{"id":1}}`,
}

func FuzzEventFields(f *testing.F) {
	for _, s := range eventReadSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		id, data := eventFields(raw)
		wantID, wantData := eventFieldsDecoded(raw)
		if id != wantID || data != wantData {
			t.Errorf("eventFields(%q) = %q, %q; decoding the whole event gives %q, %q", raw, id, data, wantID, wantData)
		}
		var ce struct {
			ID string `json:"id"`
		}
		json.Unmarshal([]byte(raw), &ce)
		if got := cloudEventID(raw); got != ce.ID {
			t.Errorf("cloudEventID(%q) = %q; json.Unmarshal gives %q", raw, got, ce.ID)
		}
	})
}

// cloudEventMap is how cloudEvent used to build the envelope, and how Dapr
// does: a map marshalled by encoding/json.
func cloudEventMap(p publication) []byte {
	ct := p.contentType
	if ct == "" {
		ct = "text/plain"
	}
	ce := map[string]any{
		"id":              p.id,
		"specversion":     "1.0",
		"datacontenttype": ct,
		"source":          p.source,
		"type":            "com.dapr.event.sent",
		"topic":           p.topic,
		"pubsubname":      p.pubsub,
		"traceid":         p.traceparent,
		"traceparent":     p.traceparent,
		"tracestate":      "",
		"time":            epoch.Add(p.at).Format(time.RFC3339),
	}
	var data any = string(p.data)
	field := "data"
	switch {
	case isContentType(ct, "application/json"):
		dec := json.NewDecoder(bytes.NewReader(p.data))
		dec.UseNumber()
		var v any
		if dec.Decode(&v) == nil {
			data = v
		}
	case isContentType(ct, "application/octet-stream"):
		data, field = base64.StdEncoding.EncodeToString(p.data), "data_base64"
	}
	ce[field] = data
	out, err := json.Marshal(ce)
	if err != nil {
		panic(err)
	}
	return out
}

// The envelope written field by field is byte for byte the map's.
func FuzzCloudEventMatchesMap(f *testing.F) {
	texts := []string{"", "plain", `{"orderId":1}`, `say "hi" \ back\slash`, "<a href='x'>&amp;</a>",
		"café ☕ \U0001F600", "\xff\xfe invalid \xc3\x28", "ctl \x00\x01\b\f\n\r\t\x1f\x7f end", "\u2028\u2029",
		`{"n":1e400,"m":-0.000,"big":123456789012345678901234567890,"s":"<&>","u":"\u00e9"}`,
		`{"a":{"b":[1,{"c":null,"c":true}]},"a":2} trailing`, `[1, 2`, `"just a string <>"`, `12.50`, `null`, " \t{ } "}
	cts := []string{"", "text/plain", "application/json", "Application/JSON; charset=utf-8", "application/json ;x",
		"application/octet-stream", "application/cloudevents+json", `weird "<ct>"`}
	for i, d := range texts {
		for j, ct := range cts {
			f.Add(texts[(i+j)%len(texts)], "checkout", "orders", "orderpubsub", ct, "00-ab-cd-01", d, int64(i*j)*1e9+int64(j)*1e6)
		}
	}
	f.Fuzz(func(t *testing.T, id, source, topic, pubsub, ct, traceparent, data string, at int64) {
		p := publication{id: id, source: source, topic: topic, pubsub: pubsub, contentType: ct,
			traceparent: traceparent, data: []byte(data), at: time.Duration(at)}
		if got, want := cloudEvent(p), cloudEventMap(p); !bytes.Equal(got, want) {
			t.Errorf("%+v:\n got %s\nwant %s", p, got, want)
		}
	})
}

// remarshal's shortcut for canonical data gives what decoding and
// marshalling give, and canonical accepts only what that leaves as it is.
func FuzzRemarshal(f *testing.F) {
	for _, s := range []string{`{"orderId":1}`, `{"a":1,"b":[true,false,null,"x\"y\\z"],"c":{}}`, `[]`, `-0.5e+3`,
		`{"b":1,"a":2}`, `{"a":1,"a":2}`, `{"a\"":1,"a#":2}`, `{"a":"<&>"}`, `{"a":"é"}`, `{"a":01}`, `{"a":1.}`,
		`{"a":1} `, ` {"a":1}`, `{"a":1}{}`, `"\u0041"`, `"\/"`, `tru`, `nul`, `[1,]`, `{"a":}`, `{,}`, ``} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		want, wantOK := remarshalDecoded(data)
		got, ok := remarshal(data)
		if ok != wantOK || !bytes.Equal(got, want) {
			t.Errorf("remarshal(%q) = %q, %v; decoding and marshalling give %q, %v", data, got, ok, want, wantOK)
		}
		if canonical(data) && !json.Valid(data) {
			t.Errorf("canonical(%q), but it is not valid JSON", data)
		}
		if canonical(data) && !bytes.Equal(want, data) {
			t.Errorf("canonical(%q), but decoding and marshalling give %q", data, want)
		}
	})
}

// The shortcut is taken for the data a publish usually carries, and left
// for data json.Marshal would change; FuzzRemarshal proves it agrees.
func TestCanonical(t *testing.T) {
	for s, want := range map[string]bool{
		`{"orderId":1}`: true, `{"a":[1,2.5e-3,-0],"b":{"c":"d \"q\" \\"},"e":null}`: true, `[]`: true, `"x"`: true,
		`{"b":1,"a":2}`: false, `{"a":1,"a":2}`: false, `{ "a":1}`: false, `{"a":"<"}`: false, `{"a\"":1}`: false,
		`{"a":"\n"}`: false, `{"a":01}`: false, `{"a":1}x`: false, ``: false, strings.Repeat("[", 66) + strings.Repeat("]", 66): false,
	} {
		if got := canonical([]byte(s)); got != want {
			t.Errorf("canonical(%q) = %v, want %v", s, got, want)
		}
	}
}

// The events cloudEvent writes take validJSON's one pass, not json.Valid.
func TestCloudEventsAreCanonical(t *testing.T) {
	for _, p := range []publication{
		{id: "3f2b1c9e-8d4a-4b7e-9c1d-2a5f6e7b8c9d", source: "checkout", topic: "orders", pubsub: "orderpubsub",
			contentType: "application/json", data: []byte(`{"orderId":1}`), traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
		{id: "x", source: "s", topic: "t", pubsub: "p", data: []byte("plain text, \"quoted\"")},
		{id: "x", source: "s", topic: "t", pubsub: "p", contentType: "application/octet-stream", data: []byte{0, 1, 2}},
	} {
		if raw := cloudEvent(p); !canonical(raw) {
			t.Errorf("cloudEvent(%+v) = %s: not canonical", p, raw)
		}
	}
}
