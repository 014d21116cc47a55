package policies

import (
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/dapr-sim/sim/internal/diag"
)

// build parses the named documents (file name → YAML, read in name order)
// and builds the spec of appID under Dapr version v.
func build(t *testing.T, v, appID string, files map[string]string) (*Spec, []diag.Warning) {
	t.Helper()
	p, err := ProfileFor(v)
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var parsed []*File
	var warns []diag.Warning
	for _, n := range names {
		f, ws, err := ParseFile(n, []byte(files[n]))
		if err != nil {
			t.Fatalf("ParseFile(%s): %v", n, err)
		}
		warns = append(warns, ws...)
		parsed = append(parsed, f)
	}
	s, ws, err := Build(parsed, appID, p)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return s, append(warns, ws...)
}

// parseErr parses one file that must fail and returns the rendered error.
func parseErr(t *testing.T, name, doc string) string {
	t.Helper()
	_, _, err := ParseFile(name, []byte(doc))
	if err == nil {
		t.Fatalf("ParseFile(%s): no error", name)
	}
	var l diag.List
	var e *diag.Error
	if !errors.As(err, &l) && !errors.As(err, &e) {
		t.Fatalf("ParseFile(%s): error %T is not a diag error: %v", name, err, err)
	}
	return err.Error()
}

// findWarning returns the rendered warning containing every part, or fails.
func findWarning(t *testing.T, ws []diag.Warning, parts ...string) string {
	t.Helper()
next:
	for _, w := range ws {
		s := w.String()
		for _, p := range parts {
			if !strings.Contains(s, p) {
				continue next
			}
		}
		return s
	}
	t.Fatalf("no warning containing %q; got:\n%s", parts, renderWarnings(ws))
	return ""
}

func renderWarnings(ws []diag.Warning) string {
	var b strings.Builder
	for _, w := range ws {
		b.WriteString(w.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// resiliency wraps a spec body (indented under spec:) in a Resiliency document.
func resiliency(body string) string {
	return "apiVersion: dapr.io/v1alpha1\nkind: Resiliency\nmetadata:\n  name: test\nspec:\n" + body
}
