//go:build linux

package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

// openPTY opens a pseudo-terminal pair through /dev/ptmx, as posix_openpt,
// unlockpt and ptsname do; a dependency for three ioctls is not worth it.
func openPTY() (master, tty *os.File, err error) {
	master, err = os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, nil, err
	}
	ioctl := func(req uintptr, arg unsafe.Pointer) error {
		if _, _, errno := syscall.Syscall(syscall.SYS_IOCTL, master.Fd(), req, uintptr(arg)); errno != 0 {
			return errno
		}
		return nil
	}
	var unlock int32
	var n uint32
	if err = ioctl(syscall.TIOCSPTLCK, unsafe.Pointer(&unlock)); err == nil {
		err = ioctl(syscall.TIOCGPTN, unsafe.Pointer(&n))
	}
	if err == nil {
		tty, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	}
	if err != nil {
		master.Close()
		return nil, nil, err
	}
	return master, tty, nil
}

// On a real terminal stderr, the real check (isTerminal) draws the bar; on a
// pipe it does not. stdout is the same bytes either way.
func TestSweepProgressOnARealTerminal(t *testing.T) {
	master, tty, err := openPTY()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	defer master.Close()
	read := make(chan string)
	go func() {
		b, _ := io.ReadAll(master) // ends with EIO once the terminal side is closed
		read <- string(b)
	}()
	var out bytes.Buffer
	status := Main(grid3x3, &out, tty)
	tty.Close()
	screen := <-read
	if status != exitOK {
		t.Fatalf("exit %d: %q", status, screen)
	}
	if !strings.Contains(screen, "\rsweep  [....................]  0/9 runs") || !strings.Contains(screen, "9/9 runs\r      ") {
		t.Errorf("terminal saw %q, want the bar from 0/9 to 9/9 runs, then cleared", screen)
	}

	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		b, _ := io.ReadAll(r)
		read <- string(b)
	}()
	var piped bytes.Buffer
	status = Main(grid3x3, &piped, w)
	w.Close()
	if got := <-read; status != exitOK || got != "" {
		t.Errorf("stderr a pipe: exit %d, stderr %q; want 0 and nothing", status, got)
	}
	if piped.String() != out.String() {
		t.Errorf("stdout differs with stderr a terminal:\n%s\nand a pipe:\n%s", out.String(), piped.String())
	}
}

// TestSweepInterruptedErasesTheBar: Ctrl-C during a sweep on a terminal
// erases the bar's line (so the prompt does not follow a half-drawn bar) and
// exits 130. The sweep runs in a child process (this test binary, through
// TestSweepSignalChild) whose stderr is a pseudo-terminal.
func TestSweepInterruptedErasesTheBar(t *testing.T) {
	if os.Getenv("SIM_SWEEP_SIGNAL_CHILD") != "" {
		t.Skip("the child's own run")
	}
	master, tty, err := openPTY()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	defer master.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSweepSignalChild$")
	cmd.Env = append(os.Environ(), "SIM_SWEEP_SIGNAL_CHILD=1")
	cmd.Stderr, cmd.Stdout = tty, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close()
	var screen bytes.Buffer
	buf := make([]byte, 4096)
	signalled := false
	for {
		n, err := master.Read(buf)
		screen.Write(buf[:n])
		if !signalled && strings.Contains(screen.String(), "sweep  [") {
			cmd.Process.Signal(os.Interrupt)
			signalled = true
		}
		if err != nil { // EIO once the child has closed the terminal
			break
		}
	}
	err = cmd.Wait()
	if !signalled {
		t.Fatalf("no bar drawn; the terminal saw %q (%v)", screen.String(), err)
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 130 {
		t.Errorf("exit %v, want status 130", err)
	}
	if !strings.HasSuffix(screen.String(), "\r\x1b[K") {
		t.Errorf("the terminal's last bytes are %q, want the bar's line erased", screen.String()[max(0, screen.Len()-60):])
	}
}

// TestSweepSignalChild is the sweep TestSweepInterruptedErasesTheBar
// interrupts: long enough (virtual days) to be caught drawing its bar.
func TestSweepSignalChild(t *testing.T) {
	if os.Getenv("SIM_SWEEP_SIGNAL_CHILD") == "" {
		t.Skip("run by TestSweepInterruptedErasesTheBar")
	}
	os.Exit(Main([]string{"sweep", "../../examples/day/scenario.yaml", "--jobs", "1",
		"--set", "circuitBreakers.simpleCB.timeout=5s,10s,20s,30s,40s,50s,60s,70s"}, os.Stdout, os.Stderr))
}
