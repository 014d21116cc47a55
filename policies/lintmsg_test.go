package policies

import (
	"strings"
	"testing"
	"time"

	"github.com/dapr-sim/sim/policies/retry"
)

// subscriptionDoc is a v2alpha1 Subscription name to topic orders on
// pubsub component pubsub; dlq, when not empty, is its deadLetterTopic
// (line 10).
func subscriptionDoc(name, pubsub, dlq string) string {
	s := "apiVersion: dapr.io/v2alpha1\nkind: Subscription\nmetadata:\n  name: " + name + "\nspec:\n  pubsubname: " + pubsub + "\n  topic: orders\n  routes:\n    default: /orders\n"
	if dlq != "" {
		s += "  deadLetterTopic: " + dlq + "\n"
	}
	return s
}

// inboundRes targets component pubsub's inbound with timeout t (30s) and
// retry pubsubRetry (constant 10s, maxRetries 3): one failing delivery
// takes up to 4 × 30s + 3 × 10s = 2m30s. The retry reference is line 16.
var inboundRes = res("r", `  policies:
    timeouts:
      t: 30s
    retries:
      pubsubRetry: {policy: constant, duration: 10s, maxRetries: 3}
  targets:
    components:
      pubsub:
        inbound:
          timeout: t
          retry: pubsubRetry
`)

func TestDeliveryTime(t *testing.T) {
	constant := func(d time.Duration, n int64) retry.Policy {
		p := retry.Default("c")
		p.Duration, p.MaxRetries = d, n
		return p
	}
	expo := func(maxInterval time.Duration, n int64) retry.Policy {
		p := retry.Default("e")
		p.Kind, p.MaxInterval, p.MaxRetries = retry.Exponential, maxInterval, n
		return p
	}
	for _, tc := range []struct {
		name      string
		p         retry.Policy
		timeout   time.Duration
		want      time.Duration
		bounded   bool
		byElapsed bool
	}{
		{"constant, timeout per attempt", constant(10*time.Second, 3), 30 * time.Second, 150 * time.Second, true, false},
		{"constant, no timeout", constant(5*time.Second, 20), 0, 100 * time.Second, true, false},
		{"constant without limit", constant(5*time.Second, -1), 30 * time.Second, 0, false, false},
		// 0.5s, 0.75s, 1.125s, 1.6875s, then 2s: each +50% jitter.
		{"exponential to its cap", expo(2*time.Second, 6), 0, time.Duration(1.5 * float64(500*time.Millisecond+750*time.Millisecond+1125*time.Millisecond+1687500*time.Microsecond+2*2*time.Second)), true, false},
		{"exponential without limit: maxElapsedTime", expo(60*time.Second, -1), 10 * time.Second, 15*time.Minute + 10*time.Second, true, true},
		{"exponential beyond maxElapsedTime", expo(60*time.Second, 1000), 0, 15 * time.Minute, true, true},
		{"huge maxRetries saturates", constant(time.Hour, 1<<40), time.Hour, 1<<63 - 1, true, false},
	} {
		d, bounded, byElapsed := deliveryTime(tc.p, tc.timeout)
		if d != tc.want || bounded != tc.bounded || byElapsed != tc.byElapsed {
			t.Errorf("%s: got %s bounded %v byElapsed %v, want %s %v %v", tc.name, d, bounded, byElapsed, tc.want, tc.bounded, tc.byElapsed)
		}
	}
}

// TestDeliveryOutlastsPerRelease pins the wording of each release's
// behaviour: cancelled up to 1.12, both on 1.13 (patch-dependent),
// duplicates from 1.14.
func TestDeliveryOutlastsPerRelease(t *testing.T) {
	files := map[string]string{"p.yaml": pubsubComponent("  - {name: redisHost, value: localhost:6379}\n"), "r.yaml": inboundRes, "s.yaml": subscriptionDoc("orders-sub", "pubsub", "")}
	for _, tc := range []struct {
		version      string
		want, absent []string
	}{
		{"1.12", []string{"retry \"pubsubRetry\" may retry one delivery from pubsub.redis component \"pubsub\" for up to 2m30s", "longer than the component's processingTimeout 1m0s", "cancelled after 1m0s (context deadline exceeded)"}, []string{"duplicates"}},
		{"1.13", []string{"on Dapr 1.13.2 and later 1.13 patches", "duplicates", "on 1.13.0 and 1.13.1 the runner runs on the delivery's context"}, nil},
		{"1.14", []string{"duplicates", "back 1m0s to 1m15s after"}, []string{"cancelled"}},
	} {
		fs := lintFiles(t, files, LintOptions{Profile: mustProfile(t, tc.version)})
		var msg string
		for _, f := range fs {
			if f.ID == "delivery-outlasts-processing-timeout" {
				if f.File != "r.yaml" || f.Line != 16 || f.Level != LevelHazard {
					t.Errorf("%s: reported at %s:%d as %s, want r.yaml:16 hazard", tc.version, f.File, f.Line, f.Level)
				}
				msg = f.Msg
			}
		}
		for _, w := range tc.want {
			if !strings.Contains(msg, w) {
				t.Errorf("%s: want %q in %q", tc.version, w, msg)
			}
		}
		for _, a := range tc.absent {
			if strings.Contains(msg, a) {
				t.Errorf("%s: want no %q in %q", tc.version, a, msg)
			}
		}
	}
}
