package policies

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dapr-sim/sim/internal/diag"
	"github.com/dapr-sim/sim/policies/retry"
)

func TestParseEditPath(t *testing.T) {
	tests := []struct {
		path                 string
		section, name, field string
		err                  string // a part of the message; "" = valid
	}{
		{path: "retries.retryForever.duration", section: "retries", name: "retryForever", field: "duration"},
		{path: "retries.r.maxRetries", section: "retries", name: "r", field: "maxRetries"},
		{path: "retries.r.matching.httpStatusCodes", section: "retries", name: "r", field: "matching.httpStatusCodes"},
		{path: "retries.my.dotted.name.policy", section: "retries", name: "my.dotted.name", field: "policy"},
		{path: "circuitBreakers.cb.trip", section: "circuitBreakers", name: "cb", field: "trip"},
		{path: "timeouts.general", section: "timeouts", name: "general"},
		{path: "timeouts.a.b", section: "timeouts", name: "a.b"},
		{path: "retry.r.duration", err: `unknown section "retry": want retries, timeouts or circuitBreakers (did you mean "retries"?)`},
		{path: "circuitbreakers.cb.trip", err: `(did you mean "circuitBreakers"?)`},
		{path: "policies.r.duration", err: `unknown section "policies"`},
		{path: "retries.r.duraton", err: `a retry policy has no field "duraton" (did you mean "duration"?)`},
		{path: "circuitBreakers.cb.timout", err: `(did you mean "timeout"?)`},
		{path: "circuitBreakers.cb.colour", err: `the fields are maxRequests, interval, timeout, trip`},
		{path: "retries.r", err: "want retries.NAME.FIELD"},
		{path: "retries.duration", err: "want retries.NAME.FIELD"},
		{path: "retries.r.matching", err: "matching is a mapping"},
		{path: "retries.r.initialInterval", section: "retries", name: "r", field: "initialInterval"},
		{path: "retries.a.duration.multiplier", section: "retries", name: "a.duration", field: "multiplier"},
		{path: "timeouts", err: "want timeouts.NAME"},
	}
	for _, tt := range tests {
		e, err := ParseEditPath(tt.path)
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("ParseEditPath(%q) error = %v, want one containing %q", tt.path, err, tt.err)
		case tt.err == "" && err != nil:
			t.Errorf("ParseEditPath(%q): %v", tt.path, err)
		case tt.err == "" && (e.Section != tt.section || e.Name != tt.name || e.Field != tt.field):
			t.Errorf("ParseEditPath(%q) = %+v, want %s / %s / %s", tt.path, e, tt.section, tt.name, tt.field)
		case tt.err == "" && e.Path() != tt.path:
			t.Errorf("ParseEditPath(%q).Path() = %q", tt.path, e.Path())
		}
	}
}

const editDoc = `apiVersion: dapr.io/v1alpha1
kind: Resiliency
metadata:
  name: r
spec:
  policies:
    timeouts:
      general: 5s
    retries:
      shared: &r
        policy: constant
        Duration: 5s
      alias: *r
      bare:
      codes:
        policy: constant
        matching:
          gRPCStatusCodes: "1-4"
    circuitBreakers:
      cb:
        maxRequests: 1
        timeout: 5s
        trip: consecutiveFailures >= 5
  targets:
    components:
      statestore:
        outbound:
          retry: shared
          circuitBreaker: cb
`

// loadEdited writes files into a folder and loads it for app "app" with
// edits made through the flag "--set".
func loadEdited(t *testing.T, v string, files map[string]string, edits ...string) (*Spec, []diag.Warning, error) {
	t.Helper()
	dir := t.TempDir()
	for name, doc := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var es []Edit
	for _, s := range edits {
		path, value, _ := strings.Cut(s, "=")
		e, err := ParseEditPath(path)
		if err != nil {
			t.Fatalf("ParseEditPath(%q): %v", path, err)
		}
		e.Value, e.Flag = value, "--set"
		es = append(es, e)
	}
	p, err := ProfileFor(v)
	if err != nil {
		t.Fatal(err)
	}
	s, ws, err := LoadEdited([]string{dir}, "app", p, es)
	// Messages name the folder the test made; keep only the file name.
	for i := range ws {
		ws[i].File = filepath.Base(ws[i].File)
	}
	return s, ws, err
}

