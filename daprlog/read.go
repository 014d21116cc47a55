package daprlog

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/dapr-sim/sim/internal/diag"
	"github.com/dapr-sim/sim/internal/input"
)

// Form is how a log line was written.
type Form uint8

const (
	TTY  Form = iota + 1 // INFO[0026] msg
	Text                 // time="…" level=info msg="…"
	JSON                 // {"time":"…","level":"info","msg":"…"}
)

var formNames = [...]string{"", "terminal text", "text", "JSON"}

func (f Form) String() string { return formNames[f] }

// Kind is what a resiliency line reports.
type Kind uint8

const (
	Notice    Kind = iota + 1 // Error processing operation X. Retrying…
	Recovered                 // Recovered processing operation X…
	Breaker                   // Circuit breaker "N" changed state from A to B
)

// Entry is one resiliency line of the log.
type Entry struct {
	File  string
	Line  int
	Form  Form
	Level string // info, warning, …
	AppID string // the line's app_id field, "" when absent
	// At is the line's time since the first line of the log; in the
	// terminal form it is whole seconds, truncated: the true instant lies
	// in [At, At+1s).
	At time.Duration
	// Time is the line's own stamp in the text and JSON forms (zero in
	// the terminal form), and layout how it was written: messages give
	// an instant as the log does.
	Time   time.Time
	layout string
	Kind   Kind

	Operation string        // Notice, Recovered
	Dotted    bool          // Notice: "Retrying..." (1.8, 1.9); Recovered: "X." (up to 1.12)
	Delay     time.Duration // Notice: the "Retrying in 5s…" delay
	HasDelay  bool
	Attempts  int // Recovered: "after N attempts" (0 when not given)

	Name, From, To string // Breaker
}

// Lo and Hi bound the true instant of the line: the terminal form
// truncates to whole seconds.
func (e *Entry) Lo() time.Duration { return e.At }

// Hi is the latest instant the line may stand for (exclusive for the
// terminal form).
func (e *Entry) Hi() time.Duration {
	if e.Form == TTY {
		return e.At + time.Second
	}
	return e.At
}

// Where is file:line.
func (e *Entry) Where() string { return fmt.Sprintf("%s:%d", e.File, e.Line) }

// Log is what Read found.
type Log struct {
	Entries []Entry
	Lines   int // log lines recognised in any form (resiliency or not)
	AppID   string
	// File is the log's name as messages give it.
	File string
	// Form is the first recognised line's form: TTY stamps are whole
	// seconds since start, the others absolute sub-second times.
	Form Form
	// Origin is the first stamped line's time (zero in the terminal form),
	// and layout the form its stamp was written in (the same fraction
	// digits, the same zone), so Stamp writes an instant as the log would.
	Origin time.Time
	layout string
	// End and EndLine are the last recognised line's time since the first
	// and its line number: the log covers [0, End].
	End     time.Duration
	EndLine int
}

// Stamp writes instant at (since the log's first line) as the log's own
// lines stamp it: [0026] in the terminal form (whole seconds, truncated),
// else the absolute time in the first line's layout.
func (l *Log) Stamp(at time.Duration) string {
	if l.Form == TTY || l.layout == "" {
		return fmt.Sprintf("[%04d]", int64(at/time.Second))
	}
	return l.Origin.Add(at).Format(l.layout)
}

// stampLayout is the layout that writes times as s is written: RFC 3339
// with s's number of fraction digits (kept even when they end in zeros).
func stampLayout(s string) string {
	digits := 0
	if i := strings.IndexByte(s, '.'); i >= 0 {
		for j := i + 1; j < len(s) && s[j] >= '0' && s[j] <= '9'; j++ {
			digits++
		}
	}
	if digits == 0 {
		return "2006-01-02T15:04:05Z07:00"
	}
	return "2006-01-02T15:04:05." + strings.Repeat("0", digits) + "Z07:00"
}

