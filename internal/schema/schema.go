// Package schema is a JSON Schema document built in Go: the part of draft-07
// that sim's file schemas use, encoded with every key in a fixed order so the
// published file is the same bytes on every run. Each package that reads a
// file format describes its keys with it, next to the table its decoder
// reads them by; nothing here knows a format of sim's.
package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
)

// Draft is the meta-schema the documents declare: draft-07, the newest
// draft VS Code's YAML extension (yaml-language-server) supports in full.
const Draft = "http://json-schema.org/draft-07/schema#"

// Schema is one JSON Schema (sub)document. The zero value accepts anything;
// fields are written in declaration order, empty ones left out.
type Schema struct {
	Schema      string
	ID          string
	Title       string
	Description string
	Type        Types
	Enum        []any
	Pattern     string
	// PatternErrorMessage is what VS Code's JSON and YAML extensions say
	// when a string misses Pattern (their keyword; validators ignore it).
	PatternErrorMessage string
	Minimum             *Number
	ExclusiveMinimum    *Number
	Maximum             *Number
	MinItems            *int
	MaxItems            *int
	Items               *Schema
	Required            []string
	Properties          Properties
	// AdditionalProperties is the schema of keys Properties does not name:
	// False refuses them, as sim's decoders refuse an unknown key.
	AdditionalProperties *Schema
	AnyOf                []*Schema
	OneOf                []*Schema
	Not                  *Schema
	Examples             []any
	refuse               bool // the schema false
}

// Types is a schema's type: one name, or several.
type Types []string

// MarshalJSON writes one type as a string, several as a list.
func (t Types) MarshalJSON() ([]byte, error) {
	if len(t) == 1 {
		return marshal(t[0])
	}
	return marshal([]string(t))
}

// Number is a bound, written as given (a whole number stays whole).
type Number = json.Number

// Int is a whole-number bound.
func Int(v int64) *Number { n := Number(fmt.Sprint(v)); return &n }

// Count is a MinItems, MaxItems or MinProperties value.
func Count(v int) *int { return &v }

// False is the schema that accepts nothing (as additionalProperties: no
// other key).
func False() *Schema { return &Schema{refuse: true} }

// Property is one key of an object schema.
type Property struct {
	Key    string
	Schema *Schema
}

// Properties are an object's keys in the order they are written (the
// order of the decoder's table, which is the order the docs list them).
type Properties []Property

// MarshalJSON writes the keys as a JSON object, in order.
func (ps Properties) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, p := range ps {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := marshal(p.Key)
		if err != nil {
			return nil, err
		}
		v, err := marshal(p.Schema)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// schemaJSON is Schema with JSON names and without its MarshalJSON, for the
// encoder to walk: the fields in Schema's order.
type schemaJSON struct {
	Schema               string     `json:"$schema,omitempty"`
	ID                   string     `json:"$id,omitempty"`
	Title                string     `json:"title,omitempty"`
	Description          string     `json:"description,omitempty"`
	Type                 Types      `json:"type,omitempty"`
	Enum                 []any      `json:"enum,omitempty"`
	Pattern              string     `json:"pattern,omitempty"`
	PatternErrorMessage  string     `json:"patternErrorMessage,omitempty"`
	Minimum              *Number    `json:"minimum,omitempty"`
	ExclusiveMinimum     *Number    `json:"exclusiveMinimum,omitempty"`
	Maximum              *Number    `json:"maximum,omitempty"`
	MinItems             *int       `json:"minItems,omitempty"`
	MaxItems             *int       `json:"maxItems,omitempty"`
	Items                *Schema    `json:"items,omitempty"`
	Required             []string   `json:"required,omitempty"`
	Properties           Properties `json:"properties,omitempty"`
	AdditionalProperties *Schema    `json:"additionalProperties,omitempty"`
	AnyOf                []*Schema  `json:"anyOf,omitempty"`
	OneOf                []*Schema  `json:"oneOf,omitempty"`
	Not                  *Schema    `json:"not,omitempty"`
	Examples             []any      `json:"examples,omitempty"`
}

// MarshalJSON writes the schema with its keys in a fixed order; the schema
// false is written false.
func (s *Schema) MarshalJSON() ([]byte, error) {
	if s.refuse {
		return []byte("false"), nil
	}
	return marshal(schemaJSON{
		s.Schema, s.ID, s.Title, s.Description, s.Type, s.Enum, s.Pattern, s.PatternErrorMessage,
		s.Minimum, s.ExclusiveMinimum, s.Maximum, s.MinItems, s.MaxItems, s.Items,
		s.Required, s.Properties, s.AdditionalProperties, s.AnyOf, s.OneOf, s.Not, s.Examples,
	})
}

// Encode writes the document as the published file: indented by two
// spaces, ending in a newline, characters such as < and > left as they are.
func Encode(s *Schema) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// marshal is json.Marshal without HTML escaping: a pattern's < or an
// example's -> reads as written. (An encoder's SetEscapeHTML does not reach
// the bytes a MarshalJSON method returns, so each level encodes this way.)
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// Strings is a list of words as enum values.
func Strings(words []string) []any {
	out := make([]any, len(words))
	for i, w := range words {
		out[i] = w
	}
	return out
}

// DurationPattern is the syntax ynode.Duration reads (time.ParseDuration
// after trimming spaces), restricted to durations of 0 or more as every
// duration of sim's files is: digits with a unit each ("1.5s", "2m30s"),
// or a bare 0; a minus sign only before a zero ("-0s" is 0).
const DurationPattern = `^\s*(\+?(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+)|-(0|((0+(\.0*)?|\.0+)(ns|us|µs|μs|ms|s|m|h))+))\s*$`

// Duration is a duration key: a string of DurationPattern, or the number 0
// (which YAML reads as a number, and the decoder as "0").
func Duration(desc string) *Schema {
	return &Schema{Description: desc, Type: Types{"string", "integer"}, Pattern: DurationPattern,
		PatternErrorMessage: `want a duration with its unit, such as "1.5s" or "500ms"`, Minimum: Int(0), Maximum: Int(0)}
}

// Text is a key the decoder reads as text (ynode.Scalar): any single value,
// a YAML number or boolean standing for its text.
func Text(desc string) *Schema {
	return &Schema{Description: desc, Type: Types{"string", "number", "boolean"}}
}

// NonEmpty is Text that may not be the empty string.
func NonEmpty(desc string) *Schema {
	s := Text(desc)
	s.Not = &Schema{Enum: []any{""}}
	return s
}

// Words is a key whose value is one of words.
func Words(desc string, words []string) *Schema {
	return &Schema{Description: desc, Type: Types{"string"}, Enum: Strings(words)}
}

// Whole is a whole number from lo to hi.
func Whole(desc string, lo, hi int64) *Schema {
	return &Schema{Description: desc, Type: Types{"integer"}, Minimum: Int(lo), Maximum: Int(hi)}
}

// List is a list of at least one item.
func List(desc string, item *Schema) *Schema {
	return &Schema{Description: desc, Type: Types{"array"}, MinItems: Count(1), Items: item}
}

// Described is a copy of s with description desc.
func Described(desc string, s *Schema) *Schema {
	c := *s
	c.Description = desc
	return &c
}

// Unread lists, sorted, the keys docs describes that read does not hold:
// what a schema allows and its decoder would refuse, the half of a drift
// check that walking the decoder's own table cannot see.
func Unread(docs map[string]*Schema, read map[string]bool) []string {
	var out []string
	for k := range docs {
		if !read[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
