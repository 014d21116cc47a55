package traces

import (
	"fmt"
	"math"
	"strconv"

	"gopkg.in/yaml.v3"
)

// appendNodeJSON writes a YAML node tree as JSON, keeping the order of
// mapping keys (encoding/json would sort a map's). Scalars become JSON by
// their resolved tag: strings, integers, finite floats, booleans, null; a
// float JSON cannot hold (NaN, ±Inf) is written as its YAML text in a string.
func appendNodeJSON(b []byte, n *yaml.Node) ([]byte, error) {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) != 1 {
			return nil, fmt.Errorf("a document with %d nodes", len(n.Content))
		}
		return appendNodeJSON(b, n.Content[0])
	case yaml.MappingNode:
		b = append(b, '{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, n.Content[i].Value)
			b = append(b, ':')
			var err error
			if b, err = appendNodeJSON(b, n.Content[i+1]); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	case yaml.SequenceNode:
		b = append(b, '[')
		for i, c := range n.Content {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = appendNodeJSON(b, c); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return append(b, "null"...), nil
		case "!!bool":
			var v bool
			if err := n.Decode(&v); err != nil {
				return nil, err
			}
			return strconv.AppendBool(b, v), nil
		case "!!int":
			var v int64
			if err := n.Decode(&v); err == nil {
				return strconv.AppendInt(b, v, 10), nil
			}
		case "!!float":
			var v float64
			if err := n.Decode(&v); err == nil && !math.IsInf(v, 0) && !math.IsNaN(v) {
				return strconv.AppendFloat(b, v, 'g', -1, 64), nil
			}
		}
		return appendJSONString(b, n.Value), nil
	}
	return nil, fmt.Errorf("cannot write a YAML node of kind %d as JSON", n.Kind)
}
