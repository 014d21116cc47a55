package main

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"
	"unicode/utf16"

	"github.com/dapr-sim/sim/cmd/internal/play"
	"github.com/dapr-sim/sim/cmd/internal/playground"
)

// cliRun is what `sim run SCENARIO` and `sim render SCENARIO -o x.svg`
// print and write, run from dir (a repository's root).
type cliRun struct {
	stdout, stderr, svg string
	status              int
}

func runCLI(t *testing.T, dir, scenario string) cliRun {
	t.Helper()
	t.Chdir(dir)
	var r cliRun
	var stdout, stderr bytes.Buffer
	r.status = Main([]string{"run", scenario}, &stdout, &stderr)
	r.stdout, r.stderr = stdout.String(), stderr.String()
	svg := filepath.Join(t.TempDir(), "x.svg")
	stdout.Reset()
	stderr.Reset()
	if st := Main([]string{"render", scenario, "-o", svg}, &stdout, &stderr); st == 0 {
		b, err := os.ReadFile(svg)
		if err != nil {
			t.Fatal(err)
		}
		r.svg = string(b)
	} else if st != r.status || stderr.String() != r.stderr {
		t.Fatalf("sim render %s: exit %d, %q; sim run: exit %d, %q", scenario, st, stderr.String(), r.status, r.stderr)
	}
	return r
}

func mapFS(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, text := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(text), Mode: 0o644}
	}
	return fsys
}

// TestPlaygroundMatchesCLI: for every scenario the playground's gallery
// carries, and for edits that break it, play.Run over the files in memory
// — what the page's engine returns — is byte for byte what the CLI prints
// from the repository's root for the same files: the log, stderr (errors
// and warnings, which name the files), the exit status and the SVG.
func TestPlaygroundMatchesCLI(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	gallery, _, err := playground.Gallery(os.DirFS(root))
	if err != nil {
		t.Fatal(err)
	}
	if len(gallery) < 10 || gallery[0].Name != "quickstart" {
		t.Fatalf("the gallery has %d examples, the first %q; want the table of examples/README.md, quickstart first", len(gallery), gallery[0].Name)
	}
	type tc struct {
		name     string
		dir      string // the CLI's working directory
		ex       playground.Example
		status   int
		contains string // in stderr
	}
	var cases []tc
	for _, ex := range gallery {
		cases = append(cases, tc{name: ex.Name, dir: root, ex: ex})
	}
	// Broken inputs, each in a copy of the repository's examples with the
	// edit, so the CLI reads the same bytes under the same names.
	q := gallery[0]
	broken := func(name, file, old, new string, status int, contains string) {
		ex := q
		ex.Files = map[string]string{}
		for k, v := range q.Files {
			ex.Files[k] = v
		}
		if !strings.Contains(ex.Files[file], old) {
			t.Fatalf("%s: %s has no %q", name, file, old)
		}
		ex.Files[file] = strings.Replace(ex.Files[file], old, new, 1)
		dir := t.TempDir()
		for k, v := range ex.Files {
			p := filepath.Join(dir, filepath.FromSlash(k))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(v), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		cases = append(cases, tc{name: name, dir: dir, ex: ex, status: status, contains: contains})
	}
	broken("bad-timeout", q.Resiliency, "timeout: 5s", "timeout: soon", 2, "resiliency.yaml:19: spec.policies.circuitBreakers.simpleCB.timeout:")
	broken("unknown-key", q.Scenario, "pause: 1s", "pase: 1s", 2, "scenario.yaml:")
	broken("no-policy", q.Resiliency, "circuitBreaker: simpleCB", "circuitBreaker: otherCB", 2, "otherCB")
	broken("warning", q.Resiliency, "scopes:\n  - order-processor", "scopes:\n  - checkout", 0, "warning")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := runCLI(t, c.dir, c.ex.Scenario)
			got := play.Run(mapFS(c.ex.Files), c.ex.Scenario)
			if got.Status != want.status || want.status != c.status {
				t.Errorf("exit status: playground %d, CLI %d; want %d (stderr %q)", got.Status, want.status, c.status, want.stderr)
			}
			if !strings.Contains(want.stderr, c.contains) {
				t.Errorf("the CLI's stderr %q lacks %q: the case tests less than it says", want.stderr, c.contains)
			}
			if got.Stderr != want.stderr {
				t.Errorf("stderr differs:\nplayground: %q\nCLI:        %q", got.Stderr, want.stderr)
			}
			if got.Stdout != want.stdout {
				t.Errorf("the log differs: playground %d bytes, CLI %d bytes", len(got.Stdout), len(want.stdout))
			}
			if got.SVG != want.svg {
				t.Errorf("the SVG differs: playground %d bytes, CLI %d bytes", len(got.SVG), len(want.svg))
			}
		})
	}
}

