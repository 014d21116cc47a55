//go:build linux

package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
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
