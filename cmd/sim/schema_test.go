package main

// The scenario file's JSON Schema (docs/schema/scenario.schema.json), for
// editors: built from the decoders' own key tables (sim.ScenarioSchema,
// expect.ItemSchema), published as a file a test keeps fresh, and checked
// with a real validator against every scenario the repo ships, as
// yaml-language-server (VS Code's YAML extension) reads them.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/dapr-sim/sim/expect"
	"github.com/dapr-sim/sim/internal/diag"
	"github.com/dapr-sim/sim/internal/schema"
	"github.com/dapr-sim/sim/policies"
	"github.com/dapr-sim/sim/sim"
	"github.com/rogpeppe/go-internal/txtar"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

const schemaFile = "../../docs/schema/scenario.schema.json"

// buildSchema is the scenario schema as the code describes it today.
func buildSchema(t *testing.T) []byte {
	t.Helper()
	item, err := expect.ItemSchema()
	if err != nil {
		t.Fatal(err)
	}
	s, err := sim.ScenarioSchema(item)
	if err != nil {
		t.Fatal(err)
	}
	out, err := schema.Encode(s)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSchemaFile holds the published schema to the code: a key added to a
// decoder's table (with its doc) changes the schema, and the committed file
// must follow. `make schema` (SIM_UPDATE_GOLDEN=1) rewrites it.
func TestSchemaFile(t *testing.T) {
	got := buildSchema(t)
	if os.Getenv("SIM_UPDATE_GOLDEN") != "" {
		if err := os.MkdirAll(filepath.Dir(schemaFile), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(schemaFile, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatalf("%v (make schema writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is stale: the decoders' tables describe another schema; run `make schema` and review the diff", schemaFile)
	}
	if !bytes.Equal(buildSchema(t), got) {
		t.Errorf("two builds of the schema differ: its output must not depend on map order")
	}
}

// compileSchema compiles a schema document with the validator.
func compileSchema(t *testing.T, doc []byte) *jsonschema.Schema {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(sim.SchemaURL, v); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(sim.SchemaURL)
	if err != nil {
		t.Fatalf("compiling the schema: %v", err)
	}
	return s
}

// publishedSchema is the committed file, compiled (TestSchemaFile keeps it
// equal to the code's).
func publishedSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	return compileSchema(t, doc)
}

// yamlJSON converts a YAML document to the JSON value an editor validates,
// as yaml-language-server reads YAML: the YAML 1.2 core schema (its default
// yaml.yamlVersion), where only true/false are booleans, 1.10 is the
// number 1.1, yes and 017 are... a string and 17, and a quoted scalar is a
// string whatever it says.
func yamlJSON(data []byte) (any, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	return jsonValue(doc.Content[0])
}

var (
	coreNull  = regexp.MustCompile(`^(~|null|Null|NULL|)$`)
	coreBool  = regexp.MustCompile(`^(true|True|TRUE|false|False|FALSE)$`)
	coreInt   = regexp.MustCompile(`^[-+]?[0-9]+$`)
	coreOct   = regexp.MustCompile(`^0o[0-7]+$`)
	coreHex   = regexp.MustCompile(`^0x[0-9a-fA-F]+$`)
	coreFloat = regexp.MustCompile(`^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`)
	coreInf   = regexp.MustCompile(`^[-+]?\.(inf|Inf|INF)$`)
	coreNaN   = regexp.MustCompile(`^\.(nan|NaN|NAN)$`)
)

func jsonValue(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.AliasNode:
		return jsonValue(n.Alias)
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("line %d: a key that is not a scalar", k.Line)
			}
			if _, dup := m[k.Value]; dup {
				return nil, fmt.Errorf("line %d: map keys must be unique: %s", k.Line, k.Value)
			}
			v, err := jsonValue(n.Content[i+1])
			if err != nil {
				return nil, err
			}
			m[k.Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		l := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := jsonValue(c)
			if err != nil {
				return nil, err
			}
			l = append(l, v)
		}
		return l, nil
	}
	s := n.Value
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 ||
		(n.Style&yaml.TaggedStyle != 0 && n.Tag == "!!str") {
		return s, nil
	}
	switch {
	case coreNull.MatchString(s):
		return nil, nil
	case coreBool.MatchString(s):
		return strings.ToLower(s) == "true", nil
	case coreInt.MatchString(s):
		v, _ := new(big.Int).SetString(strings.TrimPrefix(s, "+"), 10)
		return json.Number(v.String()), nil
	case coreOct.MatchString(s):
		v, _ := new(big.Int).SetString(s[2:], 8)
		return json.Number(v.String()), nil
	case coreHex.MatchString(s):
		v, _ := new(big.Int).SetString(s[2:], 16)
		return json.Number(v.String()), nil
	case coreFloat.MatchString(s):
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", n.Line, err)
		}
		return v, nil
	case coreInf.MatchString(s):
		return math.Inf(map[bool]int{true: -1, false: 1}[strings.HasPrefix(s, "-")]), nil
	case coreNaN.MatchString(s):
		return math.NaN(), nil
	}
	return s, nil
}

