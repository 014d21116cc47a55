package input

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// FuzzReadFile: whatever a path names — a file of any size around a limit,
// a named pipe with no writer, a folder, a device, a link to one of those —
// ReadFileLimit returns at once (nothing blocks), gives back exactly the
// bytes of a file within the limit, and otherwise an error naming the path
// with its cause: the limit or what the path is.
func FuzzReadFile(f *testing.F) {
	// kind: 0 a file, 1 a named pipe, 2 a folder, 3 /dev/zero, 4 a link to
	// a named pipe, 5 a link to a file.
	f.Add(uint8(0), []byte("version: 1\n"), uint16(64))
	f.Add(uint8(0), bytes.Repeat([]byte("x"), 65), uint16(64))
	f.Add(uint8(0), bytes.Repeat([]byte("x"), 64), uint16(64))
	f.Add(uint8(0), []byte{}, uint16(0))
	f.Add(uint8(1), []byte{}, uint16(64))
	f.Add(uint8(2), []byte{}, uint16(64))
	f.Add(uint8(3), []byte{}, uint16(64))
	f.Add(uint8(4), []byte{}, uint16(64))
	f.Add(uint8(5), bytes.Repeat([]byte("y"), 100), uint16(99))
	f.Fuzz(func(t *testing.T, kind uint8, data []byte, limit uint16) {
		dir := t.TempDir()
		p := filepath.Join(dir, "in.yaml")
		file := filepath.Join(dir, "file.yaml")
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		regular := false
		switch kind % 6 {
		case 0:
			p, regular = file, true
		case 1, 4:
			fifo := filepath.Join(dir, "fifo")
			if err := syscall.Mkfifo(fifo, 0o600); err != nil {
				t.Skip(err)
			}
			p = fifo
			if kind%6 == 4 {
				p = filepath.Join(dir, "link")
				if err := os.Symlink(fifo, p); err != nil {
					t.Fatal(err)
				}
			}
		case 2:
			p = dir
		case 3:
			p = "/dev/zero"
		case 5:
			p, regular = filepath.Join(dir, "link"), true
			if err := os.Symlink(file, p); err != nil {
				t.Fatal(err)
			}
		}
		got, err := ReadFileLimit(p, int64(limit))
		switch {
		case !regular:
			if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), p) {
				t.Fatalf("kind %d: %v, want not a regular file naming %s", kind%6, err, p)
			}
		case len(data) > int(limit):
			var tl *TooLargeError
			if !errors.As(err, &tl) || tl.Limit != int64(limit) || !strings.Contains(err.Error(), p) {
				t.Fatalf("%d bytes, limit %d: %v, want too large naming %s", len(data), limit, err, p)
			}
		default:
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("%d bytes, limit %d: %d bytes, %v; want the file", len(data), limit, len(got), err)
			}
		}
	})
}
