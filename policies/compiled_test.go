package policies

import (
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/dapr-sim/sim/policies/breaker"
)

// A trip or match compiled again is the one compiled first (a sweep's
// runs share it), equal to what compiling afresh builds, and evaluates
// the same on many goroutines at once (run under -race); a bad expression
// is an error every time, not kept.
func TestCompiledIsSharedAndTheSame(t *testing.T) {
	const src = "consecutiveFailures >= 3 && [1, 2].all(x, x > 0)" // with a comprehension: a cost-tracked program
	a, err := CompileTrip(src)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := CompileTrip(src)
	if a != b {
		t.Error("CompileTrip compiled the same text twice")
	}
	fresh, err := compileTrip(src)
	if err != nil {
		t.Fatal(err)
	}
	if a.Source != fresh.Source || !reflect.DeepEqual(a.Unknown, fresh.Unknown) || a.Cost != fresh.Cost || a.Result != fresh.Result {
		t.Errorf("kept %+v, fresh %+v", a, fresh)
	}
	m1, err := CompileMatch(`event.type == "order"`)
	if err != nil {
		t.Fatal(err)
	}
	if m2, _ := CompileMatch(`event.type == "order"`); m1 != m2 {
		t.Error("CompileMatch compiled the same text twice")
	}
	for range 2 {
		if _, err := CompileTrip("consecutiveFailures >="); err == nil {
			t.Error("a bad trip compiled")
		}
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range 200 {
				c := breaker.Counts{ConsecutiveFailures: uint32(n % 5)}
				if got, want := a.Eval(c), n%5 >= 3; got != want {
					errs <- fmt.Sprintf("goroutine %d: %+v = %v, want %v", g, c, got, want)
					return
				}
				ok, err := m1.Eval(map[string]any{"type": []string{"order", "other"}[n%2]})
				if err != nil || ok != (n%2 == 0) {
					errs <- fmt.Sprintf("goroutine %d: match %v, %v", g, ok, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// The cache stops growing at maxCompiled: past it, texts compile each
// time (and still compile).
func TestCompiledIsBounded(t *testing.T) {
	var c compiled[string]
	build := func(s string) (string, error) { return s + "!", nil }
	for i := range maxCompiled + 10 {
		if v, _ := c.get(fmt.Sprint(i), build); v != fmt.Sprint(i)+"!" {
			t.Fatalf("get(%d) = %q", i, v)
		}
	}
	if len(c.m) != maxCompiled {
		t.Errorf("%d kept, want %d", len(c.m), maxCompiled)
	}
}
