package input

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A named pipe with no writer is refused at once (it used to hang the
// reader), and so are a folder and a device; the message names the path
// and says what it is.
func TestOpenRefusesNonRegular(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	for path, want := range map[string]string{
		fifo:        "not a regular file: a named pipe",
		dir:         "not a regular file: a folder",
		"/dev/zero": "not a regular file: a character device",
	} {
		for name, read := range map[string]func(string) error{
			"Open": func(p string) error {
				f, err := Open(p)
				if f != nil {
					f.Close()
				}
				return err
			},
			"ReadFile": func(p string) error { _, err := ReadFile(p); return err },
		} {
			err := read(path)
			if err == nil || !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), path) || !strings.HasSuffix(err.Error(), want) {
				t.Errorf("%s(%s) = %v, want an error naming the path, ending %q", name, path, err, want)
			}
		}
	}
}

// A file above the limit is refused with the limit in the message; one at
// the limit is read.
func TestReadFileLimit(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(p, make([]byte, 101), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := ReadFileLimit(p, 100)
	var tl *TooLargeError
	if !errors.As(err, &tl) || tl.Limit != 100 || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "larger than 100 bytes") {
		t.Errorf("ReadFileLimit over the limit = %v, want a TooLargeError naming the path and 100 bytes", err)
	}
	if data, err := ReadFileLimit(p, 101); err != nil || len(data) != 101 {
		t.Errorf("ReadFileLimit at the limit = %d bytes, %v; want 101, nil", len(data), err)
	}
	if got := (&TooLargeError{Limit: MaxSize}).Error(); got != "larger than 16 MiB, the limit for an input file" {
		t.Errorf("MaxSize reads %q", got)
	}
}

func TestErrText(t *testing.T) {
	_, err := ReadFile(filepath.Join(t.TempDir(), "missing.yaml"))
	if got, want := ErrText(err), "no such file or directory"; got != want {
		t.Errorf("ErrText = %q, want %q", got, want)
	}
	if got, want := ErrText(errors.New("plain")), "plain"; got != want {
		t.Errorf("ErrText(plain) = %q, want %q", got, want)
	}
}
