// Package ynode reads YAML as yaml.v3 nodes so that every value keeps its line,
// and turns what is wrong with it into diag errors. Both the scenario loader
// (sim) and the Resiliency parser (policies) decode through it, which keeps
// their error messages uniform. It also holds the one rule for explicit
// YAML tags (tags.go): Documents for sim's own files, Resources for Dapr's.
package ynode

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/dapr-sim/sim/internal/diag"
	"gopkg.in/yaml.v3"
)

// Documents parses every YAML document in one of sim's own files
// (scenario, expect, trace). A syntax error becomes a *diag.Error naming
// the file and the line yaml.v3 reported; so does the first explicit tag
// sim does not read, or a standard tag that does not fit its value (see
// tags.go). Dapr's resource files are read with Resources.
func Documents(file string, data []byte) ([]*yaml.Node, error) {
	docs, err := documents(file, data)
	if err != nil {
		return nil, err
	}
	for _, d := range docs {
		c := tagChecker{file: file}
		if c.walk(d, ""); c.err != nil {
			return nil, c.err
		}
	}
	return docs, nil
}

// documents parses every YAML document in data, tags as written.
func documents(file string, data []byte) ([]*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []*yaml.Node
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if errors.Is(err, io.EOF) {
			return docs, nil
		}
		if err != nil {
			return nil, syntaxError(file, data, err)
		}
		switch {
		case n.Kind == yaml.DocumentNode && len(n.Content) == 1 && IsNull(n.Content[0]) && n.Content[0].Value == "":
			// An empty document (a trailing ---) holds nothing.
		case n.Kind == yaml.DocumentNode && len(n.Content) == 1:
			docs = append(docs, n.Content[0])
		case n.Kind == yaml.DocumentNode || n.Kind == 0:
			// An empty document (a trailing ---) holds nothing.
		default:
			docs = append(docs, &n)
		}
	}
}

// IsSyntax reports whether err is one of Documents' syntax errors (text
// that is not YAML, or not UTF-8), as opposed to YAML that breaks a rule
// about its content, such as a tag sim does not read.
func IsSyntax(err error) bool {
	var de *diag.Error
	return errors.As(err, &de) && (strings.HasPrefix(de.Msg, malformed) || strings.HasPrefix(de.Msg, notUTF8))
}

const (
	malformed = "malformed YAML: "
	notUTF8   = "not UTF-8 text"
)

// parserMessages are libyaml's parser (not scanner) errors.
var parserMessages = map[string]bool{
	"did not find expected <document start>": true,
	"did not find expected node content":     true,
	"did not find expected key":              true,
	"did not find expected '-' indicator":    true,
	"did not find expected ',' or ']'":       true,
	"did not find expected ',' or '}'":       true,
}

var lineRE = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

func syntaxError(file string, data []byte, err error) error {
	msg := err.Error()
	if !utf8.Valid(data) {
		// yaml.v3 reports bad encoding without a line; find it.
		line := 1
		for i := 0; i < len(data); {
			r, size := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && size == 1 {
				break
			}
			if data[i] == '\n' {
				line++
			}
			i += size
		}
		return &diag.Error{File: file, Line: line, Msg: notUTF8 + ": YAML files must be UTF-8 encoded"}
	}
	if m := lineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		if parserMessages[m[2]] {
			// yaml.v3 adds 1 to libyaml's 0-based mark only for scanner
			// errors (decode.go, parser.fail); parser errors come out one
			// line early.
			line++
		}
		return &diag.Error{File: file, Line: line, Msg: malformed + m[2]}
	}
	var te *yaml.TypeError
	if errors.As(err, &te) && len(te.Errors) > 0 {
		if m := regexp.MustCompile(`^line (\d+): (.*)$`).FindStringSubmatch(te.Errors[0]); m != nil {
			line, _ := strconv.Atoi(m[1])
			return &diag.Error{File: file, Line: line, Msg: malformed + m[2]}
		}
	}
	msg = strings.TrimPrefix(msg, "yaml: ")
	return &diag.Error{File: file, Line: lineOf(data, msg), Msg: malformed + msg}
}

