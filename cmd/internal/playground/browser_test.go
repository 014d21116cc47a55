package playground

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/dapr-sim/sim/internal/chromium"
)

// The browser test runs in this package's test binary, not cmd/sim's:
// compiling the engine for js/wasm takes minutes on a cold cache, which
// cmd/sim's tests (near ten minutes under -race on a loaded machine) have
// no room for.

var (
	buildOnce sync.Once
	buildDir  string // removed by TestMain
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// built builds, once per test binary, the playground (as make playground
// does) and the sim binary, whose output the page is held to. It returns
// index.html and the binary.
func built(t testing.TB) (index, sim string) {
	t.Helper()
	buildOnce.Do(func() {
		root, err := filepath.Abs("../../..")
		if err != nil {
			buildErr = err
			return
		}
		if buildDir, buildErr = os.MkdirTemp("", "sim-playground-test-"); buildErr != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
		defer cancel()
		if buildErr = Build(ctx, Options{Root: root, Out: buildDir}); buildErr != nil {
			return
		}
		c := exec.CommandContext(ctx, "go", "build", "-o", filepath.Join(buildDir, "sim"), "./cmd/sim")
		c.Dir = root
		if out, err := c.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build ./cmd/sim: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatalf("building the playground and sim: %v", buildErr)
	}
	return filepath.Join(buildDir, "index.html"), filepath.Join(buildDir, "sim")
}

// selfTest is what the page's self-test gives (page.js, selftest).
type selfTest struct {
	Boot         bootTimes    `json:"boot"`
	Example      string       `json:"example"`
	Before       []string     `json:"before"`
	After        []string     `json:"after"`
	Log          string       `json:"log"`
	StderrBefore string       `json:"stderrBefore"`
	SVGDrawn     int          `json:"svgDrawn"`
	SVGBefore    int          `json:"svgBefore"`
	SVGAfter     int          `json:"svgAfter"`
	PageBefore   string       `json:"pageBefore"`
	Written      bool         `json:"written"`
	ReplayOpened replayView   `json:"replayOpened"`
	ReplayBefore []replayView `json:"replayBefore"`
	ReplayKept   replayView   `json:"replayKept"`
	ReplayAfter  []replayView `json:"replayAfter"`
	Rows         int          `json:"rows"`
	Hash         string       `json:"hash"`
	State        struct {
		E string            `json:"e"`
		F map[string]string `json:"f"`
		T float64           `json:"t"`
	} `json:"state"`
	BadStatus  int      `json:"badStatus"`
	BadStderr  string   `json:"badStderr"`
	Problems   []string `json:"problems"`
	Marked     bool     `json:"marked"`
	StatusText string   `json:"statusText"`
	BadReplay  struct {
		Note  string            `json:"note"`
		Stale bool              `json:"stale"`
		State map[string]string `json:"state"`
	} `json:"badReplay"`
	Picked           string     `json:"picked"`
	PickedLog        string     `json:"pickedLog"`
	PickedResiliency bool       `json:"pickedResiliency"`
	PickedPage       string     `json:"pickedPage"`
	PickedReplay     replayView `json:"pickedReplay"`
	Restarts         int        `json:"restarts"`
	StuckLog         bool       `json:"stuckLog"`
	Playing          struct {
		On    bool   `json:"on"`
		Speed string `json:"speed"`
	} `json:"playing"`
	Frames      int      `json:"frames"`
	FramesShown int      `json:"framesShown"`
	Resources   int      `json:"resources"`
	Blocked     []string `json:"blocked"`
	Error       string   `json:"error"`
}

// replayView is the replay page as the playground shows it: its slider
// (ms), its clock, each breaker's highlighted state, the log lines shown.
type replayView struct {
	Slider   int64             `json:"slider"`
	Clock    string            `json:"clock"`
	States   map[string]string `json:"states"`
	Counts   string            `json:"counts"`
	Diagrams int               `json:"diagrams"`
	Log      string            `json:"log"`
}

// bootTimes are the page's start, ms since the navigation began.
type bootTimes struct {
	Script, Unpacked, Compiled, Started, Drawn float64
	First                                      runTimes // the first run's parts
}

// runTimes are the parts of one re-run, ms (page.js, drawn).
type runTimes struct {
	Worker, Transfer, DOM, Frame, Total float64
	Parse, Restore, Paint, Edit         *float64
}

// open opens url in a tab of b and returns what the page's self-test
// gives (#selftest=... in url) once it is done.
func open(t testing.TB, ctx context.Context, b *chromium.Browser, url string) (selfTest, *chromium.Page) {
	t.Helper()
	p, err := b.Open(ctx, url, 1400, 1100)
	if err != nil {
		t.Fatal(err)
	}
	var got selfTest
	if err := p.Eval(ctx, "window.simSelfTest", &got); err != nil {
		var status string
		p.Eval(ctx, `document.getElementById("status").textContent`, &status)
		t.Fatalf("the page's self-test: %v; its status: %q", err, status)
	}
	if got.Error != "" {
		t.Fatalf("the page's self-test failed: %s", got.Error)
	}
	return got, p
}

// wholeSeconds is each of a list of Go durations ("31.405989957s") cut to
// its whole seconds ("31s"), as the log's INFO[0031] counts them.
func wholeSeconds(t *testing.T, ds []string) string {
	t.Helper()
	var out []string
	for _, s := range ds {
		d, err := time.ParseDuration(s)
		if err != nil {
			t.Fatalf("transition instant %q: %v", s, err)
		}
		out = append(out, (d / time.Second * time.Second).String())
	}
	return strings.Join(out, ",")
}

// The quickstart's breaker, and the instants the test reads its replay
// at: 31.45 s lies in the first half-open (31.406 s to 31.495 s) of the
// quickstart as shipped; with timeout: 30s the breaker is open then, and
// half-open at 56.407 s (56.406 s to 56.407 s), when as shipped it is
// closed.
const (
	breakerName = "simpleCB-statestore"
	inFirstHalf = 31450
	inLateHalf  = 56407
)

// RerunBudget is what a re-simulation of the quickstart may take in
// Chromium at the median, from the engine's start to the replay drawn
// (issue 17: under 100 ms). The debounce of 150 ms after the last
// keystroke comes before it. BenchmarkPlaygroundRerun holds the page to
// it; the test only logs its re-runs' times, since wall time on a shared
// machine measures the machine.
const RerunBudget = 100 * time.Millisecond

// LoadBudget is what opening the page may take, from the navigation to
// its first run drawn: the 8.9 MB file parsed, the engine unpacked,
// compiled and started in its worker, the quickstart run and drawn.
const LoadBudget = 5 * time.Second

// TestPlaygroundInChromium builds the playground (make playground's page)
// and the sim binary, and opens the page in headless Chromium from
// file://, driven over the DevTools protocol so that the page's clocks run
// in real time. The page drives itself as a learner would
// (#selftest=timeout) and the test reads back, from the DOM:
//   - the unedited quickstart's log is byte for byte the stdout of `sim
//     run examples/quickstart/scenario.yaml`, its stderr sim's, its SVG as
//     long as `sim render`'s, and its replay (an iframe) is the page `sim
//     render -o x.html` writes, byte for byte;
//   - in the replay, at 31.45 s the breaker's diagram highlights
//     half-open, at 56.407 s closed;
//   - typing timeout: 30s into the breaker moves its half-open from 31 s
//     (and 36 s) to 56 s, in the transitions table the page redraws; the
//     replay is redrawn with its slider where it was (31.45 s), where the
//     breaker is now open, and at 56.407 s half-open;
//   - the URL fragment then carries the edit and the replay's instant,
//     and opening the page at that fragment replays it at that instant;
//   - a bad value shows the CLI's error, file:line and field, under the
//     Resiliency editor, with exit status 2, the last replay dimmed;
//   - picking pubsub in the gallery puts its files in the editors and
//     shows `sim run examples/pubsub/scenario.yaml`'s log and `sim render`'s
//     page;
//   - an edit made while a long run (the quickstart over a day) is under
//     way stops it (a new engine) and shows the run of the edit;
//   - nothing is fetched: no resource timing entry, nothing the CSP
//     blocked, no request a document initiated in Chromium's NetLog.
//
// It logs the page's load and re-run times (BenchmarkPlaygroundRerun
// holds them to a budget). A screenshot of the edited page is kept: in
// $SIM_PLAYGROUND_SCREENSHOT if set, else in the test's temporary folder.
func TestPlaygroundInChromium(t *testing.T) {
	path := chromium.Find()
	if path == "" {
		t.Skip(chromium.SkipMessage)
	}
	if testing.Short() {
		t.Skip("-short: building the playground compiles sim for js/wasm (minutes on a cold cache)")
	}
	index, sim := built(t)
	dir := t.TempDir()
	netlogPath := filepath.Join(dir, "netlog.json")
	b, err := chromium.Start(path, filepath.Join(dir, "profile"), "--log-net-log="+netlogPath)
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	defer func() {
		if !closed {
			b.Close()
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	got, first := open(t, ctx, b, "file://"+index+"#selftest=timeout")

	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	want := func(args ...string) (stdout, stderr string) {
		var o, e bytes.Buffer
		c := exec.Command(sim, args...)
		c.Dir, c.Stdout, c.Stderr = root, &o, &e
		if err := c.Run(); err != nil {
			t.Fatalf("sim %q: %v: %s", args, err, e.String())
		}
		return o.String(), e.String()
	}
	stdout, stderr := want("run", "examples/quickstart/scenario.yaml")
	svg, _ := want("render", "examples/quickstart/scenario.yaml", "-o", "-", "--format", "svg")
	html, _ := want("render", "examples/quickstart/scenario.yaml", "-o", "-")
	if got.Example != "quickstart" {
		t.Fatalf("the page opened %q, want the quickstart", got.Example)
	}
	if len(stdout) < 1000 || got.Log != stdout || got.StderrBefore != stderr {
		t.Errorf("the page's log (%d bytes) or stderr %q is not sim run's (%d bytes, %q)", len(got.Log), got.StderrBefore, len(stdout), stderr)
	}
	// JavaScript counts a string's length in UTF-16 code units.
	if n := len(utf16.Encode([]rune(svg))); got.SVGDrawn != 1 || got.SVGBefore != n {
		t.Errorf("the page draws %d SVG pictures, of %d UTF-16 units; want one as long as sim render's, %d", got.SVGDrawn, got.SVGBefore, n)
	}
	if len(html) < 10000 || got.PageBefore != html || !got.Written {
		t.Errorf("the replay (%d bytes, written into the iframe: %v) is not sim render -o x.html's page (%d bytes); first difference at byte %d",
			len(got.PageBefore), got.Written, len(html), firstDiff(got.PageBefore, html))
	}
	if r := got.ReplayOpened; r.Diagrams != 1 || r.Slider != 0 || r.Clock != "0s" {
		t.Errorf("the replay opened with %d state diagrams at %d ms (%q); want the breaker's at 0s", r.Diagrams, r.Slider, r.Clock)
	}
	replayAt(t, "before the edit", got.ReplayBefore, "half-open", "closed")
	if b, a := wholeSeconds(t, got.Before), wholeSeconds(t, got.After); b != "31s,36s" || a != "56s" {
		t.Errorf("half-open at %s before the edit, %s after; want 31s,36s then 56s", b, a)
	}
	if got.Rows < 3 || got.SVGAfter == got.SVGBefore {
		t.Errorf("after the edit the page shows %d transitions and an SVG of %d units (%d before): not redrawn", got.Rows, got.SVGAfter, got.SVGBefore)
	}
	if k := got.ReplayKept; k.Slider != inFirstHalf || k.Clock != "31.45s" || k.States[breakerName] != "open" {
		t.Errorf("after the edit the replay shows %d ms (%q), the breaker %q; want the slider kept at %d ms, the breaker open",
			k.Slider, k.Clock, k.States[breakerName], inFirstHalf)
	}
	replayAt(t, "after the edit", got.ReplayAfter, "open", "half-open")
	res := "examples/quickstart/resources/resiliency.yaml"
	if got.State.E != "quickstart" || len(got.State.F) != 1 || !strings.Contains(got.State.F[res], "timeout: 30s") || got.State.T != inLateHalf/1000.0 {
		t.Errorf("the URL fragment after the edit carries %+v; want the quickstart with its edited %s, at %v s", got.State, res, inLateHalf/1000.0)
	}
	const bad = "examples/quickstart/resources/resiliency.yaml:19: spec.policies.circuitBreakers.simpleCB.timeout: want a duration"
	if got.BadStatus != 2 || !strings.HasPrefix(got.BadStderr, bad) || len(got.Problems) != 1 || got.Problems[0]+"\n" != got.BadStderr || !got.Marked {
		t.Errorf("a bad timeout: status %d, stderr %q, under the editor %q (marked %v); want 2 and %q… under the Resiliency editor", got.BadStatus, got.BadStderr, got.Problems, got.Marked, bad)
	}
	if r := got.BadReplay; !r.Stale || !strings.Contains(r.Note, "the run failed") || r.State[breakerName] != "half-open" {
		t.Errorf("a bad timeout: the replay is dimmed %v, under the note %q, the breaker %q; want the last run's (half-open at 56.407 s), dimmed, with a note",
			r.Stale, r.Note, r.State[breakerName])
	}
	if pubsub, _ := want("run", "examples/pubsub/scenario.yaml"); got.Picked != "pubsub" || got.PickedLog != pubsub || !got.PickedResiliency {
		t.Errorf("picking pubsub: the page shows %q, its log %d bytes (sim run's %d), its Resiliency as shipped %v", got.Picked, len(got.PickedLog), len(pubsub), got.PickedResiliency)
	}
	if page, _ := want("render", "examples/pubsub/scenario.yaml", "-o", "-"); got.PickedPage != page {
		t.Errorf("picking pubsub: the replay (%d bytes) is not sim render -o x.html's page (%d bytes)", len(got.PickedPage), len(page))
	}
	if got.Restarts != 1 || !got.StuckLog {
		t.Errorf("an edit during a day-long run: %d engine restarts, the log afterwards the minute's: %v; want 1 and true", got.Restarts, got.StuckLog)
	}
	if !got.Playing.On || got.Playing.Speed != "1×" {
		t.Errorf("a replay playing at 1× before an edit: after it, playing %v at %q; want it playing at 1×", got.Playing.On, got.Playing.Speed)
	}
	if got.Frames != 2 || got.FramesShown != 1 {
		t.Errorf("after the runs the page holds %d iframes, %d shown; want the replay and one spare", got.Frames, got.FramesShown)
	}
	if got.Resources != 0 || len(got.Blocked) != 0 {
		t.Errorf("the page fetched %d resources, the CSP blocked %q; want none", got.Resources, got.Blocked)
	}

	// Timed re-runs of the quickstart, with the processor time Chromium
	// spent on them.
	const n = 12
	cpu0, err := b.CPU()
	if err != nil {
		t.Fatal(err)
	}
	var reruns []runTimes
	if err := first.Eval(ctx, fmt.Sprintf("window.simReruns(%d)", n), &reruns); err != nil {
		t.Fatal(err)
	}
	cpu1, err := b.CPU()
	if err != nil {
		t.Fatal(err)
	}

	// The link reproduces the state: the page opened at the fragment
	// shows the edited run, its replay at the instant it was left at.
	again, p := open(t, ctx, b, "file://"+index+got.Hash+"&selftest=read")
	if a, r := wholeSeconds(t, again.Before), again.ReplayOpened; again.Example != "quickstart" || a != "56s" || r.Slider != inLateHalf || r.States[breakerName] != "half-open" {
		t.Errorf("the page opened at the edit's link shows %q with half-open at %s, its replay at %d ms with the breaker %q; want the quickstart at 56s, the replay at %d ms, half-open",
			again.Example, a, r.Slider, r.States[breakerName], inLateHalf)
	}
	png, err := p.Screenshot(ctx)
	if err != nil {
		t.Fatal(err)
	}
	shot := os.Getenv("SIM_PLAYGROUND_SCREENSHOT")
	if shot == "" {
		shot = filepath.Join(t.TempDir(), "playground.png")
	}
	if err := os.WriteFile(shot, png, 0o644); err != nil || len(png) < 10000 {
		t.Errorf("screenshot of %d bytes at %s: %v", len(png), shot, err)
	}
	t.Logf("screenshot: %s", shot)

	closed = true
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	netlog, err := os.ReadFile(netlogPath)
	if err != nil {
		t.Fatalf("chromium wrote no NetLog: %v", err)
	}
	if reqs, err := chromium.PageRequests(netlog); err != nil || len(reqs) != 0 {
		t.Errorf("the page made network requests: %q (%v)", reqs, err)
	}
	speed(t, got.Boot, reruns, (cpu1-cpu0)/n)
}

// replayAt checks the breaker's state the replay showed at inFirstHalf
// and inLateHalf.
func replayAt(t *testing.T, when string, views []replayView, first, late string) {
	t.Helper()
	if len(views) != 2 {
		t.Fatalf("%s: the replay read at %d instants, want 2", when, len(views))
	}
	for i, w := range []struct {
		ms    int64
		clock string
		state string
	}{{inFirstHalf, "31.45s", first}, {inLateHalf, "56.407s", late}} {
		if v := views[i]; v.Slider != w.ms || v.Clock != w.clock || v.States[breakerName] != w.state {
			t.Errorf("%s: at %d ms the replay shows %q with the breaker %q (counts %q); want %s, %s", when, v.Slider, v.Clock, v.States[breakerName], v.Counts, w.clock, w.state)
		}
	}
}

// speed logs the page's load and re-run times.
func speed(t *testing.T, b bootTimes, reruns []runTimes, cpu time.Duration) {
	t.Helper()
	t.Logf("load: %.0f ms to the first run drawn (the file parsed %.0f, the engine unpacked %.0f, compiled %.0f, started %.0f)",
		b.Drawn, b.Script, b.Unpacked, b.Compiled, b.Started)
	if len(reruns) < 5 {
		t.Fatalf("%d timed re-runs, want at least 5", len(reruns))
	}
	med := func(f func(runTimes) float64) (median, most float64) {
		var v []float64
		for _, r := range reruns {
			v = append(v, f(r))
		}
		slices.Sort(v)
		return v[len(v)/2], v[len(v)-1]
	}
	for _, p := range []struct {
		name string
		f    func(runTimes) float64
	}{
		{"total (engine start to replay drawn)", func(r runTimes) float64 { return r.Total }},
		{"  engine in the worker (run, SVG, replay page)", func(r runTimes) float64 { return r.Worker }},
		{"  to the worker and back", func(r runTimes) float64 { return r.Transfer }},
		{"  log, SVG, table in the page", func(r runTimes) float64 { return r.DOM }},
		{"  replay loaded and painted", func(r runTimes) float64 { return r.Frame }},
		{"    its HTML parsed, its script run", func(r runTimes) float64 { return or0(r.Parse) }},
		{"    its slider put back", func(r runTimes) float64 { return or0(r.Restore) }},
		{"    painted", func(r runTimes) float64 { return or0(r.Paint) }},
		{"keystroke to replay drawn (with the 150 ms debounce)", func(r runTimes) float64 { return or0(r.Edit) }},
	} {
		m, most := med(p.f)
		t.Logf("re-run of the quickstart, %s: median %.1f ms, max %.1f ms over %d", p.name, m, most, len(reruns))
	}
	t.Logf("re-run of the quickstart: Chromium's processor time %v a re-run", cpu.Round(100*time.Microsecond))
}

// BenchmarkPlaygroundRerun opens the built playground in headless
// Chromium and times b.N re-simulations of the quickstart, each an edit
// of the breaker's timeout, from the engine's start to the replay drawn
// (the 150 ms debounce before it is not counted), once the engine's
// warm-up after its first run is done (page.js, warmUp), as a learner's
// first edit finds it. ns/op is the median re-run; engine-ms/op the
// engine's share in the page's worker; load-ms the page's start to its
// first run drawn. It logs the load's steps and the re-runs' parts, and
// fails when the median is over RerunBudget or the load over LoadBudget:
// run it on a quiet machine (make bench, or go test -run '^$' -bench
// PlaygroundRerun ./cmd/internal/playground).
func BenchmarkPlaygroundRerun(b *testing.B) {
	path := chromium.Find()
	if path == "" {
		b.Skip(chromium.SkipMessage)
	}
	index, _ := built(b)
	dir := b.TempDir()
	br, err := chromium.Start(path, filepath.Join(dir, "profile"))
	if err != nil {
		b.Fatal(err)
	}
	defer br.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	got, p := open(b, ctx, br, "file://"+index+"#selftest=read")
	var reruns []runTimes
	b.ResetTimer()
	if err := p.Eval(ctx, fmt.Sprintf("window.simReruns(%d)", b.N), &reruns); err != nil {
		b.Fatal(err)
	}
	b.StopTimer()
	if len(reruns) != b.N {
		b.Fatalf("%d re-runs timed, want %d", len(reruns), b.N)
	}
	median := func(f func(runTimes) float64) float64 {
		v := make([]float64, 0, len(reruns))
		for _, r := range reruns {
			v = append(v, f(r))
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	total, engine := median(func(r runTimes) float64 { return r.Total }), median(func(r runTimes) float64 { return r.Worker })
	b.ReportMetric(total*1e6, "ns/op")
	b.ReportMetric(engine, "engine-ms/op")
	b.ReportMetric(got.Boot.Drawn, "load-ms")
	// A failed benchmark prints no result line: the figures go to its log.
	b.Logf("%d re-runs: median %.1f ms (the engine %.1f ms); the page loaded in %.0f ms", b.N, total, engine, got.Boot.Drawn)
	// The parts, to see where a change went: the load's steps (ms since
	// the navigation) and each re-run part's median.
	b.Logf("load: the file parsed %.0f, the engine unpacked %.0f, compiled %.0f, started %.0f, the first run drawn %.0f",
		got.Boot.Script, got.Boot.Unpacked, got.Boot.Compiled, got.Boot.Started, got.Boot.Drawn)
	f := got.Boot.First
	b.Logf("the first run: the engine %.1f, to the worker and back %.1f, log, SVG and table %.1f, replay %.1f (parsed and run %.1f, slider %.1f, painted %.1f)",
		f.Worker, f.Transfer, f.DOM, f.Frame, or0(f.Parse), or0(f.Restore), or0(f.Paint))
	b.Logf("re-run parts at the median: to the worker and back %.1f, log, SVG and table %.1f, replay %.1f (parsed and run %.1f, slider %.1f, painted %.1f)",
		median(func(r runTimes) float64 { return r.Transfer }), median(func(r runTimes) float64 { return r.DOM }),
		median(func(r runTimes) float64 { return r.Frame }), median(func(r runTimes) float64 { return or0(r.Parse) }),
		median(func(r runTimes) float64 { return or0(r.Restore) }), median(func(r runTimes) float64 { return or0(r.Paint) }))
	if b.N < 5 {
		return // the framework's first, one-op run: too few to judge
	}
	if time.Duration(total*float64(time.Millisecond)) > RerunBudget {
		b.Errorf("a re-run of the quickstart takes %.1f ms at the median of %d, over the budget of %v", total, b.N, RerunBudget)
	}
	if time.Duration(got.Boot.Drawn*float64(time.Millisecond)) > LoadBudget {
		b.Errorf("the page takes %.0f ms to load and draw its first run, over the budget of %v", got.Boot.Drawn, LoadBudget)
	}
}

func or0(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}

// firstDiff is the offset of the first byte at which a and b differ (-1
// when equal).
func firstDiff(a, b string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) == len(b) {
		return -1
	}
	return min(len(a), len(b))
}

// TestNetLogCheckCatches: a control page that does fetch is flagged by
// the NetLog check the playground's test relies on, so that check can
// fail.
func TestNetLogCheckCatches(t *testing.T) {
	browser := chromium.Find()
	if browser == "" {
		t.Skip(chromium.SkipMessage)
	}
	dir := t.TempDir()
	ctl := filepath.Join(dir, "control.html")
	if err := os.WriteFile(ctl, []byte(`<html><body><img src="http://127.0.0.1:9/x.png"></body></html>`), 0o644); err != nil {
		t.Fatal(err)
	}
	logPath := filepath.Join(dir, "netlog.json")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	args := append(chromium.QuietFlags(filepath.Join(dir, "profile")), "--log-net-log="+logPath, "--virtual-time-budget=2000", "--dump-dom", "file://"+ctl)
	if out, err := exec.CommandContext(ctx, browser, args...).CombinedOutput(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	netlog, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatal(err)
	}
	if reqs, err := chromium.PageRequests(netlog); err != nil || len(reqs) != 1 || reqs[0] != "http://127.0.0.1:9/x.png" {
		t.Errorf("the NetLog check missed the control page's request: found %q (%v)", reqs, err)
	}
}

// TestBuildIsDeterministic: building the playground again from the same
// tree writes the same bytes (the engine is built with -trimpath and no
// VCS stamps, gzip's header carries no time).
func TestBuildIsDeterministic(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: building the playground compiles sim for js/wasm (minutes on a cold cache)")
	}
	index, _ := built(t)
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	again := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	if err := Build(ctx, Options{Root: root, Out: again}); err != nil {
		t.Fatal(err)
	}
	a, err := os.ReadFile(index)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(again, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Errorf("two builds of the playground differ: %d and %d bytes", len(a), len(b))
	}
}
