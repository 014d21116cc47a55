package sim

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"time"
)

// The CloudEvent Dapr's publish API wraps an app's data in
// (components-contrib pubsub/envelope.go NewCloudEventsEnvelope, called by
// dapr's pkg/runtime/pubsub/cloudevents.go NewCloudEvent): the envelope is a
// map marshalled by encoding/json, so its keys come out sorted, and JSON
// data is parsed (numbers kept exact) and marshalled again.

// publication is what one publish carries: the fields of its envelope that
// are not fixed.
type publication struct {
	id, source, topic, pubsub, contentType, traceparent string
	data                                                []byte
	at                                                  time.Duration
}

// cloudEvent returns the envelope's JSON as Dapr stores it in the stream's
// data field.
func cloudEvent(p publication) []byte {
	ct := p.contentType
	if ct == "" {
		ct = "text/plain" // pubsub.DefaultCloudEventDataContentType
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
		// Only values decoded from JSON and strings are in the map.
		panic("sim: marshal a CloudEvent: " + err.Error())
	}
	return out
}

// isContentType is components-contrib's contenttype.isContentType: the
// type, case aside, is want, or want followed by ";" and parameters (no
// space before the ";").
func isContentType(ct, want string) bool {
	ct, _, _ = strings.Cut(strings.ToLower(ct), ";")
	return ct == want
}

// newUUID draws a version 4 UUID from r, as uuid.New does from the
// system's randomness: the run's seed decides every event id.
func newUUID(r *rand.Rand) string {
	var b [16]byte
	randomBytes(r, b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:])
}

// randomBytes fills b (a multiple of 8 long) from r, little-endian.
func randomBytes(r *rand.Rand, b []byte) {
	for i := 0; i < len(b); i += 8 {
		v := r.Uint64()
		for j := 0; j < 8; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
}