// lineOf finds the line of a syntax error yaml.v3 reported without one: the
// end of the text for an unexpected end, the first control character for a
// control character, else the first line (a file that is one node).
func lineOf(data []byte, msg string) int {
	switch {
	case strings.Contains(msg, "end of stream"):
		n := 1 + strings.Count(string(data), "\n")
		if len(data) > 0 && data[len(data)-1] == '\n' {
			n--
		}
		return n
	case strings.Contains(msg, "control characters"):
		line := 1
		for _, r := range string(data) {
			if r == '\n' {
				line++
			} else if r < 0x20 && r != '\t' && r != '\r' || r == 0x7f || r == 0xfeff {
				return line
			}
		}
	}
	return 1
}

// Pair is one key/value of a mapping, in file order.
type Pair struct {
	Key   string
	KeyN  *yaml.Node
	Value *yaml.Node
}

// Pairs returns a mapping's entries in file order, resolving aliases. It
// reports a non-mapping as an error at field.
func Pairs(file, field string, n *yaml.Node) ([]Pair, error) {
	n = Resolve(n)
	if n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null") {
		return nil, nil
	}
	if n.Kind != yaml.MappingNode {
		return nil, Errorf(file, n, field, "want a mapping, got %s", Describe(n))
	}
	out := make([]Pair, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := n.Content[i]
		if k.Tag == "!!merge" {
			return nil, Errorf(file, k, field, "merge keys (<<) are not supported")
		}
		out = append(out, Pair{Key: k.Value, KeyN: k, Value: Resolve(n.Content[i+1])})
	}
	return out, nil
}

