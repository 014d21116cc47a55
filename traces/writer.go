package traces

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/dapr-sim/sim/internal/input"
	"gopkg.in/yaml.v3"
)

// FormatVersion is the trace file format this sim writes. A reader must refuse
// a version it does not know.
const FormatVersion = 1

// Header makes a trace self-contained: everything needed to run the same
// scenario again. Scenario and Spec are whatever the engine resolved, encoded
// by yaml.v3 from structs with a fixed field order.
type Header struct {
	Format   int    `yaml:"format"`
	Sim      string `yaml:"sim"`
	Name     string `yaml:"name"`
	Dapr     string `yaml:"dapr"`
	Seed     int64  `yaml:"seed"`
	Scenario any    `yaml:"scenario"`
	Spec     any    `yaml:"spec"`
	// Sidecars are the specs of the sidecars after the first (Spec), in a
	// run with several app ids: a list of {app, spec}.
	Sidecars any `yaml:"sidecars,omitempty"`
}

// TraceWriter streams a trace: the header once, then one line per event. It
// never holds events in memory — yaml.v3's Encoder keeps every node it
// emitted, so event lines are written by hand (still plain YAML or JSON;
// tests read them back with yaml.v3 and encoding/json).
//
// The YAML form (NewTraceWriter) writes the header as a YAML mapping, then
// one flow mapping per event under `events:`. The JSON-lines form
// (NewJSONLWriter) writes the header as one JSON object on the first line,
// then one JSON object per event per line, with the same field names.
type TraceWriter struct {
	w    *bufio.Writer
	form lineForm
	err  error
}

// NewTraceWriter writes a YAML trace's header at once and returns a Sink for
// events.
func NewTraceWriter(w io.Writer, h Header) (*TraceWriter, error) {
	t := &TraceWriter{w: bufio.NewWriterSize(w, 64<<10), form: flowYAML}
	h.Format = FormatVersion
	head, err := marshalHeader(h)
	if err != nil {
		return nil, fmt.Errorf("encode trace header: %w", err)
	}
	t.w.WriteString("# sim trace: a run's header, then every event at its virtual time\n")
	t.w.Write(head)
	t.w.WriteString("events:\n")
	return t, nil
}

// NewJSONLWriter writes a JSON-lines trace's header line at once and returns
// a Sink for events. The header object has the YAML header's fields in the
// same order (format, sim, name, dapr, seed, scenario, spec).
func NewJSONLWriter(w io.Writer, h Header) (*TraceWriter, error) {
	t := &TraceWriter{w: bufio.NewWriterSize(w, 64<<10), form: jsonObject}
	h.Format = FormatVersion
	var n yaml.Node
	if err := n.Encode(h); err != nil {
		return nil, fmt.Errorf("encode trace header: %w", err)
	}
	head, err := appendNodeJSON(nil, &n)
	if err != nil {
		return nil, fmt.Errorf("encode trace header: %w", err)
	}
	if len(head) > maxLine {
		return nil, fmt.Errorf("encode trace header: line longer than %s, the most a trace reader takes", input.Size(int64(maxLine)))
	}
	t.w.Write(head)
	t.w.WriteByte('\n')
	return t, nil
}

// Record implements Sink.
func (t *TraceWriter) Record(e *Event) error {
	if t.err != nil {
		return t.err
	}
	// Encoded straight into the writer's free space: Write then has nothing
	// to copy (a line that does not fit spills into a fresh slice).
	if t.w.Available() < 4<<10 {
		if t.err = t.w.Flush(); t.err != nil {
			return t.err
		}
	}
	b := t.w.AvailableBuffer()
	if t.form == flowYAML {
		b = append(b, "  - "...)
	}
	b = appendEvent(b, e, t.form)
	if len(b) > maxLine {
		// What sim writes it can read back (see Reader).
		t.err = fmt.Errorf("%s event at %s: line longer than %s, the most a trace reader takes", e.Kind, e.T, input.Size(int64(maxLine)))
		return t.err
	}
	b = append(b, '\n')
	_, t.err = t.w.Write(b)
	return t.err
}

// Close flushes the trace; it does not close the underlying writer.
func (t *TraceWriter) Close() error {
	if t.err != nil {
		return t.err
	}
	return t.w.Flush()
}

