package policies

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/dapr-sim/sim/internal/diag"
)

// corpusDir is the shared corpus beside the repository (CI lays shared/ next
// to its clone, as the workplace does).
const corpusDir = "../../shared/corpus/resiliency"

// corpusOutcome is what Dapr (and sim) does with one corpus file.
type corpusOutcome string

const (
	// loads: the Resiliency is applied; warnings lists what Dapr ignores
	// or changes on the way.
	loads corpusOutcome = "loads"
	// ignored: the file holds no kind: Resiliency document, so Dapr's
	// Resiliency loader skips it without a message.
	ignored corpusOutcome = "ignored"
	// rejected: Dapr cannot decode the file and skips all of it.
	rejected corpusOutcome = "rejected"
)

// corpusWant is the hand-reviewed outcome of one corpus file under the
// newest profile, built for the first app its scopes name.
type corpusWant struct {
	file     string
	outcome  corpusOutcome
	warnings []string // ids of every warning, sorted, without repeats
	err      string   // rejected: a substring of sim's error
	why      string   // rejected and ignored: what Dapr does and why
}

// TestCorpus loads every real-world file of the shared corpus on its own and
// compares the outcome with the reviewed table: a file whose outcome
// changes, a file missing from the table and a table entry without a file
// all fail. Rejections must be diag errors with file:line.
func TestCorpus(t *testing.T) {
	entries, err := os.ReadDir(corpusDir)
	if err != nil {
		t.Skipf("corpus folder %s is not available (%v): it sits beside the repository as ../shared/corpus; nothing to check", corpusDir, err)
	}
	p := mustProfile(t, Newest)
	want := map[string]corpusWant{}
	for _, w := range corpusTable {
		if _, dup := want[w.file]; dup {
			t.Errorf("%s: twice in the table", w.file)
		}
		want[w.file] = w
		if (w.outcome == rejected || w.outcome == ignored) && w.why == "" {
			t.Errorf("%s: %s without a why", w.file, w.outcome)
		}
	}
	counts := map[corpusOutcome]int{}
	warned := 0
	seen := map[string]bool{}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		name := e.Name()
		seen[name] = true
		got := corpusOutcomeOf(name, p)
		counts[got.outcome]++
		if got.outcome == loads && len(got.warnings) > 0 {
			warned++
		}
		for _, msg := range got.problems {
			t.Errorf("%s: %s", name, msg)
		}
		w, ok := want[name]
		if !ok {
			t.Errorf("%s: not in the table; got %s %v %q", name, got.outcome, got.warnings, got.err)
			continue
		}
		if got.outcome != w.outcome || strings.Join(got.warnings, " ") != strings.Join(w.warnings, " ") {
			t.Errorf("%s: got %s %v, want %s %v\n%s", name, got.outcome, got.warnings, w.outcome, w.warnings, got.detail)
		}
		if w.outcome == rejected && !strings.Contains(got.fullErr, w.err) {
			t.Errorf("%s: error does not contain %q:\n%s", name, w.err, got.fullErr)
		}
	}
	for _, w := range corpusTable {
		if !seen[w.file] {
			t.Errorf("%s: in the table but not in %s", w.file, corpusDir)
		}
	}
	t.Logf("corpus: %d load (%d of them with warnings), %d ignored (no Resiliency), %d rejected",
		counts[loads], warned, counts[ignored], counts[rejected])
}

type corpusGot struct {
	outcome  corpusOutcome
	warnings []string
	err      string // first line of the error
	fullErr  string
	detail   string   // rendered warnings or error, for failure messages
	problems []string // panics, errors without file:line
}

// corpusOutcomeOf parses and builds one corpus file, never panicking.
func corpusOutcomeOf(name string, p Profile) (got corpusGot) {
	defer func() {
		if r := recover(); r != nil {
			got.problems = append(got.problems, fmt.Sprint("panic: ", r))
		}
	}()
	data, err := os.ReadFile(filepath.Join(corpusDir, name))
	if err != nil {
		got.problems = append(got.problems, err.Error())
		return got
	}
	f, ws, err := ParseFile(name, data)
	if err == nil {
		appID := "app"
		if len(f.Resiliencies) > 0 && len(f.Resiliencies[0].Scopes) > 0 {
			appID = f.Resiliencies[0].Scopes[0]
		}
		var s *Spec
		var bws []diag.Warning
		s, bws, err = Build([]*File{f}, appID, p)
		ws = append(ws, bws...)
		if err == nil {
			s.Dump()
			for c := range s.Targets.Components {
				s.ComponentOutbound(c)
				s.ComponentInbound(c)
			}
			for a := range s.Targets.Apps {
				s.App(a, a+":method")
			}
		}
	}
	if err != nil {
		got.outcome = rejected
		got.fullErr = err.Error()
		got.err = strings.SplitN(got.fullErr, "\n", 2)[0]
		got.detail = got.fullErr
		var l diag.List
		var de *diag.Error
		switch {
		case errors.As(err, &l):
			for _, e := range l {
				if e.File == "" || e.Line == 0 {
					got.problems = append(got.problems, "error without file:line: "+e.Error())
				}
			}
		case errors.As(err, &de):
			if de.File == "" || de.Line == 0 {
				got.problems = append(got.problems, "error without file:line: "+de.Error())
			}
		default:
			got.problems = append(got.problems, "error is not a diag error: "+err.Error())
		}
		return got
	}
	got.outcome = loads
	if len(f.Resiliencies) == 0 {
		got.outcome = ignored
	}
	ids := map[string]bool{}
	for _, w := range ws {
		if _, ok := LintCheck(w.ID); !ok {
			got.problems = append(got.problems, "warning without a registered id: "+w.String())
		}
		ids[w.ID] = true
	}
	for id := range ids {
		got.warnings = append(got.warnings, id)
	}
	sort.Strings(got.warnings)
	got.detail = renderWarnings(ws)
	return got
}
