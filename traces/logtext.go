package traces

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dapr-sim/sim/internal/escape"
)

// LogWriter is the sidecar-log projection: it turns events into the lines a
// daprd sidecar at info level (and the app through `dapr run`) would print,
// in logrus' terminal form `INFO[0026] message` with whole seconds since the
// sidecar started, and `== APP == line` for the app's own output. Names from
// the input are escaped where they hold control characters (package escape);
// the app's own text is printed as the app wrote it, as `dapr run` does.
type LogWriter struct {
	// Explain adds, after each breaker transition, retry decision and failed
	// step or delivery, an indented line saying why, and after a delivery
	// not acknowledged as taken or a redelivery, one saying what became of
	// the message (see Explanation).
	Explain bool
	// Sidecars says the run has more than one sidecar: each sidecar line
	// ends with the app_id field daprd logs (logrus pads the message to 44
	// columns before its fields), and an app's own line is prefixed
	// `== APP - <app id> ==`, as Dapr's multi-app run prints it.
	Sidecars bool

	w       *bufio.Writer
	wording Wording
	buf     []byte
}

// NewLogWriter writes lines in the wording of one Dapr release. Call Flush
// when the run ends.
func NewLogWriter(w io.Writer, wording Wording) *LogWriter {
	return &LogWriter{w: bufio.NewWriter(w), wording: wording}
}

// Record implements Sink.
func (l *LogWriter) Record(e *Event) error {
	app := false
	if (e.Kind == Op || e.Kind == Deliver) && e.Outcome == OK {
		// The app's own line (see Line), worded into the writer's buffer
		// and written in pieces so no string is built for it; bufio's
		// error is sticky, so the last write reports.
		l.buf = e.AppendLog(l.buf[:0])
		if app = len(l.buf) > 0; app {
			l.w.WriteString(l.appPrefix(e))
			l.w.Write(l.buf)
			if err := l.w.WriteByte('\n'); err != nil {
				return err
			}
		}
	}
	if !app {
		if line, ok := l.Line(e); ok {
			if _, err := l.w.WriteString(line); err != nil {
				return err
			}
		}
	}
	if l.Explain {
		if why, ok := Explanation(e); ok {
			_, err := l.w.WriteString(why)
			return err
		}
	}
	return nil
}

// Explanation is the `--explain` text of an event, each line with its
// newline: after each breaker transition, each retry decision and each
// step or delivery that finally failed, why, in numbers, at the exact
// virtual instant (whole-second stamps hide the ties that decide these);
// then, for a delivery not acknowledged as taken and for a redelivery, what
// became of the message (Decision).
func Explanation(e *Event) (string, bool) {
	var out string
	switch e.Kind {
	case Breaker, Retry, Op, Call, Deliver:
		if w := e.WhyText(); w != "" {
			out = "    why @" + e.T.String() + ": " + escape.Text(w) + "\n"
		}
	}
	if d := Decision(e); d != "" {
		out += "    decision @" + e.T.String() + ": " + escape.Text(d) + "\n"
	}
	return out, out != ""
}

// Decision says in plain words what a deliver event's result did with its
// message, or why a redeliver event happened, from the event's own fields;
// "" for an acknowledged delivery and for every other kind. The why line
// says why the runner stopped; this says what the sidecar and the
// component did next, which the log lines leave implicit.
func Decision(e *Event) string {
	if e.Kind == Redeliver {
		// Dapr logs nothing here, so the line names the message itself.
		return fmt.Sprintf("message %s pending since its last delivery for processingTimeout: reclaimed, delivery %d", e.Message, e.Deliveries)
	}
	if e.Kind != Deliver {
		return ""
	}
	// A dead-letter publish that failed leaves its error on the event.
	deadLetter := ""
	if e.DeadLetter != "" {
		if e.Error != "" {
			deadLetter = "; the publish to dead-letter topic " + e.DeadLetter + " failed"
		} else {
			deadLetter = "; forwarded to dead-letter topic " + e.DeadLetter
		}
	}
	switch e.Result {
	case ResultPending:
		return "not acknowledged" + deadLetter + ": pubsub.redis redelivers it processingTimeout after its last delivery"
	case ResultDeadLetter:
		return "the runner gave up: forwarded to dead-letter topic " + e.DeadLetter + " and acknowledged"
	case ResultLost:
		return "the publish to dead-letter topic " + e.DeadLetter + " failed and the message was acknowledged anyway (Dapr 1.12-1.14): lost"
	case ResultNotFound:
		return "the app answered 404: acknowledged, not retried"
	case ResultUnimplemented:
		return "the gRPC app answered Unimplemented: acknowledged, not retried"
	case ResultDropped:
		return "the app answered DROP: acknowledged, not retried" + deadLetter
	case ResultUnrouted:
		return "no routing rule matched: acknowledged undelivered" + deadLetter
	case ResultAckFailed:
		return "the app took it but the XACK failed: it stays pending and will come back"
	case ResultFailed:
		return "the app did not answer 200: the binding's event is gone (cron does not retry)"
	}
	return ""
}

