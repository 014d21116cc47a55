package policies

import (
	"strings"
	"testing"
)

func TestGraphsFillNumbers(t *testing.T) {
	p, err := ProfileFor(Newest)
	if err != nil {
		t.Fatal(err)
	}
	s, _, err := Load([]string{"testdata/quickstart"}, "order-processor", p)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, machine string
		want          []string
	}{
		{"simpleCB", "all", []string{
			"title: \"circuit breaker simpleCB: maxRequests 1, interval 0s, timeout 5s, trip consecutiveFailures >= 5\"",
			"closed --> open : failed [consecutiveFailures >= 5]",
			"open --> half_open : consulted [timeout 5s elapsed (expiry < now)]",
			"half_open --> closed : succeeded [consecutiveSuccesses >= maxRequests 1]",
		}},
		{"retryForever", "retry", []string{
			"title: \"retry retryForever: constant 5s, maxRetries -1\"",
			"attempting --> failed : attemptFailed [never (maxRetries -1)]",
			"waiting --> ready : waitElapsed [after constant 5s]",
		}},
	} {
		ds, err := s.Graphs(tc.name, tc.machine)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		got := ds[0].Mermaid()
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: lacks %q:\n%s", tc.name, w, got)
			}
		}
	}
	if _, err := s.Graphs("nope", "breaker"); err == nil || !strings.Contains(err.Error(), `no breaker policy named "nope": the spec has ["simpleCB"]`) {
		t.Errorf("unknown policy: %v", err)
	}
}

func TestTimeoutGraph(t *testing.T) {
	got := TimeoutGraph("short", 2e9).Mermaid()
	for _, w := range []string{"title: \"timeout short: 2s\"", "idle --> running : started [timeout 2s > 0]", "running --> timed_out : deadlineFired [start + 2s <= now]"} {
		if !strings.Contains(got, w) {
			t.Errorf("lacks %q:\n%s", w, got)
		}
	}
}
