package main

import (
	"os"
	"os/signal"
	"slices"
	"sync"
	"syscall"
)

// terminating are the signals that end sim (issue 11, class 2): each runs
// the registered cleanups — removing a temporary file, erasing a progress
// bar — and exits at once with the conventional status, 128 + the signal's
// number, printing nothing. SIGPIPE is among them so that a write to a
// closed stdout (`sim run … --trace t.yaml | head -1`) fails with EPIPE
// instead of killing the process before its cleanup; SIGQUIT so that it
// leaves no goroutine dump and no temporary file.
var terminating = []os.Signal{syscall.SIGHUP, syscall.SIGINT, syscall.SIGQUIT, syscall.SIGPIPE, syscall.SIGTERM}

// watcher is the one signal watcher of the process: it runs while anything
// holds it (Main, for its whole run; each onSignal registration).
var watcher struct {
	sync.Mutex // held by the exit path from the signal on, and by commitLocked
	holds      int
	stop       func()
	next       int
	cleanups   map[int]func()
}

// holdSignals starts the watcher if it is not running; release stops it
// when nothing else holds it.
func holdSignals() (release func()) {
	watcher.Lock()
	defer watcher.Unlock()
	if watcher.holds == 0 {
		watcher.stop = watch()
	}
	watcher.holds++
	var once sync.Once
	return func() {
		once.Do(func() {
			watcher.Lock()
			defer watcher.Unlock()
			watcher.holds--
			if watcher.holds == 0 {
				watcher.stop()
				watcher.stop = nil
			}
		})
	}
}

func watch() (stop func()) {
	sigs := make(chan os.Signal, 1)
	done := make(chan struct{})
	signal.Notify(sigs, terminating...)
	go func() {
		select {
		case s := <-sigs:
			// Held until the exit: nothing commits or registers meanwhile.
			watcher.Lock()
			keys := make([]int, 0, len(watcher.cleanups))
			for k := range watcher.cleanups {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				watcher.cleanups[k]()
			}
			os.Exit(128 + int(s.(syscall.Signal)))
		case <-done:
		}
	}()
	return func() {
		signal.Stop(sigs)
		close(done)
	}
}

// onSignal runs cleanup if a terminating signal ends the process before
// the returned stop is called.
func onSignal(cleanup func()) (stop func()) {
	release := holdSignals()
	watcher.Lock()
	if watcher.cleanups == nil {
		watcher.cleanups = map[int]func(){}
	}
	k := watcher.next
	watcher.next++
	watcher.cleanups[k] = cleanup
	watcher.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			watcher.Lock()
			delete(watcher.cleanups, k)
			watcher.Unlock()
			release()
		})
	}
}

// signalsHeld runs f with the watcher's lock held: a signal arriving
// meanwhile runs the cleanups after f, never during it (a rename into place
// is done or not done, never removed half-way).
func signalsHeld(f func()) {
	watcher.Lock()
	defer watcher.Unlock()
	f()
}