var (
	playgroundOnce sync.Once
	playgroundDir  string
	playgroundErr  error
)

// buildPlayground builds the playground once per test binary (compiling
// the engine for js/wasm takes a minute or two) and returns index.html.
func buildPlayground(t *testing.T) string {
	t.Helper()
	playgroundOnce.Do(func() {
		root, err := filepath.Abs("../..")
		if err != nil {
			playgroundErr = err
			return
		}
		playgroundDir, playgroundErr = os.MkdirTemp("", "sim-playground-test-")
		if playgroundErr != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		playgroundErr = playground.Build(ctx, playground.Options{Root: root, Out: playgroundDir})
	})
	if playgroundErr != nil {
		t.Fatalf("building the playground: %v", playgroundErr)
	}
	return filepath.Join(playgroundDir, "index.html")
}

// playgroundSelfTest is what the page's self-test writes (page.js).
type playgroundSelfTest struct {
	Example      string   `json:"example"`
	Before       []string `json:"before"`
	After        []string `json:"after"`
	Log          string   `json:"log"`
	StderrBefore string   `json:"stderrBefore"`
	SVGBefore    int      `json:"svgBefore"`
	SVGAfter     int      `json:"svgAfter"`
	Rows         int      `json:"rows"`
	Hash         string   `json:"hash"`
	State        struct {
		E string            `json:"e"`
		F map[string]string `json:"f"`
	} `json:"state"`
	BadStatus  int      `json:"badStatus"`
	BadStderr  string   `json:"badStderr"`
	Problems   []string `json:"problems"`
	Marked     bool     `json:"marked"`
	StatusText string   `json:"statusText"`
	Resources  int      `json:"resources"`
	Blocked    []string `json:"blocked"`
	Error      string   `json:"error"`
}

