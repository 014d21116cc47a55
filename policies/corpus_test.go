package policies

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/dapr-sim/sim/internal/diag"
)

// corpusDir is the shared corpus beside the repository (CI lays shared/ next
// to its clone, as the workplace does).
const corpusDir = "../../shared/corpus/resiliency"

// TestCorpus loads every real-world file of the shared corpus on its own:
// none may panic, and each either loads or is rejected with diag errors that
// name a file and a line.
func TestCorpus(t *testing.T) {
	entries, err := os.ReadDir(corpusDir)
	if err != nil {
		t.Skipf("corpus folder %s is not available (%v): nothing to check", corpusDir, err)
	}
	p := mustProfile(t, Newest)
	var loaded, warned, rejected int
	for _, e := range entries {
		if e.IsDir() || !isYAMLName(e.Name()) {
			continue
		}
		name := e.Name()
		path := filepath.Join(corpusDir, name)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var (
			ws   []diag.Warning
			perr error
		)
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: panic: %v", name, r)
				}
			}()
			f, fws, err := ParseFile(name, data)
			ws, perr = fws, err
			if err != nil {
				return
			}
			appID := "app"
			if len(f.Resiliencies) > 0 && len(f.Resiliencies[0].Scopes) > 0 {
				appID = f.Resiliencies[0].Scopes[0]
			}
			s, bws, err := Build([]*File{f}, appID, p)
			ws, perr = append(ws, bws...), err
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
		}()
		if perr != nil {
			rejected++
			var l diag.List
			var de *diag.Error
			switch {
			case errors.As(perr, &l):
				for _, e := range l {
					if e.File == "" || e.Line == 0 {
						t.Errorf("%s: error without file:line: %v", name, e)
					}
				}
			case errors.As(perr, &de):
				if de.File == "" || de.Line == 0 {
					t.Errorf("%s: error without file:line: %v", name, de)
				}
			default:
				t.Errorf("%s: error is %T, not a diag error: %v", name, perr, perr)
			}
			t.Logf("rejected %v", perr)
			continue
		}
		if len(ws) > 0 {
			warned++
			if testing.Verbose() {
				t.Logf("warnings:\n%s", renderWarnings(ws))
			}
			continue
		}
		loaded++
	}
	t.Logf("corpus: %d clean, %d loaded with warnings, %d rejected", loaded, warned, rejected)
}
