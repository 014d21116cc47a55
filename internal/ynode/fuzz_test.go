package ynode

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/dapr-sim/sim/internal/diag"
)

// FuzzDocuments: whatever the bytes, Documents does not panic, fails with a
// *diag.Error naming the file and a line, and reads the same bytes the same
// way twice.
func FuzzDocuments(f *testing.F) {
	for _, s := range []string{"a: 1\n", "a: [1, 2\n", "\xff\xfe", "- a\n- b\n---\nc: d\n", "a: &x 1\nb: *x\n", "a:\n\tb: 1\n", "{", "'", "? a\n: b\n"} {
		f.Add([]byte(s))
	}
	addFiles(f, "../../examples/quickstart/resources", "../../examples/quickstart/scenario.yaml")
	f.Fuzz(func(t *testing.T, data []byte) {
		docs, err := Documents("in.yaml", data)
		if err != nil {
			var de *diag.Error
			if !errors.As(err, &de) {
				t.Fatalf("error %T is not a *diag.Error: %v", err, err)
			}
			if de.File != "in.yaml" || de.Line <= 0 {
				t.Fatalf("error without file and line: %q", de)
			}
			return
		}
		again, err := Documents("in.yaml", data)
		if err != nil || len(again) != len(docs) {
			t.Fatalf("second read differs: %d docs, err %v; first had %d", len(again), err, len(docs))
		}
		for i := range docs {
			if !reflect.DeepEqual(docs[i], again[i]) {
				t.Fatalf("document %d differs between two reads", i)
			}
		}
	})
}

// addFiles seeds f with the files named (folders: every file in them).
func addFiles(f *testing.F, paths ...string) {
	for _, p := range paths {
		matches := []string{p}
		if info, err := os.Stat(p); err == nil && info.IsDir() {
			matches, _ = filepath.Glob(filepath.Join(p, "*"))
		}
		for _, m := range matches {
			if data, err := os.ReadFile(m); err == nil {
				f.Add(data)
			}
		}
	}
}
