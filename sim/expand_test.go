package sim

import (
	"bytes"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/dapr-sim/sim/traces"
)

// eagerLine is how the engine built an app's line before it recorded the
// line as facts: every {i} replaced, then every {w}, then, for a step that
// reads, every {value} replaced by what it read.
func eagerLine(tmpl string, i, w int, reads bool, value string) string {
	if !strings.Contains(tmpl, "{") {
		return tmpl
	}
	s := strings.ReplaceAll(tmpl, "{i}", strconv.Itoa(i))
	s = strings.ReplaceAll(s, "{w}", strconv.Itoa(w))
	if reads {
		s = strings.ReplaceAll(s, "{value}", value)
	}
	return s
}

// templateForms are step log templates of every form: none, {i}, {w},
// {value}, together, repeated, and braces that are no placeholder.
var templateForms = []string{"", "{", "}", "{i", "{i}", "{w}", "{{i}}", "{{w}i}", "{i}{w}{i}", "order-{i}", `{"orderId":{i}}`,
	"Saving Order: { orderId: '{i}' }", "{x}", "{iw}", "{i}}", strings.Repeat("{i}-{w}/", 40),
	"{value}", "got {value}", "Getting Order: {value} ({i}/{w})", "{value}{value}", "{{value}}", "{value", "value}", "{val{i}ue}",
	"{valu}", "{VALUE}", "{ value}", "{value}{i}{w}", strings.Repeat("{value}.", 30)}

// TestExpandMatchesReplaceAll checks the one-pass expand against what it
// replaced: every {i} replaced, then every {w}.
func TestExpandMatchesReplaceAll(t *testing.T) {
	check := func(tmpl string, i, w int) {
		t.Helper()
		want := eagerLine(tmpl, i, w, false, "")
		if got := expand(tmpl, i, w); got != want {
			t.Fatalf("expand(%q, %d, %d) = %q, want %q", tmpl, i, w, got, want)
		}
	}
	for _, tmpl := range templateForms {
		for _, n := range [][2]int{{0, 0}, {1, 2}, {-3, 12345678901}, {86400, 7}} {
			check(tmpl, n[0], n[1])
		}
	}
	r := rand.New(rand.NewPCG(5, 6))
	for k := 0; k < 50000; k++ {
		check(randomTemplate(r), r.IntN(1000)-10, r.IntN(50))
	}
}

func randomTemplate(r *rand.Rand) string {
	parts := []string{"{", "}", "i", "w", "{i}", "{w}", "x", "é", " ", "{value}", "{val", "ue}", "value", "v"}
	var sb strings.Builder
	for j := r.IntN(10); j > 0; j-- {
		sb.WriteString(parts[r.IntN(len(parts))])
	}
	return sb.String()
}

// TestLazyLineMatchesEager holds an app line recorded as facts (the
// compiled template, iteration, worker and read value on the event) to the
// line the engine used to build when it recorded the event: through
// LogText, AppendLog, the trace's line (Describe, Recorded) and the
// sidecar log, the two events read the same.
func TestLazyLineMatchesEager(t *testing.T) {
	wording, err := traces.WordingFor("1.14")
	if err != nil {
		t.Fatal(err)
	}
	check := func(tmpl string, i, w int, reads bool, value string) {
		t.Helper()
		want := eagerLine(tmpl, i, w, reads, value)
		lazy := traces.Event{Kind: traces.Op, Outcome: traces.OK,
			AppLine: traces.AppLine{Template: traces.CompileLogTemplate(tmpl, reads), Iteration: i, Worker: w, Value: value}}
		eager := traces.Event{Kind: traces.Op, Outcome: traces.OK, Log: want}
		if got := lazy.LogText(); got != want {
			t.Fatalf("LogText of %q (i=%d w=%d reads=%v value=%q) = %q, want %q", tmpl, i, w, reads, value, got, want)
		}
		if got := string(lazy.AppendLog([]byte(">"))); got != ">"+want {
			t.Fatalf("AppendLog of %q (i=%d w=%d reads=%v value=%q) = %q, want %q", tmpl, i, w, reads, value, got, ">"+want)
		}
		if got, want := traces.Describe(&lazy), traces.Describe(&eager); got != want {
			t.Fatalf("Describe of %q (i=%d w=%d reads=%v value=%q) = %s, want %s", tmpl, i, w, reads, value, got, want)
		}
		if traces.Recorded(lazy) != traces.Recorded(eager) {
			t.Fatalf("Recorded of %q (i=%d w=%d reads=%v value=%q) = %+v, want %+v", tmpl, i, w, reads, value, traces.Recorded(lazy), traces.Recorded(eager))
		}
		for _, k := range []traces.Kind{traces.Op, traces.Deliver} {
			lazy.Kind, eager.Kind = k, k
			var lb, eb bytes.Buffer
			lw, ew := traces.NewLogWriter(&lb, wording), traces.NewLogWriter(&eb, wording)
			for _, pass := range []struct {
				w *traces.LogWriter
				e *traces.Event
			}{{lw, &lazy}, {ew, &eager}} {
				if err := pass.w.Record(pass.e); err != nil {
					t.Fatal(err)
				}
				if err := pass.w.Flush(); err != nil {
					t.Fatal(err)
				}
			}
			if lb.String() != eb.String() {
				t.Fatalf("the %s log of %q (i=%d w=%d reads=%v value=%q) = %q, want %q", k, tmpl, i, w, reads, value, lb.String(), eb.String())
			}
		}
	}
	values := []string{"", "x", `{"orderId":5}`, "{i}", "{value}", "{w}{", "é\n"}
	for _, tmpl := range templateForms {
		for _, n := range [][2]int{{0, 0}, {1, 2}, {-3, 12345678901}, {86400, 7}} {
			for _, v := range values {
				check(tmpl, n[0], n[1], true, v)
			}
			check(tmpl, n[0], n[1], false, "unread")
		}
	}
	r := rand.New(rand.NewPCG(7, 8))
	for k := 0; k < 20000; k++ {
		check(randomTemplate(r), r.IntN(1000)-10, r.IntN(50), r.IntN(2) == 0, values[r.IntN(len(values))])
	}
}