var (
	ttyLine     = regexp.MustCompile(`^(INFO|WARN|DEBU|ERRO|FATA|PANI|TRAC)\[(\d+)\] (.*)$`)
	ttyFields   = regexp.MustCompile(`(\s+(app_id|instance|scope|type|ver)=("(?:[^"\\]|\\.)*"|\S*))+\s*$`)
	ttyAppID    = regexp.MustCompile(`\sapp_id=("(?:[^"\\]|\\.)*"|\S*)`)
	noticeMsg   = regexp.MustCompile(`^Error processing operation (.+)\. Retrying(\.\.\.| in (\S+?)(?:…|\.\.\.))$`)
	recoverMsg  = regexp.MustCompile(`^Recovered processing operation (.+?)(?:(\.)| after (\d+) attempts)$`)
	breakerMsg  = regexp.MustCompile(`^Circuit breaker ("(?:[^"\\]|\\.)*") changed state from (\S+) to (\S+)$`)
	levelsShort = map[string]string{"INFO": "info", "WARN": "warning", "DEBU": "debug", "ERRO": "error", "FATA": "fatal", "PANI": "panic", "TRAC": "trace"}
)

// maxLine is the longest line Read takes (input.MaxLine; tests lower it).
var maxLine = input.MaxLine

// Read reads a daprd log. A line in none of the three forms is skipped
// (`== APP ==` lines, other tools' output); a file with no daprd line at
// all is an error, and so is a line longer than 4 MiB (at its file:line).
func Read(name string, r io.Reader) (*Log, error) {
	name = diag.Name(name) // entries and problems name the log as messages do
	out := &Log{File: name}
	sc := bufio.NewScanner(r)
	// The limit is the larger of the two sizes: +1, room for the newline.
	sc.Buffer(make([]byte, min(64<<10, maxLine+1)), maxLine+1)
	var origin time.Time
	haveOrigin := false
	n := 0
	for sc.Scan() {
		n++
		raw := strings.TrimRight(sc.Text(), "\r")
		e := Entry{File: name, Line: n}
		var msg string
		var stamp time.Time
		var stampText string
		switch {
		case strings.HasPrefix(strings.TrimSpace(raw), "{"):
			var m map[string]any
			if err := json.Unmarshal([]byte(strings.TrimSpace(raw)), &m); err != nil {
				continue
			}
			s, ok1 := m["msg"].(string)
			lv, ok2 := m["level"].(string)
			ts, ok3 := m["time"].(string)
			if !ok1 || !ok2 || !ok3 {
				continue
			}
			t, err := time.Parse(time.RFC3339Nano, ts)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: time: want an RFC 3339 time, got %q", name, n, ts)
			}
			e.Form, e.Level, msg, stamp, stampText = JSON, lv, s, t, ts
			if a, ok := m["app_id"].(string); ok {
				e.AppID = a
			}
		case strings.HasPrefix(raw, "time="):
			kv, err := logfmt(raw)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %v", name, n, err)
			}
			t, err := time.Parse(time.RFC3339Nano, kv["time"])
			if err != nil {
				return nil, fmt.Errorf("%s:%d: time: want an RFC 3339 time, got %q", name, n, kv["time"])
			}
			e.Form, e.Level, msg, stamp, e.AppID = Text, kv["level"], kv["msg"], t, kv["app_id"]
			stampText = kv["time"]
		default:
			m := ttyLine.FindStringSubmatch(raw)
			if m == nil {
				continue
			}
			secs, err := strconv.ParseInt(m[2], 10, 64)
			if err != nil || secs > int64(1<<62)/int64(time.Second) {
				return nil, fmt.Errorf("%s:%d: [%s]: want whole seconds since start", name, n, m[2])
			}
			e.Form, e.Level, e.At = TTY, levelsShort[m[1]], time.Duration(secs)*time.Second
			msg = m[3]
			// The fields' pattern needs a "="; most messages have none,
			// and the search is most of the reading time.
			if strings.Contains(msg, "=") {
				if f := ttyFields.FindStringIndex(msg); f != nil {
					if a := ttyAppID.FindStringSubmatch(msg[f[0]:]); a != nil {
						e.AppID = unquote(a[1])
					}
					msg = msg[:f[0]]
				}
			}
			msg = strings.TrimRight(msg, " ")
		}
		if e.Form != TTY {
			e.Time, e.layout = stamp, stampLayout(stampText)
			if !haveOrigin {
				origin, haveOrigin = stamp, true
				out.Origin, out.layout = stamp, e.layout
			}
			e.At = stamp.Sub(origin)
		}
		if out.Lines == 0 {
			out.Form = e.Form
		}
		out.Lines++
		if e.At >= out.End {
			out.End, out.EndLine = e.At, n
		}
		if e.AppID != "" && out.AppID == "" {
			out.AppID = e.AppID
		}
		if !parseMsg(&e, msg) {
			continue
		}
		out.Entries = append(out.Entries, e)
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("%s:%d: line longer than %s, the most a daprd log reader takes", name, n+1, input.Size(int64(maxLine)))
		}
		return nil, fmt.Errorf("%s: cannot read: %v", name, err)
	}
	if out.Lines == 0 {
		return nil, fmt.Errorf("%s: not a daprd log: no line in the terminal (`INFO[0026] …`), text (`time=\"…\" level=info msg=\"…\"`) or JSON form", name)
	}
	return out, nil
}

