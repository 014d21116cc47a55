package traces_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dapr-sim/sim/internal/diag"
	"github.com/dapr-sim/sim/sim"
	"github.com/dapr-sim/sim/traces"
	"github.com/google/go-cmp/cmp"
	"github.com/rogpeppe/go-internal/txtar"
)

// scenarioTrace runs the scenario at path and returns its trace in both
// forms; ok is false for a scenario that does not run.
func scenarioTrace(t testing.TB, path string) (yamlTrace, jsonlTrace []byte, ok bool) {
	t.Helper()
	sc, err := sim.LoadScenario(path)
	if err != nil {
		return nil, nil, false
	}
	setup, err := sim.Prepare(sc, sim.Overrides{})
	if err != nil {
		return nil, nil, false
	}
	write := func(newWriter func(io.Writer, traces.Header) (*traces.TraceWriter, error)) ([]byte, bool) {
		var buf bytes.Buffer
		tw, err := newWriter(&buf, setup.Header())
		if err != nil {
			t.Fatal(err)
		}
		eng := sim.NewEngine(setup, tw, sim.Options{})
		defer eng.Close()
		if err := eng.Run(); err != nil {
			return nil, false
		}
		if err := tw.Close(); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes(), true
	}
	y, ok1 := write(traces.NewTraceWriter)
	j, ok2 := write(traces.NewJSONLWriter)
	return y, j, ok1 && ok2
}

// scenarioFiles unpacks every golden scenario of sim and returns the
// scenario files, the quickstart last.
func scenarioFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("../sim/testdata/scenarios/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios: %v", err)
	}
	var out []string
	for _, file := range files {
		dir := filepath.Join(t.TempDir(), strings.TrimSuffix(filepath.Base(file), ".txtar"))
		ar, err := txtar.ParseFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range ar.Files {
			p := filepath.Join(dir, f.Name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, filepath.Join(dir, "scenario.yaml"))
	}
	return append(out, "../examples/quickstart/scenario.yaml")
}

// sameRead checks the streaming reader and the full decoder agree on data:
// the same trace, or the same error at the same line and column.
func sameRead(t *testing.T, what string, data []byte) (*traces.Trace, error) {
	t.Helper()
	got, gerr := traces.Read(bytes.NewReader(data))
	want, werr := traces.ReadTree(data)
	switch {
	case gerr != nil || werr != nil:
		if fmt.Sprint(gerr) != fmt.Sprint(werr) {
			t.Errorf("%s: streaming reader says\n  %v\nthe full decoder\n  %v", what, gerr, werr)
			return nil, gerr
		}
		var g, w *diag.Error
		if errors.As(gerr, &g) && errors.As(werr, &w) && *g != *w {
			t.Errorf("%s: errors at %d:%d and %d:%d, want the same position", what, g.Line, g.Col, w.Line, w.Col)
		}
		return nil, gerr
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("%s: streaming reader differs from the full decoder (-full +stream):\n%s", what, d)
	}
	return got, nil
}

