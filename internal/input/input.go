package input

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// MaxSize is the largest file ReadFile reads: 16 MiB, far above any real
// scenario or resource file.
const MaxSize = 16 << 20

// MaxLine is the longest line a line reader (traces, daprd logs) takes:
// 16 MiB. A longer line is refused with its file and line, not buffered.
const MaxLine = 16 << 20

// ErrNotRegular is the cause of refusing a path that exists but is not a
// regular file; the message says what it is instead.
var ErrNotRegular = errors.New("not a regular file")

// notRegular is the error for a path of mode m: its text says what the
// path is, and it matches ErrNotRegular.
type notRegular struct{ what string }

func (e notRegular) Error() string { return "not a regular file: " + e.what }
func (e notRegular) Is(target error) bool {
	return target == ErrNotRegular
}

// TooLargeError is the cause of refusing a file larger than Limit bytes.
type TooLargeError struct{ Limit int64 }

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("larger than %s, the limit for an input file", Size(e.Limit))
}

// ErrText is the text of an error of this package or of os without the
// path an *fs.PathError puts in front: the message names the file itself
// ("cannot read scenario: no such file or directory").
func ErrText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// Size words a byte count as the messages do: "16 MiB", or bytes.
func Size(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Describe words what a path of mode m is: "a named pipe", "a folder"…
func Describe(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m.IsRegular():
		return "a regular file"
	}
	return "not a plain file"
}

// Check reports, as an *os.PathError, why info (of path) is not a file a
// reader may read.
func Check(path string, info fs.FileInfo) error {
	if info.Mode().IsRegular() {
		return nil
	}
	return &os.PathError{Op: "open", Path: path, Err: notRegular{Describe(info.Mode())}}
}

// Open opens path for reading if it is a regular file. It looks before it
// opens, and opens without blocking, so a named pipe with no writer is
// refused at once instead of hanging; what it opened is checked again (the
// path may have changed in between). Errors are *os.PathError naming path.
// Stdin ("-") opens a copy of standard input (see Stdin).
func Open(path string) (*os.File, error) {
	if path == Stdin {
		return openStdinChecked(maxStdin)
	}
	return openRegular(path)
}

// openStdinChecked opens the copy of standard input for a reader that
// takes at most limit bytes: a copy that holds more (it copies one byte
// past the limit to tell) is refused as too large.
func openStdinChecked(limit int64) (*os.File, error) {
	f, err := openStdin(limit + 1)
	if err != nil {
		return nil, err
	}
	if info, err := f.Stat(); err == nil && info.Size() > limit {
		f.Close()
		return nil, &os.PathError{Op: "read", Path: Stdin, Err: &TooLargeError{Limit: limit}}
	}
	return f, nil
}

// openRegular is Open for a path other than Stdin.
func openRegular(path string) (*os.File, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := Check(path, info); err != nil {
		return nil, err
	}
	// O_NONBLOCK: if path became a pipe after the Stat, the open still
	// returns at once; on a regular file it changes nothing.
	f, err := os.OpenFile(path, os.O_RDONLY|openNonblock, 0)
	if err != nil {
		return nil, err
	}
	info, err = f.Stat()
	if err == nil {
		err = Check(path, info)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// ReadFile reads the regular file at path whole, refusing one larger than
// MaxSize. Errors are *os.PathError naming path; the cause of a refusal is
// ErrNotRegular or a *TooLargeError.
func ReadFile(path string) ([]byte, error) {
	return ReadFileLimit(path, MaxSize)
}

// ReadFileLimit is ReadFile with a limit of its own.
func ReadFileLimit(path string, limit int64) ([]byte, error) {
	var f *os.File
	var err error
	if path == Stdin {
		f, err = openStdinChecked(limit)
	} else {
		f, err = openRegular(path)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil && info.Size() > limit {
		return nil, &os.PathError{Op: "read", Path: path, Err: &TooLargeError{Limit: limit}}
	}
	// The file may grow after the Stat: read one byte past the limit to
	// tell.
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, &os.PathError{Op: "read", Path: path, Err: &TooLargeError{Limit: limit}}
	}
	return data, nil
}
