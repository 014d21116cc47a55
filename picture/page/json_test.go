package page

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"testing"
)

// TestAppendDataIsMarshal: the page's data encoded by hand is json.Marshal's
// bytes for it, on random data reaching every field: strings with what
// JSON escapes (quotes, backslashes, control characters, <, > and &,
// U+2028, bytes that are not UTF-8), nil, empty and full slices, the
// omitempty fields empty and not, extreme numbers.
func TestAppendDataIsMarshal(t *testing.T) {
	r := rand.New(rand.NewPCG(17, 2))
	for i := range 300 {
		d := randomData(r)
		want, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendData(nil, d); !bytes.Equal(got, want) {
			at := 0
			for at < len(got) && at < len(want) && got[at] == want[at] {
				at++
			}
			t.Fatalf("data %d: appendData differs from json.Marshal at byte %d:\n got …%s\nwant …%s", i, at, clip(got, at), clip(want, at))
		}
	}
}

func clip(b []byte, at int) []byte {
	return b[max(0, at-40):min(len(b), at+40)]
}

var pieces = []string{"", "a", "breaker", " ", `"`, `\`, "<", ">", "&", "\x00", "\b", "\f", "\n", "\r", "\t", "\x1f", "\x7f",
	"é", "→", "\u2028", "\u2029", "\U0001F600", "\xff", "\xe2\x80", "\xed\xa0\x80", "</script>", "\u00a0", "\ufffd"}

func randomString(r *rand.Rand) string {
	var b []byte
	for range r.IntN(6) {
		b = append(b, pieces[r.IntN(len(pieces))]...)
	}
	return string(b)
}

// randomSlice is nil, empty or of one to three elements.
func randomSlice[T any](r *rand.Rand, each func() T) []T {
	switch r.IntN(4) {
	case 0:
		return nil
	case 1:
		return []T{}
	}
	s := make([]T, 1+r.IntN(3))
	for i := range s {
		s[i] = each()
	}
	return s
}

func randomInt(r *rand.Rand) int64 {
	return []int64{0, 1, -1, math.MaxInt64, math.MinInt64, r.Int64(), -r.Int64N(1e12)}[r.IntN(7)]
}

func randomData(r *rand.Rand) *Data {
	str := func() string { return randomString(r) }
	strs := func() []string { return randomSlice(r, str) }
	u32 := func() uint32 { return []uint32{0, 7, math.MaxUint32, r.Uint32()}[r.IntN(4)] }
	return &Data{
		Title: str(), Subtitle: str(), From: randomInt(r), To: randomInt(r),
		Snapshots: randomSlice(r, func() Snapshot {
			return Snapshot{T: randomInt(r), Events: int(randomInt(r)),
				Breakers: randomSlice(r, func() Breaker {
					return Breaker{Name: str(), State: str(), Generation: []uint64{0, math.MaxUint64, r.Uint64()}[r.IntN(3)],
						Requests: u32(), TotalSuccesses: u32(), ConsecutiveSuccesses: u32(), TotalFailures: u32(), ConsecutiveFailures: u32(),
						Expiry: randomInt(r)}
				}),
				Targets: randomSlice(r, func() Target {
					return Target{Kind: str(), Name: str(), Up: r.IntN(2) == 0, Since: randomInt(r), Windows: strs()}
				}),
				Requests: strs(), Happened: strs(), Plain: strs(),
				Messages: randomSlice(r, func() Flight { return Flight{Lane: str(), Message: str(), Text: str()} }),
				Notes:    strs()}
		}),
		Log: randomSlice(r, func() LogLine { return LogLine{T: randomInt(r), Text: str()} }),
		Deliveries: randomSlice(r, func() DeliveryLane {
			return DeliveryLane{Name: str(), Rows: int(randomInt(r)), Deliveries: randomSlice(r, func() Delivery {
				return Delivery{From: randomInt(r), To: randomInt(r), Row: int(randomInt(r)), State: str(), Result: str(),
					Message: str(), EventID: str(), Delivery: int(randomInt(r)), Attempts: int(randomInt(r)), Answer: str(), Error: str()}
			})}
		}),
		Diagrams: []Diagram{{Breaker: "left out", Title: "of the JSON", SVG: "<svg/>"}},
	}
}
