package ynode

import (
	"encoding/base64"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/dapr-sim/sim/internal/diag"
	"gopkg.in/yaml.v3"
)

// Explicit YAML tags (`!!int 5`, `!!binary aGk=`, `!foo x`) follow one rule
// in every document sim reads:
//
//   - A standard tag (!!str, !!int, !!float, !!bool, !!null, !!map, !!seq,
//     !!timestamp) must fit its value: `!!int abc` and `!!map [1]` are
//     errors. Fitting is judged by yaml.v3 (YAML 1.2), so `!!bool yes` is
//     an error too, although Dapr's YAML 1.1 reader would take it.
//   - In sim's own files (scenario, expect, trace: Documents) any other tag
//     is an error naming it: sim gives no tag a meaning, and a tag the
//     author wrote meant something.
//   - In Dapr's resource files (Resources) other tags are treated as Dapr
//     treats them, with a warning (id TagWarning).
//
// What Dapr does was read in its source (dapr v1.14.0 and v1.16.0,
// sigs.k8s.io/yaml v1.4.0): pkg/internal/loader/disk/manifest.go and
// pkg/resiliency/resiliency.go load every resource with
// sigs.k8s.io/yaml.Unmarshal, which decodes the YAML with its copy of
// yaml.v2 (goyaml.v2) into interface{} and goes through JSON. There,
// resolve() (resolve.go) hands back the text of a scalar whose tag it does
// not know unchanged (resolvableTag lists only "", !!str, !!bool, !!int,
// !!float, !!null, !!timestamp), so `!foo 5` becomes the string "5";
// decoder.scalar (decode.go) base64-decodes a !!binary scalar and fails on
// bad base64; a tag on a mapping or a list is never looked at; a standard
// tag that does not fit fails ("cannot decode !!str `abc` as a !!int").
// json.Marshal then writes each byte of the decoded text that is not UTF-8
// as U+FFFD. sigs.k8s.io/yaml.YAMLToJSON (v1.4.0) confirms it:
//
//	a: !foo 5          {"a":"5"}
//	a: !foo {b: 1}     {"a":{"b":1}}
//	a: !!binary aGk=   {"a":"hi"}
//	a: !!binary /w==   {"a":"\ufffd"}
//	a: !!binary '???'  error: !!binary value contains invalid base64 data
//	a: !!int abc       error: cannot decode !!str `abc` as a !!int
//
// Where sim is stricter than Dapr, on purpose: a scalar tag on a mapping or
// list (`!!str {b: 1}`) or a collection tag on a scalar (`!!map x`), which
// Dapr ignores, is an error; `!!bool yes` (YAML 1.1) is an error. Where it
// cannot follow: yaml.v3 forgets the non-specific tag `!` (`! 12` is the
// string "12" for Dapr, the number 12 for sim).

// TagWarning is the id of the warning Resources gives for a tag Dapr drops
// or decodes.
const TagWarning = "yaml-tag"

// standardTags are the tags sim reads, each with what it must hold.
var standardTags = map[string]string{
	"!!str":       "a single value",
	"!!int":       "a whole number",
	"!!float":     "a number",
	"!!bool":      "true or false",
	"!!null":      "null (~ or nothing)",
	"!!timestamp": "a timestamp such as 2001-12-14 or 2001-12-14T21:59:43Z",
	"!!map":       "a mapping",
	"!!seq":       "a list",
}

// Resources parses the documents of a Dapr resource file (Resiliency,
// Component, Configuration) like Documents, applying Dapr's reading of
// tags: a tag Dapr does not know is dropped (the node gets !!str, !!map or
// !!seq), a !!binary scalar is replaced by its decoded text; each with a
// warning. A standard tag that does not fit, and bad base64, are errors.
func Resources(file string, data []byte) ([]*yaml.Node, []diag.Warning, error) {
	docs, err := documents(file, data)
	if err != nil {
		return nil, nil, err
	}
	var ws []diag.Warning
	for _, d := range docs {
		c := tagChecker{file: file, resource: true}
		c.walk(d, "")
		if c.err != nil {
			return nil, nil, c.err
		}
		ws = append(ws, c.warns...)
	}
	return docs, ws, nil
}

