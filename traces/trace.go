package traces

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dapr-sim/sim/internal/diag"
	"github.com/dapr-sim/sim/internal/ynode"
	"gopkg.in/yaml.v3"
)

// Head is a trace's header as read back, with the scenario and spec blocks
// as yaml.v3 nodes (positions kept, so errors found in them can name the
// trace's line).
type Head struct {
	Format int
	Sim    string
	Name   string
	Dapr   string
	Seed   int64
	// Scenario is the header's scenario block, in the scenario file's shape.
	Scenario *yaml.Node
	// Spec is the header's resolved Resiliency spec (policies.SpecDump).
	Spec *yaml.Node
	// Sidecars, when present, lists the other sidecars' specs ({app, spec}).
	Sidecars *yaml.Node
	// JSONL reports that the trace was read from the JSON-lines form.
	JSONL bool
}

// TraceHead returns h; it lets a *Trace and a *Reader stand for their
// header (see Headed).
func (h *Head) TraceHead() *Head { return h }

// Headed is anything that carries a trace header: a *Trace read whole or a
// *Reader streaming one.
type Headed interface{ TraceHead() *Head }

// Trace is a trace file read back whole: its header and its events. Use a
// Reader (OpenTrace) to stream a long one.
type Trace struct {
	Head
	Events []Event
}

