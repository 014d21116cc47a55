package main

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestSignalLeavesNoPartialFile (issue 11, class 2): whatever signal ends a
// long `sim run --trace` — HUP, INT, QUIT, TERM, PIPE, or its stdout's
// reader going away — no file is left behind (neither the trace nor its
// temporary file), nothing is printed, and the exit status is 128 + the
// signal's number. The run is a child process (this test binary, through
// TestSignalChild); once the test has read the first bytes of its log, the
// trace's temporary file exists (it is created before the run starts), and
// the run stays in the middle: it blocks on its stdout, which the test
// reads no further. No sleep, no timing.
func TestSignalLeavesNoPartialFile(t *testing.T) {
	if os.Getenv("SIM_SIGNAL_CHILD") != "" {
		t.Skip("the child's own run")
	}
	for _, tc := range []struct {
		name string
		sig  syscall.Signal // 0: close the read end of stdout instead
		want int
	}{
		{"HUP", syscall.SIGHUP, 129},
		{"INT", syscall.SIGINT, 130},
		{"QUIT", syscall.SIGQUIT, 131},
		{"PIPE", syscall.SIGPIPE, 141},
		{"TERM", syscall.SIGTERM, 143},
		{"stdout closed", 0, 141},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			cmd := exec.Command(os.Args[0], "-test.run=^TestSignalChild$")
			cmd.Env = append(os.Environ(), "SIM_SIGNAL_CHILD="+filepath.Join(dir, "t.yaml"))
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			if _, err := io.ReadFull(stdout, make([]byte, 1)); err != nil {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("no log from the run: %v; stderr %q", err, stderr.String())
			}
			if names := list(t, dir); len(names) != 1 || !strings.HasPrefix(names[0], ".t.yaml.") || !strings.HasSuffix(names[0], ".tmp") {
				t.Errorf("during the run %s holds %q, want the trace's temporary file", dir, names)
			}
			if tc.sig != 0 {
				if err := cmd.Process.Signal(tc.sig); err != nil {
					t.Fatal(err)
				}
				// Read on only now: a run that ignored the signal ends
				// (with its trace written) instead of hanging the test.
				go io.Copy(io.Discard, stdout)
			} else {
				stdout.Close()
			}
			err = cmd.Wait()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != tc.want {
				t.Errorf("exit %v, want status %d", err, tc.want)
			}
			if stderr.Len() != 0 {
				t.Errorf("stderr %q, want nothing", stderr.String()[:min(stderr.Len(), 300)])
			}
			if names := list(t, dir); len(names) != 0 {
				t.Errorf("after the run %s holds %q, want nothing", dir, names)
			}
		})
	}
}

func list(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// TestSignalChild is the run TestSignalLeavesNoPartialFile ends: virtual
// days, megabytes of log and trace.
func TestSignalChild(t *testing.T) {
	trace := os.Getenv("SIM_SIGNAL_CHILD")
	if trace == "" {
		t.Skip("run by TestSignalLeavesNoPartialFile")
	}
	os.Exit(Main([]string{"run", "../../examples/day/scenario.yaml", "--trace", trace}, os.Stdout, os.Stderr))
}
