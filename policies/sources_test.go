package policies

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// Loads of one Sources share each file's parsed documents: every load,
// with its own edits, in any order and at once (run under -race), gives
// what a load of the files read afresh gives; an edit, even of the
// document's first level (a policy section) or through an anchor, reaches
// no other load.
func TestSourcesShareParsedDocuments(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "r.yaml"), []byte(editDoc), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := ProfileFor("1.16")
	if err != nil {
		t.Fatal(err)
	}
	edit := func(path, value string) []Edit {
		e, err := ParseEditPath(path)
		if err != nil {
			t.Fatal(err)
		}
		e.Value, e.Flag = value, "--set"
		return []Edit{e}
	}
	sets := [][]Edit{
		nil,
		edit("retries.shared.duration", "2s"),
		edit("retries.alias.duration", "3s"),
		edit("timeouts.general", "750"),
		edit("circuitBreakers.cb.trip", "consecutiveFailures > 2"),
		edit("retries.bare.maxRetries", "x"), // an error, blamed on the flag
		edit("retries.nosuch.duration", "1s"),
		nil,
	}
	// load renders what a load gives: the spec, the warnings, the error.
	load := func(src *Sources, edits []Edit) string {
		s, ws, err := src.Load("app", p, edits)
		out := fmt.Sprintf("warnings %v\nerror %v\n", ws, err)
		if s != nil {
			// As a trace header holds it: JSON shows what pointers hold.
			b, err := json.Marshal(s.Dump())
			out += fmt.Sprintf("%s %v\n", b, err)
		}
		return out
	}
	want := make([]string, len(sets))
	for i, edits := range sets {
		want[i] = load(ReadSources([]string{dir}), edits)
	}
	if want[0] == want[1] || want[1] == want[2] {
		t.Fatal("the edits change nothing: this test would not see one leak")
	}
	shared := ReadSources([]string{dir})
	for i, edits := range sets {
		if got := load(shared, edits); got != want[i] {
			t.Errorf("load %d in turn:\n%s\nwant (files read afresh):\n%s", i, got, want[i])
		}
	}
	var wg sync.WaitGroup
	got := make([][]string, 4)
	for g := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range sets {
				k := (i + g) % len(sets) // each goroutine its own order
				got[g] = append(got[g], fmt.Sprint(k), load(shared, sets[k]))
			}
		}()
	}
	wg.Wait()
	for g := range got {
		for j := 0; j < len(got[g]); j += 2 {
			var k int
			fmt.Sscan(got[g][j], &k)
			if got[g][j+1] != want[k] {
				t.Errorf("goroutine %d, load %d at once:\n%s\nwant:\n%s", g, k, got[g][j+1], want[k])
			}
		}
	}
}