// parseMsg fills e from a resiliency message. Each pattern is tried only
// on a message that starts with its literal prefix: cheap, and most lines
// of a log are something else.
func parseMsg(e *Entry, msg string) bool {
	switch {
	case strings.HasPrefix(msg, "Error processing operation "):
	case strings.HasPrefix(msg, "Recovered processing operation "):
	case strings.HasPrefix(msg, "Circuit breaker "):
	default:
		return false
	}
	if m := noticeMsg.FindStringSubmatch(msg); m != nil {
		e.Kind, e.Operation = Notice, m[1]
		if m[2] == "..." {
			e.Dotted = true
			return true
		}
		d, err := time.ParseDuration(m[3])
		if err != nil {
			return false
		}
		e.Delay, e.HasDelay = d, true
		return true
	}
	if m := recoverMsg.FindStringSubmatch(msg); m != nil {
		e.Kind, e.Operation, e.Dotted = Recovered, m[1], m[2] == "."
		if m[3] != "" {
			e.Attempts, _ = strconv.Atoi(m[3])
		}
		return true
	}
	if m := breakerMsg.FindStringSubmatch(msg); m != nil {
		e.Kind, e.Name, e.From, e.To = Breaker, unquote(m[1]), m[2], m[3]
		return true
	}
	return false
}

func unquote(s string) string {
	if u, err := strconv.Unquote(s); err == nil {
		return u
	}
	return s
}

// logfmt splits logrus' text form into its key=value fields; values may be
// Go-quoted.
func logfmt(s string) (map[string]string, error) {
	out := map[string]string{}
	for i := 0; i < len(s); {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i >= len(s) {
			break
		}
		eq := strings.IndexByte(s[i:], '=')
		if eq < 0 {
			return nil, fmt.Errorf("want key=value fields, got %q", s[i:])
		}
		key := s[i : i+eq]
		i += eq + 1
		if i < len(s) && s[i] == '"' {
			j := i + 1
			for j < len(s) && s[j] != '"' {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(s) {
				return nil, fmt.Errorf("%s: unterminated quoted value", key)
			}
			v, err := strconv.Unquote(s[i : j+1])
			if err != nil {
				return nil, fmt.Errorf("%s: %v", key, err)
			}
			out[key] = v
			i = j + 1
			continue
		}
		j := strings.IndexByte(s[i:], ' ')
		if j < 0 {
			j = len(s) - i
		}
		out[key] = s[i : i+j]
		i += j
	}
	return out, nil
}