func TestYAMLJSONIsTheCoreSchema(t *testing.T) {
	for _, c := range []struct{ yaml, json string }{
		{`a: 1.10`, `{"a":1.1}`},
		{`a: "1.10"`, `{"a":"1.10"}`},
		{`a: yes`, `{"a":"yes"}`},
		{`a: True`, `{"a":true}`},
		{`a: 017`, `{"a":17}`},
		{`a: 0x1F`, `{"a":31}`},
		{`a: 0o17`, `{"a":15}`},
		{`a: 1_000`, `{"a":"1_000"}`},
		{`a: ~`, `{"a":null}`},
		{`a:`, `{"a":null}`},
		{`a: !!str 5`, `{"a":"5"}`},
		{`a: 5s`, `{"a":"5s"}`},
		{"a: &x [1, b]\nc: *x", `{"a":[1,"b"],"c":[1,"b"]}`},
	} {
		v, err := yamlJSON([]byte(c.yaml))
		if err != nil {
			t.Errorf("%q: %v", c.yaml, err)
			continue
		}
		got, _ := json.Marshal(v)
		if string(got) != c.json {
			t.Errorf("%q: got %s, want %s", c.yaml, got, c.json)
		}
	}
}

// scenarioFile is a scenario the repo ships, with the name tests report.
type scenarioFile struct {
	name string
	data []byte
}