// Line returns the log line an event projects to, with its newline, or false
// when the event prints nothing (most do not: Dapr logs little at info).
// Some print two lines (a delivery attempt the app answered with an error
// status, a failed dead-letter publish), each with its newline.
func (l *LogWriter) Line(e *Event) (string, bool) {
	switch e.Kind {
	case Breaker:
		return l.stamp("info", e, BreakerLine(e.Name, e.From, e.To)), true
	case Retry:
		if !e.Notice {
			return "", false
		}
		return l.stamp(l.wording.RetryLevel, e, l.wording.Retry(escape.Text(e.Operation), e.Delay)), true
	case Recovered:
		return l.stamp(l.wording.RecoveredLevel, e, l.wording.Recovered(escape.Text(e.Operation), e.Attempts)), true
	case Op:
		if e.Outcome != OK {
			return "", false
		}
		text := e.LogText()
		if text == "" {
			return "", false
		}
		return l.appPrefix(e) + text + "\n", true
	case Call:
		if e.Op != "deliver" {
			return "", false
		}
		return l.deliveryAttempt(e)
	case Deliver:
		return l.delivery(e)
	}
	// Redeliver prints nothing: Dapr logs a reclaim at debug level only.
	return "", false
}

// appChannelError starts the error of a delivery attempt whose request did
// not reach the app or got no answer (publish.go wraps the app channel's
// error as retriable); what follows it is the channel's own error.
const appChannelError = "error returned from app channel while sending pub/sub event to app: retriable error occurred: "

// sprintf is fmt.Sprintf behind a variable, so vet does not object to a
// format that is not a constant where Dapr itself passes one (see
// deliveryAttempt).
var sprintf = fmt.Sprintf

// deliveryAttempt is what one attempt of delivering a pub/sub message to
// the app logs, from pkg/runtime/subscription (publish.go, the attempt;
// subscription.go, the policy runner's operation around it).
func (l *LogWriter) deliveryAttempt(e *Event) (string, bool) {
	switch {
	case e.Code == "Unimplemented":
		// A gRPC app's Unimplemented is not retried and acknowledged:
		// publishMessageGRPC warns with the gRPC error (publish.go:165-170).
		return l.stamp("warning", e, escape.Text("non-retriable error returned from app while processing pub/sub event "+e.EventID+": rpc error: code = Unimplemented desc = "+e.Body)), true
	case e.Code != "":
		// Any other gRPC error is retriable; publishMessageGRPC logs it at
		// debug level only (publish.go:173-174), so what shows at info is
		// subscription.go's line with the gRPC error it wraps.
		if e.Outcome != Error || !l.wording.DeliveryRetriable {
			return "", false
		}
		return l.retriable(e, "rpc error: code = "+e.Code+" desc = "+e.Body), true
	case e.Status == 404:
		// Not retried, and not an error of the attempt.
		return l.stamp("error", e, escape.Text("non-retriable error returned from app while processing pub/sub event "+e.EventID+": "+e.Body+". status code returned: 404")), true
	case e.Answer == "DROP":
		return l.stamp("warning", e, escape.Text("DROP status returned from app while processing pub/sub event "+e.EventID)), true
	case e.Outcome != Error:
		return "", false
	case e.Status != 0:
		errMsg := "retriable error returned from app while processing pub/sub event " + e.EventID + ", topic: " + e.Topic +
			", body: " + e.Body + ". status code returned: " + strconv.Itoa(e.Status)
		msg := errMsg
		if l.wording.DeliveryAsFormat {
			// Dapr logs this with log.Warnf(errMsg): the message is the
			// format, so a % in the app's body comes out mangled
			// ("%!d(MISSING)"). The second line prints it with %v, intact.
			msg = sprintf(errMsg)
		}
		line := l.stamp("warning", e, escape.Text(msg))
		if l.wording.DeliveryRetriable {
			line += l.retriable(e, errMsg)
		}
		return line, true
	case !l.wording.DeliveryRetriable:
		return "", false
	case e.Answer != "":
		// RETRY, or a status Dapr does not know: a retriable error that
		// wraps no error, which %v prints as <nil>.
		return l.retriable(e, "<nil>"), true
	case strings.HasPrefix(e.Error, appChannelError):
		return l.retriable(e, e.Error[len(appChannelError):]), true
	}
	// A timeout or a breaker's refusal ends the attempt outside the
	// operation that logs: nothing at info.
	return "", false
}

