package traces_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/dapr-sim/sim/internal/diag"
	"github.com/dapr-sim/sim/traces"
)

// A trace line longer than the limit is an error naming the file and the
// line, in both forms and on every path through the reader (the fast path,
// the header, the full-tree fallback), instead of bufio's "token too long"
// or the whole line held in memory (issue 11).
func TestReadLineLimit(t *testing.T) {
	defer traces.SetMaxLine(100)()
	long := strings.Repeat("x", 200)
	head := "format: 1\nsim: test\nname: t\ndapr: \"1.16\"\nseed: 1\nscenario: {}\nspec: {}\nevents:\n"
	for name, tc := range map[string]struct {
		data string
		line int
	}{
		"event line":   {head + "  - {t: 0s, kind: start}\n  - {t: 1s, kind: " + long + "}\n", 10},
		"header line":  {"format: 1\nname: " + long + "\nevents:\n", 2},
		"after a fall": {head + "  - {t: 0s, kind: start}\n  -\n    t: 1s\n# " + long + "\n", 12},
		"jsonl header": {`{"format":1,"name":"` + long + `"}` + "\n", 1},
		"jsonl event":  {`{"format":1,"sim":"test","name":"t","dapr":"1.16","seed":1,"scenario":{},"spec":{}}` + "\n" + `{"t":"0s","kind":"` + long + `"}` + "\n", 2},
	} {
		p := filepath.Join(t.TempDir(), "t.yaml")
		if err := os.WriteFile(p, []byte(tc.data), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := traces.ReadFile(p)
		var de *diag.Error
		if !errors.As(err, &de) || de.File != p || de.Line != tc.line || !strings.Contains(de.Msg, "line longer than 100 bytes") {
			t.Errorf("%s: got %v, want %s:%d: line longer than 100 bytes", name, err, p, tc.line)
		}
	}
}

// The writer refuses a line the reader would refuse: what sim writes, it
// can read back.
func TestWriteLineLimit(t *testing.T) {
	defer traces.SetMaxLine(100)()
	var b bytes.Buffer
	w, err := traces.NewTraceWriter(&b, traces.Header{Name: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Record(&traces.Event{App: strings.Repeat("a", 200)}); err == nil || !strings.Contains(err.Error(), "line longer than 100 bytes") {
		t.Errorf("Record of a 200-byte app name: %v, want line longer than 100 bytes", err)
	}
}

var lineLongErr = regexp.MustCompile(`^trace:([0-9]+): line longer than 64 bytes`)

// FuzzLineLimit: whatever a trace holds, with the line limit lowered to 64
// bytes, a "line longer" error points at a line that is longer, and a
// trace that reads has no such line before its end.
func FuzzLineLimit(f *testing.F) {
	for _, s := range []string{
		"format: 1\nevents:\n  - {t: 0s, kind: " + strings.Repeat("k", 80) + "}\n",
		"format: 1\nname: " + strings.Repeat("n", 100) + "\n",
		`{"format":1}` + "\n" + strings.Repeat(" ", 70) + "\n",
		"format: 1\nevents:\n  -\n    t: 0s\n" + strings.Repeat("#", 65),
		strings.Repeat("a", 64) + "\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		defer traces.SetMaxLine(64)()
		_, err := traces.Read(bytes.NewReader(data))
		if err == nil {
			return
		}
		m := lineLongErr.FindStringSubmatch(err.Error())
		if m == nil {
			return
		}
		n, _ := strconv.Atoi(m[1])
		// Line numbers count from the first non-blank byte.
		body := bytes.TrimLeft(data, " \t\r\n")
		lines := bytes.SplitAfter(body, []byte{'\n'})
		if n < 1 || n > len(lines) || len(bytes.TrimSuffix(lines[n-1], []byte{'\n'})) <= 64 {
			t.Fatalf("%v: line %d is not longer than 64 bytes", err, n)
		}
	})
}
