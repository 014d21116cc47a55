package harness

import (
	"errors"
	"net"
	"strings"
	"syscall"
	"testing"

	"github.com/alicebob/miniredis/v2/proto"
)

// TestRedisStopStart checks what the release modules' client tests rely on:
// INFO answers, a refused port while stopped, the same port and data after
// a restart, EOF in the drop mode, HELLO counted.
func TestRedisStopStart(t *testing.T) {
	r, err := StartRedis("6.2.14")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	addr := r.Addr()
	c := dial(t, addr)
	for _, want := range []struct{ section, line string }{{"server", "redis_version:6.2.14"}, {"replication", "connected_slaves:0"}} {
		got, err := c.Do("INFO", want.section)
		if err != nil || !strings.Contains(got, want.line) {
			t.Errorf("INFO %s: %q, %v; want %s", want.section, got, err, want.line)
		}
	}
	if _, err := c.Do("SET", "k", "v"); err != nil {
		t.Fatal(err)
	}

	r.Stop()
	if _, err := net.Dial("tcp", addr); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("dial while stopped: %v, want connection refused", err)
	}
	if err := r.Start(); err != nil {
		t.Fatal(err)
	}
	if r.Addr() != addr {
		t.Errorf("restarted on %s, want %s", r.Addr(), addr)
	}
	c = dial(t, addr)
	if got, err := c.Do("GET", "k"); err != nil || got != proto.String("v") {
		t.Errorf("GET after restart: %q, %v", got, err)
	}
	if _, err := c.Do("HELLO", "3"); err != nil {
		t.Fatal(err)
	}
	if r.Hellos() != 1 {
		t.Errorf("%d HELLOs counted, want 1", r.Hellos())
	}

	r.Drop(true)
	if got, err := dial(t, addr).Do("PING"); err == nil {
		t.Errorf("PING in drop mode answered %q", got)
	}
	if r.Dropped() != 1 {
		t.Errorf("%d dropped, want 1", r.Dropped())
	}
}

func dial(t *testing.T, addr string) *proto.Client {
	t.Helper()
	c, err := proto.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
