package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/dapr-sim/sim/clock"
	"github.com/dapr-sim/sim/traces"
	"github.com/dapr-sim/sim/traces/prom"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Bounds of the live /metrics server: a few scrapes at once (promhttp
// answers 503 beyond), short timeouts, small headers. It is a demo
// server on loopback, not a service.
const (
	liveMaxScrapes = 4
	liveTimeout    = 5 * time.Second
)

// loopbackAddr checks that addr is host:port on a loopback address, the
// only kind --metrics-addr serves on: the metrics of a simulation are
// nobody else's business, and a port on every interface is a port to
// guard.
func loopbackAddr(addr string) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("%w: --metrics-addr: want HOST:PORT on loopback, such as 127.0.0.1:9090, got %q", errUsage, addr)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return fmt.Errorf("%w: --metrics-addr: want a port number from 0 to 65535, got %q", errUsage, port)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%w: --metrics-addr: sim serves metrics on loopback only (127.0.0.1, ::1 or localhost), got %q", errUsage, host)
	}
	return nil
}

// liveMetrics serves /metrics as a sidecar does while a run plays at
// --speed: a Sink that records each event when the real clock reaches
// it, and a prometheus.Collector that exports what has been recorded.
type liveMetrics struct {
	mu    sync.Mutex
	rec   *prom.Recorder
	pacer *clock.Pacer
	srv   *http.Server
	done  chan error
}

// startLive listens on addr and serves rec's metrics from there on; the
// address it listens on (the port chosen for :0) goes to stderr.
func startLive(addr string, rec *prom.Recorder, pacer *clock.Pacer, stderr io.Writer) (*liveMetrics, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%w: --metrics-addr: %v", errUsage, err)
	}
	l := &liveMetrics{rec: rec, pacer: pacer, done: make(chan error, 1)}
	reg := prometheus.NewRegistry()
	if err := reg.Register(l); err != nil {
		ln.Close()
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{MaxRequestsInFlight: liveMaxScrapes, Timeout: liveTimeout}))
	l.srv = &http.Server{
		Handler:           mux,
		ReadHeaderTimeout: liveTimeout,
		ReadTimeout:       liveTimeout,
		WriteTimeout:      liveTimeout,
		IdleTimeout:       liveTimeout,
		MaxHeaderBytes:    8 << 10,
	}
	fmt.Fprintf(stderr, "sim: serving the sidecars' metrics on http://%s/metrics while the run plays\n", ln.Addr())
	go func() { l.done <- l.srv.Serve(ln) }()
	return l, nil
}

// Record implements traces.Sink: the event counts from its real instant.
func (l *liveMetrics) Record(e *traces.Event) error {
	l.pacer.Wait(e.T)
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.rec.Record(e)
}

// closeRecorder closes the recorder once the run has ended. Closing
// settles a pending breaker transition, which writes the series a scrape
// under way reads: it holds the lock scrapes take.
func (l *liveMetrics) closeRecorder() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.rec.Close()
}

// Close stops serving, waiting for scrapes under way.
func (l *liveMetrics) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), liveTimeout)
	defer cancel()
	err := l.srv.Shutdown(ctx)
	if serr := <-l.done; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}

// Describe sends nothing: the series come and go with the run, so the
// collector is unchecked.
func (l *liveMetrics) Describe(chan<- *prometheus.Desc) {}

// Collect implements prometheus.Collector.
func (l *liveMetrics) Collect(ch chan<- prometheus.Metric) {
	l.mu.Lock()
	ms := l.rec.Current()
	l.mu.Unlock()
	for _, m := range ms {
		var names, values []string
		for i := 0; i+1 < len(m.Labels); i += 2 {
			names = append(names, m.Labels[i])
			values = append(values, m.Labels[i+1])
		}
		desc := prometheus.NewDesc(m.Name, m.Help, names, nil)
		var (
			metric prometheus.Metric
			err    error
		)
		switch m.Type {
		case "histogram":
			buckets := make(map[float64]uint64, len(m.Bounds))
			for i, b := range m.Bounds {
				buckets[b] = m.Buckets[i]
			}
			metric, err = prometheus.NewConstHistogram(desc, m.Count, m.Sum, buckets, values...)
		case "gauge":
			metric, err = prometheus.NewConstMetric(desc, prometheus.GaugeValue, m.Value, values...)
		default:
			metric, err = prometheus.NewConstMetric(desc, prometheus.CounterValue, m.Value, values...)
		}
		if err != nil {
			metric = prometheus.NewInvalidMetric(desc, err)
		}
		ch <- metric
	}
}