// chromiumPlayground loads url in headless Chromium (a fresh profile, its
// background networking quiet) and returns the page's self-test, the
// DOM and the NetLog; with screenshot set it also saves a picture of the
// page there.
func chromiumPlayground(t *testing.T, chromium, url, screenshot string) (playgroundSelfTest, string, []byte) {
	t.Helper()
	dir := t.TempDir()
	logPath := filepath.Join(dir, "netlog.json")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + filepath.Join(dir, "profile"), "--log-net-log=" + logPath,
		// Virtual time runs on while the engine compiles (by as much as
		// 40 s of it on a loaded machine); once the self-test is done the
		// page is idle and the rest of the budget passes at once.
		"--virtual-time-budget=600000", "--window-size=1400,1100"}
	if screenshot != "" {
		args = append(args, "--screenshot="+screenshot)
	} else {
		args = append(args, "--dump-dom")
	}
	cmd := exec.CommandContext(ctx, chromium, append(args, url)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %s: %v\n%s", url, err, stderr.String())
	}
	netlog, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatalf("chromium wrote no NetLog: %v", err)
	}
	var got playgroundSelfTest
	if screenshot != "" {
		return got, "", netlog
	}
	dom := stdout.String()
	// The last such element: the page's script, inline, names it too.
	i := strings.LastIndex(dom, `<pre id="selftest">`)
	if i < 0 {
		status := dom
		if j := strings.Index(status, `<span id="status"`); j >= 0 {
			status, _, _ = strings.Cut(status[j:], "</span>")
		}
		t.Fatalf("the page wrote no self-test result; its status: %.300s", status)
	}
	body, _, _ := strings.Cut(dom[i+len(`<pre id="selftest">`):], "</pre>")
	if err := json.Unmarshal([]byte(html.UnescapeString(body)), &got); err != nil {
		t.Fatalf("self-test result %.300q: %v", body, err)
	}
	if got.Error != "" {
		t.Fatalf("the page's self-test failed: %s", got.Error)
	}
	return got, dom, netlog
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
// and opens it in headless Chromium from file://. The page drives itself
// as a learner would (#selftest=timeout) and the test reads back, from the
// DOM:
//   - the unedited quickstart's log is byte for byte `sim run
//     examples/quickstart/scenario.yaml`'s stdout, its stderr the CLI's;
//   - typing timeout: 30s into the breaker moves its half-open from 31 s
//     (and 36 s) to 56 s, in the transitions table the page redraws;
//   - the URL fragment then carries the edit, and opening the page at
//     that fragment replays it (56 s again);
//   - a bad value shows the CLI's error, file:line and field, under the
//     Resiliency editor, with exit status 2;
//   - nothing is fetched: no resource timing entry, nothing the CSP
//     blocked, no request a document initiated in Chromium's NetLog.
//
// A screenshot of the edited page is kept: in $SIM_PLAYGROUND_SCREENSHOT
// if set, else in the test's temporary folder.
func TestPlaygroundInChromium(t *testing.T) {
	chromium := findChromium()
	if chromium == "" {
		t.Skip("Chromium is not on PATH (chromium, chromium-browser): install Debian's chromium (apt-get install chromium) to run the browser test; .ci/run does")
	}
	if testing.Short() {
		t.Skip("-short: building the playground compiles sim for js/wasm (a minute or two)")
	}
	index := buildPlayground(t)
	got, _, netlog := chromiumPlayground(t, chromium, "file://"+index+"#selftest=timeout", "")

	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	want := runCLI(t, root, "examples/quickstart/scenario.yaml")
	if got.Example != "quickstart" {
		t.Fatalf("the page opened %q, want the quickstart", got.Example)
	}
	if got.Log != want.stdout || got.StderrBefore != want.stderr {
		t.Errorf("the page's log (%d bytes) or stderr %q is not sim run's (%d bytes, %q)", len(got.Log), got.StderrBefore, len(want.stdout), want.stderr)
	}
	// JavaScript counts a string's length in UTF-16 code units.
	if n := len(utf16.Encode([]rune(want.svg))); len(want.stdout) < 1000 || got.SVGBefore != n {
		t.Errorf("the page's SVG is %d UTF-16 units long, sim render's %d", got.SVGBefore, n)
	}
	if b, a := wholeSeconds(t, got.Before), wholeSeconds(t, got.After); b != "31s,36s" || a != "56s" {
		t.Errorf("half-open at %s before the edit, %s after; want 31s,36s then 56s", b, a)
	}
	if got.Rows < 3 || got.SVGAfter == got.SVGBefore {
		t.Errorf("after the edit the page shows %d transitions and an SVG of %d bytes (%d before): not redrawn", got.Rows, got.SVGAfter, got.SVGBefore)
	}
	res := "examples/quickstart/resources/resiliency.yaml"
	if got.State.E != "quickstart" || len(got.State.F) != 1 || !strings.Contains(got.State.F[res], "timeout: 30s") {
		t.Errorf("the URL fragment after the edit carries %+v; want the quickstart with its edited %s", got.State, res)
	}
	const bad = "examples/quickstart/resources/resiliency.yaml:19: spec.policies.circuitBreakers.simpleCB.timeout: want a duration"
	if got.BadStatus != 2 || !strings.HasPrefix(got.BadStderr, bad) || len(got.Problems) != 1 || got.Problems[0]+"\n" != got.BadStderr || !got.Marked {
		t.Errorf("a bad timeout: status %d, stderr %q, under the editor %q (marked %v); want 2 and %q… under the Resiliency editor", got.BadStatus, got.BadStderr, got.Problems, got.Marked, bad)
	}
	if got.Resources != 0 || len(got.Blocked) != 0 {
		t.Errorf("the page fetched %d resources, the CSP blocked %q; want none", got.Resources, got.Blocked)
	}
	if reqs := pageRequests(t, netlog); len(reqs) != 0 {
		t.Errorf("the page made network requests: %q", reqs)
	}

	// The link reproduces the state: the page opened at the fragment
	// shows the edited run.
	again, _, _ := chromiumPlayground(t, chromium, "file://"+index+got.Hash+"&selftest=read", "")
	if a := wholeSeconds(t, again.Before); again.Example != "quickstart" || a != "56s" {
		t.Errorf("the page opened at the edit's link shows %q with half-open at %s; want the quickstart at 56s", again.Example, a)
	}

	shot := os.Getenv("SIM_PLAYGROUND_SCREENSHOT")
	if shot == "" {
		shot = filepath.Join(t.TempDir(), "playground.png")
	}
	chromiumPlayground(t, chromium, "file://"+index+got.Hash, shot)
	if info, err := os.Stat(shot); err != nil || info.Size() < 10000 {
		t.Errorf("no screenshot at %s: %v", shot, err)
	}
	t.Logf("screenshot: %s", shot)
}
