// Package grid enumerates a parameter sweep: the cartesian product of named
// value lists (axes) and seeds, each point numbered by its run index, and the
// round-robin slices (shards) that spread the runs over a batch system's
// array jobs. It is pure arithmetic over strings and imports nothing of ours:
// what an axis name or value means is the caller's business.
package grid

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// MaxRuns bounds a grid: beyond it a sweep is a typo (a value list pasted
// twice) rather than a plan, and a run index must fit an int anywhere.
const MaxRuns = 10_000_000

// Axis is one swept parameter and its values, in the order given.
type Axis struct {
	Name   string
	Values []string
}

// Grid is the cartesian product of its axes, in the order they are given
// with the last one varying fastest, and within each combination the seeds
// First, First+1, …, First+Seeds-1 (innermost).
type Grid struct {
	axes  []Axis
	first int64
	seeds int
	n     int
}

// New checks the axes and seeds and returns their grid. Every axis needs a
// value; seeds is at least 1.
func New(axes []Axis, first int64, seeds int) (*Grid, error) {
	if seeds < 1 {
		return nil, fmt.Errorf("want at least 1 seed, got %d", seeds)
	}
	if seeds > 1 && first > math.MaxInt64-int64(seeds-1) {
		return nil, fmt.Errorf("seeds %d to %d+%d overflow a 64-bit seed", first, first, seeds-1)
	}
	tooMany := fmt.Errorf("the grid has more than %d runs: sweep fewer values or seeds", MaxRuns)
	if seeds > MaxRuns {
		return nil, tooMany
	}
	n := seeds
	for _, a := range axes {
		if len(a.Values) == 0 {
			return nil, fmt.Errorf("%s has no value", a.Name)
		}
		if n > MaxRuns/len(a.Values) {
			return nil, tooMany
		}
		n *= len(a.Values)
	}
	return &Grid{axes: axes, first: first, seeds: seeds, n: n}, nil
}

// Len is the number of runs.
func (g *Grid) Len() int { return g.n }

// Axes returns the axes as given.
func (g *Grid) Axes() []Axis { return g.axes }

// Seeds is the number of seeds per combination.
func (g *Grid) Seeds() int { return g.seeds }

// Run is one point of the grid.
type Run struct {
	Index  int      // 0-based, in grid order
	Values []string // one per axis, in axis order
	Seed   int64
}

// Run returns the point with index i, 0 ≤ i < Len.
func (g *Grid) Run(i int) Run {
	if i < 0 || i >= g.n {
		panic(fmt.Sprintf("grid: run %d of %d", i, g.n))
	}
	r := Run{Index: i, Values: make([]string, len(g.axes))}
	r.Seed = g.first + int64(i%g.seeds)
	rest := i / g.seeds
	for a := len(g.axes) - 1; a >= 0; a-- {
		vs := g.axes[a].Values
		r.Values[a] = vs[rest%len(vs)]
		rest /= len(vs)
	}
	return r
}

// Shard is the I-th of N round-robin slices of a grid: the runs whose index
// is I modulo N. Neighbouring runs (the same combination on the next seed,
// the next value of the last axis) cost alike, so dealing them out in turn
// balances the slices. I is 0-based, as a Kubernetes indexed Job's
// JOB_COMPLETION_INDEX is.
type Shard struct{ I, N int }

// All is the whole grid as one shard.
var All = Shard{I: 0, N: 1}

// ParseShard reads "i/n", 0 ≤ i < n.
func ParseShard(s string) (Shard, error) {
	is, ns, ok := strings.Cut(s, "/")
	i, errI := strconv.Atoi(strings.TrimSpace(is))
	n, errN := strconv.Atoi(strings.TrimSpace(ns))
	switch {
	case !ok || errI != nil || errN != nil:
		return Shard{}, fmt.Errorf("want i/n, the 0-based index of a slice and the number of slices (0/4 … 3/4), got %q", s)
	case n < 1:
		return Shard{}, fmt.Errorf("want at least 1 slice, got %q", s)
	case i < 0 || i >= n:
		return Shard{}, fmt.Errorf("the index is 0-based: want 0 ≤ i < %d (0/%d … %d/%d), got %q", n, n, n-1, n, s)
	}
	return Shard{I: i, N: n}, nil
}

func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.I, s.N) }

// Owns reports whether run index run belongs to the shard.
func (s Shard) Owns(run int) bool { return run%s.N == s.I }

// Runs returns the indexes of g's runs the shard owns, in order.
func (g *Grid) Runs(s Shard) []int {
	var out []int
	for i := s.I; i < g.n; i += s.N {
		out = append(out, i)
	}
	return out
}

// SplitValues splits a list of values on the commas that are not inside
// parentheses, brackets, braces or quotes, so a value may itself hold commas:
// a CEL expression `size([a, b]) > 1`, or a quoted '500-599,404'. Quotes
// and brackets stay in the values; an empty value or an unbalanced bracket
// or quote is an error.
func SplitValues(s string) ([]string, error) {
	var (
		out   []string
		stack []byte // the closers awaited, innermost last
		quote byte
		start int
	)
	closer := map[byte]byte{'(': ')', '[': ']', '{': '}'}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			switch {
			case c == '\\' && quote == '"':
				i++ // an escaped character, whatever it is
			case c == quote:
				quote = 0
			}
		case c == '\'' || c == '"':
			quote = c
		case closer[c] != 0:
			stack = append(stack, closer[c])
		case c == ')' || c == ']' || c == '}':
			if len(stack) == 0 || stack[len(stack)-1] != c {
				return nil, fmt.Errorf("unbalanced %q at byte %d of %q", c, i+1, s)
			}
			stack = stack[:len(stack)-1]
		case c == ',' && len(stack) == 0:
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	switch {
	case quote != 0:
		return nil, fmt.Errorf("unclosed %c quote in %q", quote, s)
	case len(stack) > 0:
		return nil, fmt.Errorf("unclosed bracket in %q: want %q", s, stack[len(stack)-1])
	}
	out = append(out, s[start:])
	for i, v := range out {
		out[i] = strings.TrimSpace(v)
		if out[i] == "" {
			return nil, fmt.Errorf("an empty value in %q: give a value between every two commas", s)
		}
	}
	return out, nil
}
