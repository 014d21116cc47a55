package dapr

import (
	"context"
	"io"
	"testing"

	"github.com/dapr/components-contrib/metadata"
	"github.com/dapr/components-contrib/state"
	"github.com/dapr/components-contrib/state/redis"
	"github.com/dapr/kit/logger"

	"github.com/dapr-sim/sim/conformance/harness"
)

// The TestClient* tests run the harness's client suites (harness/client.go)
// on components-contrib's real state.redis at the version this module's
// Dapr release requires; openRedis is the only contrib code they need.

func TestClientCommandCost(t *testing.T) { harness.ClientCommandCost(t, Release, openRedis) }

func TestClientRecoversInsideTheCommand(t *testing.T) {
	harness.ClientRecoversInsideTheCommand(t, Release, openRedis)
}

func TestClientPoolFastFail(t *testing.T) { harness.ClientPoolFastFail(t, Release, openRedis) }

func TestClientAgainstBareMiniredis(t *testing.T) { harness.ClientAgainstBareMiniredis(t, openRedis) }

// openRedis is harness.OpenStateStore for this module's state.redis.
func openRedis(ctx context.Context, name string, props map[string]string) (harness.StateStore, error) {
	l := logger.NewLogger("conformance.client")
	l.SetOutput(io.Discard)
	s := redis.NewRedisStateStore(l)
	if err := s.Init(ctx, state.Metadata{Base: metadata.Base{Name: name, Properties: props}}); err != nil {
		s.(io.Closer).Close()
		return nil, err
	}
	return redisStore{s}, nil
}

type redisStore struct{ s state.Store }

func (r redisStore) Set(ctx context.Context, key, value string) error {
	return r.s.Set(ctx, &state.SetRequest{Key: key, Value: value})
}

func (r redisStore) Get(ctx context.Context, key string) error {
	_, err := r.s.Get(ctx, &state.GetRequest{Key: key})
	return err
}

func (r redisStore) Close() error { return r.s.(io.Closer).Close() }
