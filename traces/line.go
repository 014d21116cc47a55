package traces

import (
	"strconv"
	"time"
	"unicode/utf8"
	"unsafe"
)

// lineForm is how one event is spelled on a line of a trace file. Both forms
// write the same fields, in the same order, under the same names.
type lineForm uint8

const (
	flowYAML   lineForm = iota // {t: 26.013013s, kind: breaker, ...}
	jsonObject                 // {"t":"26.013013s","kind":"breaker",...}
)

// Describe returns an event as its line of a YAML trace shows it, without the
// list dash: `{t: 26.013013s, kind: breaker, name: simpleCB-statestore, from:
// closed, to: open}`. It is the one describe function of an event, shared by
// the trace writers and replay's reports.
func Describe(e *Event) string { return string(appendEvent(nil, e, flowYAML)) }

// appendEvent writes the fields a trace records for e's kind. What is not
// written here is not part of the trace (see Recorded).
func appendEvent(b []byte, e *Event, f lineForm) []byte {
	b = append(b, '{')
	b = f.key(b, "t", true)
	b = f.dur(b, e.T)
	b = f.str(b, "kind", e.Kind.String())
	switch e.Kind {
	case Fault:
		b = f.str(b, "target", e.Target)
		b = f.str(b, "change", e.Change)
		if e.Detail != "" {
			b = f.str(b, "detail", e.Detail)
		}
	case Breaker:
		if e.App != "" {
			// Which sidecar's breaker, in a run with several.
			b = f.str(b, "app", e.App)
		}
		b = f.str(b, "name", e.Name)
		b = f.str(b, "from", e.From)
		b = f.str(b, "to", e.To)
		b = why(b, f, e)
	case Redeliver:
		// A reclaim belongs to no worker or step: the component's own
		// loop claims the entry.
		b = f.str(b, "app", e.App)
		b = f.str(b, "target", e.Target)
		b = message(b, f, e)
		b = f.num(b, "deliveries", e.Deliveries)
	default:
		b = f.str(b, "app", e.App)
		b = f.num(b, "worker", e.Worker)
		b = f.num(b, "iteration", e.Iteration)
		b = f.num(b, "step", e.Step)
		b = f.str(b, "target", e.Target)
		b = f.str(b, "op", e.Op)
		switch e.Kind {
		case Call:
			if e.Operation != "" {
				b = f.str(b, "operation", e.Operation)
			}
			b = f.num(b, "attempt", e.Attempt)
			b = f.str(b, "outcome", e.Outcome.String())
			if e.Error != "" {
				b = f.str(b, "error", e.Error)
			}
			if e.Stale {
				b = f.flag(b, "stale")
			}
			if e.Topic != "" {
				// An attempt of a delivery (op deliver) names its message.
				b = message(b, f, e)
			}
			if e.Status != 0 {
				b = f.num(b, "status", e.Status)
			}
			if e.Answer != "" {
				b = f.str(b, "answer", e.Answer)
			}
			if e.Body != "" {
				b = f.str(b, "body", e.Body)
			}
			if e.Code != "" {
				b = f.str(b, "code", e.Code)
			}
			b = why(b, f, e)
		case Op:
			b = f.num(b, "attempts", e.Attempts)
			b = f.str(b, "outcome", e.Outcome.String())
			if e.Error != "" {
				b = f.str(b, "error", e.Error)
			}
			b = f.key(b, "took", false)
			b = f.dur(b, e.Took)
			b = appLog(b, f, e)
			b = why(b, f, e)
		case Deliver:
			if e.Topic != "" {
				// An input binding's event has no topic nor stream entry.
				b = message(b, f, e)
			}
			b = f.num(b, "attempts", e.Attempts)
			b = f.str(b, "outcome", e.Outcome.String())
			if e.Error != "" {
				b = f.str(b, "error", e.Error)
			}
			b = f.key(b, "took", false)
			b = f.dur(b, e.Took)
			b = f.str(b, "result", e.Result)
			if e.DeadLetter != "" {
				b = f.str(b, "deadLetter", e.DeadLetter)
			}
			b = appLog(b, f, e)
			b = why(b, f, e)
		case Retry:
			b = f.str(b, "operation", e.Operation)
			b = f.num(b, "attempt", e.Attempt)
			b = f.key(b, "delay", false)
			b = f.dur(b, e.Delay)
			if e.Notice {
				b = f.flag(b, "notice")
			}
			b = why(b, f, e)
		case Recovered:
			b = f.str(b, "operation", e.Operation)
			b = f.num(b, "attempts", e.Attempts)
		case Timeout:
			if e.Operation != "" {
				b = f.str(b, "operation", e.Operation)
			}
			b = f.num(b, "attempt", e.Attempt)
		case Try:
			b = f.num(b, "attempt", e.Attempt)
			b = f.str(b, "command", e.Command)
			b = f.num(b, "try", e.Try)
			b = f.str(b, "outcome", e.Outcome.String())
			if e.Error != "" {
				b = f.str(b, "error", e.Error)
			}
			if e.Delay != 0 {
				b = f.key(b, "delay", false)
				b = f.dur(b, e.Delay)
			}
		}
	}
	return append(b, '}')
}

