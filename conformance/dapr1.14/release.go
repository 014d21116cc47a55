// Package dapr binds Dapr v1.14.0's pkg/resiliency to the conformance harness.
// It is the only version-specific code: everything else is in ../harness.
//
// Dapr composes its runners outside pkg/resiliency (pkg/api, pkg/messaging,
// pkg/actors), in packages that pull in the whole runtime. The few lines of
// composition are replicated here, each citing the dapr@v1.14.0 lines it
// mirrors, and call only pkg/resiliency's exported API.
package dapr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"

	"github.com/cenkalti/backoff/v4"
	"github.com/dapr/dapr/pkg/resiliency"
	"github.com/dapr/kit/logger"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

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
	return sidecar{r: resiliency.FromConfigurations(log, configs...), log: log}, nil
}

type sidecar struct {
	r   *resiliency.Resiliency
	log logger.Logger // the handler's lines, for the test log
}

func (s sidecar) Call(ctx context.Context, component string, op func(context.Context, int) error) error {
	// As the state API does on every request: resolve the policy, then run.
	def := s.r.ComponentOutboundPolicy(component, resiliency.Statestore)
	_, err := resiliency.NewRunner[any](ctx, def)(func(ctx context.Context) (any, error) {
		return nil, op(ctx, int(resiliency.GetAttempt(ctx)))
	})
	return err
}

func (sidecar) Rejected(err error) bool { return resiliency.IsCircuitBreakerError(err) }

// remoteAddress stands for lar.Address, the host sidecar's internal gRPC
// address, in the actor runtime's error text (sim words the host's app id
// there; error texts are not compared).
const remoteAddress = "10.0.0.2:50002"

// dial makes one gRPC call to another sidecar: a stopped peer answers
// codes.Unavailable, the status Dapr's code checks for.
func dial(ctx context.Context, remote harness.Remote) error {
	err := remote(ctx)
	if errors.Is(err, harness.ErrUnavailable) {
		return status.Error(codes.Unavailable, err.Error())
	}
	return err
}

// Invoke is HTTP service invocation: pkg/api/http/directmessaging.go
// onDirectMessage, lines 134 (the policy) and 148-202 (its runner around
// directMessaging.Invoke: an error becomes an invokeError, retried; an
// answer with a status outside 200-399 a codeError, lines 193-202).
func (s sidecar) Invoke(ctx context.Context, app, method string, at harness.Attempts, remote harness.Remote) error {
	policyDef := s.r.EndpointPolicy(app, app+":"+method)
	policyRunner := resiliency.NewRunnerWithOptions(ctx, policyDef, resiliency.RunnerOpts[any]{})
	_, err := policyRunner(func(ctx context.Context) (any, error) {
		end := at.Attempt("")
		resp, rErr := s.invokeWithRetry(ctx, app, at, remote)
		if rErr != nil {
			// messages.ErrDirectInvoke.WithFormat(targetID, rErr) inside an
			// invokeError: a plain error, so the endpoint runner retries it.
			return nil, end(ctx, resiliency.GetAttempt(ctx), fmt.Errorf("failed to invoke, id: %s, err: %v", app, rErr))
		}
		if resp != nil {
			// The app answered with a status outside 200-399.
			// A codeError: a plain error, which the runner retries.
			return nil, end(ctx, resiliency.GetAttempt(ctx), fmt.Errorf("codeError: %w", resp))
		}
		return nil, end(ctx, resiliency.GetAttempt(ctx), nil)
	})
	return err
}

// invokeWithRetry is pkg/messaging/direct_messaging.go lines 207-251: for an
// app without an endpoint policy of its own, the built-in service retry,
// retrying only Unavailable and Unauthenticated; other errors permanent.
func (s sidecar) invokeWithRetry(ctx context.Context, app string, at harness.Attempts, remote harness.Remote) (*harness.AppStatus, error) {
	if !s.r.PolicyDefined(app, resiliency.EndpointPolicy{}) {
		policyRunner := resiliency.NewRunnerWithOptions(ctx,
			s.r.BuiltInPolicy(resiliency.BuiltInServiceRetries),
			resiliency.RunnerOpts[*harness.AppStatus]{},
		)
		return policyRunner(func(ctx context.Context) (*harness.AppStatus, error) {
			end := at.Attempt(string(resiliency.BuiltInServiceRetries))
			attempt := resiliency.GetAttempt(ctx)
			rResp, rErr := invokeRemote(ctx, remote)
			if rErr == nil {
				return rResp, end(ctx, attempt, nil)
			}
			code := status.Code(rErr)
			if code == codes.Unavailable || code == codes.Unauthenticated {
				return rResp, end(ctx, attempt, fmt.Errorf("failed to invoke target %s after %d retries. Error: %w", app, attempt-1, rErr))
			}
			return rResp, end(ctx, attempt, backoff.Permanent(rErr))
		})
	}
	return invokeRemote(ctx, remote)
}

