package client

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// props builds properties from "name=value" pairs; "name=$secret" is a
// secretKeyRef.
func props(kv ...string) []Property {
	var out []Property
	for _, s := range kv {
		k, v, _ := strings.Cut(s, "=")
		if v == "$secret" {
			out = append(out, Property{Name: k, Unresolved: true})
			continue
		}
		out = append(out, Property{Name: k, Value: v})
	}
	return out
}

// short renders the timing part of s.
func short(s Settings) string {
	return fmt.Sprintf("retries %d, backoff %v..%v, dial %v, read %v, write %v", s.MaxRetries, s.MinBackoff, s.MaxBackoff, s.DialTimeout, s.ReadTimeout, s.WriteTimeout)
}

func problemsText(ps []Problem) string {
	var parts []string
	for _, p := range ps {
		kind := p.ID
		if p.Error {
			kind = "error"
		}
		parts = append(parts, fmt.Sprintf("%d %s", p.Prop, kind))
	}
	return strings.Join(parts, "; ")
}

// TestFromMetadata: one row per release group, keys and values, with the
// quirks of components-contrib's parsing and go-redis's Options.init.
func TestFromMetadata(t *testing.T) {
	const old, now = 8, 14 // 1.8–1.10 and 1.11+ behave alike within each group
	for _, tc := range []struct {
		name     string
		minors   []int
		props    []Property
		want     string // short(settings)
		problems string // problemsText
	}{
		{"defaults 1.8-1.10", []int{8, 9, 10}, props("redisHost=localhost:6379", "redisPassword=", "actorStateStore=true"),
			"retries 3, backoff 8ms..2s, dial 5s, read 3s, write 3s", ""},
		{"defaults 1.11+", []int{11, 12, 13, 14, 15, 16}, props("redisHost=localhost:6379"),
			"retries 3, backoff 2s..512ms, dial 5s, read 3s, write 3s", ""},
		{"redisMaxRetries", []int{old, now}, props("redisMaxRetries=5"), "", ""},
		{"redisMaxRetries -1 is none", []int{old, now}, props("redisMaxRetries=-1"), "retries 0", ""},
		{"redisMaxRetries 0 is go-redis's 3", []int{old, now}, props("redisMaxRetries=0"), "retries 3", "0 component-metadata-value"},
		{"redisMaxRetries -2 sends nothing", []int{old, now}, props("redisMaxRetries=-2"), "retries 0", "0 client-not-modelled"},
		{"redisMaxRetries abc", []int{old, now}, props("redisMaxRetries=abc"), "retries 3", "0 error"},
		{"redisMaxRetries empty fails decode", []int{old, now}, props("redisMaxRetries="), "", "0 error"},
		{"redisMaxRetries spelt in other case is decoded", []int{old, now}, props("RedisMaxRetries=7"), "retries 7", ""},
		{"legacy maxRetries", []int{old, now}, props("maxRetries=6"), "retries 6", ""},
		{"legacy maxRetries bad", []int{old, now}, props("maxRetries=x"), "retries 3", "0 error"},
		{"legacy maxRetries wrong case is ignored", []int{old, now}, props("MaxRetries=6"), "retries 3", "0 component-metadata-ignored"},
		{"legacy maxRetries under redisMaxRetries", []int{old, now}, props("maxRetries=6", "redisMaxRetries=2"), "retries 2", "0 component-metadata-ignored"},
		// 1.11+ copies maxRetries only when redisMaxRetries is empty: a bad
		// legacy value next to a good new one is never parsed.
		{"legacy maxRetries bad but shadowed 1.11+", []int{now}, props("maxRetries=x", "redisMaxRetries=2"), "retries 2", "0 component-metadata-ignored"},
		{"legacy maxRetries bad but shadowed 1.8", []int{old}, props("maxRetries=x", "redisMaxRetries=2"), "retries 2", "0 error"},

		// maxRetryBackoff: ParseInt as nanoseconds, the cap before 1.11 and
		// the floor from 1.11.
		{"maxRetryBackoff is the cap before 1.11", []int{8, 9, 10}, props("maxRetryBackoff=1000000000"), "backoff 8ms..1s", ""},
		{"maxRetryBackoff is the floor from 1.11", []int{11, 16}, props("maxRetryBackoff=100000000"), "backoff 100ms..512ms", ""},
		{"maxRetryBackoff 2000 is 2µs (cap)", []int{old}, props("maxRetryBackoff=2000"), "backoff 8ms..2µs", "0 component-metadata-value"},
		{"maxRetryBackoff 2000 is 2µs (floor)", []int{now}, props("maxRetryBackoff=2000"), "backoff 2µs..512ms", "0 component-metadata-value"},
		{"maxRetryBackoff 2s is rejected", []int{old, now}, props("maxRetryBackoff=2s"), "", "0 error"},
		{"maxRetryBackoff under redisMinRetryInterval 1.11+", []int{now}, props("maxRetryBackoff=abc", "redisMinRetryInterval=100ms"), "backoff 100ms..512ms", "0 component-metadata-ignored"},
		{"maxRetryBackoff under redisMaxRetryInterval 1.8", []int{old}, props("maxRetryBackoff=1000000000", "redisMaxRetryInterval=300ms"), "backoff 8ms..300ms", "0 component-metadata-ignored"},
		{"maxRetryBackoff 0 is go-redis's cap", []int{old}, props("maxRetryBackoff=0"), "backoff 8ms..512ms", "0 component-metadata-value"},
		{"maxRetryBackoff 0 is go-redis's floor", []int{now}, props("maxRetryBackoff=0"), "backoff 8ms..512ms", "0 component-metadata-value"},

		// Settings.Duration: a bare integer is milliseconds, negatives stay
		// nanoseconds, -1 disables.
		{"redisMinRetryInterval bare ms", []int{old, now}, props("redisMinRetryInterval=100"), "backoff 100ms", ""},
		{"redisMinRetryInterval duration", []int{old, now}, props("redisMinRetryInterval=1s"), "backoff 1s", ""},
		{"redisMinRetryInterval -1 no backoff", []int{old, now}, props("redisMinRetryInterval=-1"), "backoff 0s", ""},
		{"redisMinRetryInterval 0 is 8ms", []int{now}, props("redisMinRetryInterval=0"), "backoff 8ms..512ms", "0 component-metadata-value"},
		{"redisMinRetryInterval -5 is -5ns", []int{now}, props("redisMinRetryInterval=-5"), "backoff -5ns..512ms", "0 component-metadata-value; 0 component-metadata-value"},
		{"redisMinRetryInterval bad", []int{old, now}, props("redisMinRetryInterval=soon"), "", "0 error"},
		{"redisMaxRetryInterval bare ms", []int{old, now}, props("redisMaxRetryInterval=3000"), "backoff ..3s", ""},
		{"redisMaxRetryInterval -1", []int{old, now}, props("redisMaxRetryInterval=-1"), "backoff ..0s", ""},
		{"redisMaxRetryInterval -2s sleeps none", []int{old, now}, props("redisMaxRetryInterval=-2s"), "backoff ..0s", ""},
		{"redisMaxRetryInterval 0", []int{old, now}, props("redisMaxRetryInterval=0"), "backoff ..512ms", "0 component-metadata-value"},

		{"dialTimeout", []int{old, now}, props("dialTimeout=2s"), "dial 2s", ""},
		{"dialTimeout 0", []int{old, now}, props("dialTimeout=0"), "dial 5s", "0 component-metadata-value"},
		{"dialTimeout negative", []int{old, now}, props("dialTimeout=-2s"), "dial 5s", "0 client-not-modelled"},
		{"dialTimeout bad", []int{old, now}, props("dialTimeout=5 seconds"), "", "0 error"},
		{"readTimeout -1 none, write follows", []int{old, now}, props("readTimeout=-1"), "read 0s, write 0s", ""},
		{"readTimeout 1500 ms, write follows", []int{old, now}, props("readTimeout=1500"), "read 1.5s, write 1.5s", ""},
		{"writeTimeout", []int{old, now}, props("writeTimeout=1s"), "read 3s, write 1s", ""},
		{"readTimeout negative", []int{old, now}, props("readTimeout=-3s"), "read 3s", "0 client-not-modelled"},

		// Keys sim reads and does not model.
		{"failover", []int{old, now}, props("failover=true"), "", "0 client-not-modelled"},
		{"failover bad", []int{old, now}, props("failover=yes"), "", "0 error"},
		{"redisType cluster", []int{old, now}, props("redisType=cluster"), "", "0 client-not-modelled"},
		{"redisType Cluster is a node", []int{old, now}, props("redisType=Cluster"), "", "0 component-metadata-ignored"},
		{"redisType node", []int{old, now}, props("redisType=node"), "", ""},
		{"poolSize bad", []int{old, now}, props("poolSize=many"), "", "0 error"},
		{"enableTLS", []int{old, now}, props("enableTLS=true", "poolSize=20"), "", ""},
		{"ttlInSeconds bad", []int{old, now}, props("ttlInSeconds=1h"), "", "0 error"},
		{"ttlInSeconds empty 1.8 is absent", []int{old}, props("ttlInSeconds="), "", ""},
		{"ttlInSeconds empty 1.11+ fails decode", []int{now}, props("ttlInSeconds="), "", "0 error"},
		{"queueDepth is decoded from 1.11", []int{now}, props("queueDepth=-1"), "", "0 error"},
		{"queueDepth is unknown before 1.11", []int{old}, props("queueDepth=-1"), "", ""},
		{"useEntraID from 1.14", []int{14}, props("useEntraID=maybe"), "", "0 error"},
		{"useEntraID unknown on 1.13", []int{13}, props("useEntraID=maybe"), "", ""},

		{"secret", []int{old, now}, props("redisMaxRetries=$secret", "redisPassword=$secret"), "retries 3", "0 component-metadata-secret"},
		// A secret redisMinRetryInterval is set in Dapr, so 1.11+ does not
		// read maxRetryBackoff; sim uses the default floor.
		{"secret shadows the legacy key", []int{now}, props("redisMinRetryInterval=$secret", "maxRetryBackoff=100000000"), "backoff 2s..512ms", "0 component-metadata-secret; 1 component-metadata-ignored"},
		{"typo", []int{old, now}, props("redisMaxRetry=5"), "retries 3", "0 component-metadata-ignored"},
		{"twice", []int{old, now}, props("redisMaxRetries=5", "redisMaxRetries=1"), "retries 1", "0 component-metadata-ignored"},
	} {
		for _, minor := range tc.minors {
			t.Run(fmt.Sprintf("%s/1.%d", tc.name, minor), func(t *testing.T) {
				s, ps, ok := FromMetadata(minor, "state.redis", tc.props)
				if !ok {
					t.Fatal("not modelled")
				}
				got := short(s)
				for _, part := range strings.Split(tc.want, ", ") {
					if part != "" && !strings.Contains(got, strings.TrimPrefix(part, "backoff ..")) {
						t.Errorf("settings %s, want %s", got, tc.want)
					}
				}
				if g := problemsText(ps); g != tc.problems {
					t.Errorf("problems %q, want %q:\n%v", g, tc.problems, ps)
				}
			})
		}
	}
}

