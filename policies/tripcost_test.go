package policies

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// TestTripCost is issue 11 class 6, by counts: cel-go's estimate of one
// evaluation, in CEL cost units, and the limit it is held to at load.
func TestTripCost(t *testing.T) {
	tests := []struct {
		src     string
		max     uint64 // the estimate's worst case
		refused bool
	}{
		{src: "consecutiveFailures >= 5", max: 2},
		{src: "requests > 10 && totalFailures * 2 > requests", max: 6},
		// A trip variable is an int and an unknown one is unbound: a
		// comprehension over either fails before its first element.
		{src: "foo.all(x, x > 1)", max: 2},
		{src: nested(2, "all", "a + b > 0"), max: 851},
		{src: "[1,2,3].map(x, x > consecutiveFailures).size() > 0", max: 68},
		{src: nested(3, "all", "a + b + c > consecutiveFailures"), refused: true, max: 11551},
		{src: nested(6, "all", "a+b+c+d+e+f > consecutiveFailures"), refused: true, max: 17555551},
		{src: nested(5, "map", "a+b+c+d+e") + ".size() > 0", refused: true, max: 2466653},
		// Sizes cel-go cannot see: no bound, refused.
		{src: "[[1,2],[3]].all(x, x.all(y, y > 0))", refused: true, max: 1<<64 - 1},
		// A loop variable hiding a trip variable gets no size rule.
		{src: "[[1,2,3]].all(requests, requests.all(x, x > 0))", refused: true, max: 1<<64 - 1},
	}
	for _, tt := range tests {
		tr, err := CompileTrip(tt.src)
		var ce *TripCostError
		switch {
		case tt.refused && !errors.As(err, &ce):
			t.Errorf("%.50s: got %v, want a TripCostError", tt.src, err)
		case tt.refused && ce.Cost.Max != tt.max:
			t.Errorf("%.50s: refused at estimated cost %d, want %d", tt.src, ce.Cost.Max, tt.max)
		case !tt.refused && err != nil:
			t.Errorf("%.50s: %v", tt.src, err)
		case !tt.refused && tr.Cost.Max != tt.max:
			t.Errorf("%.50s: estimated cost %d, want %d", tt.src, tr.Cost.Max, tt.max)
		}
	}
}

func TestTripCostMessage(t *testing.T) {
	src := nested(6, "all", "a+b+c+d+e+f > consecutiveFailures")
	doc := resiliency("  policies:\n    circuitBreakers:\n      cb:\n        maxRequests: 1\n        trip: '" + src + "'\n")
	got := parseErr(t, "r.yaml", doc)
	want := `r.yaml:10: spec.policies.circuitBreakers.cb.trip: "` + src + `" costs up to 17555551 CEL cost units per evaluation (estimated), over the limit of 10000`
	if !strings.HasPrefix(got, want) {
		t.Errorf("got  %s\nwant %s…", got, want)
	}
}

// TestTripNotBool: a result that is not a bool is named, whether the checker
// knows the type or only the evaluation at zero counts does.
func TestTripNotBool(t *testing.T) {
	for src, want := range map[string]string{
		"consecutiveFailures >= 5": "",
		"consecutiveFailures + 1":  "int",
		"'abc'":                    "string",
		"consecutiveFailures":      "int", // dyn to the checker
		"dyn(requests) * 1.5":      "double",
		"typo":                     "", // fails to evaluate: says nothing
	} {
		tr, err := CompileTrip(src)
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if tr.Result != want {
			t.Errorf("%s: Result %q, want %q", src, tr.Result, want)
		}
	}
	doc := resiliency("  policies:\n    circuitBreakers:\n      cb:\n        trip: consecutiveFailures + 1\n")
	_, ws, err := ParseFile("r.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	findWarning(t, ws, "r.yaml:9:", "spec.policies.circuitBreakers.cb.trip", `"consecutiveFailures + 1" gives an int, not a bool`, "never opens")
}

// TestTripGridBudget: lint's grid stops at its budget, charging each
// evaluation the estimate, and then claims nothing. The expression below
// used to make sim lint evaluate some 10^10 tuples.
func TestTripGridBudget(t *testing.T) {
	var lits []string
	for i := 1; i <= 200; i++ {
		lits = append(lits, strconv.Itoa(i*7))
	}
	src := "requests in [" + strings.Join(lits, ",") + "] && consecutiveSuccesses > 0"
	tr, err := CompileTrip(src)
	if err != nil {
		t.Fatal(err)
	}
	f, spent := evalTripGridBudget(tr, 100000)
	if !f.possible || !f.partial || f.single != 0 {
		t.Errorf("out of budget: %+v, want possible (unknown) and no single", f)
	}
	if spent > 100000 || spent+tr.Cost.Max <= 100000 {
		t.Errorf("spent %d of 100000 at %d a time", spent, tr.Cost.Max)
	}
	// A small grid is unaffected: the same facts as without a budget.
	small, _ := CompileTrip("consecutiveSuccesses > 0")
	if f, spent := evalTripGridBudget(small, TripGridBudget); f.possible || f.partial || spent != 2240 {
		t.Errorf("consecutiveSuccesses > 0: %+v after %d units, want impossible after 2240", f, spent)
	}
}

// BenchmarkTripGridBudget: the wall time of lint's grid on the 200-literal
// trip of TestTripGridBudget, bounded by TripGridBudget (it did not end
// before).
func BenchmarkTripGridBudget(b *testing.B) {
	var lits []string
	for i := 1; i <= 200; i++ {
		lits = append(lits, strconv.Itoa(i*7))
	}
	tr, err := CompileTrip("requests in [" + strings.Join(lits, ",") + "] && consecutiveSuccesses > 0")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		evalTripGrid(tr)
	}
}
