package sim

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/rand/v2"
	"strings"
	"time"
	"unicode/utf8"
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
// data field: the bytes json.Marshal makes of Dapr's map, written field by
// field in the map's sorted key order (marshalling the map was a sixth of
// a pub/sub run). TestCloudEventMatchesMap holds it to the map's bytes.
func cloudEvent(p publication) []byte {
	ct := p.contentType
	if ct == "" {
		ct = "text/plain" // pubsub.DefaultCloudEventDataContentType
	}
	b := make([]byte, 0, 384+len(p.data)*5/4)
	switch {
	case isContentType(ct, "application/json"):
		if j, ok := remarshal(p.data); ok {
			b = append(append(b, `{"data":`...), j...)
		} else {
			b = appendJSONString(append(b, `{"data":`...), string(p.data))
		}
	case isContentType(ct, "application/octet-stream"):
		b = append(b, `{"data_base64":"`...)
		b = base64.StdEncoding.AppendEncode(b, p.data)
		b = append(b, '"')
	default:
		b = appendJSONString(append(b, `{"data":`...), string(p.data))
	}
	b = appendJSONString(append(b, `,"datacontenttype":`...), ct)
	b = appendJSONString(append(b, `,"id":`...), p.id)
	b = appendJSONString(append(b, `,"pubsubname":`...), p.pubsub)
	b = appendJSONString(append(b, `,"source":`...), p.source)
	b = append(b, `,"specversion":"1.0","time":"`...)
	b = epoch.Add(p.at).AppendFormat(b, time.RFC3339)
	b = appendJSONString(append(b, `","topic":`...), p.topic)
	b = appendJSONString(append(b, `,"traceid":`...), p.traceparent)
	b = appendJSONString(append(b, `,"traceparent":`...), p.traceparent)
	return append(b, `,"tracestate":"","type":"com.dapr.event.sent"}`...)
}

