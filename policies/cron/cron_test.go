package cron

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestNext checks the first fires after a start, each computed from the
// previous fire as kit's run loop does. 2000-01-01 is a Saturday.
func TestNext(t *testing.T) {
	const s, m, h, day = time.Second, time.Minute, time.Hour, 24 * time.Hour
	for _, tc := range []struct {
		minor int
		spec  string
		start time.Duration
		want  []time.Duration
	}{
		{14, "@every 10s", 0, []time.Duration{10 * s, 20 * s, 30 * s}},
		// Before kit v0.16 Next drops the start's fraction of a second.
		{14, "@every 10s", 1500 * time.Millisecond, []time.Duration{11 * s, 21 * s}},
		{16, "@every 10s", 1500 * time.Millisecond, []time.Duration{11500 * time.Millisecond, 21500 * time.Millisecond}},
		{14, "@every 1500ms", 0, []time.Duration{1 * s, 2 * s, 3 * s}},
		{16, "@every 1500ms", 0, []time.Duration{1500 * time.Millisecond, 3 * s, 4500 * time.Millisecond}},
		{14, "@every 0.5s", 0, []time.Duration{1 * s, 2 * s}},
		{16, "@every 0.5s", 0, []time.Duration{500 * time.Millisecond, 1 * s}},
		{10, "@every 0s", 0, []time.Duration{1 * s, 2 * s}},
		{14, "@every -5s", 250 * time.Millisecond, []time.Duration{1 * s, 2 * s}},
		{14, "@every 1m30s", 0, []time.Duration{90 * s, 180 * s}},
		{14, "*/15 * * * * *", 0, []time.Duration{15 * s, 30 * s, 45 * s, 60 * s}},
		{14, "*/15 * * * * *", 14*s + 999*time.Millisecond, []time.Duration{15 * s, 30 * s}},
		{14, "0 30 * * * *", 0, []time.Duration{30 * m, h + 30*m, 2*h + 30*m}},
		{14, "@hourly", 0, []time.Duration{h, 2 * h}},
		{14, "@hourly", 59*m + 59*s + 999*time.Millisecond, []time.Duration{h, 2 * h}},
		{14, "0 0 * * 1", 0, []time.Duration{2 * day, 9 * day}},
		{14, "0 0 * * mon", 0, []time.Duration{2 * day, 9 * day}},
		{14, "* * * * *", 30 * s, []time.Duration{m, 2 * m}},
		{14, "@daily", 0, []time.Duration{day, 2 * day}},
		{14, "@midnight", 0, []time.Duration{day}},
		{14, "@weekly", 0, []time.Duration{day, 8 * day}},
		{14, "@monthly", 0, []time.Duration{31 * day, 60 * day}},
		{14, "@yearly", 0, []time.Duration{366 * day}},
		{14, "@annually", 0, []time.Duration{366 * day}},
		// Neither day field is a star: either matches (Sunday the 2nd).
		{14, "0 0 0 1 * sun", 0, []time.Duration{day, 8 * day}},
		{14, "0 0 0 1 * *", 0, []time.Duration{31 * day}},
		{14, "0 0 12 29 feb ?", 0, []time.Duration{59*day + 12*h, (59+366+365+365+365)*day + 12*h}},
		{14, "TZ=UTC 0 30 * * * *", 0, []time.Duration{30 * m}},
		{14, "CRON_TZ=Etc/UTC @every 5s", 0, []time.Duration{5 * s}},
		{14, "0 0 30 2 *", 0, nil},
	} {
		name := fmt.Sprintf("1.%d %q from %v", tc.minor, tc.spec, tc.start)
		sc, err := Init(tc.minor, tc.spec)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		var got []time.Duration
		at := tc.start
		for range max(len(tc.want), 1) {
			n, ok := sc.Next(at)
			if !ok {
				break
			}
			got = append(got, n)
			at = n
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) {
			t.Errorf("%s: fires %v, want %v", name, got, tc.want)
		}
	}
}

func TestEvery(t *testing.T) {
	for _, tc := range []struct {
		minor int
		spec  string
		want  time.Duration
		ok    bool
	}{
		{15, "@every 1500ms", time.Second, true},
		{16, "@every 1500ms", 1500 * time.Millisecond, true},
		{15, "@every 2.9s", 2 * time.Second, true},
		{15, "@hourly", 0, false},
	} {
		sc, err := Init(tc.minor, tc.spec)
		if err != nil {
			t.Fatal(err)
		}
		if d, ok := sc.Every(); d != tc.want || ok != tc.ok {
			t.Errorf("1.%d %q: Every() = %v, %v; want %v, %v", tc.minor, tc.spec, d, ok, tc.want, tc.ok)
		}
		if sc.String() != tc.spec {
			t.Errorf("1.%d %q: String() = %q", tc.minor, tc.spec, sc.String())
		}
	}
}

