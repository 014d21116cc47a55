package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	chromiumpkg "github.com/dapr-sim/sim/internal/chromium"
	"github.com/dapr-sim/sim/picture/page"
	"github.com/dapr-sim/sim/sim"
	"github.com/dapr-sim/sim/traces"
)

// renderQuickstart renders the quickstart to an HTML page in a temporary
// directory and returns its path.
func renderQuickstart(t *testing.T) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "quickstart.html")
	var stdout, stderr bytes.Buffer
	if st := Main([]string{"render", "../../examples/quickstart/scenario.yaml", "-o", out}, &stdout, &stderr); st != 0 {
		t.Fatalf("sim render: exit %d: %s", st, stderr.String())
	}
	return out
}

// TestRenderHTMLLoadsNothing checks the page's text: a Content-Security-Policy
// that allows no fetch comes first in <head>, and nothing in the file names
// a network resource (no http: or https: anywhere, no src or href
// attribute, no CSS url() but fragment references, no @import).
func TestRenderHTMLLoadsNothing(t *testing.T) {
	b, err := os.ReadFile(renderQuickstart(t))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	csp := `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">`
	if i := strings.Index(s, csp); i < 0 || i > strings.Index(s, "<meta name=") || i > strings.Index(s, "<style>") {
		t.Errorf("the page does not open its <head> with the CSP %s", csp)
	}
	for _, re := range []string{`(?i)https?:`, `(?i)\s(src|href|action|srcset|poster|data)\s*=`, `(?i)url\((?:[^#)])`, `(?i)@import`, `(?i)//[a-z0-9.-]+\.[a-z]{2,}/`} {
		if m := regexp.MustCompile(re).FindString(s); m != "" {
			t.Errorf("the page names a network resource: %q matches %s", m, re)
		}
	}
}