// appendJSONString appends s as json.Marshal writes it. Printable ASCII
// other than <, > and & (which json.Marshal writes as \u003c and so on)
// needs at most a backslash before " and \; anything else is left to
// json.Marshal, so its escaping stays the only one.
func appendJSONString(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '<' || c == '>' || c == '&' {
			j, _ := json.Marshal(s) // a string always marshals
			return append(b, j...)
		}
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '"' || c == '\\' {
			b = append(b, '\\')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
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

// eventFields reads a stored CloudEvent's id and its data as a subscriber
// reads it ({data}, eventData), with exactly the results of decoding the
// whole event into a map[string]any with a json.Decoder (UseNumber): the
// last of duplicate keys wins, a key is matched after unescaping, and an
// event that is not a JSON object gives "" for both. Decoding every field
// of every event was a fifth of a pub/sub run's time; this validates the
// event once and decodes only the fields it returns.
func eventFields(raw string) (id, data string) {
	if !validJSON(raw) {
		// The decoder reads the first value and ignores what follows it;
		// only it knows what that makes of an event this malformed.
		return eventFieldsDecoded(raw)
	}
	var dataRaw, base64Raw string
	var idRaw string
	eachTopLevel(raw, func(key, value string) {
		switch key {
		case "id":
			idRaw = value
		case "data":
			dataRaw = value
		case "data_base64":
			base64Raw = value
		}
	})
	id, _ = jsonString(idRaw)
	switch {
	case dataRaw == "" || dataRaw == "null":
		data, _ = jsonString(base64Raw)
	case dataRaw[0] == '"':
		data, _ = jsonString(dataRaw)
	default:
		j, _ := remarshal([]byte(dataRaw)) // valid JSON: cannot fail
		data = string(j)
	}
	return id, data
}

// validJSON is json.Valid, answered by one pass of canonical for the
// events cloudEvent writes (canonical JSON is valid JSON): json.Valid's
// scanner was most of reading a delivered event.
func validJSON(raw string) bool {
	return canonical([]byte(raw)) || json.Valid([]byte(raw))
}

// remarshal is what Dapr makes of JSON data, on publish and again on
// delivery: the first value decoded into an any (numbers kept exact, as
// json.Number) and marshalled, so keys come out sorted and whitespace
// goes; ok is false when data does not start with a JSON value. Data
// already in that form (canonical) comes back as it is, without the
// decoding and marshalling that were a sixth of a pub/sub run;
// FuzzRemarshal holds the shortcut to the long way.
func remarshal(data []byte) (j []byte, ok bool) {
	if canonical(data) {
		return data, true
	}
	return remarshalDecoded(data)
}

// remarshalDecoded is remarshal the long way.
func remarshalDecoded(data []byte) (j []byte, ok bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return nil, false
	}
	j, err := json.Marshal(v)
	if err != nil {
		// Only values decoded from JSON are in v.
		panic("sim: marshal decoded JSON data: " + err.Error())
	}
	return j, true
}

// canonical reports whether data is exactly one JSON value as
// json.Marshal writes what remarshal decodes from it: no whitespace,
// object keys without escapes in strictly increasing byte order (so no
// duplicates), strings of printable ASCII whose only escapes are \" and \\ (and no <,
// > or &, which json.Marshal escapes), any number as written (json.Number
// marshals its own text), nesting at most maxCanonicalDepth deep. It
// answers false for anything else, canonical or not: remarshal then takes
// the long way.
func canonical(data []byte) bool {
	end, ok := canonicalValue(data, 0, 0)
	return ok && end == len(data)
}

const maxCanonicalDepth = 64

// canonicalValue checks the value at data[i:] and returns the index just
// past it.
func canonicalValue(data []byte, i, depth int) (int, bool) {
	if i >= len(data) || depth > maxCanonicalDepth {
		return 0, false
	}
	switch c := data[i]; {
	case c == '{':
		i++
		if i < len(data) && data[i] == '}' {
			return i + 1, true
		}
		var last []byte
		for first := true; ; first = false {
			start := i
			// A key's escapes would sort by their backslash here and
			// by what they stand for in json.Marshal: none is allowed.
			end, ok := canonicalString(data, i, false)
			if !ok {
				return 0, false
			}
			key := data[start+1 : end-1]
			if !first && bytes.Compare(key, last) <= 0 {
				return 0, false
			}
			last = key
			if end >= len(data) || data[end] != ':' {
				return 0, false
			}
			if i, ok = canonicalValue(data, end+1, depth+1); !ok || i >= len(data) {
				return 0, false
			}
			switch data[i] {
			case ',':
				i++
			case '}':
				return i + 1, true
			default:
				return 0, false
			}
		}
	case c == '[':
		i++
		if i < len(data) && data[i] == ']' {
			return i + 1, true
		}
		for {
			var ok bool
			if i, ok = canonicalValue(data, i, depth+1); !ok || i >= len(data) {
				return 0, false
			}
			switch data[i] {
			case ',':
				i++
			case ']':
				return i + 1, true
			default:
				return 0, false
			}
		}
	case c == '"':
		return canonicalString(data, i, true)
	case c == '-' || c >= '0' && c <= '9':
		return jsonNumber(data, i)
	}
	for _, lit := range [...]string{"true", "false", "null"} {
		if bytes.HasPrefix(data[i:], []byte(lit)) {
			return i + len(lit), true
		}
	}
	return 0, false
}

// canonicalString checks the string at data[i:] (see canonical); escapes
// says whether \" and \\ may appear.
func canonicalString(data []byte, i int, escapes bool) (int, bool) {
	if i >= len(data) || data[i] != '"' {
		return 0, false
	}
	for i++; i < len(data); i++ {
		switch c := data[i]; {
		case c == '"':
			return i + 1, true
		case c == '\\':
			if !escapes || i+1 >= len(data) || data[i+1] != '"' && data[i+1] != '\\' {
				return 0, false
			}
			i++
		case c < 0x20 || c >= 0x7f || c == '<' || c == '>' || c == '&':
			return 0, false
		}
	}
	return 0, false
}

// jsonNumber checks the number at data[i:] against JSON's grammar:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func jsonNumber(data []byte, i int) (int, bool) {
	digits := func(i int) int {
		for i < len(data) && data[i] >= '0' && data[i] <= '9' {
			i++
		}
		return i
	}
	if data[i] == '-' {
		i++
	}
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case i < len(data) && data[i] >= '1' && data[i] <= '9':
		i = digits(i)
	default:
		return 0, false
	}
	if i < len(data) && data[i] == '.' {
		j := digits(i + 1)
		if j == i+1 {
			return 0, false
		}
		i = j
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		j := digits(i)
		if j == i {
			return 0, false
		}
		i = j
	}
	return i, true
}