func TestLoadEditedSetsFields(t *testing.T) {
	s, _, err := loadEdited(t, "1.16", map[string]string{"r.yaml": editDoc},
		"retries.shared.duration=2s", "retries.bare.maxRetries=3", "timeouts.general=750",
		"circuitBreakers.cb.trip=consecutiveFailures > 2 || requests > 9",
		"circuitBreakers.cb.maxRequests=4", "retries.codes.matching.httpStatusCodes='500-599,404'")
	if err != nil {
		t.Fatal(err)
	}
	// Duration replaces the key spelt Duration (Dapr matches keys in any case).
	if got := s.Retries["shared"].Duration; got != 2*time.Second {
		t.Errorf("shared.duration = %v, want 2s", got)
	}
	// An edit of one policy does not reach another through their anchor.
	if got := s.Retries["alias"].Duration; got != 5*time.Second {
		t.Errorf("alias.duration = %v, want 5s (the anchor's)", got)
	}
	// A policy written with no body gets the field; the rest are defaults.
	if got := s.Retries["bare"]; got.MaxRetries != 3 || got.Duration != retry.Default("").Duration {
		t.Errorf("bare = %+v, want maxRetries 3 and the default duration", got)
	}
	// A bare number is milliseconds, as in a file.
	if got := s.Timeouts["general"]; got != 750*time.Millisecond {
		t.Errorf("timeouts.general = %v, want 750ms", got)
	}
	cb := s.CircuitBreakers["cb"]
	if cb.Trip == nil || cb.Trip.Source != "consecutiveFailures > 2 || requests > 9" || cb.MaxRequests != 4 || cb.Timeout != 5*time.Second {
		t.Errorf("cb = %+v", cb)
	}
	// A nested field joins the file's sibling keys.
	m := s.Retries["codes"].Matching
	if m == nil || len(m.HTTPStatusCodes) != 2 || len(m.GRPCStatusCodes) != 1 {
		t.Errorf("codes.matching = %+v, want the quoted list's 2 HTTP ranges and the file's gRPC range", m)
	}
}

func TestLoadEditedUnchangedWithoutEdits(t *testing.T) {
	a, wa, err := loadEdited(t, "1.16", map[string]string{"r.yaml": editDoc})
	if err != nil {
		t.Fatal(err)
	}
	if a.Retries["shared"].Duration != 5*time.Second || len(wa) == 0 {
		t.Errorf("no edits: shared = %+v, warnings %v", a.Retries["shared"], wa)
	}
}

