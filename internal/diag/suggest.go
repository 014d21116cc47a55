package diag

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// DidYouMean is the one wording of a suggestion, appended to a message:
// ` (did you mean "word"?)`, or "" when word is "".
func DidYouMean(word string) string {
	if word == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", word)
}

// Suggest is DidYouMean of the candidate Nearest to s: the hint a message
// about a misspelt s ends with, or "" when no candidate is close.
func Suggest(s string, candidates []string) string {
	return DidYouMean(Nearest(s, candidates))
}

// SuggestKey is Suggest among the keys of m, in sorted order.
func SuggestKey[V any](s string, m map[string]V) string {
	return Suggest(s, slices.Sorted(maps.Keys(m)))
}

// Nearest returns the candidate closest to s (ignoring case) within an edit
// distance of 2 — the likely intended word behind a typo — or "" when none
// is that close. Ties go to the earlier candidate, so pass a sorted list.
func Nearest(s string, candidates []string) string {
	best, bestD := "", 3
	ls := strings.ToLower(s)
	for _, c := range candidates {
		if d := Distance(ls, strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// Distance is the Levenshtein distance between a and b, in bytes (case
// matters: lower both to ignore it). Readers with limits of their own,
// such as policies/client's metadata keys, measure with it.
func Distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
