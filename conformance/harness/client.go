package harness

import (
	"context"
	"math/rand"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/dapr-sim/sim/policies/client"
)

// The Client* suites drive components-contrib's real state.redis (the
// version the calling release module's Dapr requires) against miniredis on
// loopback, inside a testing/synctest bubble: go-redis's backoff sleeps are
// virtual, the network is real and, seen from the bubble, instant (see
// Redis). So time.Since inside the bubble is exactly the sleeps go-redis
// chose, and each is compared with what sim's model of the client
// (policies/client) predicts for the release. conformance/README.md lists
// the expectations, DEVIATIONS.md what the model leaves out.
//
// The harness never imports components-contrib or go-redis: that would
// change the versions each release module resolves. A release module hands
// the suites an OpenStateStore built on its own contrib import, and runs
// each suite as a test of its own (TestClientCommandCost calls
// ClientCommandCost, and so on).

// StateStore is the part of components-contrib's state.Store the client
// suites call, with the requests reduced to a key and a string value.
type StateStore interface {
	// Set saves value under key (state.Store.Set).
	Set(ctx context.Context, key, value string) error
	// Get reads key, discarding the answer (state.Store.Get).
	Get(ctx context.Context, key string) error
	// Close closes the store and its client's pool.
	Close() error
}

// OpenStateStore makes components-contrib's state.redis store, with a
// logger that discards its lines, and initialises it with a component named
// name and the metadata properties props. When Init fails it closes the
// store and returns Init's error.
type OpenStateStore func(ctx context.Context, name string, props map[string]string) (StateStore, error)

// clientServers are the redis_version the server reports and the go-redis
// client state.redis picks for it: v8 below 7.0.0 (`dapr init` runs
// redis:6, the client sim models), v9 from 7.0.0. A refused connect costs
// the same in both (REDIS-CLIENT.md §2.3, §6); this asserts it.
var clientServers = []struct {
	client, version string
	hello           bool // go-redis v9 opens each connection with HELLO
}{
	{client: "v8", version: "6.2.14"},
	{client: "v9", version: "7.2.4", hello: true},
}

// ClientCommandCost: a save and a get while Redis is up, then with the
// port closed (refused) and with a server that closes every connection on
// its first command (EOF), each timed on the virtual clock.
func ClientCommandCost(t *testing.T, rel Release, open OpenStateStore) {
	model := releaseClient(t, rel)
	set, setTries, _ := modelCommand(t, model, func(int) bool { return true })
	for _, srv := range clientServers {
		t.Run(srv.client, func(t *testing.T) {
			r := startRedis(t, srv.version)
			synctest.Test(t, func(t *testing.T) {
				s := initStore(t, open, r)
				if err := get(s); err != nil {
					t.Fatalf("get while up: %v", err)
				}
				if got := r.Hellos() > 0; got != srv.hello {
					t.Errorf("redis_version %s: HELLO seen %v, want %v (go-redis %s)", srv.version, got, srv.hello, srv.client)
				}

				r.Stop()
				// A save is one command (EVAL), a get two: HGETALL, then
				// GET after HGETALL's error (state/redis/redis.go getDefault).
				expectCost(t, "refused save", s, save, set)
				expectCost(t, "refused get", s, get, 2*set)

				if err := r.Start(); err != nil {
					t.Fatal(err)
				}
				r.Drop(true)
				eof := set
				if srv.hello {
					// Not modelled (DEVIATIONS.md): v9 opens every new
					// connection with HELLO, sent through a Conn of its own
					// over a single-connection pool with the same Options
					// (go-redis v9.2.1 redis.go:278-300, v9.6.3 :296-308).
					// The EOF makes that pool's error sticky
					// (internal/pool/pool_single.go:28-40), and HELLO's own
					// retry loop sleeps its three backoffs on it without
					// reaching the server: every try of the command costs
					// one more command's worth of sleeps.
					eof = set + time.Duration(setTries)*set
				}
				expectCost(t, "EOF save", s, save, eof)
				if got := r.Dropped(); got != int64(setTries) {
					t.Errorf("EOF save: %d tries, model %d", got, setTries)
				}
				expectCost(t, "EOF get", s, get, 2*eof)
				if got := r.Dropped(); got != int64(3*setTries) {
					t.Errorf("EOF get: %d tries, model %d", got-int64(setTries), 2*setTries)
				}
				r.Drop(false)
				if err := save(s); err != nil {
					t.Errorf("save after the outage: %v", err)
				}
			})
		})
	}
}