// Recorded returns e as a trace records it: the fields its kind does not
// write are zeroed and its Reason is worded into Why, so an event compares
// equal to itself read back from a trace.
func Recorded(e Event) Event {
	r := Event{T: e.T, Kind: e.Kind}
	switch e.Kind {
	case Fault:
		r.Target, r.Change, r.Detail = e.Target, e.Change, e.Detail
		return r
	case Breaker:
		r.App, r.Name, r.From, r.To, r.Why = e.App, e.Name, e.From, e.To, e.WhyText()
		return r
	case Redeliver:
		r.App, r.Target, r.Topic, r.Message, r.EventID, r.Deliveries = e.App, e.Target, e.Topic, e.Message, e.EventID, e.Deliveries
		return r
	}
	r.App, r.Worker, r.Iteration, r.Step, r.Target, r.Op = e.App, e.Worker, e.Iteration, e.Step, e.Target, e.Op
	switch e.Kind {
	case Call:
		r.Operation, r.Attempt, r.Outcome, r.Error, r.Stale, r.Why = e.Operation, e.Attempt, e.Outcome, e.Error, e.Stale, e.WhyText()
		if e.Topic != "" {
			r.Topic, r.Message, r.EventID = e.Topic, e.Message, e.EventID
		}
		r.Status, r.Answer, r.Body, r.Code = e.Status, e.Answer, e.Body, e.Code
	case Op:
		r.Attempts, r.Outcome, r.Error, r.Took, r.Log, r.Why = e.Attempts, e.Outcome, e.Error, e.Took, e.LogText(), e.WhyText()
	case Deliver:
		r.Topic, r.Message, r.EventID = e.Topic, e.Message, e.EventID
		r.Attempts, r.Outcome, r.Error, r.Took, r.Result, r.DeadLetter, r.Log, r.Why = e.Attempts, e.Outcome, e.Error, e.Took, e.Result, e.DeadLetter, e.LogText(), e.WhyText()
	case Retry:
		r.Operation, r.Attempt, r.Delay, r.Notice, r.Why = e.Operation, e.Attempt, e.Delay, e.Notice, e.WhyText()
	case Recovered:
		r.Operation, r.Attempts = e.Operation, e.Attempts
	case Timeout:
		r.Operation, r.Attempt = e.Operation, e.Attempt
	case Try:
		r.Attempt, r.Command, r.Try, r.Outcome, r.Error, r.Delay = e.Attempt, e.Command, e.Try, e.Outcome, e.Error, e.Delay
	}
	return r
}

func (f lineForm) key(b []byte, k string, first bool) []byte {
	if f == jsonObject {
		if !first {
			b = append(b, ',')
		}
		b = append(b, '"')
		b = append(b, k...)
		return append(b, '"', ':')
	}
	if !first {
		b = append(b, ", "...)
	}
	b = append(b, k...)
	return append(b, ": "...)
}

func (f lineForm) str(b []byte, k, v string) []byte {
	b = f.key(b, k, false)
	if f == jsonObject {
		return appendJSONString(b, v)
	}
	return appendScalar(b, v)
}

func (f lineForm) num(b []byte, k string, v int) []byte {
	b = f.key(b, k, false)
	return strconv.AppendInt(b, int64(v), 10)
}

// dur writes a duration value (its key written already) as a Go duration
// string, exact to the nanosecond.
func (f lineForm) dur(b []byte, d time.Duration) []byte {
	if f == jsonObject {
		b = append(b, '"')
		b = appendDuration(b, d)
		return append(b, '"')
	}
	return appendDuration(b, d)
}

func (f lineForm) flag(b []byte, k string) []byte {
	b = f.key(b, k, false)
	return append(b, "true"...)
}

// appendJSONString writes v as a JSON string: quotes, backslashes and
// control characters escaped, invalid UTF-8 replaced by U+FFFD (as
// encoding/json does).
func appendJSONString(b []byte, v string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(v); {
		c := v[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\t':
				b = append(b, '\\', 't')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c < 0x20 || c == 0x7f:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&15])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(v[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, `\ufffd`...)
		} else {
			b = append(b, v[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// message writes the message an event is about: its topic, stream entry
// id and CloudEvent id.
func message(b []byte, f lineForm, e *Event) []byte {
	b = f.str(b, "topic", e.Topic)
	b = f.str(b, "message", e.Message)
	return f.str(b, "event", e.EventID)
}

// appLog writes an event's app line, when it has one. A line recorded as
// facts is worded into a buffer on the stack and quoted from there: the
// string made of it lives only during the call, so none is allocated.
func appLog(b []byte, f lineForm, e *Event) []byte {
	if e.Log != "" || e.AppLine.Template == nil {
		if e.Log == "" {
			return b
		}
		return f.str(b, "log", e.Log)
	}
	var buf [128]byte
	text := e.AppendLog(buf[:0])
	if len(text) == 0 {
		return b
	}
	return f.str(b, "log", unsafe.String(&text[0], len(text)))
}

// why writes an event's explanation, when it has one, last.
func why(b []byte, f lineForm, e *Event) []byte {
	w := e.WhyText()
	if w == "" {
		return b
	}
	return f.str(b, "why", w)
}
