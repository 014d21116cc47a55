package harness

import (
	"strings"
	"sync"
	"sync/atomic"

	"github.com/alicebob/miniredis/v2"
	"github.com/alicebob/miniredis/v2/server"
)

// Redis is a miniredis server on loopback for driving components-contrib's
// real state.redis client from inside a testing/synctest bubble (the
// Client* suites, client.go).
//
// It must be started outside the bubble, and the bubble stops and restarts it
// through a goroutine that is outside too: miniredis serves each listener and
// connection on goroutines of its own, and a goroutine parked in Accept or
// Read is not "durably blocked", so one inside the bubble would keep the
// bubble from ever going idle and its clock (go-redis's backoff sleeps) from
// advancing (tried: with miniredis started inside, a one-second sleep in the
// bubble never returns). Outside, miniredis runs on the real clock, and the bubble's clock
// stands still while a bubble goroutine waits for it on the network or on
// Stop/Start: the network part is real and takes no virtual time.
//
// Version is the redis_version the server reports to INFO server; the
// component picks go-redis v9 from 7.0.0 and when the query fails, else v8
// (contrib@v1.14.0-rc.6 and @v1.16.0 common/component/redis/redis.go
// ParseClientFromProperties). miniredis v2.40.0 answers INFO with the
// clients and stats sections only ("section (server) is not supported"), and
// the state store's Init also asks INFO replication and fails on that error;
// so Redis answers both sections itself, unless Version is "" (bare
// miniredis).
type Redis struct {
	Version string

	m       *miniredis.Miniredis
	do      chan func()
	done    chan struct{}
	mu      sync.Mutex // one request to the control goroutine at a time
	drop    atomic.Bool
	dropped atomic.Int64
	hellos  atomic.Int64
}

// StartRedis starts miniredis on 127.0.0.1 with a free port, reporting
// version to INFO server, and the goroutine that stops and restarts it. Call
// it outside any synctest bubble; Close ends both.
func StartRedis(version string) (*Redis, error) {
	r := &Redis{Version: version, m: miniredis.NewMiniRedis(), do: make(chan func()), done: make(chan struct{})}
	if err := r.m.Start(); err != nil {
		return nil, err
	}
	r.m.Server().SetPreHook(r.hook)
	go func() {
		for f := range r.do {
			f()
			r.done <- struct{}{}
		}
	}()
	return r, nil
}

// Addr is host:port; the port stays the same across Stop and Start.
func (r *Redis) Addr() string { return r.m.Addr() }

// Stop closes the server as a stopped container does: the listener and
// every connection close, and a connect to the port is refused.
func (r *Redis) Stop() { r.outside(r.m.Close) }

// Start starts the stopped server again on the same address, keeping its
// data.
func (r *Redis) Start() error {
	var err error
	r.outside(func() {
		if err = r.m.Restart(); err == nil {
			r.m.Server().SetPreHook(r.hook)
		}
	})
	return err
}

// Drop makes the running server accept connections and close each one on
// its first command, unanswered: the client reads EOF (a server that dies
// under the command), which go-redis retries like a refused connect.
func (r *Redis) Drop(on bool) { r.drop.Store(on) }

// Dropped is the number of commands Drop has closed a connection on: one per
// try of the client, which opens a new connection for each.
func (r *Redis) Dropped() int64 { return r.dropped.Load() }

// Hellos is the number of HELLO commands received. go-redis v9 sends HELLO
// on every new connection and v8 never does, so it tells from outside which
// client the component picked.
func (r *Redis) Hellos() int64 { return r.hellos.Load() }

// Close shuts the server and the control goroutine down.
func (r *Redis) Close() {
	r.m.Close()
	close(r.do)
}

// outside runs f on the control goroutine and waits for it. A bubble
// goroutine waiting here is not durably blocked, so the bubble's clock does
// not move until f is done.
func (r *Redis) outside(f func()) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.do <- f
	<-r.done
}

func (r *Redis) hook(c *server.Peer, cmd string, args ...string) bool {
	if r.drop.Load() {
		r.dropped.Add(1)
		c.Close()
		return true
	}
	if cmd == "HELLO" {
		r.hellos.Add(1)
		return false
	}
	if cmd != "INFO" || len(args) != 1 || r.Version == "" {
		return false
	}
	switch strings.ToLower(args[0]) {
	case "server":
		c.WriteBulk("# Server\r\nredis_version:" + r.Version + "\r\n")
	case "replication":
		c.WriteBulk("# Replication\r\nrole:master\r\nconnected_slaves:0\r\n")
	default:
		return false
	}
	return true
}