// ClientRecoversInsideTheCommand: Redis comes back during a save's second
// backoff; the save succeeds at its next try, inside the one call of the
// component (policies/client TestRecoversInsideTheCommand).
func ClientRecoversInsideTheCommand(t *testing.T, rel Release, open OpenStateStore) {
	model := releaseClient(t, rel)
	want, _, ok := modelCommand(t, model, func(try int) bool { return try < 3 })
	if !ok {
		t.Fatal("the model does not recover at the third try")
	}
	for _, srv := range clientServers {
		t.Run(srv.client, func(t *testing.T) {
			r := startRedis(t, srv.version)
			synctest.Test(t, func(t *testing.T) {
				s := initStore(t, open, r)
				r.Stop()
				back := want - model.MaxBackoff/2 // inside the sleep before the third try
				startAfter(t, r, back)
				start := time.Now()
				err := save(s)
				if got := time.Since(start); err != nil || got != want {
					t.Errorf("save with Redis back at %v: %v after %v, model ok after %v", back, err, got, want)
				}
			})
		})
	}
}

// ClientPoolFastFail shows what the model leaves out (DEVIATIONS.md):
// go-redis's pool stops dialling once PoolSize dials have failed
// (cumulatively) and only a background probe, once a second, dials again
// (v8.11.5 internal/pool/pool.go:189-229; the same in v9). With poolSize 2,
// a save's second dial error starts the probe; Redis is back at 1.52s, just
// after a probe, so the save's last try at 1.536s fails without dialling,
// where the model has it succeed. The default pool is the control: it still
// dials, and the save succeeds at 1.536s as modelled. The next probe finds
// Redis and the pool dials again.
func ClientPoolFastFail(t *testing.T, rel Release, open OpenStateStore) {
	model := releaseClient(t, rel)
	want, _, ok := modelCommand(t, model, func(try int) bool { return try < 4 })
	if !ok {
		t.Fatal("the model does not recover at the last try")
	}
	back := want - 16*time.Millisecond
	for _, srv := range clientServers {
		// The default pool (10 × GOMAXPROCS, at least 10) is the control:
		// three dial errors leave it dialling, and the save succeeds at
		// its last try as the model says.
		for _, pool := range []struct {
			size string
			ok   bool
		}{{size: "", ok: true}, {size: "2"}} {
			t.Run(srv.client+"/poolSize="+pool.size, func(t *testing.T) {
				r := startRedis(t, srv.version)
				synctest.Test(t, func(t *testing.T) {
					var more []string
					if pool.size != "" {
						more = []string{"poolSize", pool.size}
					}
					s := initStore(t, open, r, more...)
					r.Stop()
					startAfter(t, r, back)
					start := time.Now()
					err := save(s)
					got := time.Since(start)
					if (err == nil) != pool.ok || got != want {
						t.Errorf("save with Redis back at %v: %v after %v; want ok=%v after %v (the model: ok)", back, err, got, pool.ok, want)
					}
					t.Logf("save with Redis back at %v: %v after %v", back, err, got)
					time.Sleep(time.Second) // the probe's next dial
					if err := save(s); err != nil {
						t.Errorf("save after the probe: %v", err)
					}
				})
			})
		}
	}
}

// ClientAgainstBareMiniredis records why Redis answers INFO itself:
// miniredis v2.40.0 refuses INFO server, so ParseClientFromProperties
// cannot read a version and picks go-redis v9, and then the store's Init
// fails on INFO replication.
func ClientAgainstBareMiniredis(t *testing.T, open OpenStateStore) {
	r := startRedis(t, "")
	synctest.Test(t, func(t *testing.T) {
		s, err := open(context.Background(), storeName, storeProperties(r))
		if err == nil || !strings.Contains(err.Error(), "section (replication) is not supported") {
			t.Errorf("Init against bare miniredis: %v, want INFO replication's error", err)
		}
		if r.Hellos() == 0 {
			t.Error("no HELLO: the component did not pick go-redis v9")
		}
		if err == nil {
			s.Close()
		}
	})
}

