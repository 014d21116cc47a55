package chromium

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Browser is a headless Chromium driven over the DevTools protocol on a
// pipe (--remote-debugging-pipe: commands on its file descriptor 3,
// answers and events on 4, each message JSON ended by a NUL byte). Unlike
// --dump-dom and --screenshot, which need --virtual-time-budget to wait
// for a page, it waits on what the page says it has done, and the page's
// clocks (performance.now) run in real time, so a page can time itself.
// It opens no port.
type Browser struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer
	send   *os.File // its fd 3

	mu      sync.Mutex
	wmu     sync.Mutex // one message at a time on the pipe
	nextID  int64
	calls   map[int64]chan message
	waiters []*waiter
	err     error // why the pipe closed
	done    chan struct{}
}

type message struct {
	ID        int64           `json:"id,omitempty"`
	Method    string          `json:"method,omitempty"`
	Params    json.RawMessage `json:"params,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error,omitempty"`
}

// waiter is someone waiting for an event of a session.
type waiter struct {
	session, method string
	ch              chan json.RawMessage
}

// Start starts the Chromium at path headless, with QuietFlags' profile in
// profileDir and args besides (--log-net-log=FILE, say). Close it.
func Start(path, profileDir string, args ...string) (*Browser, error) {
	toChrome, send, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	recv, fromChrome, err := os.Pipe()
	if err != nil {
		toChrome.Close()
		send.Close()
		return nil, err
	}
	b := &Browser{send: send, calls: map[int64]chan message{}, done: make(chan struct{})}
	b.cmd = exec.Command(path, append(append(QuietFlags(profileDir), "--remote-debugging-pipe"), append(args, "about:blank")...)...)
	b.cmd.ExtraFiles = []*os.File{toChrome, fromChrome} // fds 3 and 4
	b.cmd.Stderr = &b.stderr
	err = b.cmd.Start()
	// The child has its own copies; the pipe closes when it exits.
	toChrome.Close()
	fromChrome.Close()
	if err != nil {
		send.Close()
		recv.Close()
		return nil, err
	}
	go b.read(recv)
	return b, nil
}

// read dispatches what Chromium writes until the pipe closes.
func (b *Browser) read(r *os.File) {
	defer r.Close()
	br := bufio.NewReaderSize(r, 1<<20)
	var err error
	for {
		var raw []byte
		if raw, err = br.ReadBytes(0); err != nil {
			break
		}
		var m message
		if err = json.Unmarshal(raw[:len(raw)-1], &m); err != nil {
			err = fmt.Errorf("devtools: a message that is not JSON: %w", err)
			break
		}
		b.mu.Lock()
		if m.ID != 0 {
			if ch := b.calls[m.ID]; ch != nil {
				delete(b.calls, m.ID)
				ch <- m
			}
		} else {
			kept := b.waiters[:0]
			for _, w := range b.waiters {
				if w.method == m.Method && w.session == m.SessionID {
					w.ch <- m.Params
					continue
				}
				kept = append(kept, w)
			}
			b.waiters = kept
		}
		b.mu.Unlock()
	}
	if errors.Is(err, io.EOF) {
		err = errors.New("devtools: Chromium closed the pipe")
	}
	b.mu.Lock()
	b.err = err
	b.mu.Unlock()
	close(b.done)
}

// call sends method with params in session ("" for the browser) and
// decodes its result into result (unless nil).
func (b *Browser) call(ctx context.Context, session, method string, params, result any) error {
	p, err := json.Marshal(params)
	if err != nil {
		return err
	}
	ch := make(chan message, 1)
	b.mu.Lock()
	if b.err != nil {
		b.mu.Unlock()
		return b.err
	}
	b.nextID++
	id := b.nextID
	b.calls[id] = ch
	b.mu.Unlock()
	raw, err := json.Marshal(message{ID: id, Method: method, Params: p, SessionID: session})
	if err != nil {
		return err
	}
	b.wmu.Lock()
	_, err = b.send.Write(append(raw, 0))
	b.wmu.Unlock()
	if err != nil {
		return fmt.Errorf("devtools: %s: %w", method, err)
	}
	select {
	case m := <-ch:
		if m.Error != nil {
			return fmt.Errorf("devtools: %s: %s (%d)", method, m.Error.Message, m.Error.Code)
		}
		if result == nil {
			return nil
		}
		return json.Unmarshal(m.Result, result)
	case <-b.done:
		return fmt.Errorf("devtools: %s: %w", method, b.err)
	case <-ctx.Done():
		return fmt.Errorf("devtools: %s: %w", method, ctx.Err())
	}
}

// expect registers a wait for the next event method of session; receive
// from the channel after the call that causes it.
func (b *Browser) expect(session, method string) chan json.RawMessage {
	w := &waiter{session: session, method: method, ch: make(chan json.RawMessage, 1)}
	b.mu.Lock()
	b.waiters = append(b.waiters, w)
	b.mu.Unlock()
	return w.ch
}

