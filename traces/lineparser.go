package traces

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// parseLine reads an event line in exactly the form TraceWriter writes it:
// `  - {key: value, key: value}`, each value a plain scalar made of
// letters, digits and -_./µ (starting with a letter, a digit, or a minus
// and a digit) or a double-quoted string using only the writer's escapes
// (\" \\ \n \t \xHH) and printable characters. yaml.v3 reads such a line
// to the same strings. form is false for anything else (the caller then
// decodes with yaml.v3); valid is false for a line in the form whose event
// is not valid — an unknown or repeated field, a value of the wrong type —
// which the caller re-reads with yaml.v3 for its error.
func (r *Reader) parseLine(l []byte) (e Event, form, valid bool) {
	if n := len(l); n > 0 && l[n-1] == '\n' {
		l = l[:n-1]
	}
	const open = "  - {"
	if len(l) < len(open)+1 || string(l[:len(open)]) != open || l[len(l)-1] != '}' {
		return e, false, false
	}
	body := l[len(open) : len(l)-1]
	valid = true
	var seen uint64
	var buf [256]byte
	for i := 0; i < len(body); {
		// key
		k := i
		for i < len(body) && (body[i] >= 'a' && body[i] <= 'z' || body[i] >= 'A' && body[i] <= 'Z') {
			i++
		}
		if i == k || i+1 >= len(body) || body[i] != ':' || body[i+1] != ' ' {
			return e, false, false
		}
		key := body[k:i]
		i += 2
		if i >= len(body) {
			return e, false, false
		}
		// value
		var v []byte
		if body[i] == '"' {
			var ok bool
			v, i, ok = quoted(body, i+1, buf[:0])
			if !ok {
				return e, false, false
			}
		} else {
			s := i
			c := body[i]
			if !(isAlnum(c) || c == '-' && i+1 < len(body) && body[i+1] >= '0' && body[i+1] <= '9') {
				return e, false, false
			}
			for i < len(body) && body[i] != ',' {
				c := body[i]
				switch {
				case isAlnum(c) || c == '-' || c == '_' || c == '.' || c == '/':
					i++
				case c == 0xc2 && i+1 < len(body) && body[i+1] == 0xb5: // µ
					i += 2
				default:
					return e, false, false
				}
			}
			v = body[s:i]
		}
		if i < len(body) {
			if body[i] != ',' || i+2 >= len(body) || body[i+1] != ' ' {
				return e, false, false
			}
			i += 2
		}
		if valid {
			valid = r.setField(&e, &seen, key, v)
		}
	}
	if seen&(1<<fieldT) == 0 || seen&(1<<fieldKind) == 0 {
		valid = false
	}
	return e, true, valid
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// quoted reads a double-quoted scalar's text from body[i:] (after the
// opening quote) into b; i is then past the closing quote.
func quoted(body []byte, i int, b []byte) ([]byte, int, bool) {
	for i < len(body) {
		c := body[i]
		switch {
		case c == '"':
			return b, i + 1, true
		case c == '\\':
			if i+1 >= len(body) {
				return nil, 0, false
			}
			switch body[i+1] {
			case '"', '\\':
				b = append(b, body[i+1])
				i += 2
			case 'n':
				b = append(b, '\n')
				i += 2
			case 't':
				b = append(b, '\t')
				i += 2
			case 'x':
				if i+3 >= len(body) {
					return nil, 0, false
				}
				hi, ok1 := unhex(body[i+2])
				lo, ok2 := unhex(body[i+3])
				if !ok1 || !ok2 {
					return nil, 0, false
				}
				b = utf8.AppendRune(b, rune(hi<<4|lo))
				i += 4
			default:
				return nil, 0, false
			}
		case c >= 0x20 && c < 0x7f:
			b = append(b, c)
			i++
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(body[i:])
			// What yaml.v3 reads as one printable character that is no
			// line break (NEL, LS, PS fold) and no byte order mark.
			if r == utf8.RuneError && size == 1 || r < 0xa0 || r >= 0xd800 && r < 0xe000 || r == 0x2028 || r == 0x2029 || r == 0xfeff || r > 0xfffd && r < 0x10000 {
				return nil, 0, false
			}
			b = append(b, body[i:i+size]...)
			i += size
		default:
			return nil, 0, false
		}
	}
	return nil, 0, false
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

const (
	fieldT = iota
	fieldKind
	fieldApp
	fieldWorker
	fieldIteration
	fieldStep
	fieldTarget
	fieldOp
	fieldOperation
	fieldAttempt
	fieldAttempts
	fieldOutcome
	fieldError
	fieldTook
	fieldLog
	fieldStale
	fieldDelay
	fieldNotice
	fieldName
	fieldFrom
	fieldTo
	fieldChange
	fieldDetail
	fieldWhy
	fieldTry
	fieldCommand
	fieldTopic
	fieldMessage
	fieldEvent
	fieldStatus
	fieldAnswer
	fieldBody
	fieldCode
	fieldResult
	fieldDeliveries
	fieldDeadLetter
	fieldCount
)

// setField marks the fields seen in one uint64: this constant stops
// compiling once there are more fields than bits.
const _ uint64 = 1 << (fieldCount - 1)

// setField sets one field of e from its line text as eventFromMap would;
// false when eventFromMap would refuse it (or it was seen before).
func (r *Reader) setField(e *Event, seen *uint64, key, v []byte) bool {
	var f int
	var s *string
	var n *int
	var d *time.Duration
	var flag *bool
	switch string(key) {
	case "t":
		f, d = fieldT, &e.T
	case "kind":
		f = fieldKind
		k, ok := ParseKind(string(v))
		if !ok {
			return false
		}
		e.Kind = k
	case "app":
		f, s = fieldApp, &e.App
	case "worker":
		f, n = fieldWorker, &e.Worker
	case "iteration":
		f, n = fieldIteration, &e.Iteration
	case "step":
		f, n = fieldStep, &e.Step
	case "target":
		f, s = fieldTarget, &e.Target
	case "op":
		f, s = fieldOp, &e.Op
	case "operation":
		f, s = fieldOperation, &e.Operation
	case "attempt":
		f, n = fieldAttempt, &e.Attempt
	case "attempts":
		f, n = fieldAttempts, &e.Attempts
	case "outcome":
		f = fieldOutcome
		o, ok := ParseOutcome(string(v))
		if !ok {
			return false
		}
		e.Outcome = o
	case "error":
		f, s = fieldError, &e.Error
	case "took":
		f, d = fieldTook, &e.Took
	case "log":
		f, s = fieldLog, &e.Log
	case "stale":
		f, flag = fieldStale, &e.Stale
	case "delay":
		f, d = fieldDelay, &e.Delay
	case "notice":
		f, flag = fieldNotice, &e.Notice
	case "name":
		f, s = fieldName, &e.Name
	case "from":
		f, s = fieldFrom, &e.From
	case "to":
		f, s = fieldTo, &e.To
	case "change":
		f, s = fieldChange, &e.Change
	case "detail":
		f, s = fieldDetail, &e.Detail
	case "why":
		f, s = fieldWhy, &e.Why
	case "try":
		f, n = fieldTry, &e.Try
	case "command":
		f, s = fieldCommand, &e.Command
	case "topic":
		f, s = fieldTopic, &e.Topic
	case "message":
		f, s = fieldMessage, &e.Message
	case "event":
		f, s = fieldEvent, &e.EventID
	case "status":
		f, n = fieldStatus, &e.Status
	case "answer":
		f, s = fieldAnswer, &e.Answer
	case "body":
		f, s = fieldBody, &e.Body
	case "code":
		f, s = fieldCode, &e.Code
	case "result":
		f, s = fieldResult, &e.Result
	case "deliveries":
		f, n = fieldDeliveries, &e.Deliveries
	case "deadLetter":
		f, s = fieldDeadLetter, &e.DeadLetter
	default:
		return false
	}
	if *seen&(1<<f) != 0 {
		return false
	}
	*seen |= 1 << f
	var err error
	switch {
	case s != nil:
		*s = r.str(v)
	case n != nil:
		*n, err = strconv.Atoi(string(v))
	case d != nil:
		*d, err = time.ParseDuration(string(v))
	case flag != nil:
		*flag, err = strconv.ParseBool(string(v))
	}
	return err == nil
}

// str returns v as a string, sharing the few values that repeat (app,
// target and operation names) instead of allocating each time.
func (r *Reader) str(v []byte) string {
	if s, ok := r.intern[string(v)]; ok {
		return s
	}
	s := string(v)
	if len(r.intern) < 1024 && len(v) <= 64 {
		r.intern[s] = s
	}
	return s
}

// parseJSONLine reads an event line of a JSON-lines trace in the form
// TraceWriter writes it: one object, no spaces, string keys, values that
// are strings (escapes \" \\ \/ \b \f \n \r \t \uXXXX outside the
// surrogates), whole numbers or true/false. ok is false for anything else,
// and for an event eventFromJSON would refuse; the caller then reads the
// line with eventFromJSON, for the same event or error.
func (r *Reader) parseJSONLine(l []byte) (e Event, ok bool) {
	if n := len(l); n > 0 && l[n-1] == '\n' {
		l = l[:n-1]
	}
	if len(l) < 2 || l[0] != '{' || l[len(l)-1] != '}' {
		return e, false
	}
	body := l[1 : len(l)-1]
	var seen uint64
	var kb, vb [256]byte
	for i := 0; i < len(body); {
		if body[i] != '"' {
			return e, false
		}
		key, j, ok := jsonString(body, i+1, kb[:0])
		if !ok || j >= len(body) || body[j] != ':' {
			return e, false
		}
		i = j + 1
		if i >= len(body) {
			return e, false
		}
		var v []byte
		switch c := body[i]; {
		case c == '"':
			v, i, ok = jsonString(body, i+1, vb[:0])
			if !ok {
				return e, false
			}
		case c == '-' || c >= '0' && c <= '9':
			s := i
			if c == '-' {
				i++
			}
			if i >= len(body) || body[i] < '0' || body[i] > '9' || body[i] == '0' && i+1 < len(body) && body[i+1] >= '0' && body[i+1] <= '9' {
				return e, false
			}
			for i < len(body) && body[i] >= '0' && body[i] <= '9' {
				i++
			}
			v = body[s:i]
		case bytesHasPrefix(body[i:], "true"):
			v, i = body[i:i+4], i+4
		case bytesHasPrefix(body[i:], "false"):
			v, i = body[i:i+5], i+5
		default:
			return e, false
		}
		if i < len(body) {
			if body[i] != ',' || i+1 == len(body) {
				return e, false
			}
			i++
		}
		if !r.setField(&e, &seen, key, v) {
			return e, false
		}
	}
	if seen&(1<<fieldT) == 0 || seen&(1<<fieldKind) == 0 {
		return e, false
	}
	return e, true
}

func bytesHasPrefix(b []byte, p string) bool { return len(b) >= len(p) && string(b[:len(p)]) == p }

// jsonString reads a JSON string's text from body[i:] (after the opening
// quote) into b; i is then past the closing quote.
func jsonString(body []byte, i int, b []byte) ([]byte, int, bool) {
	for i < len(body) {
		c := body[i]
		switch {
		case c == '"':
			return b, i + 1, true
		case c == '\\':
			if i+1 >= len(body) {
				return nil, 0, false
			}
			switch body[i+1] {
			case '"', '\\', '/':
				b = append(b, body[i+1])
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				if i+5 >= len(body) {
					return nil, 0, false
				}
				var v rune
				for _, h := range body[i+2 : i+6] {
					d, ok := unhex(h)
					if !ok {
						return nil, 0, false
					}
					v = v<<4 | rune(d)
				}
				if v >= 0xd800 && v < 0xe000 {
					return nil, 0, false
				}
				b = utf8.AppendRune(b, v)
				i += 6
				continue
			default:
				return nil, 0, false
			}
			i += 2
		case c < 0x20:
			return nil, 0, false
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			r, size := utf8.DecodeRune(body[i:])
			if r == utf8.RuneError && size == 1 {
				return nil, 0, false
			}
			b = append(b, body[i:i+size]...)
			i += size
		}
	}
	return nil, 0, false
}