// releaseClient is sim's model of state.redis's client on rel, with no
// client metadata (the quickstart's component sets none).
func releaseClient(t *testing.T, rel Release) client.Settings {
	t.Helper()
	minor, err := strconv.Atoi(strings.TrimPrefix(rel.Profile, "1."))
	if err != nil {
		t.Fatal(err)
	}
	s, ok := client.ForRelease(minor, "state.redis")
	if !ok {
		t.Fatal("sim does not model state.redis's client")
	}
	// From 1.11 every backoff is the cap, whatever go-redis draws: the
	// floor is above it. So the durations below are exact.
	if s.MinBackoff <= s.MaxBackoff {
		t.Fatalf("%v: jittered backoff, the durations would not be exact", s)
	}
	return s
}

// modelCommand plays one command through policies/client's machine, a try
// failing while fails(try), and returns the time it took (its sleeps), the
// tries and whether it succeeded.
func modelCommand(t *testing.T, s client.Settings, fails func(try int) bool) (time.Duration, int, bool) {
	t.Helper()
	src := rand.New(rand.NewSource(1)) // go-redis's internal/rand seed
	var c client.Command
	now := time.Duration(0)
	effs, err := client.Apply(&s, &c, client.Event{Kind: client.Sent}, nil)
	for err == nil {
		switch ef := effs[len(effs)-1]; ef.Kind {
		case client.Done:
			return now, c.Tries, ef.OK
		case client.ScheduleTry:
			now = ef.At
			effs, err = client.Apply(&s, &c, client.Event{Kind: client.SleepElapsed, Now: now}, effs[:0])
		case client.Try:
			if !fails(c.Tries) {
				effs, err = client.Apply(&s, &c, client.Event{Kind: client.Answered, Now: now}, effs[:0])
				continue
			}
			ev := client.Event{Kind: client.TryFailed, Now: now, Failure: client.Refused}
			if bound, ok := s.NextDraw(c, client.Refused); ok {
				ev.Draw = src.Int63n(bound)
			}
			effs, err = client.Apply(&s, &c, ev, effs[:0])
		}
	}
	t.Fatal(err)
	return 0, 0, false
}

// expectCost runs op, which must fail, and compares its virtual duration
// with want.
func expectCost(t *testing.T, what string, s StateStore, op func(StateStore) error, want time.Duration) {
	t.Helper()
	start := time.Now()
	err := op(s)
	got := time.Since(start)
	if err == nil {
		t.Errorf("%s: succeeded", what)
	}
	if got != want {
		t.Errorf("%s: took %v, model %v (%v)", what, got, want, err)
	}
	t.Logf("%s: %v (%v)", what, got, err)
}

func startRedis(t *testing.T, version string) *Redis {
	t.Helper()
	r, err := StartRedis(version)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	return r
}

// startAfter starts the stopped r from a bubble goroutine once d has passed
// on the bubble's clock.
func startAfter(t *testing.T, r *Redis, d time.Duration) {
	go func() {
		time.Sleep(d)
		if err := r.Start(); err != nil {
			t.Error(err)
		}
	}()
}

// storeName and storeProperties are the quickstart's component
// (examples/quickstart) with redisHost pointing at r, and more keys as
// name, value pairs.
const storeName = "statestore"

func storeProperties(r *Redis, more ...string) map[string]string {
	p := map[string]string{
		"redisHost":       r.Addr(),
		"redisPassword":   "",
		"actorStateStore": "true",
	}
	for i := 0; i+1 < len(more); i += 2 {
		p[more[i]] = more[i+1]
	}
	return p
}

// initStore opens and initialises the real state store inside the bubble
// and saves once while Redis is up; the store is closed when the bubble's
// function returns, so go-redis's pool goroutines end inside the bubble.
func initStore(t *testing.T, open OpenStateStore, r *Redis, more ...string) StateStore {
	t.Helper()
	s, err := open(context.Background(), storeName, storeProperties(r, more...))
	if err != nil {
		t.Fatalf("Init: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if err := save(s); err != nil {
		t.Fatalf("save while up: %v", err)
	}
	return s
}

func save(s StateStore) error {
	return s.Set(context.Background(), "order", `{"orderId":"5"}`)
}

func get(s StateStore) error {
	return s.Get(context.Background(), "order")
}
