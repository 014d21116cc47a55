package ynode

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/dapr-sim/sim/internal/diag"
)

// FuzzDocuments: whatever the bytes, Documents and Resources do not panic,
// fail with a *diag.Error naming the file and a line, give warnings with a
// line, and read the same bytes the same way twice.
func FuzzDocuments(f *testing.F) {
	for _, s := range []string{"a: 1\n", "a: [1, 2\n", "\xff\xfe", "- a\n- b\n---\nc: d\n", "a: &x 1\nb: *x\n", "a:\n\tb: 1\n", "{", "'", "? a\n: b\n",
		// Tags: standard ones that fit and do not, custom, verbatim,
		// on keys, on aliases' anchors, binary (good, bad, not UTF-8).
		"a: !!int 5\nb: !!int abc\n", "a: !foo {b: !bar [1]}\n", "!k a: !!str 1\n", "a: !<tag:x.org,2024:t> 1\n",
		"a: &x !foo 1\nb: *x\n", "a: !!binary aGk=\nb: !!binary |\n  /w==\n", "a: !!binary ???\n", "a: !!set {x, y}\nb: !!omap [{x: 1}]\n",
		"a: !!timestamp 2001-12-14\nb: !!null\nc: !!map [1]\n", "%TAG !e! tag:e.com,2024:\n---\na: !e!x 1\n",
	} {
		f.Add([]byte(s))
	}
	addFiles(f, "../../examples/quickstart/resources", "../../examples/quickstart/scenario.yaml")
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, ws, err := Resources("in.yaml", data); err != nil {
			var de *diag.Error
			if !errors.As(err, &de) || de.File != "in.yaml" || de.Line <= 0 {
				t.Fatalf("Resources: error without file and line: %v", err)
			}
		} else {
			for _, w := range ws {
				if w.File != "in.yaml" || w.Line <= 0 || w.ID != TagWarning {
					t.Fatalf("Resources: warning without file, line or id: %+v", w)
				}
			}
		}
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
