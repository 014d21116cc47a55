package input

import (
	"errors"
	"io"
	"os"
	"sync"
	"sync/atomic"
)

// Stdin is the name that stands for standard input wherever sim reads a
// file: `sim run -`, `sim lint -`, `--daprd-log -`. Open and ReadFile read
// it like any file.
//
// Standard input is read once, on the first Open, into a temporary file
// that every later Open reads again from its start: readers that peek
// (is it a trace or a scenario?) or read twice (a YAML trace: its layout,
// then its events) work on it as on a named file, and a trace of any size
// streams from disk, not memory. CloseStdin removes the copy.
const Stdin = "-"

var stdin struct {
	sync.Mutex
	src  io.Reader // os.Stdin; a test may set another (SetStdin)
	path string    // the copy, once made
	err  error     // why the copy could not be made
	// temp is the copy's path from its creation on, while standard input
	// may still be being read into it (under the lock): RemoveStdinCopy
	// reads it without waiting for the lock.
	temp atomic.Pointer[string]
}

// SetStdin makes r what Stdin reads, for tests; nil restores os.Stdin. It
// discards a copy already made.
func SetStdin(r io.Reader) {
	CloseStdin()
	stdin.Lock()
	defer stdin.Unlock()
	stdin.src, stdin.err = r, nil
}

// CloseStdin removes the copy of standard input, if one was made; a later
// Open of Stdin finds standard input read to its end. Call it when the
// command is done (and on a signal that ends it).
func CloseStdin() {
	stdin.Lock()
	defer stdin.Unlock()
	if stdin.path != "" {
		os.Remove(stdin.path)
		stdin.path = ""
		stdin.temp.Store(nil)
		stdin.src = eof{}
	}
}

// RemoveStdinCopy removes the copy of standard input without waiting for
// anything: for a signal that ends sim, perhaps while standard input (a
// terminal, a pipe whose writer is slow) is still being read into the copy.
func RemoveStdinCopy() {
	if p := stdin.temp.Load(); p != nil {
		os.Remove(*p)
	}
}

// eof is standard input after CloseStdin: read to its end.
type eof struct{}

func (eof) Read([]byte) (int, error) { return 0, io.EOF }

// openStdin opens the copy of standard input, making it on the first call.
// Errors are *os.PathError naming Stdin.
func openStdin() (*os.File, error) {
	stdin.Lock()
	defer stdin.Unlock()
	if stdin.path == "" && stdin.err == nil {
		stdin.path, stdin.err = spool()
	}
	if stdin.err != nil {
		return nil, &os.PathError{Op: "read", Path: Stdin, Err: stdin.err}
	}
	f, err := os.Open(stdin.path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &os.PathError{Op: "read", Path: Stdin, Err: err}
	}
	return f, nil
}

// spool copies standard input into a private temporary file and returns
// its path.
func spool() (string, error) {
	src := stdin.src
	if src == nil {
		src = os.Stdin
	}
	f, err := os.CreateTemp("", "sim-stdin-*")
	if err != nil {
		return "", err
	}
	name := f.Name()
	stdin.temp.Store(&name)
	_, err = io.Copy(f, src)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(name)
		stdin.temp.Store(nil)
		return "", err
	}
	return name, nil
}