// ReadFile reads the trace at path whole; see Read. Problems name the
// file. It holds every event: use OpenTrace to stream a long trace.
func ReadFile(path string) (*Trace, error) {
	r, err := OpenTrace(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return r.collect()
}

// Read parses a whole trace, in either form: a trace whose first
// non-blank byte is `{` is JSON lines (the header object, then one event
// object per line), anything else is YAML. It refuses a format version it
// does not know, saying which one it reads. Every problem is a *diag.Error;
// a file cut inside a line or an event is a syntax error, one cut between
// events reads as a shorter trace (replay reports the events missing).
// It holds the whole input and every event; it is meant for small traces
// (tests): a Reader streams.
func Read(r io.Reader) (*Trace, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, &diag.Error{File: "trace", Msg: "cannot read trace: " + err.Error()}
	}
	tr, err := NewReader("trace", bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	return tr.collect()
}

// notATrace words a syntax error as what it means for a trace: a file that
// is not one, or one cut short. Another error of the YAML reader (a tag
// sim does not read) keeps its message and line but loses its field path:
// the streaming reader decodes pieces of the events list, whose indices
// are not the trace's.
func notATrace(err error) error {
	var de *diag.Error
	if !errors.As(err, &de) {
		return err
	}
	c := *de
	if ynode.IsSyntax(err) {
		c.Msg = "not a readable trace (cut short, or not a trace at all): " + c.Msg
	} else {
		c.Field = ""
	}
	return &c
}

// headerKeys are the fields of a trace header, in the order they are written.
var headerKeys = []string{"format", "sim", "name", "dapr", "seed", "scenario", "spec", "sidecars"}

// header fills t from the header mapping root and returns the events node
// (nil when absent). It checks the format version before anything else, so
// a newer trace is refused with the version it needs, not a field error.
func header(name string, root *yaml.Node, jsonl bool) (*Head, *yaml.Node, error) {
	pairs, err := ynode.Pairs(name, "", root)
	if err != nil || root == nil || ynode.IsNull(root) {
		return nil, nil, &diag.Error{File: name, Msg: "not a sim trace: want a header mapping starting with `format: 1`"}
	}
	var fn *yaml.Node
	for _, p := range pairs {
		if p.Key == "format" && fn == nil {
			fn = p.Value
		}
	}
	if fn == nil {
		return nil, nil, &diag.Error{File: name, Msg: "not a sim trace: no `format:` field in its header"}
	}
	format, err := ynode.Int(name, "format", fn)
	if err != nil {
		return nil, nil, err
	}
	if format != FormatVersion {
		return nil, nil, ynode.Errorf(name, fn, "format", "trace format %d: this sim reads format %d only", format, FormatVersion)
	}
	vals := map[string]*yaml.Node{}
	var events *yaml.Node
	for _, p := range pairs {
		known := p.Key == "events" && !jsonl
		for _, k := range headerKeys {
			known = known || p.Key == k
		}
		if !known {
			return nil, nil, ynode.Errorf(name, p.KeyN, p.Key, "unknown header field: a trace header has %s", strings.Join(headerKeys, ", "))
		}
		if _, dup := vals[p.Key]; dup {
			return nil, nil, ynode.Errorf(name, p.KeyN, p.Key, "given twice")
		}
		vals[p.Key] = p.Value
		if p.Key == "events" {
			events = p.Value
		}
	}
	t := &Head{Format: int(format), JSONL: jsonl}
	for _, k := range []string{"sim", "name", "dapr"} {
		n, ok := vals[k]
		if !ok {
			continue
		}
		s, err := ynode.Scalar(name, k, n)
		if err != nil {
			return nil, nil, err
		}
		switch k {
		case "sim":
			t.Sim = s
		case "name":
			t.Name = s
		case "dapr":
			t.Dapr = s
		}
	}
	if n, ok := vals["seed"]; ok {
		if t.Seed, err = ynode.Int(name, "seed", n); err != nil {
			return nil, nil, err
		}
	}
	for _, k := range []string{"dapr", "scenario", "spec"} {
		if _, ok := vals[k]; !ok {
			return nil, nil, ynode.Errorf(name, root, k, "required: the header must say how to run the scenario again")
		}
	}
	t.Scenario, t.Spec, t.Sidecars = vals["scenario"], vals["spec"], vals["sidecars"]
	return t, events, nil
}

// eventFromNode reads the event node en, the i-th of the trace.
func eventFromNode(name string, i int, en *yaml.Node) (Event, error) {
	field := fmt.Sprintf("events[%d]", i)
	pairs, err := ynode.Pairs(name, field, en)
	if err != nil {
		return Event{}, err
	}
	m := make(map[string]string, len(pairs))
	for _, p := range pairs {
		v, err := ynode.Scalar(name, field+"."+p.Key, p.Value)
		if err != nil {
			return Event{}, err
		}
		if _, dup := m[p.Key]; dup {
			return Event{}, ynode.Errorf(name, p.KeyN, field+"."+p.Key, "given twice")
		}
		m[p.Key] = v
	}
	e, err := eventFromMap(m)
	if err != nil {
		return Event{}, ynode.Errorf(name, en, field, "%v", err)
	}
	return e, nil
}

func eventFromJSON(line []byte) (Event, error) {
	dec := json.NewDecoder(bytes.NewReader(line))
	dec.UseNumber()
	var raw map[string]any
	if err := dec.Decode(&raw); err != nil {
		return Event{}, fmt.Errorf("not a JSON object (cut short?): %v", err)
	}
	if dec.More() {
		return Event{}, errors.New("more than one JSON value on the line")
	}
	m := make(map[string]string, len(raw))
	for k, v := range raw {
		switch v := v.(type) {
		case string:
			m[k] = v
		case json.Number:
			m[k] = v.String()
		case bool:
			m[k] = strconv.FormatBool(v)
		default:
			return Event{}, fmt.Errorf("%s: want a string, number or boolean, got %T", k, v)
		}
	}
	return eventFromMap(m)
}

// eventKeys are the fields an event line may hold.
var eventKeys = map[string]bool{
	"t": true, "kind": true, "app": true, "worker": true, "iteration": true, "step": true, "target": true, "op": true,
	"operation": true, "attempt": true, "attempts": true, "outcome": true, "error": true, "took": true, "log": true,
	"stale": true, "delay": true, "notice": true, "name": true, "from": true, "to": true, "change": true, "detail": true,
	"why": true, "try": true, "command": true, "topic": true, "message": true, "event": true, "status": true,
	"answer": true, "body": true, "code": true, "result": true, "deliveries": true, "deadLetter": true,
}

func eventFromMap(m map[string]string) (Event, error) {
	var e Event
	var unknown []string
	for k := range m {
		if !eventKeys[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		// The first in sorted order, so the message does not depend on
		// map order.
		return e, fmt.Errorf("%s: unknown event field", slices.Min(unknown))
	}
	var err error
	get := func(k string) string { return m[k] }
	if e.T, err = time.ParseDuration(get("t")); err != nil {
		return e, fmt.Errorf("t: want a duration such as 26.013013s, got %q", get("t"))
	}
	k, ok := ParseKind(get("kind"))
	if !ok {
		return e, fmt.Errorf("kind: unknown %q", get("kind"))
	}
	e.Kind = k
	atoi := func(k string) int {
		s, ok := m[k]
		if !ok {
			return 0
		}
		n, perr := strconv.Atoi(s)
		if perr != nil && err == nil {
			err = fmt.Errorf("%s: want a whole number, got %q", k, s)
		}
		return n
	}
	dur := func(k string) time.Duration {
		s, ok := m[k]
		if !ok {
			return 0
		}
		d, perr := time.ParseDuration(s)
		if perr != nil && err == nil {
			err = fmt.Errorf("%s: want a duration, got %q", k, s)
		}
		return d
	}
	flag := func(k string) bool {
		s, ok := m[k]
		if !ok {
			return false
		}
		v, perr := strconv.ParseBool(s)
		if perr != nil && err == nil {
			err = fmt.Errorf("%s: want true or false, got %q", k, s)
		}
		return v
	}
	e.App, e.Target, e.Op, e.Operation = get("app"), get("target"), get("op"), get("operation")
	e.Worker, e.Iteration, e.Step = atoi("worker"), atoi("iteration"), atoi("step")
	e.Attempt, e.Attempts = atoi("attempt"), atoi("attempts")
	if s, ok := m["outcome"]; ok {
		if e.Outcome, ok = ParseOutcome(s); !ok {
			return e, fmt.Errorf("outcome: unknown %q", s)
		}
	}
	e.Error, e.Log = get("error"), get("log")
	e.Took, e.Delay = dur("took"), dur("delay")
	e.Notice, e.Stale = flag("notice"), flag("stale")
	e.Name, e.From, e.To, e.Change, e.Detail = get("name"), get("from"), get("to"), get("change"), get("detail")
	e.Why = get("why")
	e.Try, e.Command = atoi("try"), get("command")
	e.Topic, e.Message, e.EventID = get("topic"), get("message"), get("event")
	e.Status, e.Answer, e.Body, e.Code = atoi("status"), get("answer"), get("body"), get("code")
	e.Result, e.Deliveries, e.DeadLetter = get("result"), atoi("deliveries"), get("deadLetter")
	return e, err
}
