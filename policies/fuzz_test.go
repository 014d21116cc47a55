package policies

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dapr-sim/sim/internal/diag"
	"github.com/dapr-sim/sim/policies/breaker"
	"gopkg.in/yaml.v3"
)

// seedYAML adds every YAML file under the given roots (recursively) to f:
// the examples, this package's testdata and, when present, the shared
// corpus of published Resiliency files.
func seedYAML(f *testing.F, roots ...string) {
	for _, root := range roots {
		_ = filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() || !isYAMLName(p) {
				return nil
			}
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
			return nil
		})
	}
}

// FuzzParseFile: whatever a resources file holds, ParseFile and Build do not
// panic; every problem is a diag error naming the file and a line; a file
// that parses builds the same spec twice (and dumps to the same bytes).
func FuzzParseFile(f *testing.F) {
	seedYAML(f, "../examples", "testdata", "../../shared/corpus/resiliency", "../../shared/corpus/quickstart")
	f.Add([]byte("kind: Resiliency\nspec:\n  policies:\n    circuitBreakers:\n      cb: {maxRequests: 4294967296, timeout: -1s, trip: \"requests >\"}\n"))
	f.Add([]byte("kind: Resiliency\nspec:\n  policies:\n    retries:\n      r: {policy: constant, duration: 1000000000h, maxRetries: 1e300}\n"))
	f.Add([]byte("kind: Component\napiVersion: dapr.io/v1alpha1\nmetadata: {name: s}\nspec:\n  type: state.redis\n  metadata:\n  - {name: redisMaxRetries, value: abc}\n  - {name: maxRetryBackoff, value: 2000}\n  - {name: readTimeout, value: -5}\n  - {name: RedisMinRetryInterval, secretKeyRef: {name: x}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		files := parseChecked(t, data)
		if files == nil {
			return
		}
		for _, v := range []string{"1.8", "1.14", Newest} {
			p, err := ProfileFor(v)
			if err != nil {
				t.Fatal(err)
			}
			s1, w1, err1 := Build(files, "app", p)
			s2, w2, err2 := Build(parseChecked(t, data), "app", p)
			if (err1 == nil) != (err2 == nil) || !reflect.DeepEqual(w1, w2) {
				t.Fatalf("Build differs between two runs: %v / %v", err1, err2)
			}
			if err1 != nil {
				checkDiag(t, err1)
				continue
			}
			d1, e1 := yaml.Marshal(s1.Dump())
			d2, e2 := yaml.Marshal(s2.Dump())
			if e1 != nil || e2 != nil || string(d1) != string(d2) {
				t.Fatalf("the spec dumps differ:\n%s\n%s", d1, d2)
			}
			for _, w := range w1 {
				if w.File != "resiliency.yaml" {
					t.Fatalf("warning names no file: %s", w)
				}
			}
		}
	})
}

// parseChecked parses data twice and checks the properties; it returns nil
// when data is rejected.
func parseChecked(t *testing.T, data []byte) []*File {
	t.Helper()
	f1, w1, err1 := ParseFile("resiliency.yaml", data)
	f2, w2, err2 := ParseFile("resiliency.yaml", data)
	if (err1 == nil) != (err2 == nil) || !reflect.DeepEqual(w1, w2) {
		t.Fatalf("ParseFile differs between two runs: %v / %v", err1, err2)
	}
	if err1 != nil {
		if err1.Error() != err2.Error() {
			t.Fatalf("errors differ:\n%v\n%v", err1, err2)
		}
		checkDiag(t, err1)
		return nil
	}
	if len(f1.Resiliencies) != len(f2.Resiliencies) || !reflect.DeepEqual(f1.Components, f2.Components) || !reflect.DeepEqual(f1.Configurations, f2.Configurations) {
		t.Fatal("the two parses differ")
	}
	return []*File{f1}
}

// checkDiag asserts err is a *diag.Error or diag.List whose every entry
// names the file and a line.
func checkDiag(t *testing.T, err error) {
	t.Helper()
	var list diag.List
	var one *diag.Error
	switch {
	case errors.As(err, &list):
	case errors.As(err, &one):
		list = diag.List{one}
	default:
		t.Fatalf("error %T is not a diag error: %v", err, err)
	}
	for _, e := range list {
		if e.File == "" || e.Line <= 0 {
			t.Errorf("error without file and line: %q", e)
		}
		if strings.Contains(e.Error(), "panic") || strings.Contains(e.Error(), "goroutine ") {
			t.Errorf("error text looks like a crash: %q", e)
		}
	}
}

// FuzzTrip: any trip expression compiles or fails without panicking or
// hanging, and a compiled one evaluates the same counts the same way twice.
func FuzzTrip(f *testing.F) {
	for _, s := range []string{
		"consecutiveFailures > 5", "requests > 0 && totalFailures / requests > 0.5",
		"consecutiveFailures >= 3 || totalFailures > 10", "consecutiveFailures > 5 && requests",
		"unknownVar > 1", "totalFailures / requests > 0", "consecutiveFailures > 9223372036854775807",
		"consecutiveFailures * 9223372036854775807 > 0", "[1,2,3].map(x, x > consecutiveFailures).size() > 0",
		"a.b.c > 1", "requests >", "'", `"\xff"`, "size(\"x\" + string(requests)) > 0",
		// Issue 11 class 6: costs beyond TripCostLimit, unbounded sizes,
		// a loop variable hiding a trip variable, results not bool.
		nested(6, "all", "a+b+c+d+e+f > consecutiveFailures"), nested(4, "map", "a+b+c+d") + ".size() > 0",
		"[[1,2],[3]].all(x, x.all(y, y > 0))", "dyn([1,2]).all(x, x > requests)",
		"[[1,2,3,4,5,6,7,8,9,10]].all(requests, requests.all(x, x > 0))", "consecutiveFailures + 1", "'abc'",
	} {
		f.Add(s, uint32(0), uint32(6), uint32(3), uint32(1), uint32(6))
	}
	f.Fuzz(func(t *testing.T, src string, req, tf, ts, cs, cf uint32) {
		if len(src) > 1000 {
			return
		}
		tr, err := CompileTrip(src)
		if err != nil {
			if _, err2 := CompileTrip(src); err2 == nil || err2.Error() != err.Error() {
				t.Fatalf("two compiles differ: %v / %v", err, err2)
			}
			return
		}
		if tr.Cost.Max > TripCostLimit {
			t.Fatalf("%q compiled with estimated cost %v, above the limit %d", src, tr.Cost, TripCostLimit)
		}
		c := breaker.Counts{Requests: req, TotalFailures: tf, TotalSuccesses: ts, ConsecutiveSuccesses: cs, ConsecutiveFailures: cf}
		if a, b := tr.Eval(c), tr.Eval(c); a != b {
			t.Fatalf("Eval(%q) gave %v then %v", src, a, b)
		}
		_ = tr.String()
	})
}

// nested is depth comprehensions of kind over a ten-element list, one inside
// the other, with body innermost: the shape of an expensive trip.
func nested(depth int, kind, body string) string {
	const list = "[1,2,3,4,5,6,7,8,9,10]"
	out := body
	for i := depth - 1; i >= 0; i-- {
		out = fmt.Sprintf("%s.%s(%c, %s)", list, kind, 'a'+i, out)
	}
	return out
}
