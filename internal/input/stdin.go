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
//
// The copy is bounded, as every reader is: a reader with a limit of its
// own (ReadFileLimit) copies no more than it can take, and any other at
// most MaxStdin bytes, so `sim run - < /dev/zero` ends at once with a
// size error instead of filling the disk.
const Stdin = "-"

// MaxStdin is the most of standard input sim copies for a reader without
// a limit of its own (a trace, a daprd log): 1 GiB, a week of the virtual
// day's YAML trace twice over.
const MaxStdin = 1 << 30

// maxStdin is MaxStdin, lowered by tests.
var maxStdin int64 = MaxStdin

var stdin struct {
	sync.Mutex
	src  io.Reader // os.Stdin; a test may set another (SetStdin)
	path string    // the copy, once made
	size int64     // how much of standard input the copy holds
	eof  bool      // the copy holds all of it
	err  error     // why the copy could not be made or grown
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
		stdin.path, stdin.size, stdin.eof = "", 0, false
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

// openStdin opens the copy of standard input holding at least its first
// atLeast bytes (or all of it), making or growing it as needed; a reader
// that may read more than it is given finds the copy too large by its
// size. Errors are *os.PathError naming Stdin.
func openStdin(atLeast int64) (*os.File, error) {
	stdin.Lock()
	defer stdin.Unlock()
	if stdin.err == nil {
		stdin.err = spool(atLeast)
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

// spool copies standard input into a private temporary file until the
// copy holds atLeast bytes or all of it, making the file on the first
// call; what a call copies continues where the last one stopped.
func spool(atLeast int64) error {
	if stdin.eof || stdin.path != "" && stdin.size >= atLeast {
		return nil
	}
	src := stdin.src
	if src == nil {
		src = os.Stdin
	}
	var f *os.File
	var err error
	if stdin.path == "" {
		f, err = os.CreateTemp("", "sim-stdin-*")
		if err == nil {
			name := f.Name()
			stdin.path = name
			stdin.temp.Store(&name)
		}
	} else {
		f, err = os.OpenFile(stdin.path, os.O_WRONLY|os.O_APPEND, 0)
	}
	if err != nil {
		return err
	}
	n, err := io.Copy(f, io.LimitReader(src, atLeast-stdin.size))
	stdin.size += n
	if err == nil && stdin.size < atLeast {
		stdin.eof = true // the copy stopped short of the limit: input ended
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(stdin.path)
		stdin.path = ""
		stdin.temp.Store(nil)
	}
	return err
}
