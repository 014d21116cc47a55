package diag

import (
	"errors"
	"strconv"
)

// Ordinal writes n as an English ordinal: 1st, 2nd, 3rd, 4th, 11th, 21st.
func Ordinal(n int64) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return strconv.FormatInt(n, 10) + suffix
}

// Collect adds err's problems to l: a List's entries, an *Error as it is,
// and anything else as an Error against file (line 1 when a file is named,
// since such an error names no line of its own).
func Collect(l List, err error, file string) List {
	var list List
	var one *Error
	switch {
	case errors.As(err, &list):
		return append(l, list...)
	case errors.As(err, &one):
		return append(l, one)
	}
	e := &Error{File: file, Msg: err.Error()}
	if file != "" {
		e.Line = 1
	}
	return append(l, e)
}
