package grid

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
)

func TestOrder(t *testing.T) {
	g, err := New([]Axis{{"a", []string{"1", "2"}}, {"b", []string{"x", "y", "z"}}}, 7, 2)
	if err != nil {
		t.Fatal(err)
	}
	if g.Len() != 12 {
		t.Fatalf("Len = %d, want 12", g.Len())
	}
	// The last axis varies fastest, the seeds innermost.
	var got []string
	for i := range g.Len() {
		r := g.Run(i)
		if r.Index != i {
			t.Errorf("Run(%d).Index = %d", i, r.Index)
		}
		got = append(got, fmt.Sprintf("%s%s@%d", r.Values[0], r.Values[1], r.Seed))
	}
	want := "1x@7 1x@8 1y@7 1y@8 1z@7 1z@8 2x@7 2x@8 2y@7 2y@8 2z@7 2z@8"
	if strings.Join(got, " ") != want {
		t.Errorf("order\n got %s\nwant %s", strings.Join(got, " "), want)
	}
}

func TestNoAxes(t *testing.T) {
	g, err := New(nil, -2, 3)
	if err != nil {
		t.Fatal(err)
	}
	if g.Len() != 3 || g.Run(2).Seed != 0 || len(g.Run(0).Values) != 0 {
		t.Errorf("seeds only: Len %d, Run(2) %+v", g.Len(), g.Run(2))
	}
}

func TestNewRejects(t *testing.T) {
	big := make([]string, 5000)
	for i := range big {
		big[i] = fmt.Sprint(i)
	}
	tests := []struct {
		name  string
		axes  []Axis
		first int64
		seeds int
		want  string
	}{
		{"no seed", nil, 1, 0, "want at least 1 seed"},
		{"an empty axis", []Axis{{"a", nil}}, 1, 1, "a has no value"},
		{"too many runs", []Axis{{"a", big}, {"b", big}}, 1, 1, "more than 10000000 runs"},
		{"too many seeds", []Axis{{"a", big}}, 1, 5000, "more than 10000000"},
		{"seeds overflow", nil, math.MaxInt64 - 1, 3, "overflow"},
	}
	for _, tt := range tests {
		if _, err := New(tt.axes, tt.first, tt.seeds); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error = %v, want %q", tt.name, err, tt.want)
		}
	}
	if _, err := New(nil, math.MaxInt64-2, 3); err != nil {
		t.Errorf("seeds up to MaxInt64: %v", err)
	}
}

// The shards of a grid are disjoint, cover it, and are dealt round-robin.
func TestShardsPartition(t *testing.T) {
	g, err := New([]Axis{{"a", []string{"1", "2", "3"}}, {"b", []string{"x", "y", "z"}}}, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	for n := 1; n <= 11; n++ {
		seen := make([]int, g.Len())
		for i := range n {
			s := Shard{I: i, N: n}
			for _, r := range g.Runs(s) {
				seen[r]++
				if r%n != i || !s.Owns(r) {
					t.Errorf("shard %s owns run %d", s, r)
				}
			}
		}
		for r, k := range seen {
			if k != 1 {
				t.Errorf("n=%d: run %d is in %d shards", n, r, k)
			}
		}
	}
	if got := g.Runs(All); len(got) != 9 || got[8] != 8 {
		t.Errorf("All runs = %v", got)
	}
}

func TestParseShard(t *testing.T) {
	for s, want := range map[string]Shard{"0/1": {0, 1}, "3/4": {3, 4}, " 2 / 8 ": {2, 8}} {
		got, err := ParseShard(s)
		if err != nil || got != want {
			t.Errorf("ParseShard(%q) = %v, %v; want %v", s, got, err, want)
		}
	}
	for s, want := range map[string]string{
		"4/4":  "the index is 0-based: want 0 ≤ i < 4 (0/4 … 3/4)",
		"-1/4": "0-based",
		"1/0":  "want at least 1 slice",
		"1":    "want i/n",
		"a/b":  "want i/n",
		"":     "want i/n",
	} {
		if _, err := ParseShard(s); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseShard(%q) error = %v, want %q", s, err, want)
		}
	}
}

func TestSplitValues(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		err  string
	}{
		{in: "1s,2s,5s", want: []string{"1s", "2s", "5s"}},
		{in: " 1s , 2s ", want: []string{"1s", "2s"}},
		{in: "5s", want: []string{"5s"}},
		{in: "size([a, b]) > 1,requests > 3", want: []string{"size([a, b]) > 1", "requests > 3"}},
		{in: "'500-599,404',\"1,2\"", want: []string{"'500-599,404'", `"1,2"`}},
		{in: `"a\",b",c`, want: []string{`"a\",b"`, "c"}},
		{in: "'it''s, fine',x", want: []string{"'it''s, fine'", "x"}},
		{in: "{a: 1, b: 2},x", want: []string{"{a: 1, b: 2}", "x"}},
		{in: "1s,,2s", err: "an empty value"},
		{in: "", err: "an empty value"},
		{in: "1s,", err: "an empty value"},
		{in: "(a,b", err: "unclosed bracket"},
		{in: "a),b", err: "unbalanced ')'"},
		{in: "[a)", err: "unbalanced ')'"},
		{in: "'a,b", err: "unclosed ' quote"},
	}
	for _, tt := range tests {
		got, err := SplitValues(tt.in)
		switch {
		case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)):
			t.Errorf("SplitValues(%q) error = %v, want %q", tt.in, err, tt.err)
		case tt.err == "" && (err != nil || !reflect.DeepEqual(got, tt.want)):
			t.Errorf("SplitValues(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}