// tagChecker walks a document for explicit tags.
type tagChecker struct {
	file     string
	resource bool
	err      *diag.Error // the first error, in document order
	warns    []diag.Warning
}

// walk checks n and what it holds; path is n's field path. Aliases are
// not followed: what they name is checked where it stands.
func (c *tagChecker) walk(n *yaml.Node, path string) {
	if n == nil || c.err != nil {
		return
	}
	if n.Style&yaml.TaggedStyle != 0 {
		c.tag(n, path)
		if c.err != nil {
			return
		}
	}
	switch n.Kind {
	case yaml.DocumentNode:
		for _, k := range n.Content {
			c.walk(k, path)
		}
	case yaml.SequenceNode:
		for i, k := range n.Content {
			c.walk(k, fmt.Sprintf("%s[%d]", path, i))
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			c.walk(k, path)
			c.walk(v, Join(path, k.Value))
		}
	}
}

// tag checks the explicit tag of n.
func (c *tagChecker) tag(n *yaml.Node, path string) {
	tag := n.Tag
	if !strings.HasPrefix(tag, "!") {
		tag = "!<" + tag + ">" // a verbatim tag, as it was written
	}
	if want, ok := standardTags[tag]; ok {
		if !fits(n) {
			c.err = Errorf(c.file, n, path, "want %s after the tag %s, got %s", want, tag, describeRaw(n))
		}
		return
	}
	if !c.resource {
		c.err = Errorf(c.file, n, path, "the YAML tag %s means nothing to sim: remove it (sim reads %s)", tag, standardList)
		return
	}
	if tag == "!!binary" && n.Kind == yaml.ScalarNode {
		// As goyaml.v2: the text as it stands (the decoder skips line
		// breaks, so a block scalar works; spaces are bad base64).
		b, err := base64.StdEncoding.DecodeString(n.Value)
		if err != nil {
			c.err = Errorf(c.file, n, path, "want base64 data after the tag !!binary, got %s: Dapr cannot decode this resource", describeRaw(n))
			return
		}
		n.Value, n.Tag = jsonText(b), "!!str"
		c.warns = append(c.warns, Warnf(c.file, n, path,
			"the YAML tag !!binary: Dapr decodes the base64, so this reads as %q", n.Value).WithID(TagWarning))
		return
	}
	switch n.Kind {
	case yaml.MappingNode:
		n.Tag = "!!map"
	case yaml.SequenceNode:
		n.Tag = "!!seq"
	default:
		n.Tag = "!!str"
	}
	c.warns = append(c.warns, Warnf(c.file, n, path,
		"the YAML tag %s means nothing to Dapr: its loader (sigs.k8s.io/yaml) drops it and reads %s as it stands", tag, describeRaw(n)).WithID(TagWarning))
}

var standardList = "only !!str, !!int, !!float, !!bool, !!null, !!map, !!seq and !!timestamp"

// fits reports whether n's standard tag fits its value, as yaml.v3
// decodes it.
func fits(n *yaml.Node) bool {
	switch n.Tag {
	case "!!map":
		return n.Kind == yaml.MappingNode
	case "!!seq":
		return n.Kind == yaml.SequenceNode
	}
	if n.Kind != yaml.ScalarNode {
		return false
	}
	var v any
	return n.Decode(&v) == nil
}

// describeRaw is Describe for a node whose tag is in doubt: a scalar's
// text, quoted.
func describeRaw(n *yaml.Node) string {
	if n.Kind == yaml.ScalarNode {
		return fmt.Sprintf("%q", n.Value)
	}
	return Describe(n)
}

// jsonText is b as encoding/json writes it: each byte that is not part of
// valid UTF-8 becomes U+FFFD.
func jsonText(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	var s strings.Builder
	for len(b) > 0 {
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size == 1 {
			s.WriteRune(utf8.RuneError)
		} else {
			s.Write(b[:size])
		}
		b = b[size:]
	}
	return s.String()
}
