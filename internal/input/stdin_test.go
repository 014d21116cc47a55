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
