package main

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dapr-sim/sim/traces"
	"github.com/dapr-sim/sim/traces/prom"
	"github.com/prometheus/client_golang/prometheus"
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

// TestMetricsAddrScrapedAsTheRunEnds scrapes --metrics-addr without pause
// while a run with --metrics FILE too plays to its end: closing the
// recorder (which settles the breaker transition pending at the end) and
// writing the file must not race the scrapes the server still answers
// (run with -race), and the file must be whole.
func TestMetricsAddrScrapedAsTheRunEnds(t *testing.T) {
	om := filepath.Join(t.TempDir(), "metrics.om")
	var stdout, stderr syncBuffer
	status := make(chan int, 1)
	go func() {
		status <- Main([]string{"run", "../../examples/alerts/scenario.yaml", "--speed", "600", "--metrics", om, "--metrics-addr", "127.0.0.1:0"}, &stdout, &stderr)
	}()
	addrRE := regexp.MustCompile(`serving the sidecars' metrics on (http://127\.0\.0\.1:\d+/metrics)`)
	var url string
	for deadline := time.Now().Add(10 * time.Second); url == "" && time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if m := addrRE.FindStringSubmatch(stderr.String()); m != nil {
			url = m[1]
		}
	}
	if url == "" {
		t.Fatalf("no address on stderr:\n%s", stderr.String())
	}
	client := &http.Client{Timeout: 5 * time.Second}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := client.Get(url)
				if err != nil {
					continue // the server has shut down, or is shutting down
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		}()
	}
	s := <-status
	close(stop)
	wg.Wait()
	if s != 0 {
		t.Fatalf("exit %d\n%s", s, stderr.String())
	}
	data, err := os.ReadFile(om)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasSuffix(data, []byte("# EOF\n")) {
		t.Errorf("%s does not end in # EOF", om)
	}
}

// TestLiveCloseRecorderHoldsTheLock: a breaker transition recorded last
// is settled by closing the recorder, which adds its activation series
// while the server may still be collecting; under -race, this fails
// unless the close takes the lock Collect takes. (No shipped example ends
// on an unsettled transition, so TestMetricsAddrScrapedAsTheRunEnds
// cannot show it.)
func TestLiveCloseRecorderHoldsTheLock(t *testing.T) {
	pol := prom.Policy{Target: "Statestore_statestore", Breaker: "cb"}
	rec := prom.New([]prom.Sidecar{{AppID: "a", Resiliency: []string{"r"}, Steps: []prom.Step{{Op: "save", Component: "statestore", Policy: pol}}}},
		prom.Options{Minor: 16, Interval: 15 * time.Second, Horizon: time.Minute, Start: time.Unix(0, 0)})
	l := &liveMetrics{rec: rec}
	if err := rec.Record(&traces.Event{T: 30 * time.Second, Kind: traces.Breaker, App: "a", Name: "cb", To: "open"}); err != nil {
		t.Fatal(err)
	}
	before := len(rec.Current())
	ch := make(chan prometheus.Metric, 64)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 200 {
			l.Collect(ch)
			for len(ch) > 0 {
				<-ch
			}
		}
	}()
	l.closeRecorder()
	<-done
	if after := len(rec.Current()); after <= before {
		t.Errorf("closing settled no activation: %d series before, %d after", before, after)
	}
}
