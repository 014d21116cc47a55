package traces

import (
	"strconv"
	"strings"
)

// LogTemplate is an app's line as a scenario writes it (a step's or an
// input binding's `log`), split once at its placeholders: {i} the
// iteration, {w} the worker index and, for a step that reads (a get, an
// output binding's get), {value} what it read. An event carries the
// template and those facts (AppLine) and LogText words them where text is
// written, as WhyText words a Reason: a run whose sinks print no app line
// never builds one. A template is immutable once compiled, so the events
// that point to it may be copied and kept for as long as anyone likes.
type LogTemplate struct {
	text  string    // the template as written
	parts []logPart // nil: no placeholder, text is the line
}

type logPart struct {
	lit  string
	fill byte // after lit: 'i' the iteration, 'w' the worker index, 'v' the value, 0 nothing
}

// CompileLogTemplate splits tmpl at its {i} and {w} placeholders and, with
// value, its {value} ones. Worded, it is byte for byte what filling every
// {i}, then every {w}, then replacing every {value} gives: one pass from
// the left gives the same, since no two placeholders can overlap and the
// numbers filled in hold no brace.
func CompileLogTemplate(tmpl string, value bool) *LogTemplate {
	t := &LogTemplate{text: tmpl}
	var lit []byte
	rest := tmpl
	for {
		j := strings.IndexByte(rest, '{')
		if j < 0 {
			lit = append(lit, rest...)
			break
		}
		lit = append(lit, rest[:j]...)
		var fill byte
		n := 0
		switch {
		case len(rest) >= j+3 && rest[j+2] == '}' && (rest[j+1] == 'i' || rest[j+1] == 'w'):
			fill, n = rest[j+1], 3
		case value && strings.HasPrefix(rest[j:], "{value}"):
			fill, n = 'v', len("{value}")
		}
		if n == 0 {
			lit = append(lit, '{')
			rest = rest[j+1:]
			continue
		}
		t.parts = append(t.parts, logPart{lit: string(lit), fill: fill})
		lit = lit[:0]
		rest = rest[j+n:]
	}
	if t.parts != nil {
		t.parts = append(t.parts, logPart{lit: string(lit)})
	}
	return t
}

// Append appends the line the template words for one operation.
func (t *LogTemplate) Append(b []byte, iteration, worker int, value string) []byte {
	if t.parts == nil {
		return append(b, t.text...)
	}
	for i := range t.parts {
		p := &t.parts[i]
		b = append(b, p.lit...)
		switch p.fill {
		case 'i':
			b = strconv.AppendInt(b, int64(iteration), 10)
		case 'w':
			b = strconv.AppendInt(b, int64(worker), 10)
		case 'v':
			b = append(b, value...)
		}
	}
	return b
}

// String returns the template as written.
func (t *LogTemplate) String() string { return t.text }

// AppLine is an app's line as facts: the compiled template and what fills
// it. The zero value is no line.
type AppLine struct {
	Template  *LogTemplate
	Iteration int    // {i}: an op's iteration; an input binding's event count
	Worker    int    // {w}
	Value     string // {value}: what the step read
}

// LogText is the app's line as a trace writes it: Log when set (read back
// from a trace, or set by whoever recorded the event), else the AppLine
// worded; "" for none.
func (e *Event) LogText() string {
	t := e.AppLine.Template
	if e.Log != "" || t == nil {
		return e.Log
	}
	if t.parts == nil {
		return t.text // no placeholder: the template's own string, no copy
	}
	return string(e.AppendLog(make([]byte, 0, len(t.text)+len(e.AppLine.Value)+16)))
}

// AppendLog appends LogText to b, without building a string for it.
func (e *Event) AppendLog(b []byte) []byte {
	if e.Log != "" || e.AppLine.Template == nil {
		return append(b, e.Log...)
	}
	l := &e.AppLine
	return l.Template.Append(b, l.Iteration, l.Worker, l.Value)
}
