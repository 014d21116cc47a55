package sim

import (
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

// TestExpandMatchesReplaceAll checks the one-pass expand against what it
// replaced: every {i} replaced, then every {w}.
func TestExpandMatchesReplaceAll(t *testing.T) {
	ref := func(tmpl string, i, w int) string {
		if !strings.Contains(tmpl, "{") {
			return tmpl
		}
		s := strings.ReplaceAll(tmpl, "{i}", strconv.Itoa(i))
		return strings.ReplaceAll(s, "{w}", strconv.Itoa(w))
	}
	check := func(tmpl string, i, w int) {
		t.Helper()
		if got, want := expand(tmpl, i, w), ref(tmpl, i, w); got != want {
			t.Fatalf("expand(%q, %d, %d) = %q, want %q", tmpl, i, w, got, want)
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