// invokeRemote is one call to the app's sidecar: an app's answer with an
// error status is a response (rErr nil), as the remote sidecar delivers it.
func invokeRemote(ctx context.Context, remote harness.Remote) (*harness.AppStatus, error) {
	err := dial(ctx, remote)
	var resp *harness.AppStatus
	if errors.As(err, &resp) {
		return resp, nil
	}
	return nil, err
}

// Actor is HTTP actor invocation: pkg/api/http/actors.go lines 367 and
// 393-396, the pre-lock policy's runner around actorsRuntime.Call, whose
// remote branch (pkg/actors/actors.go line 550) is callRemoteActorWithRetry.
func (s sidecar) Actor(ctx context.Context, actorType, id string, at harness.Attempts, remote harness.Remote) error {
	policyDef := s.r.ActorPreLockPolicy(actorType, id)
	policyRunner := resiliency.NewRunner[any](ctx, policyDef)
	_, err := policyRunner(func(ctx context.Context) (any, error) {
		end := at.Attempt("")
		err := s.callRemoteActorWithRetry(ctx, actorType, at, remote)
		return nil, end(ctx, resiliency.GetAttempt(ctx), err)
	})
	return err
}

// callRemoteActorWithRetry is pkg/actors/actors.go lines 568-595: for a type
// with no actor policy, the built-in DaprBuiltInActorRetries runner,
// retrying only Unavailable and Unauthenticated; other errors permanent.
// A targeted type's call is made once, its error returned as it is.
func (s sidecar) callRemoteActorWithRetry(ctx context.Context, actorType string, at harness.Attempts, remote harness.Remote) error {
	if !s.r.PolicyDefined(actorType, resiliency.ActorPolicy{}) {
		policyRunner := resiliency.NewRunner[any](ctx, s.r.BuiltInPolicy(resiliency.BuiltInActorRetries))
		_, err := policyRunner(func(ctx context.Context) (any, error) {
			end := at.Attempt(string(resiliency.BuiltInActorRetries))
			attempt := resiliency.GetAttempt(ctx)
			rErr := dial(ctx, remote)
			if rErr == nil {
				return nil, end(ctx, attempt, nil)
			}
			code := status.Code(rErr)
			if code == codes.Unavailable || code == codes.Unauthenticated {
				return nil, end(ctx, attempt, fmt.Errorf("failed to invoke target %s after %d retries. Error: %w", remoteAddress, attempt-1, rErr))
			}
			return nil, end(ctx, attempt, backoff.Permanent(rErr))
		})
		return err
	}
	return dial(ctx, remote)
}

// Host is the host sidecar's side: pkg/api/grpc/daprinternal.go CallActor,
// lines 285-302 (actorsRuntime.Call; an error becomes
// messages.ErrActorInvoke, gRPC Internal), Call's local branch
// (pkg/actors/actors.go line 546: callLocalActor) and callLocalActor's
// post-lock policy runner around the app channel (lines 677-691).
func (s sidecar) Host(ctx context.Context, actorType, id string, app func(context.Context) error) error {
	policyDef := s.r.ActorPostLockPolicy(actorType, id)
	policyRunner := resiliency.NewRunnerWithOptions(ctx, policyDef, resiliency.RunnerOpts[any]{})
	_, err := policyRunner(func(ctx context.Context) (any, error) {
		return nil, app(ctx)
	})
	if err == nil {
		return nil
	}
	return status.Error(codes.Internal, fmt.Sprintf("error invoke actor method: %s", err))
}

// Publish is the runtime publisher's runner (pkg/runtime/pubsub/publisher/
// publisher.go lines 55-76): the pub/sub's outbound policy, resolved per
// request, around the component's Publish.
func (s sidecar) Publish(ctx context.Context, pubsub string, op func(context.Context, int) error) error {
	def := s.r.ComponentOutboundPolicy(pubsub, resiliency.Pubsub)
	_, err := resiliency.NewRunner[any](ctx, def)(func(ctx context.Context) (any, error) {
		return nil, op(ctx, int(resiliency.GetAttempt(ctx)))
	})
	return err
}

