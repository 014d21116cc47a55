package traces

import (
	"bufio"
	"io"
	"strconv"
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
	// step, an indented line saying why (see Explanation).
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
	if e.Kind == Op {
		// The app's own line (see Line), written in pieces so no string is
		// built for it; bufio's error is sticky, so the last write reports.
		if e.Outcome == OK && e.Log != "" {
			l.w.WriteString(l.appPrefix(e))
			l.w.WriteString(e.Log)
			if err := l.w.WriteByte('\n'); err != nil {
				return err
			}
		}
	} else if line, ok := l.Line(e); ok {
		if _, err := l.w.WriteString(line); err != nil {
			return err
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

// Explanation is the `--explain` line of an event, with its newline: after
// each breaker transition, each retry decision and each step that finally
// failed, why, in numbers, at the exact virtual instant (whole-second stamps
// hide the ties that decide these).
func Explanation(e *Event) (string, bool) {
	switch e.Kind {
	case Breaker, Retry, Op, Call:
		if w := e.WhyText(); w != "" {
			return "    why @" + e.T.String() + ": " + escape.Text(w) + "\n", true
		}
	}
	return "", false
}

// Line returns the log line an event projects to, with its newline, or false
// when the event prints nothing (most do not: Dapr logs little at info).
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
		if e.Outcome != OK || e.Log == "" {
			return "", false
		}
		return l.appPrefix(e) + e.Log + "\n", true
	}
	return "", false
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
