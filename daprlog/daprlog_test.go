package daprlog

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dapr-sim/sim/policies"
)

func readFixture(t *testing.T, name string) *Log {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	lg, err := Read(name, f)
	if err != nil {
		t.Fatal(err)
	}
	return lg
}

// The reader finds the same resiliency facts in the three forms daprd
// writes, and skips everything else.
func TestReadForms(t *testing.T) {
	tests := []struct {
		file  string
		form  Form
		app   string
		at    []time.Duration // per entry
		first Entry           // the notice, fields compared below
	}{
		{"quickstart.log", TTY, "", []time.Duration{6e9, 26e9, 31e9, 31e9, 36e9, 36e9, 36e9},
			Entry{Line: 9, Level: "info", Kind: Notice, Operation: "component[statestore] output", Dotted: true}},
		{"dapr114.log", TTY, "", []time.Duration{6e9, 26e9, 31e9, 31e9, 36e9, 36e9, 36e9},
			Entry{Line: 9, Level: "warning", Kind: Notice, Operation: "component[statestore] output", Delay: 5e9, HasDelay: true}},
		{"text114.log", Text, "order-processor", []time.Duration{6009009000, 26013013000, 31013014000, 31014014000, 36014015000, 36015015000, 36015015000},
			Entry{Line: 2, Level: "warning", Kind: Notice, Operation: "component[statestore] output", Delay: 5e9, HasDelay: true}},
		{"json114.log", JSON, "order-processor", []time.Duration{6009009000, 26013013000, 31013014000, 31014014000, 36014015000, 36015015000, 36015015000},
			Entry{Line: 2, Level: "warning", Kind: Notice, Operation: "component[statestore] output", Delay: 5e9, HasDelay: true}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			lg := readFixture(t, tt.file)
			if lg.AppID != tt.app {
				t.Errorf("app id %q, want %q", lg.AppID, tt.app)
			}
			if len(lg.Entries) != len(tt.at) {
				t.Fatalf("%d entries, want %d: %+v", len(lg.Entries), len(tt.at), lg.Entries)
			}
			for i, e := range lg.Entries {
				if e.At != tt.at[i] || e.Form != tt.form {
					t.Errorf("entry %d at %s form %s, want %s %s", i, e.At, e.Form, tt.at[i], tt.form)
				}
			}
			got := lg.Entries[0]
			w := tt.first
			if got.Line != w.Line || got.Level != w.Level || got.Kind != w.Kind || got.Operation != w.Operation ||
				got.Dotted != w.Dotted || got.Delay != w.Delay || got.HasDelay != w.HasDelay {
				t.Errorf("notice %+v, want %+v", got, w)
			}
			b := lg.Entries[1]
			if b.Kind != Breaker || b.Name != "simpleCB-statestore" || b.From != "closed" || b.To != "open" {
				t.Errorf("breaker line %+v", b)
			}
			r := lg.Entries[6]
			if r.Kind != Recovered || r.Operation != "component[statestore] output" {
				t.Errorf("recovered line %+v", r)
			}
		})
	}
}

func TestReadMessages(t *testing.T) {
	tests := []struct {
		line string
		want Entry
		ok   bool
	}{
		{`INFO[0036] Recovered processing operation component[statestore] output after 7 attempts`, Entry{Kind: Recovered, Operation: "component[statestore] output", Attempts: 7}, true},
		{`INFO[0036] Recovered processing operation endpoint[checkout, checkout:orders].`, Entry{Kind: Recovered, Operation: "endpoint[checkout, checkout:orders]", Dotted: true}, true},
		{`WARN[0001] Error processing operation actor[Cart, c-1]. Retrying in 612.345678ms…                 app_id=cart instance=h scope=dapr.runtime type=log ver=1.16.0`,
			Entry{Kind: Notice, Operation: "actor[Cart, c-1]", Delay: 612345678, HasDelay: true, AppID: "cart"}, true},
		{`INFO[0026] Circuit breaker "checkout:orders" changed state from closed to open`, Entry{Kind: Breaker, Name: "checkout:orders", From: "closed", To: "open"}, true},
		{`INFO[0001] component loaded. name: statestore, type: state.redis/v1`, Entry{}, false},
		{`== APP == Saving Order: { orderId: '1' }`, Entry{}, false},
	}
	for _, tt := range tests {
		lg, err := Read("x.log", strings.NewReader(tt.line+"\n"))
		if err != nil {
			if tt.ok {
				t.Errorf("%s: %v", tt.line, err)
			}
			continue
		}
		if !tt.ok {
			if len(lg.Entries) != 0 {
				t.Errorf("%s: want no resiliency entry, got %+v", tt.line, lg.Entries)
			}
			continue
		}
		if len(lg.Entries) != 1 {
			t.Fatalf("%s: %d entries", tt.line, len(lg.Entries))
		}
		g, w := lg.Entries[0], tt.want
		if g.Kind != w.Kind || g.Operation != w.Operation || g.Attempts != w.Attempts || g.Dotted != w.Dotted ||
			g.Delay != w.Delay || g.HasDelay != w.HasDelay || g.Name != w.Name || g.From != w.From || g.To != w.To || g.AppID != w.AppID {
			t.Errorf("%s:\n got  %+v\n want %+v", tt.line, g, w)
		}
	}
	if _, err := Read("empty.log", strings.NewReader("hello\nworld\n")); err == nil {
		t.Error("a file with no daprd line is not a daprd log")
	}
}