// TestRenderHTMLInChromium opens the rendered quickstart in headless
// Chromium from file:// and proves, from the DOM Chromium dumps:
//   - the breaker's diagram is there and laid out (three states, a width);
//   - moving the slider changes the highlighted state: closed at 20s, open
//     at 27s (tripped at 26s), open at 31.5s (the probe at 31s failed),
//     closed at 37s (closed at 36s), with the store down then up;
//   - the breaker's lane is closed from its first request, each half-open
//     period at least 4 px wide, its name line counting failures;
//   - the breaker diagram's arrow labels are drawn at 10 px or more, none
//     over another;
//   - the latest events are said as `sim run --explain` prints them, the
//     raw event folded under each and shown on a click;
//   - the right arrow key steps to the next event instant;
//   - no network request: the page made no fetch (no resource timing
//     entry), the CSP blocked nothing, and Chromium's NetLog shows no
//     request a document initiated (Chromium's own background requests
//     have no initiator). A control page that does fetch is flagged by the
//     same NetLog check, so the check can fail.
func TestRenderHTMLInChromium(t *testing.T) {
	chromium := chromiumpkg.Find()
	if chromium == "" {
		t.Skip(chromiumpkg.SkipMessage)
	}
	pagePath := renderQuickstart(t)
	dom, netlog := runChromium(t, chromium, "file://"+pagePath+"#selftest=20,27,31.5,37")

	m := regexp.MustCompile(`(?s)<pre id="selftest">(.*?)</pre>`).FindStringSubmatch(dom)
	if m == nil {
		t.Fatalf("the page wrote no self-test result; DOM:\n%.2000s", dom)
	}
	var got page.SelfTest
	if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &got); err != nil {
		t.Fatalf("self-test result %q: %v", m[1], err)
	}
	if got.Diagrams != 1 || strings.Join(got.States, ",") != "closed,open,half-open" || got.Width < 100 {
		t.Errorf("breaker diagram: %d diagrams, states %v, width %.0f; want 1 with closed, open, half-open, laid out", got.Diagrams, got.States, got.Width)
	}
	// Readable at 1×: the labels are drawn at 10 px or more and none
	// overlaps another.
	if got.LabelPx < 10 || got.LabelOverlaps != 0 {
		t.Errorf("diagram labels: smallest %.1f px, %d overlapping pairs; want at least 10 px, none", got.LabelPx, got.LabelOverlaps)
	}
	want := []struct {
		at, state, store string
	}{{"20s", "closed", "down"}, {"27s", "open", "down"}, {"31.5s", "open", "down"}, {"37s", "closed", "up"}}
	if len(got.Steps) != len(want) {
		t.Fatalf("self-test steps: %+v", got.Steps)
	}
	for i, w := range want {
		s := got.Steps[i]
		if s.Clock != w.at || s.Highlighted["simpleCB-statestore"] != w.state || s.Stores["statestore"] != w.store {
			t.Errorf("slider at %s: page shows %s, breaker %q, store %q; want breaker %q, store %q",
				w.at, s.Clock, s.Highlighted["simpleCB-statestore"], s.Stores["statestore"], w.state, w.store)
		}
		if i > 0 && s.LogLines <= got.Steps[i-1].LogLines {
			t.Errorf("slider at %s: %d log lines, not more than at %s (%d)", w.at, s.LogLines, want[i-1].at, got.Steps[i-1].LogLines)
		}
	}
	// The breaker's lane: closed from its first request (the first save,
	// answered at 2.001001s), then the transitions, each half-open (89 ms
	// and 1 ms of a minute) drawn at least 4 px wide; its name line says
	// the state and failures at the last step (37s).
	if len(got.BreakerLanes) != 1 {
		t.Fatalf("breaker lanes: %+v, want simpleCB-statestore's", got.BreakerLanes)
	}
	bl := got.BreakerLanes[0]
	var states []string
	for _, g := range bl.Segments {
		states = append(states, g.State)
		if g.State == "half-open" && g.Px < 4 {
			t.Errorf("a half-open segment from %s is %.1f px wide, want at least 4", time.Duration(g.From), g.Px)
		}
	}
	if strings.Join(states, ",") != "closed,open,half-open,open,half-open,closed" || bl.Segments[0].From != int64(2001001*time.Microsecond) {
		t.Errorf("breaker lane segments %+v; want closed from 2.001001s, open, half-open, open, half-open, closed", bl.Segments)
	}
	if !strings.HasPrefix(bl.Label, "simpleCB-statestore · closed, 0 consecutive failures") {
		t.Errorf("breaker lane at 37s says %q", bl.Label)
	}
	// The latest events in plain words: at 27s, the trip at 26.405988957s
	// as `sim run --explain` says it, the raw event folded under it; the
	// events the log does not show folded apart.
	trip := false
	for _, said := range got.Steps[1].Said {
		if strings.HasPrefix(said.Plain, `INFO[0026] Circuit breaker "simpleCB-statestore" changed state from closed to open`+"\nwhy @26.405988957s: trip") {
			trip = true
			if !strings.Contains(said.Raw, "kind: breaker") || said.Open || said.RawShown {
				t.Errorf("the trip's raw event %q: unfolded %v, shown %v; want the breaker event, folded", said.Raw, said.Open, said.RawShown)
			}
		}
		if strings.HasPrefix(said.Plain, "{") {
			t.Errorf("an event said as its raw form: %q", said.Plain)
		}
	}
	if !trip {
		t.Errorf("at 27s the latest events say %+v; want the trip in plain words", got.Steps[1].Said)
	}
	if !got.RawOnDemand {
		t.Error("a click on an event's fold did not show the raw event")
	}
	if got.Arrow <= int64(37*time.Second) || got.Arrow > int64(38*time.Second) {
		t.Errorf("right arrow from 37s went to %s, want the next event instant", time.Duration(got.Arrow))
	}
	if got.Resources != 0 || len(got.Blocked) != 0 {
		t.Errorf("the page fetched %d resources, the CSP blocked %q; want none", got.Resources, got.Blocked)
	}
	if reqs := pageRequests(t, netlog); len(reqs) != 0 {
		t.Errorf("the page made network requests: %q", reqs)
	}

	// The control: a page that fetches is caught by the same check.
	ctl := filepath.Join(t.TempDir(), "control.html")
	if err := os.WriteFile(ctl, []byte(`<html><body><img src="http://127.0.0.1:9/x.png"></body></html>`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, ctlLog := runChromium(t, chromium, "file://"+ctl)
	if reqs := pageRequests(t, ctlLog); len(reqs) != 1 || reqs[0] != "http://127.0.0.1:9/x.png" {
		t.Errorf("the NetLog check missed the control page's request: found %q", reqs)
	}
}

// TestRenderHTMLDeliveriesInChromium renders examples/pubsub and reads
// the deliveries lane back from the DOM Chromium dumps, against the run's
// own events (a fresh run, not the page's data):
//   - one lane, orders → order-processor, with a bar per deliver event, in
//     start order, each with its message, result and colour, all drawn;
//   - each message's last delivery number is one more than its redeliver
//     events;
//   - a bar's tooltip, and what a click on the first bar shows, carry the
//     message id, delivery number and the app's answer;
//   - at 16s (the subscriber failing, the breaker open) and 75s (the
//     subscriber crashed, five messages redelivered) the messages in
//     flight are the deliveries that began at or before the instant the
//     page shows and end after it.
func TestRenderHTMLDeliveriesInChromium(t *testing.T) {
	chromium := chromiumpkg.Find()
	if chromium == "" {
		t.Skip(chromiumpkg.SkipMessage)
	}
	const scenario = "../../examples/pubsub/scenario.yaml"
	out := filepath.Join(t.TempDir(), "pubsub.html")
	var stdout, stderr bytes.Buffer
	if st := Main([]string{"render", scenario, "-o", out}, &stdout, &stderr); st != 0 {
		t.Fatalf("sim render: exit %d: %s", st, stderr.String())
	}
	dom, _ := runChromium(t, chromium, "file://"+out+"#selftest=16,75")
	m := regexp.MustCompile(`(?s)<pre id="selftest">(.*?)</pre>`).FindStringSubmatch(dom)
	if m == nil {
		t.Fatalf("the page wrote no self-test result; DOM:\n%.2000s", dom)
	}
	var got page.SelfTest
	if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &got); err != nil {
		t.Fatalf("self-test result %q: %v", m[1], err)
	}

	sc, err := sim.LoadScenario(scenario)
	if err != nil {
		t.Fatal(err)
	}
	setup, err := sim.Prepare(sc, sim.Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	var run traces.Collector
	eng := sim.NewEngine(setup, &run, sim.Options{})
	if err := eng.Run(); err != nil {
		t.Fatal(err)
	}
	eng.Close()
	var delivers []traces.Event
	redelivered := map[string]int{}
	for _, e := range run.Events {
		switch e.Kind {
		case traces.Deliver:
			delivers = append(delivers, e)
		case traces.Redeliver:
			redelivered[e.Message]++
		}
	}
	sort.SliceStable(delivers, func(i, j int) bool { return delivers[i].T-delivers[i].Took < delivers[j].T-delivers[j].Took })

	const lane = "orders → order-processor"
	if len(got.Lanes) != 1 || got.Lanes[0].Name != lane {
		t.Fatalf("deliveries lanes %+v; want one, %q", got.Lanes, lane)
	}
	bars := got.Lanes[0].Deliveries
	if len(bars) != len(delivers) {
		t.Fatalf("the lane draws %d deliveries; the run has %d deliver events", len(bars), len(delivers))
	}
	last := map[string]int{}
	for i, b := range bars {
		e := delivers[i]
		state := map[string]string{traces.ResultAck: "ok", traces.ResultPending: "retrying", traces.ResultAckFailed: "retrying"}[e.Result]
		if state == "" {
			state = "failed"
		}
		if b.Message != e.Message || b.Result != e.Result || b.State != state || !b.Drawn {
			t.Fatalf("bar %d: %+v; want message %s, result %s, colour %s, drawn", i, b, e.Message, e.Result, state)
		}
		if !strings.Contains(b.Title, e.Message) || !strings.Contains(b.Title, fmt.Sprintf("delivery %d", b.Delivery)) || !strings.Contains(b.Title, "the app's last answer: ") {
			t.Errorf("bar %d's tooltip %q lacks its message, delivery number or answer", i, b.Title)
		}
		last[b.Message] = max(last[b.Message], b.Delivery)
	}
	for msg, n := range last {
		if n != redelivered[msg]+1 {
			t.Errorf("message %s: last delivery drawn is number %d; the run redelivered it %d times", msg, n, redelivered[msg])
		}
	}
	if redelivered["946684810000-0"] == 0 {
		t.Errorf("the run no longer redelivers order 10: the check of delivery numbers proves less")
	}
	if want := "946684801000-0 (event 7b5a1309-c579-48e2-a961-2e68f82d3610), delivery 1, 1.000001s to 1.002002s: ack after 1 attempt; the app's last answer: HTTP 200: taken"; !strings.Contains(got.Selected, want) {
		t.Errorf("a click on the first delivery shows %q; want it to contain %q", got.Selected, want)
	}
	for _, b := range bars {
		if b.Message == "946684810000-0" && b.Delivery == 1 {
			if want := "pending after 2 attempts; the app's last answer: none: not sent, circuit breaker is open"; !strings.HasSuffix(b.Title, want) {
				t.Errorf("order 10's first delivery: tooltip %q; want it to end with %q (the runner's error, which is the answer, said once)", b.Title, want)
			}
		}
	}

	if len(got.Steps) != 2 {
		t.Fatalf("self-test steps: %+v", got.Steps)
	}
	for _, s := range got.Steps {
		// The page shows the snapshot of the last event instant at or
		// before the slider's.
		var inst time.Duration
		for _, e := range run.Events {
			if e.T <= time.Duration(s.At) {
				inst = max(inst, e.T)
			}
		}
		var want []string
		for _, e := range delivers {
			if e.T-e.Took <= inst && inst < e.T {
				want = append(want, lane+" "+e.Message)
			}
		}
		sort.Strings(want)
		gotIn := append([]string(nil), s.InFlight...)
		sort.Strings(gotIn)
		if len(want) == 0 || strings.Join(gotIn, "\n") != strings.Join(want, "\n") {
			t.Errorf("at %s the page shows in flight %q; the run has %q (at %s)", s.Clock, gotIn, want, inst)
		}
	}
}

// runChromium loads url in headless Chromium with a fresh profile and the
// flags that keep its background networking quiet, and returns the DOM it
// dumped and its NetLog.
func runChromium(t *testing.T, chromium, url string) (dom string, netlog []byte) {
	t.Helper()
	dir := t.TempDir()
	logPath := filepath.Join(dir, "netlog.json")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	args := append(chromiumpkg.QuietFlags(filepath.Join(dir, "profile")),
		"--log-net-log="+logPath, "--virtual-time-budget=5000", "--dump-dom", url)
	cmd := exec.CommandContext(ctx, chromium, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\n%s", url, err, stderr.String())
	}
	netlog, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatalf("chromium wrote no NetLog: %v", err)
	}
	return stdout.String(), netlog
}

// pageRequests is chromium.PageRequests, failing the test on a NetLog it
// cannot read.
func pageRequests(t *testing.T, netlog []byte) []string {
	t.Helper()
	reqs, err := chromiumpkg.PageRequests(netlog)
	if err != nil {
		t.Fatal(err)
	}
	return reqs
}