// TestFromMetadataDefaultsAreForRelease: with no timing keys, the settings
// are exactly ForRelease's, so Spec.Clients stays empty.
func TestFromMetadataDefaultsAreForRelease(t *testing.T) {
	for minor := 8; minor <= 16; minor++ {
		s, ps, _ := FromMetadata(minor, "state.redis", props("redisHost=localhost:6379", "redisPassword=", "actorStateStore=true"))
		def, _ := ForRelease(minor, "state.redis")
		if s != def || len(ps) != 0 {
			t.Errorf("1.%d: %+v %v, want %+v", minor, s, ps, def)
		}
	}
	for minor := 8; minor <= 16; minor++ {
		s, ps, ok := FromMetadata(minor, "pubsub.redis", props("redisHost=localhost:6379"))
		def, _ := ForRelease(minor, "pubsub.redis")
		if !ok || s != def || len(ps) != 0 {
			t.Errorf("pubsub.redis 1.%d: %+v %v, want %+v", minor, s, ps, def)
		}
	}
	if _, _, ok := FromMetadata(14, "bindings.redis", nil); ok {
		t.Error("bindings.redis is not modelled")
	}
}

// TestBackoffNegativeFloor: go-redis's RetryBackoff with a negative floor
// (kept from metadata such as -5) finds the shift "overflowed" and sleeps
// the cap, drawing nothing.
func TestBackoffNegativeFloor(t *testing.T) {
	s := Settings{MaxRetries: 3, MinBackoff: -5, MaxBackoff: 512 * time.Millisecond}
	for retry := 1; retry <= 3; retry++ {
		if got := s.Backoff(retry, 0); got != s.MaxBackoff {
			t.Errorf("retry %d: %v, want the cap", retry, got)
		}
		if _, ok := s.DrawBound(retry); ok {
			t.Errorf("retry %d: a draw, want none", retry)
		}
	}
}