// retriable is subscription.go's line for an attempt that failed with a
// retriable error (Dapr 1.11 and later), err being what that error wraps.
func (l *LogWriter) retriable(e *Event, err string) string {
	return l.stamp("warning", e, escape.Text("encountered a retriable error while publishing a subscribed message to topic "+e.Topic+", err: "+err))
}

// deadLetterFailed are the results whose DeadLetter and Error say the
// dead-letter publish failed. With deadletter it succeeded and Error is
// the policy runner's; with ackfailed Error is the XACK's.
var deadLetterFailed = map[string]bool{ResultLost: true, ResultPending: true, ResultDropped: true, ResultUnrouted: true}

// delivery is what the end of a delivery logs: a failed dead-letter
// publish (subscription.go), a message left pending or not acknowledged
// (the Redis component's own lines), or the app's line.
func (l *LogWriter) delivery(e *Event) (string, bool) {
	if e.Outcome == OK {
		if text := e.LogText(); text != "" {
			return l.appPrefix(e) + text + "\n", true
		}
	}
	var line string
	if e.DeadLetter != "" && e.Error != "" && deadLetterFailed[e.Result] {
		// Dapr formats the publish error with %w, which logrus' Sprintf
		// does not know: the real line shows %!w(…) around the error's Go
		// type and a pointer (*net.OpError=&{…}), which sim cannot
		// reproduce, so the error's text stands in their place.
		line = l.stamp("error", e, escape.Text("error sending message to dead letter, origin topic: "+e.Topic+" dead letter topic "+e.DeadLetter+" err: %!w("+e.Error+")"))
		if e.Result == ResultDropped {
			line += l.stamp("warning", e, escape.Text("failed to send dropped message to dead letter queue for topic "+e.Topic+": "+e.Error))
		}
	}
	if e.Result == ResultPending {
		// components-contrib pubsub/redis: the handler's error leaves the
		// message pending for the reclaim loop.
		line += l.stamp("error", e, escape.Text("Error processing Redis message "+e.Message+": "+e.Error))
	}
	if e.Result == ResultAckFailed {
		// The app took it; the component's XACK failed, so it stays
		// pending as well.
		line += l.stamp("error", e, escape.Text("Error acknowledging Redis message "+e.Message+": "+e.Error))
	}
	return line, line != ""
}

// Flush writes buffered lines out.
func (l *LogWriter) Flush() error { return l.w.Flush() }

// appPrefix is what `dapr run` puts before an app's own line.
func (l *LogWriter) appPrefix(e *Event) string {
	if !l.Sidecars {
		return "== APP == "
	}
	return "== APP - " + escape.Text(e.App) + " == "
}

// stamp renders logrus' TextFormatter on a terminal: the level cut to four
// upper-case letters, then whole seconds since start, truncated, 4 digits;
// with several sidecars, the message padded to 44 columns and the app_id
// field.
func (l *LogWriter) stamp(level string, e *Event, msg string) string {
	t := e.T
	b := l.buf[:0]
	b = append(b, levelTag(level)...)
	b = append(b, '[')
	secs := int64(t / time.Second)
	s := strconv.FormatInt(secs, 10)
	for i := len(s); i < 4; i++ {
		b = append(b, '0')
	}
	b = append(b, s...)
	b = append(b, "] "...)
	b = append(b, msg...)
	if l.Sidecars {
		for n := utf8.RuneCountInString(msg); n < 44; n++ {
			b = append(b, ' ')
		}
		b = append(b, "  app_id="...)
		b = append(b, escape.Text(e.App)...)
	}
	b = append(b, '\n')
	l.buf = b
	return string(b)
}

func levelTag(level string) string {
	switch level {
	case "warning":
		return "WARN"
	case "error":
		return "ERRO"
	case "debug":
		return "DEBU"
	default:
		return "INFO"
	}
}
