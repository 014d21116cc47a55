// Package diag carries problems found in user input: the one typed error
// (and warning) that names the file, line, field path and what is wrong, and
// renders it the same way everywhere; In, for a reader collecting the
// errors of the helpers it calls; and the one wording of a "did you mean"
// hint (Suggest, after the nearest candidate by edit distance).
//
// It sits below every package that reads a file (policies, sim, traces) and
// imports nothing of ours.
package diag

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Error is a problem in an input file that stops sim from running it.
// Its text is "file:line: field: message"; parts that are unknown are left out.
type Error struct {
	File  string // as the user named it (never made absolute)
	Line  int    // 1-based; 0 when unknown
	Col   int    // 1-based; 0 when unknown
	Field string // dotted path such as spec.policies.retries.slow.duration
	Msg   string // lower case, no final punctuation
}

func (e *Error) Error() string { return render(e.File, e.Line, e.Field, e.Msg) }

// In returns err as the *Error it is (or wraps), or else its text as an
// Error of file: how a reader collects the errors of the helpers it calls.
func In(file string, err error) *Error {
	var de *Error
	if errors.As(err, &de) {
		return de
	}
	return &Error{File: file, Msg: err.Error()}
}

// Errorf builds an Error at a position.
func Errorf(file string, line, col int, field, format string, args ...any) *Error {
	return &Error{File: file, Line: line, Col: col, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Warning is a problem sim simulates the way Dapr would (usually by ignoring
// the input) but reports, because the user came to find such mistakes.
type Warning struct {
	File  string
	Line  int
	Col   int
	Field string
	Msg   string
	// ID names the kind of problem (e.g. "unknown-key") so tools such as
	// `sim lint` can explain, filter and test it; it is not part of String.
	ID string
}

// String renders "file:line: warning: field: message".
func (w Warning) String() string {
	return render(w.File, w.Line, "", "warning: "+joinField(w.Field, w.Msg))
}

// Warnf builds a Warning at a position.
func Warnf(file string, line, col int, field, format string, args ...any) Warning {
	return Warning{File: file, Line: line, Col: col, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// List is several errors found in one pass, reported together.
type List []*Error

func (l List) Error() string {
	parts := make([]string, len(l))
	for i, e := range l {
		parts[i] = e.Error()
	}
	return strings.Join(parts, "\n")
}

// Err returns nil for an empty list, so callers can `return l.Err()`.
func (l List) Err() error {
	if len(l) == 0 {
		return nil
	}
	l.Sort()
	return l
}

// Sort orders the list by file, line and column so output does not depend on
// the order checks ran in.
func (l List) Sort() {
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i], l[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
}

// WithID returns w with its kind set to id.
func (w Warning) WithID(id string) Warning {
	w.ID = id
	return w
}

// SortWarnings orders warnings by file, line and column.
func SortWarnings(ws []Warning) {
	sort.SliceStable(ws, func(i, j int) bool {
		a, b := ws[i], ws[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Col < b.Col
	})
}

func render(file string, line int, field, msg string) string {
	var b strings.Builder
	file = Name(file)
	if file != "" {
		b.WriteString(file)
		if line > 0 {
			fmt.Fprintf(&b, ":%d", line)
		}
		b.WriteString(": ")
	}
	b.WriteString(joinField(field, msg))
	return b.String()
}

// Name is how a message names a file: as the user named it, but "-", the
// name that stands for standard input (package input), is "stdin".
func Name(file string) string {
	if file == "-" {
		return "stdin"
	}
	return file
}

func joinField(field, msg string) string {
	if field == "" {
		return msg
	}
	return field + ": " + msg
}
