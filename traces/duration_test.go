package traces

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

func TestAppendDurationMatchesString(t *testing.T) {
	check := func(d time.Duration) {
		t.Helper()
		if got, want := string(appendDuration([]byte("x"), d)), "x"+d.String(); got != want {
			t.Fatalf("appendDuration(%d) = %q, want %q", int64(d), got, want)
		}
	}
	edges := []time.Duration{0, 1, -1, 999, 1000, 1001, 999999, 1000000, 1000001, 999999999,
		time.Second, time.Second - 1, time.Second + 1, time.Minute, time.Minute - 1, time.Hour, time.Hour - 1,
		26013013 * time.Microsecond, 90 * time.Minute, 24 * time.Hour, math.MaxInt64, math.MinInt64, math.MinInt64 + 1}
	for _, d := range edges {
		check(d)
		check(-d)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 200000; i++ {
		d := time.Duration(r.Int64N(math.MaxInt64)) >> r.UintN(63)
		check(d)
		check(-d)
		check(d.Truncate(time.Millisecond))
		check(d.Truncate(time.Second))
	}
	for p, d := 0, time.Duration(1); p < 19; p, d = p+1, d*10 {
		check(d)
		check(d - 1)
		check(d + 1)
	}
}
