package input

import (
	"io"
	"io/fs"
	"os"
)

// Files is where a reader finds the files a scenario names: the operating
// system's (OS), or an fs.FS (FS) — the browser playground's files, which
// live in memory. Names are as the scenario resolves them: a path of the
// operating system for OS, a slash-separated fs.FS name for FS.
type Files interface {
	Stat(name string) (fs.FileInfo, error)
	ReadDir(name string) ([]fs.DirEntry, error) // sorted by file name
	// ReadFile reads a regular file whole, under ReadFile's rules.
	ReadFile(name string) ([]byte, error)
}

// OS is the operating system's files: os.Stat, os.ReadDir and ReadFile
// (which reads "-" as standard input).
var OS Files = osFiles{}

type osFiles struct{}

func (osFiles) Stat(name string) (fs.FileInfo, error)      { return os.Stat(name) }
func (osFiles) ReadDir(name string) ([]fs.DirEntry, error) { return os.ReadDir(name) }
func (osFiles) ReadFile(name string) ([]byte, error)       { return ReadFile(name) }

// FS is the files of fsys (nil: OS). ReadFile refuses what is not a
// regular file, or is larger than MaxSize, as on the operating system;
// "-" is a name like any other.
func FS(fsys fs.FS) Files {
	if fsys == nil {
		return OS
	}
	return fsFiles{fsys}
}

type fsFiles struct{ fsys fs.FS }

func (f fsFiles) Stat(name string) (fs.FileInfo, error)      { return fs.Stat(f.fsys, name) }
func (f fsFiles) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(f.fsys, name) }

func (f fsFiles) ReadFile(name string) ([]byte, error) {
	file, err := f.fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	info, err := file.Stat()
	if err != nil {
		return nil, err
	}
	if err := Check(name, info); err != nil {
		return nil, err
	}
	if info.Size() > MaxSize {
		return nil, &fs.PathError{Op: "read", Path: name, Err: &TooLargeError{Limit: MaxSize}}
	}
	data, err := io.ReadAll(io.LimitReader(file, MaxSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxSize {
		return nil, &fs.PathError{Op: "read", Path: name, Err: &TooLargeError{Limit: MaxSize}}
	}
	return data, nil
}