func TestInitErrors(t *testing.T) {
	for _, tc := range []struct {
		minor       int
		spec        string
		want        string
		notModelled bool
	}{
		{14, "", "schedule not set", false},
		{9, "", "schedule not set", false},
		{14, "* * * *", "invalid schedule format '* * * *': expected 5 to 6 fields, found 4: [* * * *]", false},
		{10, "* * * *", "invalid schedule format: * * * *: expected 5 to 6 fields, found 4: [* * * *]", false},
		{14, "* * * * * * *", "invalid schedule format '* * * * * * *': expected 5 to 6 fields, found 7: [* * * * * * *]", false},
		{14, "@every 10", `invalid schedule format '@every 10': failed to parse duration @every 10: time: missing unit in duration "10"`, false},
		{14, "@every  10s", `invalid schedule format '@every  10s': failed to parse duration @every  10s: time: invalid duration " 10s"`, false},
		{14, "@often", "invalid schedule format '@often': unrecognized descriptor: @often", false},
		{14, "@hourly ", "invalid schedule format '@hourly ': unrecognized descriptor: @hourly ", false},
		{14, " @hourly", "invalid schedule format ' @hourly': expected 5 to 6 fields, found 1: [@hourly]", false},
		{14, "60 * * * * *", "invalid schedule format '60 * * * * *': end of range (60) above maximum (59): 60", false},
		{14, "0 0 0 0 * *", "invalid schedule format '0 0 0 0 * *': beginning of range (0) below minimum (1): 0", false},
		{14, "5-1 * * * *", "invalid schedule format '5-1 * * * *': beginning of range (5) beyond end of range (1): 5-1", false},
		{14, "*/0 * * * *", "invalid schedule format '*/0 * * * *': step of range should be a positive number: */0", false},
		{14, "1-2-3 * * * *", "invalid schedule format '1-2-3 * * * *': too many hyphens: 1-2-3", false},
		{14, "*/2/3 * * * *", "invalid schedule format '*/2/3 * * * *': too many slashes: */2/3", false},
		{14, "x * * * *", `invalid schedule format 'x * * * *': failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax`, false},
		{14, "-1 * * * *", `invalid schedule format '-1 * * * *': failed to parse int from : strconv.Atoi: parsing "": invalid syntax`, false},
		{14, "0 0 * * funday", `invalid schedule format '0 0 * * funday': failed to parse int from funday: strconv.Atoi: parsing "funday": invalid syntax`, false},
		{14, "CRON_TZ=Europe/Berlin 0 30 * * * *", `time zone "Europe/Berlin": sim runs cron schedules in UTC only: not modelled`, true},
		{14, "TZ=UTC", `"TZ=UTC" has no space after the time zone: kit's cron parser panics on it (cron/parser.go:115), so daprd crashes at start: not modelled`, true},
		{16, "@every 0s", "@every 0s: Dapr 1.16's cron fires the binding over and over without pause (kit@v0.16.1 cron/constantdelay.go:34-36): not modelled", true},
	} {
		_, err := Init(tc.minor, tc.spec)
		if err == nil {
			t.Errorf("1.%d %q: no error, want %q", tc.minor, tc.spec, tc.want)
			continue
		}
		if err.Error() != tc.want {
			t.Errorf("1.%d %q:\n got %s\nwant %s", tc.minor, tc.spec, err, tc.want)
		}
		if errors.Is(err, ErrNotModelled) != tc.notModelled {
			t.Errorf("1.%d %q: errors.Is(err, ErrNotModelled) = %v", tc.minor, tc.spec, !tc.notModelled)
		}
		if !tc.notModelled && tc.spec != "" && !strings.HasPrefix(err.Error(), "invalid schedule format") {
			t.Errorf("1.%d %q: not wrapped as contrib's Init wraps it", tc.minor, tc.spec)
		}
	}
}

func TestZeroScheduleNeverFires(t *testing.T) {
	if _, ok := (Schedule{}).Next(0); ok {
		t.Error("the zero Schedule fires")
	}
}
