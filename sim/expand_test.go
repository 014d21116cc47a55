package sim

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// TestExpandMatchesReplaceAll checks the one-pass expand, the arena's, and
// a compiled template filled, against what they replaced: every {i}
// replaced, then every {w}.
func TestExpandMatchesReplaceAll(t *testing.T) {
	ref := func(tmpl string, i, w int) string {
		if !strings.Contains(tmpl, "{") {
			return tmpl
		}
		s := strings.ReplaceAll(tmpl, "{i}", strconv.Itoa(i))
		return strings.ReplaceAll(s, "{w}", strconv.Itoa(w))
	}
	var a textArena
	check := func(tmpl string, i, w int) {
		t.Helper()
		want := ref(tmpl, i, w)
		if got := expand(tmpl, i, w); got != want {
			t.Fatalf("expand(%q, %d, %d) = %q, want %q", tmpl, i, w, got, want)
		}
		if got := a.expand(tmpl, i, w); got != want {
			t.Fatalf("textArena.expand(%q, %d, %d) = %q, want %q", tmpl, i, w, got, want)
		}
		ct := compileTemplate(tmpl)
		if got := a.fill(&ct, i, w); got != want {
			t.Fatalf("fill(compileTemplate(%q), %d, %d) = %q, want %q", tmpl, i, w, got, want)
		}
	}
	for _, tmpl := range []string{"", "{", "}", "{i", "{i}", "{w}", "{{i}}", "{{w}i}", "{i}{w}{i}", "order-{i}", `{"orderId":{i}}`,
		"Saving Order: { orderId: '{i}' }", "{x}", "{iw}", "{i}}", strings.Repeat("{i}-{w}/", 40)} {
		for _, n := range [][2]int{{0, 0}, {1, 2}, {-3, 12345678901}, {86400, 7}} {
			check(tmpl, n[0], n[1])
		}
	}
	parts := []string{"{", "}", "i", "w", "{i}", "{w}", "x", "é", " "}
	r := rand.New(rand.NewPCG(5, 6))
	for k := 0; k < 50000; k++ {
		var sb strings.Builder
		for j := r.IntN(10); j > 0; j-- {
			sb.WriteString(parts[r.IntN(len(parts))])
		}
		check(sb.String(), r.IntN(1000)-10, r.IntN(50))
	}
}
