package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestTraceToANamedPipe: an output that exists and is not a regular file (a
// named pipe here; /dev/null is the common case) is written in place. Written
// under a temporary name and renamed, it was replaced by a regular file —
// `--trace /dev/null` run as root turned the device into a file.
func TestTraceToANamedPipe(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "trace.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	got := make(chan string, 1)
	go func() {
		f, err := os.Open(fifo) // blocks until sim opens it for writing
		if err != nil {
			got <- "open: " + err.Error()
			return
		}
		defer f.Close()
		b, _ := io.ReadAll(f)
		got <- string(b)
	}()
	_, errs, status := runSim(t, "run", quickstart, "--trace", fifo)
	if status != exitOK {
		t.Fatalf("exit %d: %s", status, errs)
	}
	// Checked first: had the pipe been replaced, its reader would wait
	// for a writer forever.
	info, err := os.Lstat(fifo)
	if err != nil || info.Mode()&os.ModeNamedPipe == 0 {
		t.Fatalf("after the run %s is %v (%v), want the named pipe still", fifo, info.Mode(), err)
	}
	trace := <-got
	if !strings.HasPrefix(trace, "# sim trace") || !strings.Contains(trace, "kind: breaker") {
		t.Errorf("the reader got %d bytes, not the trace:\n%.200s", len(trace), trace)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(fifo), ".*.tmp")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

// TestTraceToADirectory is refused before the run, not after it.
func TestTraceToADirectory(t *testing.T) {
	dir := t.TempDir()
	out, errs, status := runSim(t, "run", quickstart, "--trace", dir)
	if status != exitWrite || !strings.Contains(errs, "is a directory") {
		t.Errorf("exit %d, stderr %q; want exit %d naming the directory", status, errs, exitWrite)
	}
	if out != "" {
		t.Errorf("the run went ahead: %d bytes on stdout", len(out))
	}
}

// TestTraceThroughALink: through a link to a file, the file gets the trace
// and the link stays a link (renaming over the link replaced it); a dangling
// link creates the file it names.
func TestTraceThroughALink(t *testing.T) {
	dir := t.TempDir()
	real, link, dangling := filepath.Join(dir, "real.yaml"), filepath.Join(dir, "link.yaml"), filepath.Join(dir, "dangling.yaml")
	if err := os.WriteFile(real, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("real.yaml", link); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
	if err := os.Symlink("missing.yaml", dangling); err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{link, dangling} {
		if _, errs, status := runSim(t, "run", quickstart, "--trace", target); status != exitOK {
			t.Fatalf("--trace %s: exit %d: %s", target, status, errs)
		}
		if info, err := os.Lstat(target); err != nil || info.Mode()&os.ModeSymlink == 0 {
			t.Errorf("%s is no longer a link: %v, %v", target, info.Mode(), err)
		}
	}
	for _, file := range []string{real, filepath.Join(dir, "missing.yaml")} {
		b, err := os.ReadFile(file)
		if err != nil || !strings.HasPrefix(string(b), "# sim trace") {
			t.Errorf("%s does not hold the trace: %.40q, %v", file, b, err)
		}
	}
}

// TestStreamLinks: links under /dev and /proc are streams the caller set up
// (/dev/stdout leads to a regular file when stdout is redirected to one), so
// they are written in place, never replaced.
func TestStreamLinks(t *testing.T) {
	for path, want := range map[string]bool{
		"/dev/stdout": true, "/dev/fd/3": true, "/proc/self/fd/1": true,
		"/tmp/t.yaml": false, "/devices/t.yaml": false, "t.yaml": false,
	} {
		if got := streamLink(path); got != want {
			t.Errorf("streamLink(%q) = %v, want %v", path, got, want)
		}
	}
}