// eventFieldsDecoded is eventFields by decoding the whole event.
func eventFieldsDecoded(raw string) (id, data string) {
	var ce map[string]any
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&ce); err != nil {
		return "", ""
	}
	id, _ = ce["id"].(string)
	return id, eventData(ce)
}

// eventData is a CloudEvent's data as a subscriber reads it: a JSON
// value's text, or the string itself.
func eventData(ce map[string]any) string {
	switch v := ce["data"].(type) {
	case nil:
		if b, ok := ce["data_base64"].(string); ok {
			return b
		}
		return ""
	case string:
		return v
	default:
		b, _ := json.Marshal(v)
		return string(b)
	}
}

// cloudEventID reads a stored CloudEvent's id as json.Unmarshal into a
// struct with an `id` field does: the key matched case aside, the last
// string value wins (null or another type leaves the field as it was),
// and invalid JSON gives "".
func cloudEventID(raw string) string {
	if !validJSON(raw) {
		return ""
	}
	var id string
	eachTopLevel(raw, func(key, value string) {
		if strings.EqualFold(key, "id") {
			if s, ok := jsonString(value); ok {
				id = s
			}
		}
	})
	return id
}

// eachTopLevel calls fn with each key (unescaped) and value (its JSON
// text) of the object raw, in order; raw is valid JSON, and a value that
// is not an object has no keys.
func eachTopLevel(raw string, fn func(key, value string)) {
	i := skipSpace(raw, 0)
	if raw[i] != '{' {
		return
	}
	i = skipSpace(raw, i+1)
	for raw[i] == '"' {
		end := skipValue(raw, i)
		key, _ := jsonString(raw[i:end])
		i = skipSpace(raw, end)
		i = skipSpace(raw, i+1) // the ':'
		end = skipValue(raw, i)
		fn(key, raw[i:end])
		i = skipSpace(raw, end)
		if raw[i] == ',' {
			i = skipSpace(raw, i+1)
		}
	}
}

// skipSpace returns the index of the first byte at or after i in valid
// JSON s that is not JSON whitespace.
func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r') {
		i++
	}
	return i
}

// skipValue returns the index just past the value starting at i in valid
// JSON s.
func skipValue(s string, i int) int {
	depth := 0
	for ; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			for i++; s[i] != '"'; i++ {
				if s[i] == '\\' {
					i++
				}
			}
			if depth == 0 {
				return i + 1
			}
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return i // the end of a number or literal
			}
			depth--
			if depth == 0 {
				return i + 1
			}
		case ',', ' ', '\t', '\n', '\r':
			if depth == 0 {
				return i // the end of a number or literal
			}
		}
	}
	return i
}

// jsonString is the string a JSON string value (valid JSON) decodes to,
// as encoding/json decodes it (invalid UTF-8 becomes U+FFFD); ok is false
// for a value that is not a string.
func jsonString(v string) (string, bool) {
	if len(v) < 2 || v[0] != '"' {
		return "", false
	}
	body := v[1 : len(v)-1]
	escapes := false
	for i := 0; i < len(body); i++ {
		switch c := body[i]; {
		case c >= utf8.RuneSelf:
			return decodedString(v), true
		case c == '\\':
			if body[i+1] == 'u' {
				return decodedString(v), true
			}
			escapes = true
			i++
		}
	}
	if !escapes {
		return body, true
	}
	// ASCII with one-letter escapes only (a JSON text as data: \").
	b := make([]byte, 0, len(body))
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c == '\\' {
			i++
			c = unescape[body[i]]
		}
		b = append(b, c)
	}
	return string(b), true
}

// decodedString is jsonString by encoding/json. Its own variable: taking
// the address of jsonString's result put it on the heap on every call.
func decodedString(v string) string {
	var s string
	json.Unmarshal([]byte(v), &s)
	return s
}

// unescape maps the letter of a one-letter JSON escape to its byte.
var unescape = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}
