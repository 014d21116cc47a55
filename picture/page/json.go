package page

import (
	"strconv"
	"unicode/utf8"
)

// The page's data is encoded by hand, field by field, to the bytes
// json.Marshal gives for it (TestAppendDataIsMarshal holds the two
// together on random data and on the repository's runs): the playground
// encodes a replay page on every edit, in WebAssembly, where
// encoding/json's reflection was a sixth of the engine's time. Each
// append function follows its type's fields and tags: a nil slice is
// null, an omitempty one is left out when empty, strings are escaped as
// json.Marshal escapes them (<, > and & too, so the data is safe inside
// <script>).

func appendData(b []byte, d *Data) []byte {
	b = append(b, `{"title":`...)
	b = appendString(b, d.Title)
	b = append(b, `,"subtitle":`...)
	b = appendString(b, d.Subtitle)
	b = append(b, `,"from":`...)
	b = strconv.AppendInt(b, d.From, 10)
	b = append(b, `,"to":`...)
	b = strconv.AppendInt(b, d.To, 10)
	b = append(b, `,"snapshots":`...)
	b = appendSlice(b, d.Snapshots, appendSnapshot)
	b = append(b, `,"log":`...)
	b = appendSlice(b, d.Log, appendLogLine)
	b = append(b, `,"deliveries":`...)
	b = appendSlice(b, d.Deliveries, appendDeliveryLane)
	return append(b, '}')
}

func appendSnapshot(b []byte, s *Snapshot) []byte {
	b = append(b, `{"t":`...)
	b = strconv.AppendInt(b, s.T, 10)
	b = append(b, `,"events":`...)
	b = strconv.AppendInt(b, int64(s.Events), 10)
	b = append(b, `,"breakers":`...)
	b = appendSlice(b, s.Breakers, appendBreaker)
	b = append(b, `,"targets":`...)
	b = appendSlice(b, s.Targets, appendTarget)
	b = append(b, `,"requests":`...)
	b = appendStrings(b, s.Requests)
	b = append(b, `,"happened":`...)
	b = appendStrings(b, s.Happened)
	b = append(b, `,"plain":`...)
	b = appendStrings(b, s.Plain)
	b = append(b, `,"messages":`...)
	b = appendSlice(b, s.Messages, appendFlight)
	if len(s.Notes) > 0 {
		b = append(b, `,"notes":`...)
		b = appendStrings(b, s.Notes)
	}
	return append(b, '}')
}

func appendBreaker(b []byte, br *Breaker) []byte {
	b = append(b, `{"name":`...)
	b = appendString(b, br.Name)
	b = append(b, `,"state":`...)
	b = appendString(b, br.State)
	b = append(b, `,"generation":`...)
	b = strconv.AppendUint(b, br.Generation, 10)
	b = append(b, `,"requests":`...)
	b = strconv.AppendUint(b, uint64(br.Requests), 10)
	b = append(b, `,"totalSuccesses":`...)
	b = strconv.AppendUint(b, uint64(br.TotalSuccesses), 10)
	b = append(b, `,"consecutiveSuccesses":`...)
	b = strconv.AppendUint(b, uint64(br.ConsecutiveSuccesses), 10)
	b = append(b, `,"totalFailures":`...)
	b = strconv.AppendUint(b, uint64(br.TotalFailures), 10)
	b = append(b, `,"consecutiveFailures":`...)
	b = strconv.AppendUint(b, uint64(br.ConsecutiveFailures), 10)
	b = append(b, `,"expiry":`...)
	b = strconv.AppendInt(b, br.Expiry, 10)
	return append(b, '}')
}

func appendTarget(b []byte, t *Target) []byte {
	b = append(b, `{"kind":`...)
	b = appendString(b, t.Kind)
	b = append(b, `,"name":`...)
	b = appendString(b, t.Name)
	b = append(b, `,"up":`...)
	b = strconv.AppendBool(b, t.Up)
	b = append(b, `,"since":`...)
	b = strconv.AppendInt(b, t.Since, 10)
	if len(t.Windows) > 0 {
		b = append(b, `,"windows":`...)
		b = appendStrings(b, t.Windows)
	}
	return append(b, '}')
}

func appendDeliveryLane(b []byte, l *DeliveryLane) []byte {
	b = append(b, `{"name":`...)
	b = appendString(b, l.Name)
	b = append(b, `,"rows":`...)
	b = strconv.AppendInt(b, int64(l.Rows), 10)
	b = append(b, `,"deliveries":`...)
	b = appendSlice(b, l.Deliveries, appendDelivery)
	return append(b, '}')
}

func appendDelivery(b []byte, d *Delivery) []byte {
	b = append(b, `{"from":`...)
	b = strconv.AppendInt(b, d.From, 10)
	b = append(b, `,"to":`...)
	b = strconv.AppendInt(b, d.To, 10)
	b = append(b, `,"row":`...)
	b = strconv.AppendInt(b, int64(d.Row), 10)
	b = append(b, `,"state":`...)
	b = appendString(b, d.State)
	b = append(b, `,"result":`...)
	b = appendString(b, d.Result)
	b = append(b, `,"message":`...)
	b = appendString(b, d.Message)
	if d.EventID != "" {
		b = append(b, `,"event":`...)
		b = appendString(b, d.EventID)
	}
	b = append(b, `,"delivery":`...)
	b = strconv.AppendInt(b, int64(d.Delivery), 10)
	b = append(b, `,"attempts":`...)
	b = strconv.AppendInt(b, int64(d.Attempts), 10)
	b = append(b, `,"answer":`...)
	b = appendString(b, d.Answer)
	if d.Error != "" {
		b = append(b, `,"error":`...)
		b = appendString(b, d.Error)
	}
	return append(b, '}')
}

func appendFlight(b []byte, f *Flight) []byte {
	b = append(b, '{')
	if f.Lane != "" {
		b = append(b, `"lane":`...)
		b = appendString(b, f.Lane)
		b = append(b, ',')
	}
	if f.Message != "" {
		b = append(b, `"message":`...)
		b = appendString(b, f.Message)
		b = append(b, ',')
	}
	b = append(b, `"text":`...)
	b = appendString(b, f.Text)
	return append(b, '}')
}

func appendLogLine(b []byte, l *LogLine) []byte {
	b = append(b, `{"t":`...)
	b = strconv.AppendInt(b, l.T, 10)
	b = append(b, `,"text":`...)
	b = appendString(b, l.Text)
	return append(b, '}')
}

// appendSlice appends s as a JSON array, each element by each (a nil s is
// null, as json.Marshal has it).
func appendSlice[T any](b []byte, s []T, each func([]byte, *T) []byte) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i := range s {
		if i > 0 {
			b = append(b, ',')
		}
		b = each(b, &s[i])
	}
	return append(b, ']')
}

func appendStrings(b []byte, s []string) []byte {
	return appendSlice(b, s, func(b []byte, s *string) []byte { return appendString(b, *s) })
}

const hex = "0123456789abcdef"

// appendString appends s as a JSON string, escaped as json.Marshal
// escapes it: ", \ and the control characters (\b, \f, \n, \r and \t by
// name), <, > and &, U+2028 and U+2029 as \u escapes, and each byte that
// is not UTF-8 as \ufffd.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
