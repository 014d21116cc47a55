package traces

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"gopkg.in/yaml.v3"
)

func TestLogLineStamps(t *testing.T) {
	w, err := WordingFor("1.8")
	if err != nil {
		t.Fatal(err)
	}
	l := NewLogWriter(&bytes.Buffer{}, w)
	for _, tc := range []struct {
		name string
		ev   Event
		want string
	}{
		{"breaker truncates to whole seconds", Event{T: 26*time.Second + 999*time.Millisecond, Kind: Breaker, Name: "simpleCB-statestore", From: "closed", To: "open"},
			`INFO[0026] Circuit breaker "simpleCB-statestore" changed state from closed to open` + "\n"},
		{"zero", Event{T: 0, Kind: Breaker, Name: "b", From: "open", To: "half-open"}, `INFO[0000] Circuit breaker "b" changed state from open to half-open` + "\n"},
		{"past four digits", Event{T: 12345 * time.Second, Kind: Breaker, Name: "b", From: "half-open", To: "closed"}, `INFO[12345] Circuit breaker "b" changed state from half-open to closed` + "\n"},
		{"notice", Event{T: 6*time.Second + 9*time.Millisecond, Kind: Retry, Notice: true, Operation: "component[statestore] output", Delay: 5 * time.Second},
			"INFO[0006] Error processing operation component[statestore] output. Retrying...\n"},
		{"recovered", Event{T: 36 * time.Second, Kind: Recovered, Operation: "component[statestore] output", Attempts: 7},
			"INFO[0036] Recovered processing operation component[statestore] output.\n"},
		{"app line", Event{Kind: Op, Outcome: OK, Log: "Saving Order: { orderId: '5' }"}, "== APP == Saving Order: { orderId: '5' }\n"},
	} {
		got, ok := l.Line(&tc.ev)
		if !ok || got != tc.want {
			t.Errorf("%s: got %q (printed %v), want %q", tc.name, got, ok, tc.want)
		}
	}
	for _, silent := range []Event{
		{Kind: Retry, Notice: false},
		{Kind: Op, Outcome: Error, Log: "x"},
		{Kind: Op, Outcome: OK},
		{Kind: Call, Outcome: Error},
		{Kind: Fault, Target: "statestore", Change: "stop"},
		{Kind: Timeout},
		{Kind: Try, Outcome: Error, Error: "connect: connection refused"},
	} {
		if got, ok := l.Line(&silent); ok {
			t.Errorf("%+v printed %q, want nothing", silent, got)
		}
	}
}

func TestWordingByRelease(t *testing.T) {
	ev := func(k Kind) *Event {
		return &Event{T: 6 * time.Second, Kind: k, Notice: true, Operation: "component[statestore] output", Delay: 5 * time.Second, Attempts: 7}
	}
	for _, tc := range []struct{ version, retry, recovered string }{
		{"1.8", "INFO[0006] Error processing operation component[statestore] output. Retrying...", "INFO[0006] Recovered processing operation component[statestore] output."},
		{"1.9", "INFO[0006] Error processing operation component[statestore] output. Retrying...", "INFO[0006] Recovered processing operation component[statestore] output."},
		{"1.12", "INFO[0006] Error processing operation component[statestore] output. Retrying in 5s…", "INFO[0006] Recovered processing operation component[statestore] output."},
		{"1.13", "INFO[0006] Error processing operation component[statestore] output. Retrying in 5s…", "INFO[0006] Recovered processing operation component[statestore] output after 7 attempts"},
		{"1.14", "WARN[0006] Error processing operation component[statestore] output. Retrying in 5s…", "INFO[0006] Recovered processing operation component[statestore] output after 7 attempts"},
		{"1.16", "WARN[0006] Error processing operation component[statestore] output. Retrying in 5s…", "INFO[0006] Recovered processing operation component[statestore] output after 7 attempts"},
	} {
		w, err := WordingFor(tc.version)
		if err != nil {
			t.Fatal(err)
		}
		l := NewLogWriter(&bytes.Buffer{}, w)
		if got, _ := l.Line(ev(Retry)); got != tc.retry+"\n" {
			t.Errorf("%s retry: got %q, want %q", tc.version, got, tc.retry)
		}
		if got, _ := l.Line(ev(Recovered)); got != tc.recovered+"\n" {
			t.Errorf("%s recovered: got %q, want %q", tc.version, got, tc.recovered)
		}
	}
	if _, err := WordingFor("1.7"); err == nil || !strings.Contains(err.Error(), "1.8, 1.9, 1.10") {
		t.Errorf("unknown release: got %v, want an error listing the known ones in order", err)
	}
}

