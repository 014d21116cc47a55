package input

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

// TestFSReadsAsOS: FS's ReadFile keeps ReadFile's two rules — a regular
// file, at most MaxSize — and its errors read the same.
func TestFSReadsAsOS(t *testing.T) {
	fsys := fstest.MapFS{
		"a.yaml":     {Data: []byte("kind: x\n")},
		"dir/b.yaml": {Data: []byte("b")},
		"big.yaml":   {Data: make([]byte, MaxSize+1)},
	}
	files := FS(fsys)
	if b, err := files.ReadFile("a.yaml"); err != nil || string(b) != "kind: x\n" {
		t.Errorf("ReadFile(a.yaml) = %q, %v", b, err)
	}
	if _, err := files.ReadFile("dir"); !errors.Is(err, ErrNotRegular) || ErrText(err) != "not a regular file: a folder" {
		t.Errorf("ReadFile(dir) = %v; want not a regular file: a folder", err)
	}
	var tl *TooLargeError
	if _, err := files.ReadFile("big.yaml"); !errors.As(err, &tl) || !strings.Contains(ErrText(err), "larger than 16 MiB") {
		t.Errorf("ReadFile(big.yaml) = %v; want too large", err)
	}
	if _, err := files.ReadFile("missing.yaml"); err == nil {
		t.Errorf("ReadFile(missing.yaml): no error")
	}
	if entries, err := files.ReadDir("dir"); err != nil || len(entries) != 1 || entries[0].Name() != "b.yaml" {
		t.Errorf("ReadDir(dir) = %v, %v", entries, err)
	}
	if FS(nil) != OS {
		t.Errorf("FS(nil) is not OS")
	}
}
