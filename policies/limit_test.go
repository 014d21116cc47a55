package policies

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A resources folder of more YAML files than MaxFolderFiles is refused,
// saying the limit, before any is read (issue 11): each file may hold up to
// 16 MiB, so the count bounds what one folder can make sim read.
func TestReadSourcesFolderLimit(t *testing.T) {
	dir := t.TempDir()
	for i := range MaxFolderFiles + 1 {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("r%04d.yaml", i)), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, _, err := ReadFiles([]string{dir})
	want := fmt.Sprintf("%s: cannot read: %d YAML files, more than %d, the limit for a resources folder", dir, MaxFolderFiles+1, MaxFolderFiles)
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("got %v, want %s", err, want)
	}
}
