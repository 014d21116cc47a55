package policies

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// bindingComponent is a Component named name of type typ with items under
// spec.metadata (line 8 is the first item).
func bindingComponent(name, typ, items string) string {
	return "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: " + name + "\nspec:\n  type: " + typ + "\n  metadata:\n" + items
}

// TestBindingOf: which sides daprd initializes, whether it probes the app,
// the route, and the schedule, per release.
func TestBindingOf(t *testing.T) {
	for _, tc := range []struct {
		v, typ, items string
		want          string // Input Output Probe Route Schedule, or "none"
	}{
		{"1.14", CronBindingType, "  - {name: schedule, value: '@every 10s'}\n", "in probe tick @every 10s"},
		{"1.14", CronBindingType, "  - {name: schedule, value: '@every 10s'}\n  - {name: direction, value: ' Input '}\n", "in tick @every 10s"},
		{"1.14", CronBindingType, "  - {name: schedule, value: '@every 10s'}\n  - {name: DIRECTION, value: 'output, input'}\n", "in tick @every 10s"},
		// A later entry of the same name replaces the earlier in the
		// properties map the probe rule reads, not in the list the
		// initialization reads.
		{"1.14", CronBindingType, "  - {name: schedule, value: '@every 10s'}\n  - {name: direction, value: input}\n  - {name: direction, value: output}\n", "in probe tick @every 10s"},
		{"1.14", CronBindingType, "  - {name: schedule, value: '@every 10s'}\n  - {name: direction, value: output}\n", "tick @every 10s"},
		// 1.11 has no direction: the probe always happens.
		{"1.11", CronBindingType, "  - {name: schedule, value: '@every 10s'}\n  - {name: direction, value: input}\n", "in probe tick @every 10s"},
		{"1.14", CronBindingType, "  - {name: schedule, value: '@hourly'}\n  - {name: route, value: /jobs/hourly}\n  - {name: route, value: /ignored}\n", "in probe /jobs/hourly @hourly"},
		// route is matched exactly.
		{"1.14", CronBindingType, "  - {name: schedule, value: '@hourly'}\n  - {name: Route, value: /jobs}\n", "in probe tick @hourly"},
		// 1.9's cron is also an output binding (operation delete).
		{"1.9", CronBindingType, "  - {name: schedule, value: '*/15 * * * * *'}\n", "in out probe tick */15 * * * * *"},
		// From 1.11 the key is matched in any case; before, exactly.
		{"1.11", CronBindingType, "  - {name: SCHEDULE, value: '@daily'}\n", "in probe tick @daily"},
		{"1.14", RedisBindingType, "  - {name: redisHost, value: localhost:6379}\n", "out tick"},
		{"1.14", RedisBindingType, "  - {name: direction, value: output}\n", "out tick"},
		{"1.14", "bindings.kafka", "  - {name: topics, value: t}\n", "none"},
	} {
		name := fmt.Sprintf("%s %s %q", tc.v, tc.typ, tc.items)
		s, _ := build(t, tc.v, "app", map[string]string{"c.yaml": bindingComponent("tick", tc.typ, tc.items), "f.yaml": featureOn})
		b, ok := s.BindingOf("tick")
		got := "none"
		if ok {
			var parts []string
			for _, p := range []struct {
				on   bool
				word string
			}{{b.Input, "in"}, {b.Output, "out"}, {b.Probe, "probe"}} {
				if p.on {
					parts = append(parts, p.word)
				}
			}
			got = strings.Join(append(parts, b.Route, b.Schedule.String()), " ")
			got = strings.TrimSpace(got)
			if b.Type != tc.typ {
				t.Errorf("%s: Type %q", name, b.Type)
			}
		}
		if got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", name, got, tc.want)
		}
	}
}

// TestBindingCronFires: the spec's schedule is the release's (1.15 rounds
// @every to whole seconds, 1.16 does not).
func TestBindingCronFires(t *testing.T) {
	for v, want := range map[string]time.Duration{"1.15": time.Second, "1.16": 1500 * time.Millisecond} {
		s, _ := build(t, v, "app", map[string]string{"c.yaml": bindingComponent("tick", CronBindingType, "  - {name: schedule, value: '@every 1500ms'}\n")})
		b, _ := s.BindingOf("tick")
		if got, ok := b.Schedule.Next(0); !ok || got != want {
			t.Errorf("%s: first fire %v, %v; want %v", v, got, ok, want)
		}
	}
}