// shippedScenarios are the scenario files the repo ships: the examples'
// and every YAML file or txtar member under sim's and cmd/sim's testdata
// whose top level has version, duration and apps (the scenario's required
// keys), whether the decoder takes it or not.
func shippedScenarios(t *testing.T) []scenarioFile {
	t.Helper()
	var out []scenarioFile
	add := func(name string, data []byte) {
		var top map[string]any
		if yaml.Unmarshal(data, &top) != nil {
			return
		}
		for _, k := range []string{"version", "duration", "apps"} {
			if _, ok := top[k]; !ok {
				return
			}
		}
		out = append(out, scenarioFile{name, data})
	}
	for _, root := range []string{"../../examples", "../../sim/testdata", "testdata"} {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			switch filepath.Ext(p) {
			case ".yaml", ".yml":
				add(p, data)
			case ".txtar":
				for _, f := range txtar.Parse(data).Files {
					if strings.HasSuffix(f.Name, ".yaml") || strings.HasSuffix(f.Name, ".yml") {
						add(p+":"+f.Name, f.Data)
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// decode reads a scenario, its Dapr release and its expect block as `sim
// check` does before it reads any resource.
func decode(name string, data []byte) error {
	sc, err := sim.ParseScenario(name, data)
	if err != nil {
		return err
	}
	if sc.Dapr != "" {
		if _, err := policies.ProfileFor(sc.Dapr); err != nil {
			return err
		}
	}
	_, err = expect.Parse(name, sc.Expect)
	return err
}

func validate(s *jsonschema.Schema, data []byte) error {
	v, err := yamlJSON(data)
	if err != nil {
		return err
	}
	return s.Validate(v)
}

// TestSchemaAcceptsShippedScenarios: every scenario the repo ships that
// the decoder (and expect) take, the schema takes too — an editor shows no
// error on a file sim runs.
func TestSchemaAcceptsShippedScenarios(t *testing.T) {
	s := publishedSchema(t)
	taken, refused := 0, 0
	for _, f := range shippedScenarios(t) {
		if decode(f.name, f.data) != nil {
			refused++
			continue
		}
		taken++
		if err := validate(s, f.data); err != nil {
			t.Errorf("%s: sim reads it and the schema refuses it:\n%v", f.name, err)
		}
	}
	if taken < 50 {
		t.Errorf("only %d shipped scenarios found that sim reads: is the walk rooted right?", taken)
	}
	t.Logf("%d scenarios sim reads validate; %d the decoder refuses were left out", taken, refused)
}

// badScenario is the quickstart's shape with one mistake.
const goodScenario = `version: 1
name: q
dapr: "1.16"
duration: 60s
resiliency: resiliency.yaml
apps:
  - id: order-processor
    start: 2s
    pause: 1s
    steps:
      - save: statestore
        key: "{i}"
stores:
  statestore:
    latency: 1ms
faults:
  - at: 6s
    stop: statestore
  - {from: 10s, to: 20s, target: statestore, conn: hang}
expect:
  - {breaker: cb, state: open, at: 27s}
  - {count: shed, equals: 0}
`

// badCases are mistakes of shape made to goodScenario: old replaced by new,
// with what the decoder says of it.
var badCases = []struct{ name, old, new, decoder string }{
	{"unknown top-level key", "name: q", "nmae: q", "unknown field"},
	{"unknown app key", "    start: 2s", "    begin: 2s", "unknown field"},
	{"unknown step key", `        key: "{i}"`, `        keys: "{i}"`, "unknown field"},
	{"unknown store key", "    latency: 1ms", "    latncy: 1ms", "unknown field"},
	{"unknown fault key", "conn: hang}", "conn: hang, jitter: 1s}", "unknown field"},
	{"unknown assertion key", "state: open, at: 27s}", "state: open, at: 27s, times: 1}", "unknown field"},
	{"a duration without a unit", "duration: 60s", "duration: 60", "want a duration"},
	{"a duration that is a word", "pause: 1s", "pause: soon", "want a duration"},
	{"a negative duration", "start: 2s", "start: -2s", "want a duration of 0 or more"},
	{"version 2", "version: 1", "version: 2", "scenario version 1"},
	{"a seed that is not a number", "dapr: \"1.16\"", "dapr: \"1.16\"\nseed: many", "want a whole number"},
	{"apps as a mapping", "apps:\n  - id", "apps:\n  x:\n    id", "want a list"},
	{"a step that is a string", "      - save: statestore\n        key: \"{i}\"", "      - statestore", "want a mapping"},
	{"two operations in a step", `        key: "{i}"`, "        get: statestore", "want exactly one of"},
	{"no operation in a step", "      - save: statestore\n", "      - log: hi\n", "want exactly one of"},
	{"a bad onError", "    pause: 1s", "    pause: 1s\n    onError: retry", "want continue, skip or stop"},
	{"too many workers", "    pause: 1s", "    pause: 1s\n    workers: 20000", "want 1 to 10000 workers"},
	{"a bad conn", "conn: hang", "conn: slow", "want refused, noAnswer or hang"},
	{"a bad op", "conn: hang}", "conn: hang, ops: [upsert]}", "want save, get or delete"},
	{"an errorRate above 1", "conn: hang}", "errorRate: 1.5}", "want a probability"},
	{"a 2xx status", "conn: hang}", "status: 200}", "want an HTTP error status"},
	{"a lower-case answer", "conn: hang}", "answer: retry}", "want RETRY or DROP"},
	{"a bad breaker state", "state: open", "state: opened", "want a breaker state"},
	{"a transition that does not change", "state: open, at: 27s", "transition: open->open", "a transition changes the state"},
	{"an unknown counter", "count: shed", "count: sheds", "unknown count"},
	{"a count that is a word", "equals: 0", "equals: none", "want a whole number"},
	{"a window of one time", "{count: shed, equals: 0}", "{count: shed, equals: 0, within: [5s]}", "want [from, to]"},
	{"never that is a word", "{count: shed, equals: 0}", "{log: boom, never: yes}", "want true or false"},
	{"both resourcesPath and resiliency", "resiliency: resiliency.yaml", "resiliency: resiliency.yaml\nresourcesPath: .", "not both"},
	{"pause and every", "    pause: 1s", "    pause: 1s\n    every: 1s", "give pause or every"},
	{"no apps", "apps:", "aps:", "unknown field"},
	{"no id", "  - id: order-processor\n", "  - workers: 1\n", "required: the sidecar's app id"},
	{"an empty route", "stores:", "    subscriptions: [{pubsub: p, topic: t, route: \"\"}]\nstores:", "want the app's path"},
	{"a window with at", "{from: 10s, to: 20s, target: statestore, conn: hang}", "{at: 10s, target: statestore, conn: hang}", "a window (with target) runs from/to"},
	{"a change without at", "  - at: 6s\n    stop: statestore", "  - stop: statestore", "required: when the change happens"},
	{"a change that stops and starts", "    stop: statestore", "    stop: statestore\n    start: statestore", "want exactly one of stop or start"},
	{"a change that does nothing", "    stop: statestore", "    error: boom", "belongs to a window"},
	{"an override of an unknown field", "faults:", "overrides:\n  retries:\n    r: {maxRetries: 3}\nfaults:", "unknown field"},
}

// TestSchemaRefusesBadShapes: scenarios the decoder refuses for their shape
// (an unknown key, a wrong type, a word outside its set, a missing required
// key), the schema refuses too — an editor flags them before sim runs.
func TestSchemaRefusesBadShapes(t *testing.T) {
	s := publishedSchema(t)
	if err := decode("good.yaml", []byte(goodScenario)); err != nil {
		t.Fatalf("the base scenario: %v", err)
	}
	if err := validate(s, []byte(goodScenario)); err != nil {
		t.Fatalf("the base scenario: %v", err)
	}
	for _, c := range badCases {
		bad := strings.Replace(goodScenario, c.old, c.new, 1)
		if bad == goodScenario {
			t.Errorf("%s: %q is not in the base scenario", c.name, c.old)
			continue
		}
		err := decode("bad.yaml", []byte(bad))
		if err == nil || !strings.Contains(err.Error(), c.decoder) {
			t.Errorf("%s: the decoder says %v, want an error with %q", c.name, err, c.decoder)
		}
		if validate(s, []byte(bad)) == nil {
			t.Errorf("%s: the decoder refuses it (%v) and the schema takes it", c.name, err)
		}
	}
}

// TestExamplesCarryTheModeline: every example scenario (whatever folders
// examples/ has) starts with the comment that points yaml-language-server
// at the schema, by its path from the file.
func TestExamplesCarryTheModeline(t *testing.T) {
	const line = "# yaml-language-server: $schema=../../docs/schema/scenario.schema.json\n"
	files, err := filepath.Glob("../../examples/*/scenario.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no examples/*/scenario.yaml found")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(data, []byte(line)) {
			t.Errorf("%s does not start with %q", f, strings.TrimSuffix(line, "\n"))
		}
		if _, err := os.Stat(filepath.Join(filepath.Dir(f), "../../docs/schema/scenario.schema.json")); err != nil {
			t.Errorf("%s: its modeline points at nothing: %v", f, err)
		}
	}
}

// probeKey is a key no decoder table has, nor any key within an edit
// distance of 2 (so the decoder lists the keys it knows, not a guess).
const probeKey = "zzzzzzzzzzzz"

// schemaAt is the object schema that applies to instance v under s: its
// references followed, and of a list of alternatives (an assertion's
// kinds), the one whose required keys v has.
func schemaAt(s *jsonschema.Schema, v any) *jsonschema.Schema {
	for s != nil && s.Ref != nil {
		s = s.Ref
	}
	if s == nil || s.Properties != nil {
		return s
	}
	m, _ := v.(map[string]any)
	for _, alt := range s.AnyOf {
		alt = schemaAt(alt, v)
		if alt != nil && len(alt.Required) > 0 && !slices.ContainsFunc(alt.Required, func(k string) bool { _, ok := m[k]; return !ok }) {
			return alt
		}
	}
	return s
}

// child is the schema of the value under key k (or, for a list, an item)
// of an instance of s.
func child(s *jsonschema.Schema, k string) *jsonschema.Schema {
	for s != nil && s.Ref != nil {
		s = s.Ref
	}
	if s == nil {
		return nil
	}
	if k == "[]" {
		if items, ok := s.Items.(*jsonschema.Schema); ok {
			return items
		}
		return nil
	}
	if c, ok := s.Properties[k]; ok {
		return c
	}
	if c, ok := s.AdditionalProperties.(*jsonschema.Schema); ok {
		return c
	}
	return nil
}

var knownList = regexp.MustCompile(`\(known: ([^)]*)\)`)

// probeKeys holds the schema's keys to the decoder's, behaviourally: at
// each mapping of the scenario it adds probeKey and reads back what the
// decoder says. Where the schema refuses other keys, the decoder must call
// probeKey unknown and list exactly the schema's properties as the keys it
// knows; where the schema takes any key (store names, policy names), the
// decoder must not call it unknown. probed records the object schemas
// reached, with the keys the scenario gives them; problems are the
// disagreements.
func probeKeys(s *jsonschema.Schema, name string, data []byte, probed map[string]map[string]bool) (problems []string) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil || len(doc.Content) == 0 {
		return []string{fmt.Sprintf("%s: %v", name, err)}
	}
	seen := map[*jsonschema.Schema]bool{}
	var walk func(n *yaml.Node, path string, sch *jsonschema.Schema)
	walk = func(n *yaml.Node, path string, sch *jsonschema.Schema) {
		if sch == nil {
			return
		}
		switch n.Kind {
		case yaml.SequenceNode:
			for i, c := range n.Content {
				walk(c, fmt.Sprintf("%s[%d]", path, i), child(sch, "[]"))
			}
			return
		case yaml.MappingNode:
		default:
			return
		}
		v, _ := jsonValue(n)
		obj := schemaAt(sch, v)
		if obj == nil {
			return
		}
		if probed[obj.Location] == nil {
			probed[obj.Location] = map[string]bool{}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			probed[obj.Location][n.Content[i].Value] = true
		}
		if !seen[obj] {
			seen[obj] = true
			if p := probeAt(n, &doc, name, path, obj); p != "" {
				problems = append(problems, p)
			}
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i].Value
			walk(n.Content[i+1], join(path, k), child(obj, k))
		}
	}
	walk(doc.Content[0], "", s)
	return problems
}

func join(path, k string) string {
	if path == "" {
		return k
	}
	return path + "." + k
}

// probeAt adds probeKey to mapping n, decodes the document and compares
// what the decoder says of it with obj's keys.
func probeAt(n, doc *yaml.Node, name, path string, obj *jsonschema.Schema) string {
	n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: probeKey}, &yaml.Node{Kind: yaml.ScalarNode, Value: "1"})
	data, err := yaml.Marshal(doc)
	n.Content = n.Content[:len(n.Content)-2]
	if err != nil {
		return fmt.Sprintf("%s: %v", name, err)
	}
	field := join(path, probeKey)
	var unknown *diag.Error
	var list diag.List
	if err := decode(name, data); errors.As(err, &list) {
		for _, e := range list {
			if e.Field == field && strings.HasPrefix(e.Msg, "unknown field") {
				unknown = e
			}
		}
	} else if e := (*diag.Error)(nil); errors.As(err, &e) && e.Field == field && strings.HasPrefix(e.Msg, "unknown field") {
		unknown = e
	}
	schemaKeys := make([]string, 0, len(obj.Properties))
	for k := range obj.Properties {
		schemaKeys = append(schemaKeys, k)
	}
	sort.Strings(schemaKeys)
	if allowed, ok := obj.AdditionalProperties.(bool); !ok || allowed {
		if unknown != nil {
			return fmt.Sprintf("%s: at %s the schema takes any key and the decoder refuses %s: %s", name, path, probeKey, unknown.Msg)
		}
		return ""
	}
	if unknown == nil {
		return fmt.Sprintf("%s: at %s the schema refuses %s and the decoder does not call it unknown", name, path, probeKey)
	}
	m := knownList.FindStringSubmatch(unknown.Msg)
	if m == nil {
		return fmt.Sprintf("%s: at %s the decoder lists no known keys: %s", name, field, unknown.Msg)
	}
	decoderKeys := strings.Split(m[1], ", ")
	sort.Strings(decoderKeys)
	var only []string
	for _, k := range decoderKeys {
		if !slices.Contains(schemaKeys, k) {
			only = append(only, "the decoder reads "+k+" and the schema lacks it")
		}
	}
	for _, k := range schemaKeys {
		if !slices.Contains(decoderKeys, k) {
			only = append(only, "the schema allows "+k+" and the decoder refuses it")
		}
	}
	if len(only) > 0 {
		return fmt.Sprintf("%s: at %s (%s): %s", name, orRoot(path), obj.Location, strings.Join(only, "; "))
	}
	return ""
}

