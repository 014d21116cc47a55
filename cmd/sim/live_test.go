package main

import (
	"bytes"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe to read while sim writes it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestMetricsAddrServesWhileTheRunPlays scrapes --metrics-addr as a
// Prometheus would while the quickstart plays at 20× (3 s), on loopback:
// the sidecar's series in Prometheus' text format, counts that grow, and
// no server once the run has ended.
func TestMetricsAddrServesWhileTheRunPlays(t *testing.T) {
	var stdout, stderr syncBuffer
	status := make(chan int, 1)
	go func() {
		status <- Main([]string{"run", "../../examples/quickstart/scenario.yaml", "--speed", "20", "--metrics-addr", "127.0.0.1:0"}, &stdout, &stderr)
	}()
	addrRE := regexp.MustCompile(`serving the sidecars' metrics on (http://127\.0\.0\.1:\d+/metrics)`)
	var url string
	for deadline := time.Now().Add(10 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := addrRE.FindStringSubmatch(stderr.String()); m != nil {
			url = m[1]
		}
	}
	if url == "" {
		t.Fatalf("no address on stderr:\n%s", stderr.String())
	}
	client := &http.Client{Timeout: 5 * time.Second}
	scrape := func() (string, error) {
		resp, err := client.Get(url)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
			t.Errorf("Content-Type %q, want Prometheus' text format", ct)
		}
		b, err := io.ReadAll(resp.Body)
		return string(b), err
	}
	const series = `dapr_component_state_count{app_id="order-processor",component="statestore",operation="set",success="true"} `
	var counts []string
	for len(counts) < 2 {
		body, err := scrape()
		if err != nil {
			t.Fatalf("scrape %s: %v (after %d scrapes)", url, err, len(counts))
		}
		for _, l := range strings.Split(body, "\n") {
			if v, ok := strings.CutPrefix(l, series); ok && (len(counts) == 0 || counts[len(counts)-1] != v) {
				counts = append(counts, v)
			}
		}
		if len(counts) < 2 {
			time.Sleep(200 * time.Millisecond)
		}
		select {
		case s := <-status:
			t.Fatalf("the run ended (exit %d) before two scrapes saw the count grow: %v\n%s", s, counts, stderr.String())
		default:
		}
	}
	if s := <-status; s != 0 {
		t.Fatalf("exit %d\n%s", s, stderr.String())
	}
	if !strings.Contains(stdout.String(), `Circuit breaker "simpleCB-statestore" changed state from closed to open`) {
		t.Errorf("the log is not the quickstart's:\n%s", stdout.String())
	}
	if _, err := client.Get(url); err == nil {
		t.Errorf("%s still answers after the run ended", url)
	}
}