// TestBindingCronInitErrors: a schedule bindings.cron's Init rejects, or one
// sim cannot run, is a file:line:field error.
func TestBindingCronInitErrors(t *testing.T) {
	for _, tc := range []struct{ v, items, want string }{
		{"1.14", "  - {name: route, value: /tick}\n", `c.yaml:1: spec.metadata: schedule: want a cron schedule such as "@every 10s" or "*/15 * * * * *": Dapr 1.14's bindings.cron fails to initialize (schedule not set), so daprd exits with a fatal error at start`},
		{"1.14", "  - {name: schedule, value: ''}\n", `c.yaml:8: spec.metadata[0].value: schedule: want a cron schedule such as "@every 10s" or "*/15 * * * * *": Dapr 1.14's bindings.cron fails to initialize (schedule not set), so daprd exits with a fatal error at start`},
		// Before 1.11 the key is looked up exactly.
		{"1.10", "  - {name: Schedule, value: '@every 10s'}\n", `c.yaml:1: spec.metadata: schedule: want a cron schedule such as "@every 10s" or "*/15 * * * * *": Dapr 1.10's bindings.cron fails to initialize (schedule not set), so daprd exits with a fatal error at start`},
		{"1.14", "  - {name: schedule, value: '* * * *'}\n", `c.yaml:8: spec.metadata[0].value: schedule: want a cron schedule such as "@every 10s" or "*/15 * * * * *", got "* * * *": Dapr 1.14's bindings.cron fails to initialize (invalid schedule format '* * * *': expected 5 to 6 fields, found 4: [* * * *]), so daprd exits with a fatal error at start`},
		{"1.10", "  - {name: schedule, value: '@every 10'}\n", `c.yaml:8: spec.metadata[0].value: schedule: want a cron schedule such as "@every 10s" or "*/15 * * * * *", got "@every 10": Dapr 1.10's bindings.cron fails to initialize (invalid schedule format: @every 10: failed to parse duration @every 10: time: missing unit in duration "10"), so daprd exits with a fatal error at start`},
		{"1.14", "  - {name: schedule, value: 'CRON_TZ=Europe/Paris @daily'}\n", `c.yaml:8: spec.metadata[0].value: schedule: time zone "Europe/Paris": sim runs cron schedules in UTC only: not modelled: sim cannot simulate this schedule`},
	} {
		got, _ := buildErr(t, tc.v, map[string]string{"c.yaml": bindingComponent("tick", CronBindingType, tc.items)})
		if got != tc.want {
			t.Errorf("%s %q:\n got %s\nwant %s", tc.v, tc.items, got, tc.want)
		}
	}
	// ignoreErrors: daprd goes on without it.
	doc := strings.Replace(bindingComponent("tick", CronBindingType, "  - {name: schedule, value: '@often'}\n"), "spec:\n", "spec:\n  ignoreErrors: true\n", 1)
	if got, _ := buildErr(t, "1.16", map[string]string{"c.yaml": doc}); !strings.HasSuffix(got, "so daprd logs the error and goes on without the component (spec.ignoreErrors: true), which sim does not model") {
		t.Errorf("got %s", got)
	}
}

// TestBindingDumpOnlyWhenPresent: a spec without binding components dumps
// without a binding key, so earlier traces stay byte for byte; a binding's
// dump survives YAML and FromDump.
func TestBindingDumpOnlyWhenPresent(t *testing.T) {
	s, _ := build(t, "1.16", "app", map[string]string{"c.yaml": redisComponent("  - {name: redisHost, value: localhost:6379}\n")})
	data, err := yaml.Marshal(s.Dump())
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "binding") {
		t.Errorf("a spec without bindings dumps a binding key:\n%s", data)
	}
	s, _ = build(t, "1.14", "app", map[string]string{"c.yaml": bindingsDumped})
	data, err = yaml.Marshal(s.Dump())
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"    - name: cache\n      type: bindings.redis\n      binding:\n        input: false\n        output: true\n        probe: false\n        route: cache\n",
		"    - name: tick\n      type: bindings.cron\n      binding:\n        input: true\n        output: false\n        probe: false\n        route: /cron\n        schedule: '@every 1500ms'\n",
	} {
		if !strings.Contains(string(data), want) {
			t.Errorf("dump lacks\n%s\nin\n%s", want, data)
		}
	}
	read, err := DecodeDump(data)
	if err != nil {
		t.Fatal(err)
	}
	got, err := FromDump(read)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"tick", "cache"} {
		a, _ := s.BindingOf(name)
		b, ok := got.BindingOf(name)
		an, _ := a.Schedule.Next(0)
		bn, _ := b.Schedule.Next(0)
		if !ok || a.Type != b.Type || a.Input != b.Input || a.Output != b.Output || a.Probe != b.Probe || a.Route != b.Route || a.Schedule.String() != b.Schedule.String() || an != bn {
			t.Errorf("%s: %+v after the round trip, want %+v", name, b, a)
		}
	}
	read.Components[1].Binding.Schedule = "@sometimes"
	if _, err := FromDump(read); err == nil || !strings.Contains(err.Error(), "spec.components.tick.binding.schedule: invalid schedule format '@sometimes': unrecognized descriptor: @sometimes") {
		t.Errorf("FromDump of a bad schedule: %v", err)
	}
}
