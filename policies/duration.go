package policies

import (
	"strconv"
	"time"

	"github.com/dapr-sim/sim/internal/ynode"
	"gopkg.in/yaml.v3"
)

// ParseDuration reads a duration the way Dapr does (resiliency.go
// parseDuration and the dapr/kit decode hook): a plain integer means
// milliseconds, anything else goes to time.ParseDuration.
func ParseDuration(s string) (time.Duration, error) {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Duration(i) * time.Millisecond, nil
	}
	return time.ParseDuration(s)
}

// stringValue returns the text Dapr sees for a YAML scalar decoded into a
// string field. sigs.k8s.io/yaml turns a YAML number or boolean into its
// decimal text (floats formatted with 'g' at 32-bit precision), so
// `timeout: 5` is "5" and `timeout: 5.0` is "5" too. ok is false for null.
func stringValue(file, field string, n *yaml.Node) (s string, ok bool, err error) {
	if ynode.IsNull(n) {
		return "", false, nil
	}
	s, err = ynode.Scalar(file, field, n)
	if err != nil {
		return "", false, err
	}
	switch ynode.Resolve(n).Tag {
	case "!!int":
		if i, perr := ynode.ParseInt(s); perr == nil {
			s = strconv.FormatInt(i, 10)
		}
	case "!!float":
		if f, perr := ynode.ParseFloat(s); perr == nil {
			s = strconv.FormatFloat(f, 'g', -1, 32)
		}
	}
	return s, true, nil
}

// durationField reads a Dapr duration at n. ok is false when the value is
// absent (null or empty, which Dapr's omitempty drops).
func durationField(file, field string, n *yaml.Node) (d time.Duration, ok bool, err error) {
	s, ok, err := stringValue(file, field, n)
	if err != nil || !ok || s == "" {
		return 0, false, err
	}
	d, perr := ParseDuration(s)
	if perr != nil {
		return 0, false, ynode.Errorf(file, n, field,
			"want a duration such as \"5s\" (a bare number means milliseconds), got %q%s", s, ynode.DurationHint(s))
	}
	return d, true, nil
}
