package input

import (
	"errors"
	"io"
	"os"
	"strings"
	"testing"
)

// TestStdin: "-" reads standard input, as often as asked and from its
// start each time (readers peek, then read again), within the size limit
// of any file; CloseStdin removes the copy.
func TestStdin(t *testing.T) {
	t.Cleanup(func() { SetStdin(nil) })
	SetStdin(strings.NewReader("version: 1\n"))
	for i := range 2 {
		data, err := ReadFile(Stdin)
		if err != nil || string(data) != "version: 1\n" {
			t.Fatalf("read %d: %q, %v", i, data, err)
		}
	}
	f, err := Open(Stdin)
	if err != nil {
		t.Fatal(err)
	}
	copyPath := f.Name()
	if _, err := f.Seek(8, io.SeekStart); err != nil {
		t.Errorf("the copy cannot seek: %v", err)
	}
	f.Close()
	CloseStdin()
	if _, err := os.Stat(copyPath); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the copy %s is left after CloseStdin: %v", copyPath, err)
	}
	if data, err := ReadFile(Stdin); err != nil || len(data) != 0 {
		t.Errorf("after CloseStdin: %q, %v; want standard input at its end", data, err)
	}

	SetStdin(strings.NewReader(strings.Repeat("x", 65)))
	_, err = ReadFileLimit(Stdin, 64)
	var tl *TooLargeError
	if !errors.As(err, &tl) || !strings.HasPrefix(err.Error(), "read -: ") {
		t.Errorf("65 bytes, limit 64: %v; want too large, naming -", err)
	}
}

// blockedReader blocks as a terminal nobody types into, until released.
type blockedReader struct{ started, release chan struct{} }

func (b blockedReader) Read([]byte) (int, error) {
	close(b.started)
	<-b.release
	return 0, io.EOF
}

// TestRemoveStdinCopyWhileReading: a signal's cleanup removes the copy at
// once while standard input is still being read into it (Ctrl-C on
// `sim run -` waiting for a terminal), never waiting for the reader.
func TestRemoveStdinCopyWhileReading(t *testing.T) {
	r := blockedReader{make(chan struct{}), make(chan struct{})}
	SetStdin(r)
	opened := make(chan struct{})
	go func() {
		if f, err := Open(Stdin); err == nil {
			f.Close()
		}
		close(opened)
	}()
	t.Cleanup(func() {
		close(r.release)
		<-opened
		SetStdin(nil)
	})
	<-r.started
	p := stdin.temp.Load()
	if p == nil {
		t.Fatal("no copy recorded while reading")
	}
	RemoveStdinCopy() // returns at once: it takes no lock
	if _, err := os.Stat(*p); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the copy %s is left: %v", *p, err)
	}
}

// endless is standard input that never ends (`sim run - < /dev/zero`),
// counting what was read of it.
type endless struct{ read int64 }

func (e *endless) Read(p []byte) (int, error) {
	clear(p)
	e.read += int64(len(p))
	return len(p), nil
}

// TestStdinIsBounded: endless standard input ends every reader with a
// size error, having copied no more than the reader could take (a limit
// of its own, or maxStdin); a reader after a smaller one grows the copy
// from where it stopped, so it still reads standard input from its start.
func TestStdinIsBounded(t *testing.T) {
	t.Cleanup(func() { SetStdin(nil); maxStdin = MaxStdin })
	maxStdin = 1 << 20
	in := &endless{}
	SetStdin(in)
	var tl *TooLargeError
	if _, err := ReadFileLimit(Stdin, 1000); !errors.As(err, &tl) || tl.Limit != 1000 {
		t.Fatalf("endless input, limit 1000: %v; want too large", err)
	}
	if in.read > 1000+32<<10 {
		t.Errorf("a reader taking 1000 bytes made sim read %d bytes of standard input", in.read)
	}
	if _, err := Open(Stdin); !errors.As(err, &tl) || tl.Limit != maxStdin {
		t.Fatalf("endless input, no limit of the reader's: %v; want too large at %d", err, maxStdin)
	}
	if in.read > maxStdin+64<<10 {
		t.Errorf("sim read %d bytes of endless standard input; the bound is %d", in.read, maxStdin)
	}

	// A short input read by a small reader first, then a whole one.
	SetStdin(strings.NewReader(strings.Repeat("y", 3000)))
	if _, err := ReadFileLimit(Stdin, 100); !errors.As(err, &tl) {
		t.Fatalf("3000 bytes, limit 100: %v; want too large", err)
	}
	data, err := ReadFileLimit(Stdin, 5000)
	if err != nil || len(data) != 3000 || strings.Trim(string(data), "y") != "" {
		t.Errorf("then limit 5000: %d bytes, %v; want the whole input", len(data), err)
	}
}
