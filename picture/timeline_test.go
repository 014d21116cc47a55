package picture

import (
	"bytes"
	"errors"
	"regexp"
	"strings"
	"testing"
	"time"
)

func timeline(t *testing.T, opt TimelineOptions) string {
	t.Helper()
	events, horizon := quickstart(t)
	opt.Horizon = horizon
	var b bytes.Buffer
	if err := WriteTimeline(&b, events, opt); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// row returns the cells of the lane labelled label, as runes.
func row(t *testing.T, out, label string, labelW int) []rune {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "  "+label+" ") {
			return []rune(l)[labelW:]
		}
	}
	t.Fatalf("no lane %q in:\n%s", label, out)
	return nil
}

// The quickstart: the store is down from 6 s to 33 s, the breaker opens at
// 26 s, probes half-open at 31 s and 36 s and closes at 36 s.
func TestTimelineQuickstart(t *testing.T) {
	out := timeline(t, TimelineOptions{Width: 100})
	const labelW = len("  simpleCB-statestore") + 1
	n := 100 - labelW
	col := func(d time.Duration) int { return column(d, 0, time.Minute, n) }
	sec := time.Second

	store := row(t, out, "statestore", labelW)
	for c := range store {
		want := '·'
		if c >= col(6*sec) && c <= col(33*sec-1) {
			want = '█'
		}
		if store[c] != want {
			t.Errorf("statestore column %d: %q, want %q\n%s", c, store[c], want, out)
			break
		}
	}

	br := row(t, out, "simpleCB-statestore", labelW)
	for c := range br {
		var want rune
		switch {
		case c < col(26405988957*time.Nanosecond):
			want = ' '
		case c == col(31405989957*time.Nanosecond), c == col(36495402889*time.Nanosecond):
			want = '▒'
		case c < col(36495402889*time.Nanosecond):
			want = '█'
		default:
			want = '─'
		}
		if br[c] != want {
			t.Errorf("breaker column %d: %q, want %q\n%s", c, br[c], want, out)
			break
		}
	}
	for _, s := range []string{
		"26.405988957s  simpleCB-statestore  closed → open\n",
		"31.405989957s  simpleCB-statestore  open → half-open\n",
		"36.496402889s  simpleCB-statestore  half-open → closed\n",
		"6s             statestore           stopped\n",
		"33s            statestore           started\n",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("no change %q in:\n%s", s, out)
		}
	}
	if strings.Contains(out, "\x1b") {
		t.Errorf("plain output has an escape code:\n%q", out)
	}
	if again := timeline(t, TimelineOptions{Width: 100}); again != out {
		t.Error("two renderings differ")
	}
}

var ansiCode = regexp.MustCompile("\x1b\\[[0-9;]*m")

// Colour adds ANSI codes and nothing else: without them the text is the
// plain rendering.
func TestTimelineColor(t *testing.T) {
	plain := timeline(t, TimelineOptions{Width: 90})
	color := timeline(t, TimelineOptions{Width: 90, Color: true})
	if !strings.Contains(color, "\x1b[1;31m█") || !strings.Contains(color, "\x1b[0m") {
		t.Errorf("coloured output has no ANSI colour:\n%q", color)
	}
	if stripped := ansiCode.ReplaceAllString(color, ""); stripped != plain {
		t.Errorf("colour changed the text:\n%s\nplain:\n%s", stripped, plain)
	}
	if strings.Contains(plain, "\x1b") {
		t.Error("plain output has an escape code")
	}
}

func TestTimelineZoom(t *testing.T) {
	out := timeline(t, TimelineOptions{Width: 80, From: 25 * time.Second, To: 37 * time.Second, Title: "quickstart"})
	if !strings.HasPrefix(out, "quickstart: 25s to 37s, one column ≈ 0.207s\n") {
		t.Errorf("header:\n%s", out)
	}
	if strings.Contains(out, "stopped") {
		t.Errorf("a change before the window is listed:\n%s", out)
	}
	for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if n := len([]rune(l)); n > 80 {
			t.Errorf("line of %d columns, want at most 80: %q", n, l)
		}
	}

	events, horizon := quickstart(t)
	err := WriteTimeline(&bytes.Buffer{}, events, TimelineOptions{Horizon: horizon, From: 30 * time.Second, To: 30 * time.Second})
	if !errors.Is(err, ErrEmptyWindow) {
		t.Errorf("an empty window: %v, want ErrEmptyWindow", err)
	}
}

func TestTickStep(t *testing.T) {
	for _, c := range []struct {
		span time.Duration
		n    int
		want time.Duration
	}{
		{time.Minute, 76, 10 * time.Second},
		{12 * time.Second, 60, 2 * time.Second},
		{24 * time.Hour, 80, 10000 * time.Second},
		{10 * time.Millisecond, 80, time.Millisecond},
		{time.Microsecond, 80, time.Millisecond},
	} {
		if got := tickStep(c.span, c.n); got != c.want {
			t.Errorf("tickStep(%s, %d) = %s, want %s", c.span, c.n, got, c.want)
		}
	}
}

func TestSeconds(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0s", 6 * time.Second: "6s", 26013013 * time.Microsecond: "26.013013s",
		time.Hour: "3600s", 1: "0.000000001s", 500 * time.Millisecond: "0.5s",
	} {
		if got := seconds(d); got != want {
			t.Errorf("seconds(%d) = %q, want %q", d, got, want)
		}
	}
	if got := milliseconds(26013513 * time.Microsecond); got != "26.014s" {
		t.Errorf("milliseconds: %q", got)
	}
}

func TestApproxSeconds(t *testing.T) {
	for d, want := range map[time.Duration]string{
		769230769 * time.Nanosecond: "0.769s", 1110 * time.Second: "1110s", 1108*time.Second + 3: "1110s",
		500: "0.0000005s", 207 * time.Millisecond: "0.207s", 0: "0s",
	} {
		if got := approxSeconds(d); got != want {
			t.Errorf("approxSeconds(%d) = %q, want %q", int64(d), got, want)
		}
	}
}

// A span of centuries must not overflow the tick arithmetic into an endless
// axis (found by review: 8*span wrapped negative).
func TestTickStepHugeSpan(t *testing.T) {
	for _, span := range []time.Duration{1000000 * time.Hour, time.Duration(1<<62 - 1)} {
		s := tickStep(span, 100)
		if s <= 0 || float64(s)*100 < 8*float64(span) && s < span {
			t.Errorf("tickStep(%s) = %s: too small for 100 columns", span, s)
		}
	}
}