// Resolve follows aliases to the node they name.
func Resolve(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// IsNull reports whether n is absent or an explicit null.
func IsNull(n *yaml.Node) bool {
	n = Resolve(n)
	return n == nil || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

// Errorf builds a diag.Error at n's position.
func Errorf(file string, n *yaml.Node, field, format string, args ...any) *diag.Error {
	line, col := 0, 0
	if n != nil {
		line, col = n.Line, n.Column
	}
	return diag.Errorf(file, line, col, field, format, args...)
}

// Warnf builds a diag.Warning at n's position.
func Warnf(file string, n *yaml.Node, field, format string, args ...any) diag.Warning {
	line, col := 0, 0
	if n != nil {
		line, col = n.Line, n.Column
	}
	return diag.Warnf(file, line, col, field, format, args...)
}

// Describe names what a node holds, for "want X, got Y" messages.
func Describe(n *yaml.Node) string {
	n = Resolve(n)
	switch {
	case n == nil:
		return "nothing"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case n.Tag == "!!null":
		return "null"
	default:
		return strconv.Quote(n.Value)
	}
}

// Scalar returns a scalar's text, or an error naming field.
func Scalar(file, field string, n *yaml.Node) (string, error) {
	n = Resolve(n)
	if n == nil || n.Kind != yaml.ScalarNode {
		return "", Errorf(file, n, field, "want a single value, got %s", Describe(n))
	}
	return n.Value, nil
}

// String returns a scalar as a string. A YAML number or boolean is accepted as
// its text, the way sigs.k8s.io/yaml (which Dapr uses) turns it into a string.
func String(file, field string, n *yaml.Node) (string, error) {
	return Scalar(file, field, n)
}

// Int returns a scalar integer, read by ParseInt.
func Int(file, field string, n *yaml.Node) (int64, error) {
	s, err := Scalar(file, field, n)
	if err != nil {
		return 0, err
	}
	v, perr := ParseInt(s)
	if perr != nil {
		return 0, Errorf(file, n, field, "%s", perr.Error())
	}
	return v, nil
}

// Float returns a scalar number, read by ParseFloat.
func Float(file, field string, n *yaml.Node) (float64, error) {
	s, err := Scalar(file, field, n)
	if err != nil {
		return 0, err
	}
	v, perr := ParseFloat(s)
	if perr != nil {
		return 0, Errorf(file, n, field, "%s", perr.Error())
	}
	return v, nil
}

// ParseInt is the one rule for a whole number, wherever it comes from (a
// scenario, a resource, a --set or another flag): Go's integer syntax
// (base prefixes and _ allowed), within an int64. The error is the message
// alone, "want a whole number, got ...", for the caller to place.
func ParseInt(s string) (int64, error) {
	v, err := strconv.ParseInt(s, 0, 64)
	if err == nil {
		return v, nil
	}
	if errors.Is(err, strconv.ErrRange) {
		return 0, fmt.Errorf("want a whole number, got %q (out of range: a whole number is from %d to %d)", s, int64(math.MinInt64), int64(math.MaxInt64))
	}
	return 0, fmt.Errorf("want a whole number, got %q", s)
}

// ParseFloat is the one rule for a number, wherever it comes from (a
// scenario, a resource, a --set, --speed): a finite float64. NaN and the
// infinities, in Go's spelling ("NaN", "Inf", "infinity") or YAML's (".nan",
// ".inf"), are refused, and so is a literal beyond float64 ("1e400"), which
// strconv would round to an infinity. The error is the message alone, for the
// caller to place.
func ParseFloat(s string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	switch {
	case err == nil && !math.IsNaN(v) && !math.IsInf(v, 0):
		return v, nil
	case errors.Is(err, strconv.ErrRange) && !math.IsInf(v, 0):
		// Underflow (1e-400) rounds to 0 or a subnormal: a real number,
		// as close as float64 gets.
		return v, nil
	case errors.Is(err, strconv.ErrRange):
		return 0, fmt.Errorf("want a finite number, got %q (too large: a number holds at most %g)", s, math.MaxFloat64)
	case err == nil || nonFinite(s):
		return 0, fmt.Errorf("want a finite number, got %q", s)
	}
	return 0, fmt.Errorf("want a number, got %q", s)
}

// nonFinite reports YAML's spellings of NaN and the infinities (.nan, -.Inf,
// ...), which strconv does not read.
func nonFinite(s string) bool {
	t := strings.ToLower(strings.TrimLeft(s, "+-"))
	return t == ".nan" || t == ".inf"
}

// Duration parses a Go duration string ("1.5s", "500ms"). It does not accept a
// bare number: sim's own files always name the unit (Dapr's resources follow
// Dapr's rules, in the policies package).
func Duration(file, field string, n *yaml.Node) (time.Duration, error) {
	s, err := Scalar(file, field, n)
	if err != nil {
		return 0, err
	}
	d, perr := time.ParseDuration(strings.TrimSpace(s))
	if perr != nil {
		return 0, Errorf(file, n, field, "want a duration such as \"1.5s\", got %q%s", s, DurationHint(s))
	}
	return d, nil
}

// durationSyntax is Go's duration syntax; a string that matches it and still
// does not parse is too large for a time.Duration.
var durationSyntax = regexp.MustCompile(`^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+$`)

// DurationHint suggests the likely fix for a near-miss duration.
func DurationHint(s string) string {
	if durationSyntax.MatchString(strings.TrimSpace(s)) {
		return " (too long: a duration holds at most 2562047h, about 292 years)"
	}
	t := strings.ReplaceAll(s, " ", "")
	if t != s {
		if _, err := time.ParseDuration(t); err == nil {
			return diag.DidYouMean(t)
		}
	}
	if _, err := ParseFloat(s); err == nil {
		return fmt.Sprintf(" (add a unit: %q)", s+"s")
	}
	return ""
}

// Join builds a field path: Join("spec", "policies") = "spec.policies".
func Join(parent, child string) string {
	if parent == "" {
		return child
	}
	return parent + "." + child
}