// Close asks Chromium to close (so that it finishes its NetLog) and waits
// for it to exit; past the grace period it is killed.
func (b *Browser) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	callErr := b.call(ctx, "", "Browser.close", struct{}{}, nil)
	exited := make(chan error, 1)
	go func() { exited <- b.cmd.Wait() }()
	var err error
	select {
	case err = <-exited:
	case <-ctx.Done():
		b.cmd.Process.Kill()
		err = fmt.Errorf("chromium did not exit after Browser.close (%v); killed: %v", callErr, <-exited)
	}
	b.send.Close()
	if err != nil {
		return fmt.Errorf("%w\n%s", err, b.stderr.String())
	}
	return nil
}

// Page is one tab of a Browser.
type Page struct {
	b       *Browser
	session string
}

// Open opens a tab of width × height CSS pixels and loads url in it,
// returning once its load event has fired.
func (b *Browser) Open(ctx context.Context, url string, width, height int) (*Page, error) {
	var target struct {
		TargetID string `json:"targetId"`
	}
	if err := b.call(ctx, "", "Target.createTarget", map[string]any{"url": "about:blank"}, &target); err != nil {
		return nil, err
	}
	var att struct {
		SessionID string `json:"sessionId"`
	}
	if err := b.call(ctx, "", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &att); err != nil {
		return nil, err
	}
	p := &Page{b: b, session: att.SessionID}
	if err := b.call(ctx, p.session, "Emulation.setDeviceMetricsOverride",
		map[string]any{"width": width, "height": height, "deviceScaleFactor": 1, "mobile": false}, nil); err != nil {
		return nil, err
	}
	if err := b.call(ctx, p.session, "Page.enable", struct{}{}, nil); err != nil {
		return nil, err
	}
	loaded := b.expect(p.session, "Page.loadEventFired")
	var nav struct {
		ErrorText string `json:"errorText"`
	}
	if err := b.call(ctx, p.session, "Page.navigate", map[string]any{"url": url}, &nav); err != nil {
		return nil, err
	}
	if nav.ErrorText != "" {
		return nil, fmt.Errorf("devtools: loading %s: %s", url, nav.ErrorText)
	}
	select {
	case <-loaded:
		return p, nil
	case <-b.done:
		return nil, fmt.Errorf("devtools: loading %s: %w", url, b.err)
	case <-ctx.Done():
		return nil, fmt.Errorf("devtools: loading %s: %w", url, ctx.Err())
	}
}

// Eval evaluates the JavaScript expression expr in the page, waits for
// the promise it gives (if it is one) and decodes its value, as JSON,
// into out (unless nil). A thrown exception is an error.
func (p *Page) Eval(ctx context.Context, expr string, out any) error {
	var r struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		Exception *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	err := p.b.call(ctx, p.session, "Runtime.evaluate", map[string]any{"expression": expr, "awaitPromise": true, "returnByValue": true}, &r)
	if err != nil {
		return err
	}
	if r.Exception != nil {
		return fmt.Errorf("devtools: %.80q threw: %s %s", expr, r.Exception.Text, r.Exception.Exception.Description)
	}
	if out == nil || len(r.Result.Value) == 0 {
		return nil
	}
	return json.Unmarshal(r.Result.Value, out)
}

// Screenshot is a PNG of the page's viewport.
func (p *Page) Screenshot(ctx context.Context) ([]byte, error) {
	var r struct {
		Data string `json:"data"`
	}
	if err := p.b.call(ctx, p.session, "Page.captureScreenshot", map[string]any{"format": "png"}, &r); err != nil {
		return nil, err
	}
	return base64.StdEncoding.DecodeString(r.Data)
}

// CPU is the processor time Chromium's processes (the browser and every
// process under it: renderers, their workers' threads, the GPU process)
// have used so far, from /proc (Linux): what a page's work costs whatever
// else the machine runs, where the wall clock measures the machine's load
// too. A process that has exited no longer counts.
func (b *Browser) CPU() (time.Duration, error) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, fmt.Errorf("chromium: processor time: %w", err)
	}
	parent := map[int]int{}
	ticks := map[int]int64{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue // gone meanwhile
		}
		// pid (comm) state ppid ... utime stime: fields 4, 14 and 15; comm
		// may hold spaces and parentheses, so count after its last ')'.
		i := bytes.LastIndexByte(stat, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(stat[i+1:]))
		if len(f) < 13 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		utime, _ := strconv.ParseInt(f[11], 10, 64)
		stime, _ := strconv.ParseInt(f[12], 10, 64)
		parent[pid], ticks[pid] = ppid, utime+stime
	}
	root := b.cmd.Process.Pid
	if _, ok := parent[root]; !ok {
		return 0, fmt.Errorf("chromium: processor time: no process %d in /proc", root)
	}
	var sum int64
	for pid, n := range ticks {
		if under(pid, root, parent) {
			sum += n
		}
	}
	// USER_HZ is 100 on every Linux this runs on (sysconf(_SC_CLK_TCK)).
	return time.Duration(sum) * (time.Second / 100), nil
}

// under reports whether pid is root or a process under it.
func under(pid, root int, parent map[int]int) bool {
	for range 64 { // a tree deeper than that is not Chromium's
		if pid == root {
			return true
		}
		pp, ok := parent[pid]
		if !ok || pp == pid || pp == 0 {
			return false
		}
		pid = pp
	}
	return false
}
