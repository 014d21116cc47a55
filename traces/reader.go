package traces

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"

	"github.com/dapr-sim/sim/internal/diag"
	"github.com/dapr-sim/sim/internal/input"
	"github.com/dapr-sim/sim/internal/ynode"
	"gopkg.in/yaml.v3"
)

// Reader streams a trace: OpenTrace (or NewReader) reads and checks the
// header, then Next returns the events one at a time, so memory does not
// grow with the trace's length. It checks exactly what Read checks, with
// the same messages and lines.
//
// A YAML trace in the layout the writer produces — the header mapping,
// `events:` as its last top-level key on a line of its own, then one
// `  - {…}` flow mapping per line — is read line by line: the header with
// yaml.v3, each event line with a small parser of exactly the writer's form
// (plain scalars, double-quoted strings with the writer's escapes). Anything
// else falls back to yaml.v3's full-tree decoder: a layout other than that
// one from the start (decoded whole, as Read always did), or, from the first
// event line the small parser does not take (hand-edited, block mappings,
// a line cut short), the rest of the file — decoded with the lines already
// read blanked out, so line numbers in errors stay the file's. A line the
// small parser takes but whose event is invalid (an unknown field, a bad
// value, a field given twice) is decoded alone with yaml.v3 for the error,
// so the message is the one the full decoder gives. Which problem is
// reported is the full decoder's choice too: before a problem with the
// header or an event, the rest of the file is checked for a YAML syntax
// error (streamed the same way), which wins.
//
// Events come one at a time, so a consumer may act on the events before a
// problem further down: replay reports the problem, not a difference it
// found earlier (see Comparer.Finish); --print may have printed part of
// the log.
type Reader struct {
	Head

	name   string
	rs     io.ReadSeeker
	closer io.Closer
	br     *bufio.Reader
	mode   readMode
	slow   bool
	err    error // sticky: io.EOF or the first problem
	n      int   // events returned
	line   int   // lines read (JSONL and the YAML fast path)
	rl     int   // lines readLine returned since the start or the last seek

	// YAML fast path.
	head       []byte // the file up to and including the `events:` line
	eventsLine int
	prev       []byte // the last event line read, for a fallback
	prevLine   int
	first      []byte // the first event line read, for a fallback
	firstLine  int
	scratch    []byte
	intern     map[string]string

	// YAML tree (the fallback): the event nodes still to return.
	nodes []*yaml.Node
}

// maxLine is the longest line a Reader takes and a TraceWriter writes
// (input.MaxLine; tests lower it).
var maxLine = input.MaxLine

type readMode uint8

const (
	modeTree readMode = iota
	modeLines
	modeJSONL
)

// OpenTrace opens the trace at path and reads its header; see Reader.
// Problems name the file. Close it when done. Only a regular file is read
// (input.Open): a named pipe or a device is refused, never waited on.
func OpenTrace(path string) (*Reader, error) {
	f, err := input.Open(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &diag.Error{File: path, Msg: "cannot read trace: " + err.Error()}
	}
	var rs io.ReadSeeker = f
	r, err := NewReader(path, rs)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.closer = f
	return r, nil
}

// NewReader reads a trace's header from rs, naming it name in problems. rs
// is read from its current position; a YAML trace is read twice (a scan of
// the layout, then the events), hence the Seeker.
func NewReader(name string, rs io.ReadSeeker) (*Reader, error) {
	return newReader(name, rs, false)
}

// newReader is NewReader; slow turns the fast paths off (the YAML trace is
// decoded whole, each JSON line with encoding/json): what tests compare the
// fast paths with.
func newReader(name string, rs io.ReadSeeker, slow bool) (*Reader, error) {
	r := &Reader{name: name, rs: rs, br: bufio.NewReaderSize(rs, 64<<10), slow: slow}
	start, err := rs.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, r.cannot(err)
	}
	for {
		c, err := r.br.Peek(1)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, &diag.Error{File: name, Msg: "empty file: not a sim trace"}
			}
			return nil, r.cannot(err)
		}
		switch c[0] {
		case ' ', '\t', '\r', '\n':
			r.br.ReadByte()
			start++
			continue
		case '{':
			return r, r.openJSONL()
		}
		return r, r.openYAML(start)
	}
}

// Close closes the file OpenTrace opened.
func (r *Reader) Close() error {
	if r.closer != nil {
		return r.closer.Close()
	}
	return nil
}

