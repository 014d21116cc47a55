package expect

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/dapr-sim/sim/internal/ynode"
	junit "github.com/joshdk/go-junit"
)

// report3 is TestReport's block: one assertion holds, one fails, one holds
// with a note.
func report3(t *testing.T) Report {
	t.Helper()
	docs, _ := ynode.Documents("s.yaml", []byte("expect:\n  - {breaker: cb-statestore, state: open, at: 27s}\n  - name: closed by then\n    breaker: cb-statestore\n    state: closed\n    at: 27s\n  - {breaker: cb, state: closed, at: 1s}\n"))
	as, err := Parse("s.yaml", docs[0].Content[1])
	if err != nil {
		t.Fatal(err)
	}
	return Evaluate(as, timeline())
}

var run3 = Run{File: "s.yaml", Name: "made up", Dapr: "1.16", Seed: 7}

// TestJUnitParses: a real consumer (joshdk/go-junit, the parser behind
// several CI report tools) reads the document back: one suite, a testcase
// per assertion in order, a failure for the one that does not hold with
// expected, actual and file:line in its message.
func TestJUnitParses(t *testing.T) {
	r := report3(t)
	var b strings.Builder
	if err := r.WriteJUnit(&b, run3); err != nil {
		t.Fatal(err)
	}
	suites, err := junit.Ingest([]byte(b.String()))
	if err != nil {
		t.Fatalf("go-junit cannot read the document: %v\n%s", err, b.String())
	}
	if len(suites) != 1 {
		t.Fatalf("%d suites, want 1", len(suites))
	}
	s := suites[0]
	if s.Name != "s.yaml" || s.Totals.Tests != 3 || s.Totals.Failed != 1 || s.Totals.Passed != 2 {
		t.Errorf("suite %q totals %+v, want s.yaml with 3 tests, 1 failed, 2 passed", s.Name, s.Totals)
	}
	if s.Properties["dapr"] != "1.16" || s.Properties["seed"] != "7" || s.Properties["scenario"] != "made up" {
		t.Errorf("properties %v", s.Properties)
	}
	wantNames := []string{"s.yaml:2: breaker cb-statestore is open at 27s", "s.yaml:3: closed by then", "s.yaml:7: breaker cb is closed at 1s"}
	for i, tc := range s.Tests {
		if i < len(wantNames) && tc.Name != wantNames[i] {
			t.Errorf("testcase %d named %q, want %q", i, tc.Name, wantNames[i])
		}
		if tc.Classname != "made up" {
			t.Errorf("testcase %d classname %q", i, tc.Classname)
		}
		failed := tc.Status == junit.StatusFailed
		if failed != (i == 1) {
			t.Errorf("testcase %d status %s", i, tc.Status)
		}
	}
	var f junit.Error
	if !errors.As(s.Tests[1].Error, &f) {
		t.Fatalf("the failing assertion has no failure element: %v", s.Tests[1].Error)
	}
	for _, want := range []string{"s.yaml:3", "expected closed at 27s", "actual open at 27s"} {
		if !strings.Contains(f.Message, want) {
			t.Errorf("failure message %q lacks %q", f.Message, want)
		}
	}
	if !strings.Contains(f.Body, "nearest:\n  {t: 26s, kind: breaker") || f.Type != "expectation" {
		t.Errorf("failure %s body %q: want the nearest events", f.Type, f.Body)
	}
	if !strings.Contains(s.Tests[2].SystemOut, `never changed state`) {
		t.Errorf("the note is not the passing case's output: %q", s.Tests[2].SystemOut)
	}
}

// TestJUnitAllPass: a report that holds has no failure element at all (a
// consumer that counts <failure> sees none).
func TestJUnitAllPass(t *testing.T) {
	r := report3(t)
	r.Verdicts = r.Verdicts[:1]
	r.Passed, r.Failed = 1, 0
	var b strings.Builder
	if err := r.WriteJUnit(&b, run3); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "<failure") {
		t.Errorf("a passing report has a failure element:\n%s", b.String())
	}
}

