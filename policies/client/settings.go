package client

import (
	"fmt"
	"strings"
	"time"
)

// Settings are the go-redis options that decide a command's timing, as
// go-redis holds them after Options.init: MaxRetries is the number of
// retries after the first try (0: none), a zero backoff is no sleep.
type Settings struct {
	MaxRetries int
	MinBackoff time.Duration
	MaxBackoff time.Duration
	// DialTimeout bounds a connect to a host that does not answer;
	// ReadTimeout a reply from a server that accepted and hangs (0: no
	// bound, go-redis's -1); WriteTimeout the write of the command (0: no
	// bound; go-redis gives it ReadTimeout unless set).
	DialTimeout  time.Duration
	ReadTimeout  time.Duration
	WriteTimeout time.Duration
	// RetryDialTimeout: go-redis v8 retries a dial that timed out
	// (retryTimeout starts at 1 in baseClient._process); v9 does not (it
	// starts at 0 and a dial fails before the command sets it). Which client
	// a 1.10+ component uses depends on the server's version (v9 from Redis
	// 7); sim models the v8 client `dapr init`'s redis:6 gets.
	RetryDialTimeout bool
	// CancelledByTimeout: the request's context reaches go-redis, so a Dapr
	// timeout ends the command at its deadline (go-redis's sleep and read
	// return ctx.Err(), which it does not retry). Before 1.10 the component
	// ran every command on its own long-lived context: the command went on
	// after the attempt had failed.
	CancelledByTimeout bool
}

// since is the first minor release (1.N) of each change, read from the
// components-contrib release each dapr/dapr tag requires.
var since = struct {
	legacyStateDefaults int
	requestContext      int
	sharedSettings      int
}{
	// components-contrib a7ac90675 (#2803, first in v1.11.0-rc.1):
	// ParseClientFromProperties gives state and lock stores "legacy
	// defaults" redisMaxRetries 3 and redisMinRetryInterval 2s, leaving
	// redisMaxRetryInterval unset (go-redis: 512ms). Before, state/redis
	// Init set maxRetries 3 and maxRetryBackoff 2s (the cap), the floor
	// staying go-redis's 8ms (contrib@v1.10.10
	// internal/component/redis/metadata.go:29-30, state/redis/redis.go:133-140).
	legacyStateDefaults: 11,
	// contrib@v1.10.10 state/redis/redis.go:245,362: DoRead/DoWrite(ctx, …)
	// with the request's context; 1.8 and 1.9 used r.ctx (redis.go:246,353).
	requestContext: 10,
	// The same change (#2803) made the pub/sub keys fields of the shared
	// redis Settings, decoded case-insensitively by dapr/kit; before,
	// pubsub/redis's parseRedisMetadata read each by its exact name
	// (contrib@v1.10.10 pubsub/redis/redis.go:72-133).
	sharedSettings: 11,
}

// go-redis's Options.init defaults (v8.11.5 options.go:117-185, the same in
// every v9 a modelled release ships).
const (
	defaultMaxRetries  = 3
	defaultMinBackoff  = 8 * time.Millisecond
	defaultMaxBackoff  = 512 * time.Millisecond
	defaultDialTimeout = 5 * time.Second
	defaultReadTimeout = 3 * time.Second
)

// The component types whose client sim models.
const (
	StateType  = "state.redis"
	PubsubType = "pubsub.redis"
)

// Modelled reports whether sim models the client of a component of type
// typ: the Redis-backed components, whose client is go-redis.
func Modelled(typ string) bool { return typ == StateType || typ == PubsubType }

// ForRelease returns the client settings a component of type typ gets on
// Dapr 1.minor when its metadata sets none of them, and false when sim does
// not model that type's client.
func ForRelease(minor int, typ string) (Settings, bool) {
	if !Modelled(typ) {
		return Settings{}, false
	}
	s := Settings{
		MaxRetries:         defaultMaxRetries,
		MinBackoff:         defaultMinBackoff,
		MaxBackoff:         defaultMaxBackoff,
		DialTimeout:        defaultDialTimeout,
		ReadTimeout:        defaultReadTimeout,
		WriteTimeout:       defaultReadTimeout,
		RetryDialTimeout:   true,
		CancelledByTimeout: minor >= since.requestContext,
	}
	if typ == PubsubType {
		// pubsub.redis gets no legacy defaults in any release: its client
		// starts from a zero Settings, so go-redis's own apply
		// (contrib@v1.14.4 common/component/redis/redis.go:136-141, the
		// PubSubType case sets only the subscriber's settings; @v1.10.10
		// pubsub/redis/redis.go:140 ParseClientFromProperties(…, nil)).
		// Its Publish runs XADD on the request's context from 1.10
		// (contrib@v1.10.10 pubsub/redis/redis.go:157; @v1.9.7 :159-160
		// used r.ctx), as state.redis does.
		return s, true
	}
	s.MaxBackoff = 2 * time.Second
	if minor >= since.legacyStateDefaults {
		s.MinBackoff, s.MaxBackoff = 2*time.Second, defaultMaxBackoff
	}
	return s, true
}