// appendScalar writes v plain when YAML reads it back as the same string, and
// double-quoted otherwise. Plain: starts with a letter, holds only letters,
// digits and -_.[]/ — and is not a word YAML 1.1 readers take for a bool or
// null. Brackets are fine inside a plain scalar that does not start with one
// only outside flow context, so inside our flow mappings they force quotes.
func appendScalar(b []byte, v string) []byte {
	if plainSafe(v) {
		return append(b, v...)
	}
	b = append(b, '"')
	for i := 0; i < len(v); {
		if quoteAsIs[v[i]] {
			// The common case, a run of printable ASCII, copied at once.
			j := i + 1
			for j < len(v) && quoteAsIs[v[j]] {
				j++
			}
			b = append(b, v[i:j]...)
			i = j
			continue
		}
		r, size := utf8.DecodeRuneInString(v[i:])
		switch {
		case r == '"' || r == '\\':
			b = append(b, '\\', byte(r))
		case r == '\n':
			b = append(b, '\\', 'n')
		case r == '\t':
			b = append(b, '\\', 't')
		case r == utf8.RuneError && size == 1:
			b = append(b, `\x`...)
			b = append(b, "0123456789abcdef"[v[i]>>4], "0123456789abcdef"[v[i]&15])
		case r < 0x20 || r == 0x7f:
			b = fmt.Appendf(b, `\x%02x`, r)
		default:
			b = append(b, v[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// Byte classes of appendScalar and plainSafe, as tables.
var (
	// quoteAsIs: printable ASCII written unescaped inside double quotes.
	quoteAsIs [256]bool
	// plainByte: what a plain scalar may hold after its first letter.
	plainByte [256]bool
)

func init() {
	for c := 0x20; c < 0x7f; c++ {
		quoteAsIs[c] = c != '"' && c != '\\'
	}
	for c := 0; c < 256; c++ {
		plainByte[c] = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.' || c == '/'
	}
}

func plainSafe(v string) bool {
	if v == "" {
		return false
	}
	c := v[0]
	if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
		return false
	}
	for i := 1; i < len(v); i++ {
		if !plainByte[v[i]] {
			return false
		}
	}
	switch v {
	case "y", "Y", "n", "N", "yes", "Yes", "YES", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
		"on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL":
		return false
	}
	return true
}

// LastList is a header Scenario whose last field is a list that can be long
// (a scenario's faults). yaml.v3's emitter keeps every event of a document
// it encodes, about 15 KB an item of such a list, so the YAML writer
// encodes a long one a chunk at a time and splices the text: the bytes are
// those of one yaml.Marshal.
type LastList interface {
	// SplitLast returns the value without its last list (which must then be
	// omitted, omitempty), the list's length, and a value holding only
	// that list, cut to items [a, b), under the same key.
	SplitLast() (rest any, n int, part func(a, b int) any)
}

// longList is the length from which a LastList is encoded in chunks, and
// listChunk the items encoded at a time.
var longList, listChunk = 10_000, 5_000

func marshalHeader(h Header) ([]byte, error) {
	ll, ok := h.Scenario.(LastList)
	if !ok {
		return yaml.Marshal(h)
	}
	rest, n, part := ll.SplitLast()
	if n < longList {
		return yaml.Marshal(h)
	}
	h.Scenario = rest
	head, err := yaml.Marshal(h)
	if err != nil {
		return nil, err
	}
	// The list goes where the scenario block ends: before the spec key.
	at := bytes.Index(head, []byte("\nspec:"))
	if at < 0 {
		return nil, fmt.Errorf("no spec after the scenario")
	}
	at++
	var out bytes.Buffer
	out.Write(head[:at])
	for a := 0; a < n; a += listChunk {
		text, err := yaml.Marshal(struct {
			Scenario any `yaml:"scenario"`
		}{part(a, min(a+listChunk, n))})
		if err != nil {
			return nil, err
		}
		// "scenario:\n    key:\n" then the items, indented as in the whole.
		text = bytes.TrimPrefix(text, []byte("scenario:\n"))
		if a > 0 {
			text = text[bytes.IndexByte(text, '\n')+1:]
		}
		out.Write(text)
	}
	out.Write(head[at:])
	return out.Bytes(), nil
}