func orRoot(path string) string {
	if path == "" {
		return "the top level"
	}
	return path
}

// objectSchemas lists the object schemas in s that refuse keys they do
// not name (the mappings whose keys are fixed), by location.
func objectSchemas(s *jsonschema.Schema) map[string]*jsonschema.Schema {
	seen := map[*jsonschema.Schema]bool{}
	out := map[string]*jsonschema.Schema{}
	var walk func(s *jsonschema.Schema)
	walk = func(s *jsonschema.Schema) {
		if s == nil || seen[s] {
			return
		}
		seen[s] = true
		if b, ok := s.AdditionalProperties.(bool); ok && !b && s.Properties != nil {
			out[s.Location] = s
		}
		walk(s.Ref)
		for _, c := range s.Properties {
			walk(c)
		}
		if c, ok := s.AdditionalProperties.(*jsonschema.Schema); ok {
			walk(c)
		}
		if c, ok := s.Items.(*jsonschema.Schema); ok {
			walk(c)
		}
		for _, c := range s.AnyOf {
			walk(c)
		}
	}
	walk(s)
	return out
}

// TestSchemaKeysMatchDecoder holds the published schema's keys to the
// decoder's at every kind of mapping, by asking the decoder (probeKeys) in
// every shipped scenario it reads and in a scenario that uses every key:
// every mapping of the schema must be reached, and every key it allows be
// given, with a value, in a scenario the decoder reads.
func TestSchemaKeysMatchDecoder(t *testing.T) {
	s := publishedSchema(t)
	probed := map[string]map[string]bool{}
	files := []scenarioFile{{"testdata/schema/every_key.yaml", nil}}
	var err error
	if files[0].data, err = os.ReadFile(files[0].name); err != nil {
		t.Fatal(err)
	}
	if err := decode(files[0].name, files[0].data); err != nil {
		t.Fatalf("the scenario of every key: %v", err)
	}
	if err := validate(s, files[0].data); err != nil {
		t.Fatalf("the scenario of every key: %v", err)
	}
	for _, f := range shippedScenarios(t) {
		if decode(f.name, f.data) == nil && !slices.ContainsFunc(files, func(g scenarioFile) bool { return g.name == f.name }) {
			files = append(files, f)
		}
	}
	for _, f := range files {
		for _, p := range probeKeys(s, f.name, f.data, probed) {
			t.Error(p)
		}
	}
	objects := objectSchemas(s)
	locs := make([]string, 0, len(objects))
	for loc := range objects {
		locs = append(locs, loc)
	}
	sort.Strings(locs)
	for _, loc := range locs {
		if probed[loc] == nil {
			t.Errorf("no scenario reaches the mapping %s: add it to testdata/schema/every_key.yaml", loc)
			continue
		}
		for k := range objects[loc].Properties {
			if !probed[loc][k] {
				t.Errorf("no scenario sim reads gives %s at %s: add it to testdata/schema/every_key.yaml", k, loc)
			}
		}
	}
}

// TestSchemaKeysCatchDrift shows probeKeys catching a schema that lacks a
// key the decoder reads, and one that allows a key the decoder refuses.
func TestSchemaKeysCatchDrift(t *testing.T) {
	doc, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, old, new, want string }{
		{"a key the decoder reads and the schema lacks",
			`"seed": {`, `"seedless": {`,
			"the decoder reads seed and the schema lacks it"},
		{"a key the schema allows and the decoder refuses",
			`"latency": {
            "description": "virtual duration of one operation`, `"jitter": {},
          "latency": {
            "description": "virtual duration of one operation`,
			"the schema allows jitter and the decoder refuses it"},
	} {
		mutated := strings.Replace(string(doc), c.old, c.new, 1)
		if mutated == string(doc) {
			t.Fatalf("%s: %q is not in the schema", c.name, c.old)
		}
		s := compileSchema(t, []byte(mutated))
		problems := strings.Join(probeKeys(s, "good.yaml", []byte(goodScenario), map[string]map[string]bool{}), "\n")
		if !strings.Contains(problems, c.want) {
			t.Errorf("%s: got %q, want a problem with %q", c.name, problems, c.want)
		}
	}
}