// TestTraceRoundTrip writes events of every kind, including strings YAML
// would misread if they were written plain, and reads them back with yaml.v3.
func TestTraceRoundTrip(t *testing.T) {
	tricky := []string{"", "yes", "no", "null", "true", "1.8", "0x10", "- dash", "a: b", "{i}", "[x]", "#c", "quote\"s", `back\slash`,
		"new\nline", "tab\there", "ünïcødé …", "component[statestore] output", "\x00\x7f", "\xff", "~", "@at", "`tick`", "a, b", "trailing ", " leading"}
	var events []Event
	for i, s := range tricky {
		events = append(events,
			Event{T: time.Duration(i) * 1001 * time.Microsecond, Kind: Op, App: s, Worker: i, Iteration: i + 1, Step: 2, Target: s, Op: "save", Attempts: 3, Outcome: Error, Error: s, Took: 5*time.Second + time.Nanosecond, Log: s},
			Event{T: time.Duration(i) * time.Second, Kind: Breaker, Name: s, From: "closed", To: "half-open"},
			Event{T: time.Duration(i) * time.Second, Kind: Call, App: "a", Iteration: 1, Step: 1, Target: "t", Op: "get", Attempt: 2, Outcome: Rejected, Error: s, Stale: i%3 == 0},
			Event{T: time.Duration(i) * time.Second, Kind: Retry, App: "a", Iteration: 1, Step: 1, Target: "t", Op: "get", Operation: s, Attempt: 1, Delay: 612345678 * time.Nanosecond, Notice: i%2 == 0},
			Event{T: time.Duration(i) * time.Second, Kind: Recovered, App: "a", Iteration: 1, Step: 1, Target: "t", Op: "get", Operation: s, Attempts: 7},
			Event{T: time.Duration(i) * time.Second, Kind: Timeout, App: "a", Iteration: 1, Step: 1, Target: "t", Op: "get", Attempt: 4},
			Event{T: time.Duration(i) * time.Second, Kind: Try, App: "a", Iteration: 1, Step: 1, Target: "t", Op: "get", Attempt: 2, Command: "HGETALL", Try: i%4 + 1, Outcome: Error, Error: s, Delay: 19779410 * time.Nanosecond},
			Event{T: time.Duration(i) * time.Second, Kind: Try, App: "a", Iteration: 1, Step: 1, Target: "t", Op: "get", Attempt: 2, Command: "GET", Try: 1, Outcome: OK},
			Event{T: time.Duration(i) * time.Second, Kind: Fault, Target: s, Change: "slow", Detail: s},
		)
	}
	var buf bytes.Buffer
	tw, err := NewTraceWriter(&buf, Header{Sim: "test", Name: "round trip", Dapr: "1.16", Seed: 7, Scenario: map[string]string{"a": "b"}})
	if err != nil {
		t.Fatal(err)
	}
	for i := range events {
		if err := tw.Record(&events[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := Read(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("read back: %v\n%s", err, buf.String())
	}
	// Invalid UTF-8 cannot survive YAML; the writer escapes it and yaml.v3
	// reads back the replacement character, so compare on the valid inputs.
	for i := range events {
		for _, p := range []*string{&events[i].App, &events[i].Target, &events[i].Error, &events[i].Log, &events[i].Name, &events[i].Operation, &events[i].Detail} {
			if *p == "\xff" {
				*p = "\u00ff"
			}
		}
	}
	if d := cmp.Diff(events, got.Events); d != "" {
		t.Errorf("events changed in the round trip (-wrote +read):\n%s", d)
	}
	if got.Seed != 7 || got.Dapr != "1.16" || got.Format != FormatVersion {
		t.Errorf("header: got %+v", got)
	}
}

func TestPlainScalarsReadBackAsStrings(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "aZ09-_./:{}[], #&*!|>'\"%@`yesnoYNtrue\\\n\t~"
	for i := 0; i < 5000; i++ {
		n := r.IntN(8)
		b := make([]byte, n)
		for j := range b {
			b[j] = alphabet[r.IntN(len(alphabet))]
		}
		s := string(b)
		doc := "{v: " + string(appendScalar(nil, s)) + "}"
		var m map[string]any
		if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
			t.Fatalf("%q written as %s: %v", s, doc, err)
		}
		if got, ok := m["v"].(string); !ok || got != s {
			t.Fatalf("%q written as %s read back as %#v", s, doc, m["v"])
		}
	}
}

func TestReadRefusesOtherFormats(t *testing.T) {
	_, err := Read(strings.NewReader("format: 2\nevents: []\n"))
	if err == nil || !strings.Contains(err.Error(), "this sim reads format 1") {
		t.Errorf("got %v, want a refusal naming format 1", err)
	}
}

func TestKindAndOutcomeNames(t *testing.T) {
	for k := Fault; k <= Redeliver; k++ {
		if got, ok := ParseKind(k.String()); !ok || got != k {
			t.Errorf("kind %d: %q parses to %v %v", k, k.String(), got, ok)
		}
	}
	for o := OK; o <= Rejected; o++ {
		if got, ok := ParseOutcome(o.String()); !ok || got != o {
			t.Errorf("outcome %d: %q parses to %v %v", o, o.String(), got, ok)
		}
	}
}
