package chromium

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestBrowser drives a control page through every call the browser tests
// use: a value and a promise come back from Eval, a thrown exception is an
// error naming it, a screenshot is a PNG, Chromium's processor time grows,
// and Close ends it with its NetLog written.
func TestBrowser(t *testing.T) {
	path := Find()
	if path == "" {
		t.Skip(SkipMessage)
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "page.html")
	if err := os.WriteFile(page, []byte(`<!DOCTYPE html><title>control</title><p id="p">hello</p>
<script>window.later = new Promise(function (resolve) { setTimeout(function () { resolve({n: 42, s: document.getElementById("p").textContent}); }, 50); });</script>`), 0o644); err != nil {
		t.Fatal(err)
	}
	netlog := filepath.Join(dir, "netlog.json")
	b, err := Start(path, filepath.Join(dir, "profile"), "--log-net-log="+netlog)
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	defer func() {
		if !closed {
			b.Close()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cpu0, err := b.CPU()
	if err != nil {
		t.Fatal(err)
	}
	p, err := b.Open(ctx, "file://"+page, 400, 300)
	if err != nil {
		t.Fatal(err)
	}
	var title string
	if err := p.Eval(ctx, "document.title", &title); err != nil || title != "control" {
		t.Errorf("document.title: %q, %v; want control", title, err)
	}
	var later struct {
		N int
		S string
	}
	if err := p.Eval(ctx, "window.later", &later); err != nil || later.N != 42 || later.S != "hello" {
		t.Errorf("a promise: %+v, %v; want {42 hello}", later, err)
	}
	if err := p.Eval(ctx, `(function () { throw new Error("planted") })()`, nil); err == nil || !strings.Contains(err.Error(), "planted") {
		t.Errorf("a thrown exception: %v; want an error naming it", err)
	}
	png, err := p.Screenshot(ctx)
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) {
		t.Errorf("screenshot: %d bytes, %v; want a PNG", len(png), err)
	}
	cpu1, err := b.CPU()
	if err != nil || cpu1 <= cpu0 {
		t.Errorf("Chromium's processor time went from %v to %v (%v); want it to grow", cpu0, cpu1, err)
	}
	closed = true
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	log, err := os.ReadFile(netlog)
	if err != nil {
		t.Fatal(err)
	}
	if reqs, err := PageRequests(log); err != nil || len(reqs) != 0 {
		t.Errorf("the control page made requests %q (%v); want none, and a NetLog that reads", reqs, err)
	}
}