// Every fixture against the quickstart's resources: the transcript and its
// faithful re-renderings are consistent; each variation is caught at its
// line, for its reason.
func TestCheck(t *testing.T) {
	tests := []struct {
		file    string
		release string // "" = recognised from the wording
		want    []string
	}{
		{"quickstart.log", "", nil},
		{"quickstart.log", "1.8", nil},
		{"dapr114.log", "1.14", nil},
		{"text114.log", "", nil},
		{"json114.log", "", nil},
		// [0026] then [0030]: the half-open is before 31s and the open
		// at or after 26s, so only a stamp lagging its fact (Slack) makes
		// it possible; possible is not flagged. [0029] cannot be.
		{"halfopen_truncated.log", "", nil},
		{"halfopen_early.log", "", []string{"halfopen_early.log:11: half-open at [0029], but the breaker opened at [0026]"}},
		{"json_halfopen_early.log", "", []string{"json_halfopen_early.log:4: half-open at 2024-01-02T15:04:31.003013000Z, but the breaker opened at 2024-01-02T15:04:26.013013000Z (line 3)"}},
		{"open_closed.log", "", []string{"open_closed.log:13: open → closed is not a transition gobreaker makes (closed→open, open→half-open, half-open→open, half-open→closed)"}},
		{"trip_early.log", "", []string{"trip_early.log:10: opened at [0020], but trip `consecutiveFailures >= 5` needs at least 5 failures and at most 4"}},
		{"unknown_breaker.log", "", []string{`unknown_breaker.log:10: no target in the resources makes a breaker named "simpleCB-redis"`,
			"unknown_breaker.log:11: the breaker was closed when created, but this line says it changed from open"}},
		{"wrong_delay.log", "", []string{`wrong_delay.log:9: retry policy "retryForever" is constant with duration 5s, but the notice says it waits 3s`}},
		{"recovered_alone.log", "", []string{"recovered_alone.log:9: opened at [0026]", "recovered_alone.log:14: recovered component[statestore] output, but no retry notice"}},
		{"no_retry_policy.log", "", []string{"no_retry_policy.log:9: a retry notice for component[pubsub] output, but no retry policy applies",
			"no_retry_policy.log:10: opened at [0026]", "no_retry_policy.log:15: recovered"}},
		// The 1.8 transcript read as 1.16: both resiliency lines are worded otherwise.
		{"quickstart.log", "1.16", []string{"quickstart.log:9: Dapr 1.16 does not word or level this line so (it fits Dapr 1.8–1.9)",
			"quickstart.log:15: Dapr 1.16 does not word or level this line so (it fits Dapr 1.8–1.12)"}},
	}
	for _, tt := range tests {
		t.Run(tt.file+"@"+tt.release, func(t *testing.T) {
			lg := readFixture(t, tt.file)
			release := tt.release
			if release == "" {
				release, _ = Release(lg.Entries)
			}
			p, err := policies.ProfileFor(release)
			if err != nil {
				t.Fatal(err)
			}
			spec, _, err := policies.Load([]string{"../policies/testdata/quickstart"}, "order-processor", p)
			if err != nil {
				t.Fatal(err)
			}
			got := Check(lg.Entries, spec, release)
			if len(got) != len(tt.want) {
				t.Fatalf("%d problems, want %d:\n%v", len(got), len(tt.want), got)
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(got[i].String(), w) {
					t.Errorf("problem %d:\n got  %s\n want %s…", i, got[i], w)
				}
			}
		})
	}
}

// The trip bound: the fewest failures a trip expression needs, and none
// for one that successes can satisfy.
func TestMinFailures(t *testing.T) {
	tests := []struct {
		trip string
		want int
	}{
		{"consecutiveFailures >= 5", 5},
		{"consecutiveFailures > 5", 6},
		{"totalFailures >= 3", 3},
		{"", 6}, // gobreaker's default
		{"requests > 10 && totalFailures >= 1", 0},
	}
	for _, tt := range tests {
		yaml := "apiVersion: dapr.io/v1alpha1\nkind: Resiliency\nmetadata: {name: r}\nspec:\n  policies:\n    circuitBreakers:\n      cb: {timeout: 5s"
		if tt.trip != "" {
			yaml += ", trip: \"" + tt.trip + "\""
		}
		yaml += "}\n  targets:\n    components:\n      s: {outbound: {circuitBreaker: cb}}\n"
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "r.yaml"), []byte(yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		p, _ := policies.ProfileFor("1.16")
		spec, _, err := policies.Load([]string{dir}, "", p)
		if err != nil {
			t.Fatal(err)
		}
		r := spec.ComponentOutbound("s")
		if r.Breaker == nil {
			t.Fatalf("%q: no breaker", tt.trip)
		}
		if got := minFailures(*r.Breaker); got != tt.want {
			t.Errorf("%q: %d, want %d", tt.trip, got, tt.want)
		}
	}
}
