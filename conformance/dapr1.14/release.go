// Package dapr binds Dapr v1.14.0's pkg/resiliency to the conformance harness.
// It is the only version-specific code: everything else is in ../harness.
package dapr

import (
	"context"
	"fmt"
	"io"
	"sync/atomic"

	"github.com/dapr/dapr/pkg/resiliency"
	"github.com/dapr/kit/logger"

	"github.com/dapr-sim/sim/conformance/harness"
)

// Release is Dapr v1.14.0's resiliency code.
var Release = harness.Release{Name: "v1.14.0", Profile: "1.14", Load: load}

var loggers atomic.Int64

func load(w io.Writer, appID string, folders []string) (harness.Sidecar, error) {
	// Dapr's loggers live in a global registry keyed by name: a fresh name
	// per load keeps scenarios from writing into each other's capture.
	log := logger.NewLogger(fmt.Sprintf("dapr.runtime.conformance.%d", loggers.Add(1)))
	log.EnableJSONOutput(true)
	log.SetOutputLevel(logger.InfoLevel)
	log.SetOutput(w)
	configs := resiliency.LoadLocalResiliency(log, appID, folders...)
	return sidecar{r: resiliency.FromConfigurations(log, configs...)}, nil
}

type sidecar struct{ r *resiliency.Resiliency }

func (s sidecar) Call(ctx context.Context, component string, op func(context.Context, int) error) error {
	// As the state API does on every request: resolve the policy, then run.
	def := s.r.ComponentOutboundPolicy(component, resiliency.Statestore)
	_, err := resiliency.NewRunner[any](ctx, def)(func(ctx context.Context) (any, error) {
		return nil, op(ctx, int(resiliency.GetAttempt(ctx)))
	})
	return err
}

func (sidecar) Rejected(err error) bool { return resiliency.IsCircuitBreakerError(err) }