// Subscribe is a subscription starting (pkg/runtime/subscription/
// subscription.go line 98: the inbound policy, resolved once) and its
// handler's runner around the app (lines 222-251), for an HTTP or a gRPC app with no
// dead-letter topic. ctx stands for the runner's parent,
// context.Background() at line 222.
func (s sidecar) Subscribe(pubsub, topic string, grpc bool) harness.Deliver {
	policyDef := s.r.ComponentInboundPolicy(pubsub, resiliency.Pubsub)
	publish := publishMessageHTTP
	if grpc {
		publish = publishMessageGRPC
	}
	return func(ctx context.Context, at harness.Attempts, app func(context.Context) (harness.AppAnswer, error)) error {
		policyRunner := resiliency.NewRunner[any](ctx, policyDef)
		_, err := policyRunner(func(ctx context.Context) (any, error) {
			end := at.Attempt("")
			pErr := publish(ctx, topic, app)
			var rErr *retriableError
			if errors.As(pErr, &rErr) {
				s.log.Warnf("encountered a retriable error while publishing a subscribed message to topic %s, err: %v", topic, rErr.Unwrap())
			} else if errors.Is(pErr, errMessageDropped) {
				// No dead-letter topic to send it to: a success (lines 238-246).
				return nil, end(ctx, resiliency.GetAttempt(ctx), nil)
			} else if pErr != nil {
				s.log.Errorf("encountered a non-retriable error while publishing a subscribed message to topic %s, err: %v", topic, pErr)
			}
			return nil, end(ctx, resiliency.GetAttempt(ctx), pErr)
		})
		return err
	}
}

// retriableError is pkg/runtime/errors/retriable.go (lines 16-39), which
// the runner retries like any error; only the handler's log line tells.
type retriableError struct{ err error }

func (e *retriableError) Error() string {
	if e.err != nil {
		return "retriable error occurred: " + e.err.Error()
	}
	return "retriable error occurred"
}

func (e *retriableError) Unwrap() error { return e.err }

// errMessageDropped is pkg/runtime/pubsub/errors.go line 23: the app
// answered DROP.
var errMessageDropped = errors.New("pubsub message dropped")

// publishMessageHTTP is pkg/runtime/subscription/publish.go lines 39-130
// without tracing and metrics: the app channel's POST, then the answer
// read as Dapr reads it. The event id stands for the CloudEvent's.
func publishMessageHTTP(ctx context.Context, topic string, app func(context.Context) (harness.AppAnswer, error)) error {
	const id = "event"
	resp, err := app(ctx)
	if err != nil {
		return fmt.Errorf("error returned from app channel while sending pub/sub event to app: %w", &retriableError{err})
	}
	if resp.Status >= 200 && resp.Status <= 299 {
		// Any 2xx is considered a success, unless its body says otherwise.
		var appResponse struct {
			Status string `json:"status"`
		}
		if err := json.Unmarshal([]byte(resp.Body), &appResponse); err != nil {
			return nil
		}
		switch appResponse.Status {
		case "", "SUCCESS":
			return nil
		case "RETRY":
			return fmt.Errorf("RETRY status returned from app while processing pub/sub event %v: %w", id, &retriableError{})
		case "DROP":
			return errMessageDropped
		}
		return fmt.Errorf("unknown status returned from app while processing pub/sub event %v, status: %v, err: %w", id, appResponse.Status, &retriableError{})
	}
	if resp.Status == http.StatusNotFound {
		// Not retriable: acknowledged (lines 116-123).
		return nil
	}
	errMsg := fmt.Sprintf("retriable error returned from app while processing pub/sub event %v, topic: %v, body: %s. status code returned: %v", id, topic, resp.Body, resp.Status)
	return &retriableError{errors.New(errMsg)}
}

// publishMessageGRPC is pkg/runtime/subscription/publish.go lines 132-200 without
// tracing and metrics: the app's OnTopicEvent, then its answer read as Dapr
// reads it. The app's error answer is the gRPC status its client returns
// (a done context the client's DeadlineExceeded or Canceled). The event id
// stands for the CloudEvent's.
func publishMessageGRPC(ctx context.Context, topic string, app func(context.Context) (harness.AppAnswer, error)) error {
	const id = "event"
	res, err := app(ctx)
	switch {
	case err != nil:
		err = status.FromContextError(err).Err()
	case res.Code != 0:
		err = status.Error(codes.Code(res.Code), res.Desc)
	}
	if err != nil {
		errStatus, hasErrStatus := status.FromError(err)
		if hasErrStatus && errStatus.Code() == codes.Unimplemented {
			// Not retried: acknowledged.
			return nil
		}
		return fmt.Errorf("error returned from app while processing pub/sub event %v: %w", id, &retriableError{err})
	}
	var response struct {
		Status string `json:"status"`
	}
	_ = json.Unmarshal([]byte(res.Body), &response)
	switch response.Status {
	case "", "SUCCESS":
		return nil
	case "RETRY":
		return fmt.Errorf("RETRY status returned from app while processing pub/sub event %v: %w", id, &retriableError{})
	case "DROP":
		return errMessageDropped
	}
	return fmt.Errorf("unknown status returned from app while processing pub/sub event %v, status: %v, err: %w", id, response.Status, &retriableError{})
}