// Next returns the next event; io.EOF after the last one. Any other error is
// a *diag.Error, and Next keeps returning it.
func (r *Reader) Next() (Event, error) {
	if r.err != nil {
		return Event{}, r.err
	}
	var e Event
	var err error
	switch r.mode {
	case modeLines:
		e, err = r.nextLine()
	case modeJSONL:
		e, err = r.nextJSONL()
	default:
		e, err = r.nextNode()
	}
	if err != nil {
		r.err = err
		r.nodes, r.head, r.prev, r.first = nil, nil, nil, nil
		return Event{}, err
	}
	r.n++
	return e, nil
}

// Events ranges over the remaining events. A problem ends it with one last
// pair holding the error; io.EOF is not reported.
func (r *Reader) Events() iter.Seq2[Event, error] {
	return func(yield func(Event, error) bool) {
		for {
			e, err := r.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if !yield(e, err) || err != nil {
				return
			}
		}
	}
}

// Drain reads the remaining events, checking them, and returns the first
// problem (nil at a clean end).
func (r *Reader) Drain() error {
	for _, err := range r.Events() {
		if err != nil {
			return err
		}
	}
	return nil
}

func (r *Reader) collect() (*Trace, error) {
	t := &Trace{Head: r.Head}
	for e, err := range r.Events() {
		if err != nil {
			return nil, err
		}
		t.Events = append(t.Events, e)
	}
	return t, nil
}

func (r *Reader) cannot(err error) error {
	return &diag.Error{File: r.name, Msg: "cannot read trace: " + err.Error()}
}

// readLine returns the next line with its newline (none at the end of the
// file); the slice is valid until the next read. At the end it returns an
// empty line and io.EOF.
//
// A line longer than maxLine bytes (its newline aside) is an error naming
// the file and line, found before more than maxLine bytes are held.
func (r *Reader) readLine() ([]byte, error) {
	l, err := r.br.ReadSlice('\n')
	if err == nil || errors.Is(err, io.EOF) {
		if len(l) > 0 {
			return r.counted(l)
		}
		return nil, err
	}
	if !errors.Is(err, bufio.ErrBufferFull) {
		return nil, r.cannot(err)
	}
	r.scratch = append(r.scratch[:0], l...)
	for {
		if len(r.scratch) > maxLine {
			return nil, r.tooLong()
		}
		l, err = r.br.ReadSlice('\n')
		r.scratch = append(r.scratch, l...)
		switch {
		case err == nil || errors.Is(err, io.EOF):
			return r.counted(r.scratch)
		case !errors.Is(err, bufio.ErrBufferFull):
			return nil, r.cannot(err)
		}
	}
}

// counted counts line l read and checks its length.
func (r *Reader) counted(l []byte) ([]byte, error) {
	if len(bytes.TrimSuffix(l, []byte{'\n'})) > maxLine {
		return nil, r.tooLong()
	}
	r.rl++
	return l, nil
}

func (r *Reader) tooLong() error {
	return &diag.Error{File: r.name, Line: r.rl + 1, Msg: fmt.Sprintf("line longer than %s, the most a trace reader takes", input.Size(int64(maxLine)))}
}

// readRest reads the rest of the input, line by line so that the line
// limit holds there too.
func (r *Reader) readRest() ([]byte, error) {
	var data []byte
	for {
		l, err := r.readLine()
		if errors.Is(err, io.EOF) {
			return data, nil
		}
		if err != nil {
			return nil, err
		}
		data = append(data, l...)
	}
}

// openYAML reads a YAML trace's header. start is rs's offset of the first
// byte the trace is read from (leading blank space skipped, as Read did).
func (r *Reader) openYAML(start int64) error {
	var head []byte
	line := 0
	if r.slow {
		data, err := r.readRest()
		if err != nil {
			return err
		}
		return r.openTree(data)
	}
	for {
		l, err := r.readLine()
		if errors.Is(err, io.EOF) {
			// No `events:` line: not the writer's layout.
			return r.openTree(head)
		}
		if err != nil {
			return err
		}
		head = append(head, l...)
		line++
		if string(l) == "events:\n" || string(l) == "events:" {
			break
		}
	}
	// The rest must hold no top-level key (the header is then all before
	// `events:`): every line starts blank, with a comment or a `- ` entry.
	canonical := true
	for canonical {
		l, err := r.readLine()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		switch l[0] {
		case ' ', '\n', '#':
		case '-':
			canonical = len(l) > 1 && (l[1] == ' ' || l[1] == '\n')
		default:
			canonical = false
		}
	}
	if _, err := r.rs.Seek(start+int64(len(head)), io.SeekStart); err != nil {
		return r.cannot(err)
	}
	r.br.Reset(r.rs)
	r.rl = line
	if !canonical {
		rest, err := r.readRest()
		if err != nil {
			return err
		}
		return r.openTree(append(head, rest...))
	}
	docs, err := ynode.Documents(r.name, head)
	if err != nil || len(docs) != 1 || !eventsLast(docs[0], line) {
		rest, err := r.readRest()
		if err != nil {
			return err
		}
		return r.openTree(append(head, rest...))
	}
	r.mode, r.head, r.eventsLine, r.line = modeLines, head, line, line
	r.intern = map[string]string{}
	h, _, err := header(r.name, docs[0], false)
	if err != nil {
		// The full decoder reports a syntax error anywhere in the file
		// before a problem with the header.
		if serr := r.syntaxCheck(); serr != nil {
			return serr
		}
		return err
	}
	r.Head = *h
	return nil
}