// Tries is how many tries a command gets: the first and MaxRetries more.
func (s Settings) Tries() int { return s.MaxRetries + 1 }

// DrawBound is the bound of the one random draw go-redis makes before
// retry (1, 2, …): RetryBackoff draws rand.Int63n(minBackoff << retry).
// false: no draw (a zero floor sleeps 0 and draws nothing; a shift that
// overflows sleeps the cap).
func (s Settings) DrawBound(retry int) (int64, bool) {
	if s.MinBackoff <= 0 || retry <= 0 {
		return 0, false
	}
	d := s.MinBackoff << uint(retry)
	if d < s.MinBackoff || d <= 0 {
		return 0, false
	}
	return int64(d), true
}

// NextDraw says whether a try of c failing with f is followed by a retry,
// and so by go-redis's one draw, and the draw's bound: the engine draws
// exactly where go-redis does, so its seeded source stays in step.
func (s *Settings) NextDraw(c Command, f Failure) (int64, bool) {
	if !s.Retried(f) || c.Tries >= s.Tries() {
		return 0, false
	}
	return s.DrawBound(c.Tries)
}

// Backoff is go-redis's internal.RetryBackoff (internal/internal.go:9-29 in
// v8.11.5 and every v9 modelled): the floor plus the draw, and the cap when
// that passes it. draw is what rand.Int63n(DrawBound(retry)) returned. With
// the 1.11+ defaults (floor 2s, cap 512ms) every sleep is the cap: the draw
// is made and thrown away. A negative floor (metadata such as
// redisMinRetryInterval: -5, which Dapr keeps as -5ns and go-redis keeps
// too) shifts to a smaller value, so go-redis sleeps the cap without a draw.
func (s Settings) Backoff(retry int, draw int64) time.Duration {
	if s.MinBackoff == 0 {
		return 0
	}
	d := s.MinBackoff << uint(retry)
	if d < s.MinBackoff {
		return s.MaxBackoff
	}
	d = s.MinBackoff + time.Duration(draw)
	if d > s.MaxBackoff || d < s.MinBackoff {
		d = s.MaxBackoff
	}
	return d
}

// String is the settings as --explain and lint print them.
func (s Settings) String() string {
	return fmt.Sprintf("go-redis: %d retries, backoff %s to %s", s.MaxRetries, s.MinBackoff, s.MaxBackoff)
}

// Failure is how one try failed, as go-redis's shouldRetry sees it
// (error.go:28-61 in v8.11.5, the same logic in every v9 modelled).
type Failure uint8

const (
	// Refused: the connect was refused (a stopped container, a closed
	// port) — a *net.OpError that is not a timeout: retried.
	Refused Failure = iota + 1
	// DialTimedOut: the host did not answer the connect within DialTimeout:
	// retried by v8 only (RetryDialTimeout).
	DialTimedOut
	// ReadTimedOut: the server accepted and did not reply within
	// ReadTimeout: retried (the command sets retryTimeout before reading).
	ReadTimedOut
	// Transient: an error reply go-redis retries (LOADING, READONLY,
	// CLUSTERDOWN, TRYAGAIN, "ERR max number of clients reached") or a
	// connection closed under the command (EOF).
	Transient
	// Reply: any other error reply (ERR …, WRONGTYPE …, a Lua error): the
	// server answered; go-redis does not retry it.
	Reply
)

var failureNames = [...]string{Refused: "refused", DialTimedOut: "dial timeout", ReadTimedOut: "read timeout", Transient: "transient", Reply: "error reply"}

func (f Failure) String() string {
	if int(f) < len(failureNames) && f != 0 {
		return failureNames[f]
	}
	return fmt.Sprintf("failure(%d)", uint8(f))
}

// Retried reports whether go-redis tries again after failure f.
func (s Settings) Retried(f Failure) bool {
	switch f {
	case Refused, ReadTimedOut, Transient:
		return true
	case DialTimedOut:
		return s.RetryDialTimeout
	}
	return false
}

// ReplyFailure classifies an error the server answered with, as go-redis's
// shouldRetry does (v8.11.5 error.go:28-61, the same in every v9 modelled):
// EOF (the connection closed under the command), "ERR max number of clients
// reached" and the LOADING, READONLY, CLUSTERDOWN and TRYAGAIN replies are
// retried (Transient); any other reply is not (Reply).
func ReplyFailure(text string) Failure {
	switch {
	case text == "EOF", text == "ERR max number of clients reached",
		strings.HasPrefix(text, "LOADING "), strings.HasPrefix(text, "READONLY "),
		strings.HasPrefix(text, "CLUSTERDOWN "), strings.HasPrefix(text, "TRYAGAIN "):
		return Transient
	}
	return Reply
}