// TestJSONShape pins the check document's keys and order.
func TestJSONShape(t *testing.T) {
	r := report3(t)
	var b strings.Builder
	if err := r.WriteJSON(&b, run3); err != nil {
		t.Fatal(err)
	}
	want := `{
  "format": 1,
  "command": "check",
  "scenario": "s.yaml",
  "name": "made up",
  "dapr": "1.16",
  "seed": 7,
  "ok": false,
  "passed": 2,
  "failed": 1,
  "expectations": [
    {
      "file": "s.yaml",
      "line": 2,
      "description": "breaker cb-statestore is open at 27s",
      "ok": true,
      "expected": "open at 27s",
      "actual": "open (since closed->open at 26s)",
      "nearest": []
    },
    {
      "file": "s.yaml",
      "line": 3,
      "name": "closed by then",
      "description": "breaker cb-statestore is closed at 27s",
      "ok": false,
      "expected": "closed at 27s",
      "actual": "open at 27s (since closed->open at 26s)",
      "nearest": [
        "{t: 26s, kind: breaker, name: cb-statestore, from: closed, to: open}",
        "{t: 31s, kind: breaker, name: cb-statestore, from: open, to: half-open}",
        "{t: 31s, kind: breaker, name: cb-statestore, from: half-open, to: open}"
      ]
    },
    {
      "file": "s.yaml",
      "line": 7,
      "description": "breaker cb is closed at 1s",
      "ok": true,
      "expected": "closed at 1s",
      "actual": "closed (no transition before)",
      "note": "breaker \"cb\" never changed state in this run (breakers that did: cb-statestore)",
      "nearest": []
    }
  ]
}
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	if !json.Valid([]byte(b.String())) {
		t.Error("not valid JSON")
	}
}

// TestJUnitCDATAEnd: a failure whose text holds "]]>" (a log line can)
// still parses, and the body keeps it: the encoder splits the CDATA section.
func TestJUnitCDATAEnd(t *testing.T) {
	r := Report{Failed: 1, Verdicts: []Verdict{{
		Assertion: Assertion{File: "s.yaml", Line: 4, Name: "odd log"},
		Result:    Result{Expected: "a line", Actual: "x ]]> y", Nearest: []string{"1s  INFO[0001] a]]>b"}},
	}}}
	var b strings.Builder
	if err := r.WriteJUnit(&b, Run{File: "s.yaml"}); err != nil {
		t.Fatal(err)
	}
	suites, err := junit.Ingest([]byte(b.String()))
	if err != nil {
		t.Fatalf("%v\n%s", err, b.String())
	}
	var f junit.Error
	if len(suites) != 1 || len(suites[0].Tests) != 1 || !errors.As(suites[0].Tests[0].Error, &f) {
		t.Fatalf("no failure read back:\n%s", b.String())
	}
	if !strings.Contains(f.Body, "actual:   x ]]> y") || !strings.Contains(f.Body, "a]]>b") || suites[0].Tests[0].Classname != "s.yaml" {
		t.Errorf("body %q, classname %q", f.Body, suites[0].Tests[0].Classname)
	}
}

// TestJUnitControlCharacters: an item's name or a file name may hold
// control characters (YAML's "\x01"); XML 1.0 allows none of them, not
// even in CDATA, so the failure text writes them as the text report does
// (\x01) and the document stays well-formed.
func TestJUnitControlCharacters(t *testing.T) {
	r := Report{Failed: 1, Verdicts: []Verdict{{
		Assertion: Assertion{File: "s\x1b.yaml", Line: 4, Name: "bell\x01 tab\x0b done"},
		Result:    Result{Expected: "closed at 1s", Actual: "open"},
	}}}
	var b strings.Builder
	if err := r.WriteJUnit(&b, Run{File: "s\x1b.yaml", Name: "n\x02"}); err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(strings.NewReader(b.String()))
	for {
		_, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%q", err, b.String())
		}
	}
	if !strings.Contains(b.String(), `s\x1b.yaml:4: bell\x01 tab\v done`) {
		t.Errorf("the failure text does not escape as the text report does:\n%s", b.String())
	}
	if strings.Contains(b.String(), "\ufffd") {
		t.Errorf("a name lost to U+FFFD:\n%s", b.String())
	}
}