// eventsLast reports whether root is a mapping whose last key is an empty
// `events:` at the start of line.
func eventsLast(root *yaml.Node, line int) bool {
	if root.Kind != yaml.MappingNode || len(root.Content) < 2 {
		return false
	}
	k, v := root.Content[len(root.Content)-2], root.Content[len(root.Content)-1]
	return k.Kind == yaml.ScalarNode && k.Tag == "!!str" && k.Value == "events" && k.Line == line && k.Column == 1 &&
		v.Kind == yaml.ScalarNode && v.Tag == "!!null" && v.Value == ""
}

// openTree decodes a whole YAML trace (data) with yaml.v3, as Read always
// did, keeping the event nodes to return.
func (r *Reader) openTree(data []byte) error {
	h, nodes, err := decodeTree(r.name, data)
	if err != nil {
		return err
	}
	r.Head, r.nodes, r.mode = *h, nodes, modeTree
	return nil
}

func decodeTree(name string, data []byte) (*Head, []*yaml.Node, error) {
	docs, err := ynode.Documents(name, data)
	if err != nil {
		return nil, nil, notATrace(err)
	}
	if len(docs) != 1 {
		return nil, nil, &diag.Error{File: name, Msg: fmt.Sprintf("not a sim trace: want one YAML document, found %d", len(docs))}
	}
	h, events, err := header(name, docs[0], false)
	if err != nil {
		return nil, nil, err
	}
	if events == nil {
		return nil, nil, ynode.Errorf(name, docs[0], "events", "required: a trace lists its events (an empty run writes `events: []`)")
	}
	if ynode.IsNull(events) {
		return h, nil, nil
	}
	if events.Kind != yaml.SequenceNode {
		return nil, nil, ynode.Errorf(name, events, "events", "want a list of events, got %s", ynode.Describe(events))
	}
	return h, events.Content, nil
}

func (r *Reader) nextNode() (Event, error) {
	if len(r.nodes) == 0 {
		return Event{}, io.EOF
	}
	en := r.nodes[0]
	r.nodes[0] = nil
	r.nodes = r.nodes[1:]
	return eventFromNode(r.name, r.n, en)
}

func (r *Reader) nextLine() (Event, error) {
	for {
		l, err := r.readLine()
		if err != nil {
			return Event{}, err
		}
		r.line++
		if skippable(l) {
			continue
		}
		e, form, valid := r.parseLine(l)
		switch {
		case form && valid:
			if r.first == nil {
				r.first, r.firstLine = append([]byte(nil), l...), r.line
			}
			r.prev, r.prevLine = append(r.prev[:0], l...), r.line
			return e, nil
		case form:
			e, err := r.lineAlone(l)
			if err != nil {
				if r.first == nil {
					r.first, r.firstLine = append([]byte(nil), l...), r.line
				}
				r.prev, r.prevLine = append(r.prev[:0], l...), r.line
				// The full decoder reports a syntax error anywhere in the
				// file before a problem with an event.
				if serr := r.syntaxCheck(); serr != nil {
					return Event{}, serr
				}
			}
			return e, err
		}
		return r.fallback(l)
	}
}

// skippable reports a blank line or a comment line in plain ASCII.
func skippable(l []byte) bool {
	i := 0
	for i < len(l) && l[i] == ' ' {
		i++
	}
	if i == len(l) || l[i] == '\n' {
		return true
	}
	if l[i] != '#' {
		return false
	}
	for _, c := range l[i:] {
		if (c < 0x20 || c > 0x7e) && c != '\n' && c != '\t' {
			return false
		}
	}
	return true
}