// Every golden scenario's trace, in both forms, reads the same streamed as
// decoded whole — through the fast paths, never falling back.
func TestStreamMatchesFullDecode(t *testing.T) {
	for _, path := range scenarioFiles(t) {
		name := filepath.Base(filepath.Dir(path))
		y, j, ok := scenarioTrace(t, path)
		if !ok {
			continue
		}
		for form, data := range map[string][]byte{"yaml": y, "jsonl": j} {
			tr, err := sameRead(t, name+"."+form, data)
			if err != nil {
				t.Errorf("%s.%s: %v", name, form, err)
				continue
			}
			r, err := traces.NewReader("trace", bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			if err := r.Drain(); err != nil {
				t.Fatal(err)
			}
			if traces.FellBack(r) {
				t.Errorf("%s.%s: the writer's own trace fell back to the full decoder", name, form)
			}
			if len(tr.Events) == 0 && name != "quickstart" {
				continue
			}
		}
	}
}

func quickstartTraces(t *testing.T) (y, j []byte) {
	t.Helper()
	y, j, ok := scenarioTrace(t, "../examples/quickstart/scenario.yaml")
	if !ok {
		t.Fatal("the quickstart does not run")
	}
	return y, j
}

// Tampered traces — the edits replay's scripts make and more — read the
// same streamed as decoded whole: the same events, or the same error.
func TestStreamMatchesFullDecodeTampered(t *testing.T) {
	y, j := quickstartTraces(t)
	ys, js := string(y), string(j)
	edits := []struct{ name, old, new string }{
		{"time", "{t: 26.405988957s, kind: breaker", "{t: 26.405988958s, kind: breaker"},
		{"field", "attempt: 4, outcome: error", "attempt: 4, outcome: ok"},
		{"unknown field", "attempt: 4, outcome: error", "attempt: 4, outcome: error, colour: red"},
		{"field twice", "attempt: 4, outcome: error", "attempt: 4, attempt: 4, outcome: error"},
		{"bad kind", "kind: breaker", "kind: breakr"},
		{"bad outcome", "outcome: error", "outcome: meh"},
		{"bad duration", "{t: 26.405988957s", "{t: 26.405988957"},
		{"bad number", "worker: 0", "worker: zero"},
		{"negative number", "worker: 0", "worker: -1"},
		{"number in hex", "worker: 0", "worker: 0x0"},
		{"quoted number", "worker: 0", `worker: "0"`},
		{"single quotes", "op: save", "op: 'save'"},
		{"empty value", "op: save", "op: "},
		{"null value", "op: save", "op: ~"},
		{"list value", "op: save", "op: [save]"},
		{"mapping value", "op: save", "op: {a: b}"},
		{"no t", "{t: 26.405988957s, kind: breaker, ", "{kind: breaker, "},
		{"empty mapping", "{t: 6s, kind: fault, target: statestore, change: stop}", "{}"},
		{"escape", `error: "connect: connection refused"`, `error: "connect:\u0020connection\x20refused"`},
		{"bad escape", `error: "connect: connection refused"`, `error: "connect: \q"`},
		{"tab in quotes", `error: "connect: connection refused"`, "error: \"connect:\tconnection refused\""},
		{"NEL in quotes", `error: "connect: connection refused"`, "error: \"connect:\u0085connection refused\""},
		{"LS in quotes", `error: "connect: connection refused"`, "error: \"connect:\u2028connection refused\""},
		{"emoji", `error: "connect: connection refused"`, "error: \"connect: 🔌 refused\""},
		{"not UTF-8", `error: "connect: connection refused"`, "error: \"connect: \xff refused\""},
		{"control character", `error: "connect: connection refused"`, "error: \"connect: \x01 refused\""},
		{"trailing comment", "change: stop}\n", "change: stop} # stopped\n"},
		{"trailing space", "change: stop}\n", "change: stop} \n"},
		{"CRLF", "change: stop}\n", "change: stop}\r\n"},
		{"comment line", "  - {t: 26.405988957s, kind: breaker", "  # the trip\n  - {t: 26.405988957s, kind: breaker"},
		{"comment line not ASCII", "  - {t: 26.405988957s, kind: breaker", "  # the trip …\n  - {t: 26.405988957s, kind: breaker"},
		{"blank line", "  - {t: 26.405988957s, kind: breaker", "\n  - {t: 26.405988957s, kind: breaker"},
		{"block mapping", "  - {t: 6s, kind: fault, target: statestore, change: stop}",
			"  - t: 6s\n    kind: fault\n    target: statestore\n    change: stop"},
		{"flow mapping over two lines", "  - {t: 26.405988957s, kind: breaker, name: simpleCB-statestore, ",
			"  - {t: 26.405988957s, kind: breaker,\n     name: simpleCB-statestore, "},
		{"plain scalar continued", "change: stop}\n", "change: stop}\n    more\n"},
		{"column 0 entry", "  - {t: 26.405988957s, kind: breaker", "- {t: 26.405988957s, kind: breaker"},
		{"deeper entry", "  - {t: 26.405988957s, kind: breaker", "    - {t: 26.405988957s, kind: breaker"},
		{"anchor and alias", "target: statestore, change: stop}", "target: &st statestore, change: stop}\n  - {t: 6s, kind: fault, target: *st, change: stop}"},
		{"tag", "op: save", "op: !!str save"},
		{"key after events", "events:\n", "events:\n  - {t: 0s, kind: fault, target: statestore, change: stop}\nseed: 1\nlater:\n"},
		{"second document", "change: stop}\n", "change: stop}\n---\nformat: 1\n"},
		{"document end", "change: stop}\n", "change: stop}\n...\n"},
		{"events empty list", "events:\n", "events: []\n"},
		{"events not last", "events:\n", "x: 1\nevents:\n"},
		{"dash-only line", "change: stop}\n", "change: stop}\n  -\n"},
		{"plain with colon", "op: save", "op: save:x"},
		{"plain starting with dot", "op: save", "op: .save"},
		{"plain with space", "op: save", "op: save it"},
		{"micro sign", "took: 1.001ms", "took: 1001µs"},
		{"keys upper case", "op: save", "Op: save"},
	}
	for _, e := range edits {
		if !strings.Contains(ys, e.old) {
			t.Fatalf("%s: %q not in the trace", e.name, e.old)
		}
		sameRead(t, e.name, []byte(strings.Replace(ys, e.old, e.new, 1)))
		// The same edit on the last event line too (the fallback has no
		// line after it).
		lines := strings.SplitAfter(strings.TrimSuffix(ys, "\n"), "\n")
		last := lines[len(lines)-1]
		for _, repl := range []struct{ old, new string }{{"outcome: ok", "outcome: meh"}, {"}", "} # c"}, {"step: 2", "step: [2]"}} {
			sameRead(t, e.name+" (last line)", []byte(strings.Join(lines[:len(lines)-1], "")+strings.Replace(last, repl.old, repl.new, 1)))
		}
	}
	jedits := []struct{ name, old, new string }{
		{"time", `"t":"26.405988957s","kind":"breaker"`, `"t":"26.405988958s","kind":"breaker"`},
		{"unknown field", `"kind":"breaker"`, `"kind":"breaker","colour":"red"`},
		{"field twice", `"kind":"breaker"`, `"kind":"breaker","kind":"breaker"`},
		{"spaces", `"kind":"breaker"`, `"kind": "breaker"`},
		{"number as string field", `"op":"save"`, `"op":5`},
		{"float", `"worker":0`, `"worker":0.0`},
		{"exponent", `"worker":0`, `"worker":0e0`},
		{"leading zero", `"worker":0`, `"worker":00`},
		{"null", `"op":"save"`, `"op":null`},
		{"false", `"op":"save"`, `"op":false`},
		{"object", `"op":"save"`, `"op":{}`},
		{"escapes", `"op":"save"`, `"op":"s\u0061v\/e\n\t\r\b\f"`},
		{"surrogate escape", `"op":"save"`, `"op":"\ud83d\udd0c"`},
		{"not UTF-8", `"op":"save"`, "\"op\":\"sa\xffve\""},
		{"two values", `"change":"stop"}`, `"change":"stop"}{}`},
		{"trailing comma", `"change":"stop"}`, `"change":"stop",}`},
		{"CRLF", "\"change\":\"stop\"}\n", "\"change\":\"stop\"}\r\n"},
		{"blank line", "\"change\":\"stop\"}\n", "\"change\":\"stop\"}\n\n  \n"},
		{"cut", "\"change\":\"stop\"}\n", "\"change\":\"st\n"},
	}
	for _, e := range jedits {
		if !strings.Contains(js, e.old) {
			t.Fatalf("%s: %q not in the trace", e.name, e.old)
		}
		sameRead(t, "jsonl "+e.name, []byte(strings.Replace(js, e.old, e.new, 1)))
	}
	// Cut at every byte of the last lines, and at every 97th byte before.
	for _, data := range [][]byte{y, j} {
		tail := bytes.LastIndexByte(data[:len(data)-300], '\n')
		for n := 0; n < len(data); n++ {
			if n > tail || n%293 == 0 {
				sameRead(t, fmt.Sprintf("cut at %d", n), data[:n])
			}
		}
	}
	// Random single-byte edits in the events.
	r := rand.New(rand.NewPCG(3, 4))
	alphabet := []byte("az09 :,{}[]\"'\\-#&*!|>%@`\n\t\xc2\xb5\xff")
	for _, data := range [][]byte{y, j} {
		start := bytes.Index(data, []byte("\n  - {"))
		if start < 0 {
			start = bytes.IndexByte(data, '\n')
		}
		for i := 0; i < 400; i++ {
			d := append([]byte(nil), data...)
			p := start + r.IntN(len(d)-start)
			d[p] = alphabet[r.IntN(len(alphabet))]
			sameRead(t, fmt.Sprintf("byte %d set to %q", p, d[p]), d)
		}
	}
}

// A hand-edited trace with its events as block mappings (from the start, or
// from the middle on) goes through the full decoder and reads the same
// events as the writer's layout.
func TestStreamFallsBackOnHandEditedLayout(t *testing.T) {
	y, _ := quickstartTraces(t)
	want, err := traces.Read(bytes.NewReader(y))
	if err != nil {
		t.Fatal(err)
	}
	block := func(line string) string {
		body := strings.TrimSuffix(strings.TrimPrefix(line, "  - {"), "}")
		// Values in this trace hold ", " only inside quotes; split outside.
		var fields []string
		inQuote := false
		startF := 0
		for i := 0; i < len(body); i++ {
			switch {
			case body[i] == '"' && (i == 0 || body[i-1] != '\\'):
				inQuote = !inQuote
			case !inQuote && strings.HasPrefix(body[i:], ", "):
				fields = append(fields, body[startF:i])
				startF = i + 2
			}
		}
		fields = append(fields, body[startF:])
		return "  - " + strings.Join(fields, "\n    ")
	}
	lines := strings.Split(strings.TrimSuffix(string(y), "\n"), "\n")
	first := 0
	for i, l := range lines {
		if l == "events:" {
			first = i + 1
		}
	}
	for _, from := range []int{first, first + 40, len(lines) - 1} {
		edited := append([]string(nil), lines[:from]...)
		for _, l := range lines[from:] {
			edited = append(edited, block(l))
		}
		data := []byte(strings.Join(edited, "\n") + "\n")
		r, err := traces.NewReader("trace", bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		var got []traces.Event
		for e, err := range r.Events() {
			if err != nil {
				t.Fatalf("block mappings from line %d: %v", from+1, err)
			}
			got = append(got, e)
		}
		if !traces.FellBack(r) {
			t.Errorf("block mappings from line %d: no fallback", from+1)
		}
		if d := cmp.Diff(want.Events, got); d != "" {
			t.Errorf("block mappings from line %d: events differ (-writer's layout +hand-edited):\n%s", from+1, d)
		}
		sameRead(t, fmt.Sprintf("block mappings from line %d", from+1), data)
		// An error after the fallback still names its own line.
		bad := bytes.Replace(data, []byte("\n    outcome: ok\n"), []byte("\n    outcome: okay\n"), 1)
		if _, err := sameRead(t, "bad value after the fallback", bad); err == nil {
			t.Errorf("block mappings from line %d: the bad outcome is not reported", from+1)
		}
	}
}

// sliceSource yields events from a slice, then io.EOF, or err at failAt.
type sliceSource struct {
	events []traces.Event
	i      int
	failAt int
	err    error
}

func (s *sliceSource) Next() (traces.Event, error) {
	if s.err != nil && s.i == s.failAt {
		return traces.Event{}, s.err
	}
	if s.i >= len(s.events) {
		return traces.Event{}, io.EOF
	}
	s.i++
	return s.events[s.i-1], nil
}

// The Comparer finds what Compare finds, holding only the last few events;
// with Stop it stops the run at the difference; a problem reading the
// trace wins over a difference.
func TestComparerMatchesCompare(t *testing.T) {
	_, j := quickstartTraces(t)
	tr, err := traces.Read(bytes.NewReader(j))
	if err != nil {
		t.Fatal(err)
	}
	base := tr.Events
	edit := func(f func(e []traces.Event) []traces.Event) []traces.Event {
		return f(append([]traces.Event(nil), base...))
	}
	cases := map[string][2][]traces.Event{
		"identical":      {base, base},
		"empty":          {nil, nil},
		"first":          {edit(func(e []traces.Event) []traces.Event { e[0].T++; return e }), base},
		"second":         {edit(func(e []traces.Event) []traces.Event { e[1].Outcome = traces.Rejected; return e }), base},
		"middle":         {edit(func(e []traces.Event) []traces.Event { e[60].App = "x"; return e }), base},
		"swapped":        {edit(func(e []traces.Event) []traces.Event { e[25], e[26] = e[26], e[25]; return e }), base},
		"trace short":    {base[:100], base},
		"trace empty":    {nil, base},
		"replay short":   {base, base[:100]},
		"replay empty":   {base, nil},
		"unwritten":      {base, edit(func(e []traces.Event) []traces.Event { e[25].Stale, e[0].Worker = true, 9; return e })},
		"last differs":   {edit(func(e []traces.Event) []traces.Event { e[len(e)-1].Took++; return e }), base},
		"both then diff": {edit(func(e []traces.Event) []traces.Event { e[2].T++; e[50].T++; return e }), base},
	}
	for name, c := range cases {
		want := traces.Compare(c[0], c[1])
		for _, stop := range []bool{false, true} {
			cmpr := traces.NewComparer(&sliceSource{events: c[0]})
			cmpr.Stop = stop
			recorded := 0
			for i := range c[1] {
				if err := cmpr.Record(&c[1][i]); err != nil {
					if !stop || !errors.Is(err, traces.ErrDiverged) {
						t.Fatalf("%s: Record: %v", name, err)
					}
					break
				}
				recorded++
			}
			got, err := cmpr.Finish()
			if err != nil {
				t.Fatalf("%s: Finish: %v", name, err)
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("%s (stop %v): Comparer differs from Compare (-Compare +Comparer):\n%s", name, stop, d)
			}
			if want == nil {
				if d := cmp.Diff(traces.Summarize(c[0]), cmpr.Summary()); d != "" {
					t.Errorf("%s: summary (-Summarize +Comparer):\n%s", name, d)
				}
			}
			if stop && want != nil && want.Got != nil && recorded != want.Index {
				t.Errorf("%s: %d events recorded before the stop, want %d", name, recorded, want.Index)
			}
		}
	}
	// A read problem after a difference is what is reported.
	bad := &diag.Error{File: "t.yaml", Line: 90, Msg: "malformed"}
	cmpr := traces.NewComparer(&sliceSource{events: cases["middle"][0], failAt: 80, err: bad})
	for i := range base {
		if err := cmpr.Record(&base[i]); err != nil {
			if !errors.Is(err, bad) {
				t.Fatalf("Record: %v, want the read problem", err)
			}
			break
		}
	}
	if d, err := cmpr.Finish(); !errors.Is(err, bad) || d != nil {
		t.Errorf("Finish: %v %v, want the read problem and no divergence", d, err)
	}
	cmpr = traces.NewComparer(&sliceSource{events: cases["middle"][0], failAt: len(base) - 1, err: bad})
	for i := range base {
		cmpr.Record(&base[i])
	}
	if d, err := cmpr.Finish(); !errors.Is(err, bad) || d != nil {
		t.Errorf("Finish after a late read problem: %v %v, want the read problem and no divergence", d, err)
	}
}

// FuzzStreamMatchesFullDecode: whatever the bytes, the streaming reader and
// the full decoder agree.
func FuzzStreamMatchesFullDecode(f *testing.F) {
	y, j, ok := scenarioTrace(f, "../examples/quickstart/scenario.yaml")
	if !ok {
		f.Fatal("the quickstart does not run")
	}
	f.Add(y)
	f.Add(j)
	f.Add([]byte("format: 1\nevents:\n  - {t: 1s, kind: fault, target: s, change: stop}\n"))
	// Every field of the pub/sub delivery events (issue 14), in both forms.
	f.Add(writeTrace(f, false, deliveryEvents()))
	f.Add(writeTrace(f, true, deliveryEvents()))
	f.Fuzz(func(t *testing.T, data []byte) {
		sameRead(t, "fuzz", data)
	})
}
