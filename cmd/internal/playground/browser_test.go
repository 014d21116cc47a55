package playground

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"os"
	"os/exec"
	"path/filepath"
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
func built(t *testing.T) (index, sim string) {
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

// selfTest is what the page's self-test writes (page.js, selftest).
type selfTest struct {
	Example      string   `json:"example"`
	Before       []string `json:"before"`
	After        []string `json:"after"`
	Log          string   `json:"log"`
	StderrBefore string   `json:"stderrBefore"`
	SVGDrawn     int      `json:"svgDrawn"`
	SVGBefore    int      `json:"svgBefore"`
	SVGAfter     int      `json:"svgAfter"`
	Rows         int      `json:"rows"`
	Hash         string   `json:"hash"`
	State        struct {
		E string            `json:"e"`
		F map[string]string `json:"f"`
	} `json:"state"`
	BadStatus        int      `json:"badStatus"`
	BadStderr        string   `json:"badStderr"`
	Problems         []string `json:"problems"`
	Marked           bool     `json:"marked"`
	StatusText       string   `json:"statusText"`
	Picked           string   `json:"picked"`
	PickedLog        string   `json:"pickedLog"`
	PickedResiliency bool     `json:"pickedResiliency"`
	Restarts         int      `json:"restarts"`
	StuckLog         bool     `json:"stuckLog"`
	Resources        int      `json:"resources"`
	Blocked          []string `json:"blocked"`
	Error            string   `json:"error"`
}

// load opens url in headless Chromium and returns the page's self-test and
// its NetLog; with screenshot set it saves a picture of the page there
// instead of reading the DOM.
func load(t *testing.T, browser, url, screenshot string) (selfTest, []byte) {
	t.Helper()
	dir := t.TempDir()
	logPath := filepath.Join(dir, "netlog.json")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	args := append(chromium.QuietFlags(filepath.Join(dir, "profile")), "--log-net-log="+logPath,
		// Virtual time runs on while the engine compiles (by as much as
		// 40 s of it on a loaded machine); once the self-test is done the
		// page is idle and the rest of the budget passes at once.
		"--virtual-time-budget=600000", "--window-size=1400,1100")
	if screenshot != "" {
		args = append(args, "--screenshot="+screenshot)
	} else {
		args = append(args, "--dump-dom")
	}
	cmd := exec.CommandContext(ctx, browser, append(args, url)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\n%s", url, err, stderr.String())
	}
	netlog, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatalf("chromium wrote no NetLog: %v", err)
	}
	var got selfTest
	if screenshot != "" {
		return got, netlog
	}
	dom := stdout.String()
	// The last such element: the page's script, inline, names it too.
	i := strings.LastIndex(dom, `<pre id="selftest" hidden="">`)
	if i < 0 {
		status := dom
		if j := strings.Index(status, `<span id="status"`); j >= 0 {
			status, _, _ = strings.Cut(status[j:], "</span>")
		}
		t.Fatalf("the page wrote no self-test result; its status: %.300s", status)
	}
	body, _, _ := strings.Cut(dom[i+len(`<pre id="selftest" hidden="">`):], "</pre>")
	if err := json.Unmarshal([]byte(html.UnescapeString(body)), &got); err != nil {
		t.Fatalf("self-test result %.300q: %v", body, err)
	}
	if got.Error != "" {
		t.Fatalf("the page's self-test failed: %s", got.Error)
	}
	return got, netlog
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

// TestPlaygroundInChromium builds the playground (make playground's page)
// and the sim binary, and opens the page in headless Chromium from
// file://. The page drives itself as a learner would (#selftest=timeout)
// and the test reads back, from the DOM:
//   - the unedited quickstart's log is byte for byte the stdout of `sim
//     run examples/quickstart/scenario.yaml`, its stderr sim's, its SVG as
//     long as `sim render`'s;
//   - typing timeout: 30s into the breaker moves its half-open from 31 s
//     (and 36 s) to 56 s, in the transitions table the page redraws;
//   - the URL fragment then carries the edit, and opening the page at
//     that fragment replays it (56 s again);
//   - a bad value shows the CLI's error, file:line and field, under the
//     Resiliency editor, with exit status 2;
//   - picking pubsub in the gallery puts its files in the editors and
//     shows `sim run examples/pubsub/scenario.yaml`'s log;
//   - an edit made while a long run (the quickstart over a day) is under
//     way stops it (a new engine) and shows the run of the edit;
//   - nothing is fetched: no resource timing entry, nothing the CSP
//     blocked, no request a document initiated in Chromium's NetLog.
//
// A screenshot of the edited page is kept: in $SIM_PLAYGROUND_SCREENSHOT
// if set, else in the test's temporary folder.
func TestPlaygroundInChromium(t *testing.T) {
	browser := chromium.Find()
	if browser == "" {
		t.Skip(chromium.SkipMessage)
	}
	if testing.Short() {
		t.Skip("-short: building the playground compiles sim for js/wasm (minutes on a cold cache)")
	}
	index, sim := built(t)
	got, netlog := load(t, browser, "file://"+index+"#selftest=timeout", "")

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
	if b, a := wholeSeconds(t, got.Before), wholeSeconds(t, got.After); b != "31s,36s" || a != "56s" {
		t.Errorf("half-open at %s before the edit, %s after; want 31s,36s then 56s", b, a)
	}
	if got.Rows < 3 || got.SVGAfter == got.SVGBefore {
		t.Errorf("after the edit the page shows %d transitions and an SVG of %d units (%d before): not redrawn", got.Rows, got.SVGAfter, got.SVGBefore)
	}
	res := "examples/quickstart/resources/resiliency.yaml"
	if got.State.E != "quickstart" || len(got.State.F) != 1 || !strings.Contains(got.State.F[res], "timeout: 30s") {
		t.Errorf("the URL fragment after the edit carries %+v; want the quickstart with its edited %s", got.State, res)
	}
	const bad = "examples/quickstart/resources/resiliency.yaml:19: spec.policies.circuitBreakers.simpleCB.timeout: want a duration"
	if got.BadStatus != 2 || !strings.HasPrefix(got.BadStderr, bad) || len(got.Problems) != 1 || got.Problems[0]+"\n" != got.BadStderr || !got.Marked {
		t.Errorf("a bad timeout: status %d, stderr %q, under the editor %q (marked %v); want 2 and %q… under the Resiliency editor", got.BadStatus, got.BadStderr, got.Problems, got.Marked, bad)
	}
	if pubsub, _ := want("run", "examples/pubsub/scenario.yaml"); got.Picked != "pubsub" || got.PickedLog != pubsub || !got.PickedResiliency {
		t.Errorf("picking pubsub: the page shows %q, its log %d bytes (sim run's %d), its Resiliency as shipped %v", got.Picked, len(got.PickedLog), len(pubsub), got.PickedResiliency)
	}
	if got.Restarts != 1 || !got.StuckLog {
		t.Errorf("an edit during a day-long run: %d engine restarts, the log afterwards the minute's: %v; want 1 and true", got.Restarts, got.StuckLog)
	}
	if got.Resources != 0 || len(got.Blocked) != 0 {
		t.Errorf("the page fetched %d resources, the CSP blocked %q; want none", got.Resources, got.Blocked)
	}
	if reqs, err := chromium.PageRequests(netlog); err != nil || len(reqs) != 0 {
		t.Errorf("the page made network requests: %q (%v)", reqs, err)
	}

	// The link reproduces the state: the page opened at the fragment
	// shows the edited run.
	again, _ := load(t, browser, "file://"+index+got.Hash+"&selftest=read", "")
	if a := wholeSeconds(t, again.Before); again.Example != "quickstart" || a != "56s" {
		t.Errorf("the page opened at the edit's link shows %q with half-open at %s; want the quickstart at 56s", again.Example, a)
	}

	shot := os.Getenv("SIM_PLAYGROUND_SCREENSHOT")
	if shot == "" {
		shot = filepath.Join(t.TempDir(), "playground.png")
	}
	// The self-test keeps virtual time from running out before the
	// engine has started (see holdTime in page.js), so the picture shows
	// the run.
	load(t, browser, "file://"+index+got.Hash+"&selftest=read", shot)
	if info, err := os.Stat(shot); err != nil || info.Size() < 10000 {
		t.Errorf("no screenshot at %s: %v", shot, err)
	}
	t.Logf("screenshot: %s", shot)
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