// lineAlone decodes one event line the small parser took but found invalid,
// alone with yaml.v3 at its own line, for the full decoder's error.
func (r *Reader) lineAlone(l []byte) (Event, error) {
	data := append(bytes.Repeat([]byte{'\n'}, r.line-1), l...)
	docs, err := ynode.Documents(r.name, data)
	if err != nil {
		return Event{}, notATrace(err)
	}
	if len(docs) != 1 || docs[0].Kind != yaml.SequenceNode || len(docs[0].Content) != 1 {
		return Event{}, &diag.Error{File: r.name, Line: r.line, Msg: "not a readable trace: an event line the reader cannot take alone"}
	}
	return eventFromNode(r.name, r.n, docs[0].Content[0])
}

// fallback decodes the rest of the trace from line l (just read) with the
// full-tree decoder (see rest).
func (r *Reader) fallback(l []byte) (Event, error) {
	data, skip, err := r.rest(l)
	if err != nil {
		return Event{}, err
	}
	_, nodes, err := decodeTree(r.name, data)
	if err != nil {
		return Event{}, err
	}
	if len(nodes) < skip {
		return Event{}, &diag.Error{File: r.name, Line: r.prevLine, Msg: "not a readable trace: the events list changes shape after this line"}
	}
	r.nodes, r.mode = nodes[skip:], modeTree
	return r.nextNode()
}

// rest returns the YAML the full-tree decoder reads when the fast path
// stops at line l (just read): the header, the first and the last event
// line read (so the events list starts where it does in the file and is
// in the same state), the other lines read blanked out (so lines keep
// their numbers), and everything from l on. skip is how many of its events
// were read already.
func (r *Reader) rest(l []byte) (data []byte, skip int, err error) {
	data = append([]byte(nil), r.head...)
	line := r.eventsLine // lines in data
	keep := func(text []byte, at int) {
		data = append(data, bytes.Repeat([]byte{'\n'}, at-line-1)...)
		data = append(data, text...)
		line = at
		skip++
	}
	if r.first != nil {
		keep(r.first, r.firstLine)
		if r.prevLine != r.firstLine {
			keep(r.prev, r.prevLine)
		}
	}
	data = append(data, bytes.Repeat([]byte{'\n'}, r.line-line-1)...)
	data = append(data, l...)
	rest, err := r.readRest()
	if err != nil {
		return nil, 0, err
	}
	r.head, r.prev, r.first = nil, nil, nil
	return append(data, rest...), skip, nil
}

// syntaxCheck reads the event lines only for what the full decoder would
// find first when the header has a problem: a YAML syntax error, or more
// than one document. Lines in the writer's form are sound YAML; from the
// first other line on, the rest is decoded (see rest).
func (r *Reader) syntaxCheck() error {
	for {
		l, err := r.readLine()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		r.line++
		if skippable(l) {
			continue
		}
		if _, form, _ := r.parseLine(l); form {
			if r.first == nil {
				r.first, r.firstLine = append([]byte(nil), l...), r.line
			}
			r.prev, r.prevLine = append(r.prev[:0], l...), r.line
			continue
		}
		data, _, err := r.rest(l)
		if err != nil {
			return err
		}
		docs, err := ynode.Documents(r.name, data)
		if err != nil {
			return notATrace(err)
		}
		if len(docs) != 1 {
			return &diag.Error{File: r.name, Msg: fmt.Sprintf("not a sim trace: want one YAML document, found %d", len(docs))}
		}
		return nil
	}
}

func (r *Reader) openJSONL() error {
	r.mode = modeJSONL
	line, err := r.readLine()
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	r.line = 1
	if !json.Valid(line) {
		return &diag.Error{File: r.name, Line: 1, Msg: "the header line is not a JSON object (cut short?)"}
	}
	// JSON is YAML: read the header with the YAML reader, so the scenario
	// and spec come back as nodes as they do from a YAML trace.
	docs, err := ynode.Documents(r.name, line)
	if err != nil {
		return notATrace(err)
	}
	if len(docs) != 1 {
		return &diag.Error{File: r.name, Line: 1, Msg: "not a sim trace: want a header object on the first line"}
	}
	h, _, err := header(r.name, docs[0], true)
	if err != nil {
		return err
	}
	r.Head = *h
	r.intern = map[string]string{}
	return nil
}

func (r *Reader) nextJSONL() (Event, error) {
	for {
		line, err := r.readLine()
		if err != nil {
			return Event{}, err
		}
		r.line++
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		if !r.slow {
			if e, ok := r.parseJSONLine(line); ok {
				return e, nil
			}
		}
		e, perr := eventFromJSON(line)
		if perr != nil {
			return Event{}, &diag.Error{File: r.name, Line: r.line, Field: fmt.Sprintf("events[%d]", r.n), Msg: perr.Error()}
		}
		return e, nil
	}
}