func TestLoadEditedErrors(t *testing.T) {
	tests := []struct {
		name, edit, want string
	}{
		{"a bad duration names the flag, path and value", "retries.shared.duration=5x",
			`--set retries.shared.duration=5x: want a duration such as "5s" (a bare number means milliseconds), got "5x"`},
		{"a bad number", "circuitBreakers.cb.maxRequests=-1",
			`--set circuitBreakers.cb.maxRequests=-1: want a whole number from 0 to 4294967295, got -1`},
		{"a bad policy kind", "retries.shared.policy=linear",
			`--set retries.shared.policy=linear: want constant or exponential, got "linear"`},
		{"a bad trip", "circuitBreakers.cb.trip=requests >",
			`--set circuitBreakers.cb.trip=requests >: invalid CEL expression`},
		{"not a scalar", "retries.shared.maxRetries=[3]",
			`--set retries.shared.maxRetries=[3]: want a whole number, got "[3]"`},
		{"an unknown policy", "retries.sahred.duration=1s",
			`--set retries.sahred.duration: no retry policy named "sahred" in the resources (did you mean "shared"?)`},
		{"an unknown breaker", "circuitBreakers.nope.timeout=1s",
			`--set circuitBreakers.nope.timeout: no circuit breaker named "nope" in the resources`},
		{"a timeout addressed like a field", "timeouts.general.duration=1s",
			`(a timeout is a bare duration: write timeouts.general=VALUE)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := loadEdited(t, "1.16", map[string]string{"r.yaml": editDoc}, tt.edit)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want one containing %q", err, tt.want)
			}
			var l diag.List
			if !asList(err, &l) || l[0].Line != 0 || l[0].File != "" {
				t.Errorf("error %#v: want a diag.List naming no file line", err)
			}
		})
	}
}

func asList(err error, l *diag.List) bool {
	v, ok := err.(diag.List)
	*l = v
	return ok && len(v) > 0
}

func TestLoadEditedScopedOut(t *testing.T) {
	other := strings.Replace(editDoc, "  name: r\n", "  name: r\nscopes: [other]\n", 1)
	_, _, err := loadEdited(t, "1.16", map[string]string{"r.yaml": other}, "retries.shared.duration=1s")
	want := `--set retries.shared.duration: retry policy "shared" is defined only in resources scoped to other apps than "app"`
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("error = %v, want %q", err, want)
	}
}

// Dapr 1.8 loads no Resiliency without the feature flag: an edit would
// change nothing, and saying so beats a sweep of identical rows.
func TestLoadEditedFeatureOff(t *testing.T) {
	_, _, err := loadEdited(t, "1.8", map[string]string{"r.yaml": editDoc}, "retries.shared.duration=1s")
	want := "--set retries.shared.duration: Dapr 1.8 loads no Resiliency here (see the warning about its Configuration), so this changes nothing"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}

func TestLoadEditedLaterResourceWins(t *testing.T) {
	// Both files define shared; the later one is what Dapr runs, and the
	// edit reaches it.
	later := strings.Replace(editDoc, "Duration: 5s", "duration: 7s", 1)
	s, _, err := loadEdited(t, "1.16", map[string]string{"a.yaml": editDoc, "b.yaml": later}, "retries.shared.maxRetries=2")
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Retries["shared"]; got.Duration != 7*time.Second || got.MaxRetries != 2 {
		t.Errorf("shared = %+v, want b.yaml's 7s with maxRetries 2", got)
	}
}

func TestLoadEditedWarnings(t *testing.T) {
	tests := []struct {
		v, edit, want string
	}{
		// Found by the parser, at the edited node.
		{"1.16", "retries.shared.maxInterval=3s", "warning: --set retries.shared.maxInterval=3s: has no effect on a constant policy: Dapr waits duration (5s) between attempts"},
		// Found by Build, from the line the parser recorded.
		{"1.8", "retries.shared.maxRetries=0", "warning: --set retries.shared.maxRetries=0: Dapr 1.8 drops maxRetries: 0"},
		// About the file's key, not the edit: it stays at its line.
		{"1.16", "retries.shared.policy=exponential", "r.yaml:12: warning: spec.policies.retries.shared.duration: has no effect on an exponential policy"},
	}
	for _, tt := range tests {
		conf := "apiVersion: dapr.io/v1alpha1\nkind: Configuration\nmetadata:\n  name: c\nspec:\n  features:\n    - name: Resiliency\n      enabled: true\n"
		_, ws, err := loadEdited(t, tt.v, map[string]string{"r.yaml": editDoc, "c.yaml": conf}, tt.edit)
		if err != nil {
			t.Fatal(err)
		}
		var lines []string
		found := false
		for _, w := range ws {
			lines = append(lines, w.String())
			found = found || strings.Contains(w.String(), tt.want)
			if w.Line < 0 {
				t.Errorf("%s: a warning kept the edit's marker line: %v", tt.edit, w)
			}
		}
		if !found {
			t.Errorf("%s: warnings\n%s\nwant one containing %q", tt.edit, strings.Join(lines, "\n"), tt.want)
		}
	}
}

func TestValueNode(t *testing.T) {
	tests := []struct{ text, tag, value string }{
		{"5s", "!!str", "5s"},
		{"-1", "!!int", "-1"},
		{"1.5", "!!float", "1.5"},
		{"'500-599,404'", "!!str", "500-599,404"},
		{`"a, b"`, "!!str", "a, b"},
		{"consecutiveFailures >= 5", "!!str", "consecutiveFailures >= 5"},
		// Not one scalar as a file's value: kept whole, never cut short.
		{`"a" == "b"`, "!!str", `"a" == "b"`},
		{"5s # a comment", "!!str", "5s # a comment"},
		{"[5s]", "!!str", "[5s]"},
		{"a: b", "!!str", "a: b"},
	}
	for _, tt := range tests {
		n := valueNode(tt.text, -3)
		if n.Tag != tt.tag || n.Value != tt.value || n.Line != -3 {
			t.Errorf("valueNode(%q) = %s %q at line %d, want %s %q at -3", tt.text, n.Tag, n.Value, n.Line, tt.tag, tt.value)
		}
	}
}

// TestLoadEditedAddsMatching: a matching field set on a policy whose file has
// no matching: key is applied from 1.15 and, before, warned about under the
// --set that asked for it (an edit's nodes have no line in the file).
func TestLoadEditedAddsMatching(t *testing.T) {
	s, _, err := loadEdited(t, "1.16", map[string]string{"r.yaml": editDoc}, "retries.shared.matching.httpStatusCodes=500")
	if err != nil {
		t.Fatal(err)
	}
	if m := s.Retries["shared"].Matching; m == nil || len(m.HTTPStatusCodes) != 1 {
		t.Errorf("shared.matching = %+v, want the one HTTP code the edit added", m)
	}
	_, warns, err := loadEdited(t, "1.14", map[string]string{"r.yaml": editDoc}, "retries.shared.matching.httpStatusCodes=500")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, w := range warns {
		if strings.Contains(w.String(), "--set retries.shared.matching.httpStatusCodes=500") && strings.Contains(w.String(), "does not know this key") {
			found = true
		}
	}
	if !found {
		t.Errorf("1.14: no warning under the --set about matching; got %v", warns)
	}
}

// TestSourcesReadOnce: loads of Sources see the bytes as read, however the
// file changes after, each with its own edits, concurrently (a sweep's runs;
// go test -race checks that no load touches what another reads).
func TestSourcesReadOnce(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "r.yaml")
	if err := os.WriteFile(file, []byte(editDoc), 0o644); err != nil {
		t.Fatal(err)
	}
	src := ReadSources([]string{dir})
	changed := strings.Replace(editDoc, "Duration: 5s", "Duration: 9s", 1)
	if err := os.WriteFile(file, []byte(changed), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := ProfileFor("1.16")
	if err != nil {
		t.Fatal(err)
	}
	got := make([]time.Duration, 8)
	var wg sync.WaitGroup
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var edits []Edit
			if i > 0 {
				e, err := ParseEditPath("retries.shared.duration")
				if err != nil {
					t.Error(err)
					return
				}
				e.Value = fmt.Sprintf("%ds", i)
				edits = append(edits, e)
			}
			s, _, err := src.Load("app", p, edits)
			if err != nil {
				t.Error(err)
				return
			}
			got[i] = s.Retries["shared"].Duration
		}()
	}
	wg.Wait()
	for i, d := range got {
		want := time.Duration(i) * time.Second
		if i == 0 {
			want = 5 * time.Second // the file as read, not as changed since
		}
		if d != want {
			t.Errorf("load %d: shared.duration = %v, want %v", i, d, want)
		}
	}
	s, _, err := LoadEdited([]string{dir}, "app", p, nil)
	if err != nil || s.Retries["shared"].Duration != 9*time.Second {
		t.Errorf("a fresh load should read the changed file: %v, %v", s.Retries["shared"].Duration, err)
	}
}
