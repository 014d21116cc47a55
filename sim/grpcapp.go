// gRPC apps: a subscriber or input-binding app whose sidecar talks to it
// over gRPC (protocol: grpc), as Dapr's publishMessageGRPC and the gRPC
// branch of processor/binding's sendBindingEventToApp read its answers
// (dapr@v1.14.0 pkg/runtime/subscription/publish.go:130-200, dapr@v1.16.0
// pkg/runtime/subscription/postman/grpc/grpc.go:64-138, dapr@v1.14.0
// pkg/runtime/processor/binding/send.go:276-315). The HTTP reading of the
// same answers is in deliver.go and trigger.go.

package sim

import (
	"strconv"
	"strings"
	"time"
)

// Code is a gRPC status code, as an app's error answer carries it. Its
// String is grpc-go's name for it (codes.Code.String), which is what the
// app's error reads as ("rpc error: code = Unavailable desc = …") and what
// a trace records.
type Code uint8

// The codes a window can give (OK is not an error).
const (
	CodeOK Code = iota
	CodeCanceled
	CodeUnknown
	CodeInvalidArgument
	CodeDeadlineExceeded
	CodeNotFound
	CodeAlreadyExists
	CodePermissionDenied
	CodeResourceExhausted
	CodeFailedPrecondition
	CodeAborted
	CodeOutOfRange
	CodeUnimplemented
	CodeInternal
	CodeUnavailable
	CodeDataLoss
	CodeUnauthenticated
)

// codeNames are grpc-go's (google.golang.org/grpc/codes code_string.go).
var codeNames = [...]string{"OK", "Canceled", "Unknown", "InvalidArgument", "DeadlineExceeded", "NotFound",
	"AlreadyExists", "PermissionDenied", "ResourceExhausted", "FailedPrecondition", "Aborted", "OutOfRange",
	"Unimplemented", "Internal", "Unavailable", "DataLoss", "Unauthenticated"}

func (c Code) String() string {
	if int(c) < len(codeNames) {
		return codeNames[c]
	}
	return "Code(" + strconv.Itoa(int(c)) + ")"
}

// parseCodeName reads a code by its grpc-go name, exactly as written.
func parseCodeName(s string) (Code, bool) {
	for i, n := range codeNames {
		if s == n {
			return Code(i), true
		}
	}
	return 0, false
}

// rpcError is how grpc-go's status error reads: what the sidecar's gRPC
// client returns for the app's answer with code c and message desc.
func rpcError(c Code, desc string) string {
	return "rpc error: code = " + c.String() + " desc = " + desc
}

// grpcRefused is the message of the Unavailable error a gRPC app channel
// gives while the app does not listen: grpc-go's picker fails the call with
// the subchannel's last connection error (grpc@v1.64.1 picker_wrapper.go
// :171, internal/transport/http2_client.go:222, transport.go:769), the
// dial of 127.0.0.1:<app-port> being refused (DEVIATIONS.md: the port
// stands for --app-port).
const grpcRefused = `connection error: desc = "transport: Error while dialing: dial tcp 127.0.0.1:` + appPort + `: connect: connection refused"`

// grpcAppErr is the error publishMessageGRPC returns for an app's gRPC
// error other than Unimplemented: retriable, logged at debug level only
// (publish.go:173-175); subscription.go's WARN line prints what it wraps.
const grpcAppErrPfx = "error returned from app while processing pub/sub event "

// reachGRPCSubscriber performs a delivery's attempt on gRPC app a as it is
// now: the sidecar calls OnTopicEvent, and the app's answer decides what
// the runner sees (publish.go:163-207 at 1.14; the same from 1.11, with the
// code attached from 1.15):
//
//   - a response, status SUCCESS or unset: success;
//   - status RETRY: a retriable error; DROP: dropped (as for HTTP);
//   - the error code Unimplemented: not retried, acknowledged (WARN);
//   - any other error, the app unreachable included (Unavailable):
//     retriable; from 1.15 it carries its code (resiliency.NewCodeError),
//     so the retry policy's matching.gRPCStatusCodes decides whether it is
//     retried.
func (e *Engine) reachGRPCSubscriber(w *worker, a *calledApp) time.Duration {
	dv := w.dv
	lat, code, desc, answer := e.grpcAnswer(w, a, Deliver, strings.TrimPrefix(dv.route, "/"))
	if answer != "" {
		dv.answer = answer
		if answer == "RETRY" {
			w.answerErr = "RETRY status returned from app while processing pub/sub event " + dv.eventID + ": retriable error occurred"
		}
	}
	if code == CodeOK {
		return lat
	}
	dv.code, dv.body = code, desc
	if code == CodeUnimplemented {
		return lat // publishMessageGRPC returns nil: the runner sees success
	}
	w.answerErr = grpcAppErrPfx + dv.eventID + ": " + retriablePfx + rpcError(code, desc)
	if e.setup.Profile.RetryMatching {
		w.answerStatus = int32(code)
	}
	return lat
}

// grpcAnswer is what gRPC app a answers an attempt on its method of kind
// op, after the answer's latency: a gRPC code and its description (CodeOK:
// none), or a window's status word (answer; the code is then CodeOK). A
// stopped app, or one a window takes down, refuses the dial.
func (e *Engine) grpcAnswer(w *worker, a *calledApp, op OpKind, method string) (lat time.Duration, code Code, desc, answer string) {
	if !a.up {
		return a.latency, CodeUnavailable, grpcRefused, ""
	}
	lat, errText, down, _, _ := e.applyWindows(w.app.ID, op, method, a.latency)
	switch {
	case down:
		return lat, CodeUnavailable, grpcRefused, ""
	case e.windowAnswer != "":
		return lat, CodeOK, "", e.windowAnswer
	case errText != "":
		code := e.windowCode
		if code == 0 {
			// What grpc-go makes of a handler's plain error.
			code = CodeUnknown
		}
		return lat, code, errText, ""
	}
	return lat, CodeOK, "", ""
}

// reachGRPCTriggered performs an attempt of an input binding's delivery on
// gRPC app a: the sidecar calls OnBindingEvent, and any error fails the
// attempt, Unimplemented too. No code is attached on any release
// (send.go:293-295 at 1.14, 1.15 and 1.16 alike), so the retry policy's
// matching does not apply: every error is retried.
func (e *Engine) reachGRPCTriggered(w *worker, a *calledApp) time.Duration {
	// A status word is a topic event's answer; OnBindingEvent has none, so
	// a window that gives one answers the call with success.
	lat, code, desc, _ := e.grpcAnswer(w, a, Trigger, w.app.Steps[0].Method)
	if code != CodeOK {
		w.tgGRPC, w.tgBody = code, desc
		w.answerErr = rpcError(code, desc)
	}
	return lat
}
