// The scenario file's JSON Schema, for editors (docs/schema/
// scenario.schema.json). Each mapping's properties are the rows of its
// decoder table in fields.go, in order, each described by the entry of the
// same key in a doc table here: a key the decoder reads and no doc
// describes, or a doc of a key the decoder does not read, is an error, so
// the schema cannot drift from the decoder (TestSchemaCatchesDrift).

package sim

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/dapr-sim/sim/internal/schema"
	"github.com/dapr-sim/sim/policies"
)

// ScenarioSchema returns the JSON Schema of a scenario file, with
// assertion the schema of one item of its `expect:` list (the expect
// package's: a run does not read assertions). Every mapping is written out
// where it is used, without references, so that every editor shows each
// key's own description (draft-07 ignores a description beside a $ref).
func ScenarioSchema(assertion *schema.Schema) (*schema.Schema, error) {
	var problems []string
	object := func(name string, props schema.Properties, err error) *schema.Schema {
		if err != nil {
			problems = append(problems, name+": "+err.Error())
		}
		// The title heads an editor's hover and names the mapping in its
		// messages ("Expected object(step)").
		return &schema.Schema{Title: name, Type: schema.Types{"object"}, Properties: props, AdditionalProperties: schema.False()}
	}
	invoke := object(schemaProps("invoke", invokeFields, invokeDocs))
	invoke.Required = []string{"app", "method"}
	actor := object(schemaProps("actor", actorFields, actorDocs))
	actor.Required = []string{"type", "id", "method"}
	publish := object(schemaProps("publish", publishFields, publishDocs))
	publish.Required = []string{"pubsub", "topic"}
	binding := object(schemaProps("binding", bindingFields, bindingDocs))
	binding.Required = []string{"name", "operation"}

	step := object(schemaProps("step", stepFields, stepDocs(invoke, actor, publish, binding)))
	// Exactly one operation key: one branch per key, each requiring it, so
	// a step with none or two matches no branch or two.
	for _, k := range []OpKind{Save, Get, Delete, Invoke, Actor, Publish, Binding} {
		step.OneOf = append(step.OneOf, &schema.Schema{Required: []string{k.String()}})
	}
	subscription := object(schemaProps("subscription", subscriptionFields, subscriptionDocs))
	subscription.Required = []string{"pubsub", "topic"}
	input := object(schemaProps("input binding", inputBindingFields, inputBindingDocs))
	input.Required = []string{"name"}

	app := object(schemaProps("app", appFields, appDocs(step, subscription, input)))
	app.Required = []string{"id"}
	app.Not = &schema.Schema{Description: "give pause or every, not both", Required: []string{"pause", "every"}}

	store := object(schemaProps("store", storeFields, storeDocs))
	fault := object(schemaProps("fault", faultFields, faultDocs))
	// An item is a window (it has target) or a scripted change (at, and
	// stop or start), never both.
	// (The change comes first: an editor words a miss by the first
	// branch, and an item without target is meant as a change.)
	fault.AnyOf = []*schema.Schema{
		{Required: []string{"at"}, OneOf: []*schema.Schema{{Required: []string{"stop"}}, {Required: []string{"start"}}}},
		{Required: []string{"target"}},
	}
	fault.Not = &schema.Schema{
		Description: "a window (with target) runs from/to; at, stop and start script a change of their own",
		Required:    []string{"target"},
		AnyOf:       []*schema.Schema{{Required: []string{"at"}}, {Required: []string{"stop"}}, {Required: []string{"start"}}},
	}
	retry := object(whatIfProps())

	root := object(schemaProps("scenario", scenarioFields, scenarioDocs(app, store, fault, retry, assertion)))
	if len(problems) > 0 {
		return nil, fmt.Errorf("the scenario schema and the decoder disagree: %s", strings.Join(problems, "; "))
	}
	root.Schema = schema.Draft
	root.ID = SchemaURL
	root.Title = "sim scenario (version 1)"
	root.Description = "A scenario for sim: apps calling Dapr sidecars, the stores and faults they meet, on a virtual clock"
	root.Required = []string{"version", "duration", "apps"}
	root.Not = &schema.Schema{Description: "give resourcesPath or resiliency, not both", Required: []string{"resourcesPath", "resiliency"}}
	return root, nil
}

// SchemaURL is the published schema's $id: the file in the repository, as
// an editor can fetch it (the raw file, not its web page).
const SchemaURL = "https://raw.githubusercontent.com/dapr-sim/sim/main/docs/schema/scenario.schema.json"

// schemaProps lists the properties of a mapping: one per row of the
// decoder's table, in its order, described by docs; a row without a doc,
// or a doc without a row, is reported.
func schemaProps[C, D any](name string, table []field[C, D], docs map[string]*schema.Schema) (string, schema.Properties, error) {
	var props schema.Properties
	var problems []string
	read := map[string]bool{}
	for _, row := range table {
		read[row.key] = true
		doc, ok := docs[row.key]
		if !ok {
			problems = append(problems, fmt.Sprintf("the decoder reads %s and the schema does not describe it", row.key))
			continue
		}
		props = append(props, schema.Property{Key: row.key, Schema: doc})
	}
	for _, k := range schema.Unread(docs, read) {
		problems = append(problems, fmt.Sprintf("the schema describes %s and the decoder does not read it", k))
	}
	if len(problems) > 0 {
		return name, props, fmt.Errorf("%s", strings.Join(problems, ", "))
	}
	return name, props, nil
}

// whatIfProps are the keys of one retry policy under overrides.retries:
// the what-if fields of the policies package, which the decoder reads.
func whatIfProps() (string, schema.Properties, error) {
	table := make([]field[struct{}, struct{}], len(policies.WhatIfFields))
	for i, k := range policies.WhatIfFields {
		table[i].key = k
	}
	return schemaProps("overrides.retries.<policy>", table, whatIfDocs)
}

// daprSchema is a modelled release, "1.N" or "1.N.x" (a leading v
// accepted), as policies.ProfileFor reads it; unquoted, YAML reads 1.16 as
// a number (and 1.10 as 1.1), which sim reads as written.
func daprSchema() *schema.Schema {
	versions := policies.Versions()
	minors := make([]string, len(versions))
	var numbers []any
	for i, v := range versions {
		minors[i] = strings.TrimPrefix(v, "1.")
		f, _ := strconv.ParseFloat(v, 64)
		numbers = append(numbers, schema.Number(strconv.FormatFloat(f, 'f', -1, 64)))
	}
	newest := slices.Clone(versions)
	slices.Reverse(newest)
	return &schema.Schema{
		Description: "the Dapr release whose behaviour and log wording the run follows; default: the newest modelled (" + policies.Newest + ")",
		AnyOf: []*schema.Schema{
			{Type: schema.Types{"string"}, Pattern: `^\s*v?1\.(` + strings.Join(minors, "|") + `)(\.[0-9]+)?\s*$`,
				PatternErrorMessage: "want a modelled Dapr release: " + strings.Join(versions, ", "), Examples: schema.Strings(newest)},
			{Type: schema.Types{"number"}, Enum: numbers},
		},
	}
}

func scenarioDocs(app, store, fault, retry, assertion *schema.Schema) map[string]*schema.Schema {
	return map[string]*schema.Schema{
		"version":       {Description: "the scenario format's version: 1", Type: schema.Types{"integer"}, Enum: []any{1}},
		"name":          schema.Text("the scenario's name, recorded in the trace"),
		"dapr":          daprSchema(),
		"seed":          {Description: "the one source of randomness (exponential-backoff jitter, errorRate draws)", Type: schema.Types{"integer"}},
		"duration":      schema.Duration("the horizon of the run in virtual time, above 0s and at most a year; required"),
		"overhead":      schema.Duration("virtual time a sidecar spends before each attempt; default 1us; 0s is the pure model"),
		"resourcesPath": schema.Text("folder of Dapr resources (Resiliency, Component, Configuration, Subscription), relative to this file"),
		"resiliency":    schema.Text("one Resiliency file, relative to this file (instead of resourcesPath)"),
		"apps":          schema.List("the apps: loops that call their sidecar, called apps, subscribers", app),
		"stores": {Description: "state stores (and pub/sub or binding components) by name, with their latency",
			Type: schema.Types{"object", "null"}, AdditionalProperties: store},
		"faults": {Description: "the availability script: stop/start changes at an instant, and windows of slow, failing or flapping attempts",
			Type: schema.Types{"array", "null"}, Items: fault},
		"overrides": {Description: "what-if values Dapr's YAML cannot set (reported as such on stderr)",
			Type: schema.Types{"object", "null"}, AdditionalProperties: schema.False(),
			Properties: schema.Properties{{Key: "retries", Schema: &schema.Schema{
				Description:          "exponential retry policies by name, with the dapr/kit fields their YAML has no key for",
				Type:                 schema.Types{"object", "null"},
				AdditionalProperties: retry,
			}}}},
		"expect": {Description: "assertions for `sim check` (sim run ignores them), one per item",
			Type: schema.Types{"array", "null"}, Items: assertion},
	}
}

func appDocs(step, subscription, input *schema.Schema) map[string]*schema.Schema {
	return map[string]*schema.Schema{
		"id": schema.Text("the sidecar's app id (Resiliency scopes match it); entries with one id share a sidecar"),
		"protocol": schema.Words("how the sidecar talks to the app, daprd's --app-protocol: http (default), grpc; https, grpcs, h2c from Dapr 1.11 (sim, as daprd, also reads them in upper case)",
			protocolNames[:]),
		"latency": schema.Duration("how long a called app (one without steps) or a subscriber takes to answer; default 1ms"),
		"actors": schema.List("the actor types this called app hosts, e.g. [Cart]",
			schema.Text("")),
		"start":        schema.Duration("when the loop's first iteration starts"),
		"pause":        schema.Duration("sleep after each iteration (or every)"),
		"every":        schema.Duration("fixed rate: iterations start on the grid start + k*every (an overrun skips ticks)"),
		"iterations":   &schema.Schema{Description: "iterations of the loop; 0 runs until the horizon", Type: schema.Types{"integer"}, Minimum: schema.Int(0)},
		"workers":      schema.Whole("concurrent copies of the loop, sharing the sidecar's breakers; default 1", 1, 10000),
		"workerOffset": schema.Duration("worker w starts at start + w*workerOffset"),
		"onError":      schema.Words("what a failed step does: continue, skip (the rest of the iteration) or stop (the loop)", onErrorNames[:]),
		"steps":        schema.List("the loop's steps, in order; {i} is the iteration (1, 2, ...), {w} the worker (0, 1, ...)", step),
		"subscriptions": schema.List("what the app's /dapr/subscribe answers: its sidecar delivers those topics' messages to it",
			subscription),
		"bindings": schema.List("the input bindings (bindings.cron) the app answers: its sidecar delivers their events", input),
	}
}

func stepDocs(invoke, actor, publish, binding *schema.Schema) map[string]*schema.Schema {
	return map[string]*schema.Schema{
		"save":        schema.Text("save a state item to this state store"),
		"get":         schema.Text("get a state item from this state store"),
		"delete":      schema.Text("delete a state item from this state store"),
		"invoke":      schema.Described("call a method of an app without steps (service invocation)", invoke),
		"actor":       schema.Described("call a method of an actor whose type a called app hosts", actor),
		"publish":     schema.Described("publish a message to a topic of a pubsub.redis component", publish),
		"binding":     schema.Described("invoke an output binding (bindings.redis): create, get, delete, increment", binding),
		"key":         schema.Text(`the state key, or a binding request's metadata.key; default "{i}"`),
		"value":       schema.Text(`the value a save writes; default '{"orderId":{i}}'`),
		"data":        schema.Text(`the data a publish or binding step sends; default '{"orderId":{i}}'`),
		"contentType": schema.Text("a publish step's data content type; default application/json"),
		"log":         schema.Text("the app's line on success, printed as == APP == ..."),
		"latency":     schema.Duration("this step's latency, instead of its store's"),
	}
}

var invokeDocs = map[string]*schema.Schema{
	"app":    schema.Text("the id of the app to call (one without steps)"),
	"method": schema.Text("the method to invoke, e.g. orders"),
}

var actorDocs = map[string]*schema.Schema{
	"type":   schema.Text("the actor type, hosted by a called app"),
	"id":     schema.Text(`the actor id, e.g. "cart-{i}"`),
	"method": schema.Text("the actor method to call"),
}

var publishDocs = map[string]*schema.Schema{
	"pubsub": schema.Text("the pub/sub component (pubsub.redis)"),
	"topic":  schema.Text("the topic to publish to, e.g. orders"),
}

var bindingDocs = map[string]*schema.Schema{
	"name":      schema.Text("the output binding component (bindings.redis)"),
	"operation": schema.Text("the binding's operation: create, get, delete or increment, as the release supports"),
}

var subscriptionDocs = map[string]*schema.Schema{
	"pubsub":          schema.Text("the pub/sub component the app subscribes to"),
	"topic":           schema.Text("the topic the app subscribes to"),
	"route":           schema.NonEmpty("the app's path for the messages; default / and the topic"),
	"deadLetterTopic": schema.Text("where messages go when delivery gives up (optional)"),
	"log":             schema.Text("the app's line per message taken: {data} its data, {id} its CloudEvent id, {event} the whole event"),
}

var inputBindingDocs = map[string]*schema.Schema{
	"name": schema.Text("the input binding component (bindings.cron) the app answers"),
	"log":  schema.Text("the app's line per event taken: {i} counts the binding's events"),
}

var storeDocs = map[string]*schema.Schema{
	"latency": schema.Duration("virtual duration of one operation, answered or refused; default 1ms"),
}

var faultDocs = map[string]*schema.Schema{
	"at":      schema.Duration("when a scripted change happens (with stop or start)"),
	"stop":    schema.Text("stop this store, component or app at `at`: attempts are refused until it starts"),
	"start":   schema.Text("start this store, component or app again at `at` (its data is kept)"),
	"target":  schema.Text("the store, component or app a window applies to"),
	"from":    schema.Duration("a window's start (attempts that start in [from, to)); default 0s"),
	"to":      schema.Duration("a window's end; default the horizon"),
	"latency": schema.Duration("a window's latency for matching attempts, instead of the target's (the longest wins when windows overlap)"),
	"error":   schema.Text("the error of a failing window; default injected fault"),
	"conn": schema.Words("how the store's host fails at the connection: refused, noAnswer (dial timeout) or hang (read timeout)",
		connNames[1:]),
	"errorRate": {Description: "the share of attempts that fail, drawn from the seed: above 0, at most 1",
		Type: schema.Types{"number"}, ExclusiveMinimum: schema.Int(0), Maximum: schema.Int(1)},
	"failEvery": schema.Whole("every n-th matching attempt fails", 1, 1<<31),
	"status": {Description: "the error a called app or subscriber answers: for an HTTP app an HTTP status, 100-199 or 400-599 (default 500); for a gRPC app (protocol: grpc) a gRPC code, 1-16 or its name such as Unavailable (default Unknown)",
		AnyOf: []*schema.Schema{
			{Type: schema.Types{"integer"}, Minimum: schema.Int(100), Maximum: schema.Int(599),
				Not: &schema.Schema{Minimum: schema.Int(200), Maximum: schema.Int(399)}},
			schema.Whole("", 1, 16),
			schema.Words("", codeNames[1:]),
		}},
	"answer":  schema.Words("a subscriber's 2xx answer with this status word", []string{"RETRY", "DROP"}),
	"period":  schema.Duration("a flapping window's cycle: down for downFor, then up, from from"),
	"downFor": schema.Duration("how long each cycle of a flapping window is down: above 0s, below period"),
	"ops": schema.List("the operations a window applies to, e.g. [get]",
		schema.Words("", opNames[:])),
	"methods": schema.List("the methods (or subscriber routes without the slash) a window applies to, e.g. [neworder]",
		schema.NonEmpty("")),
}

var whatIfDocs = map[string]*schema.Schema{
	"initialInterval":     schema.Duration("the first backoff interval (dapr/kit default 500ms)"),
	"multiplier":          {Description: "the backoff's growth factor, 1 or more (dapr/kit default 1.5)", Type: schema.Types{"number"}, Minimum: schema.Int(1)},
	"randomizationFactor": {Description: "the jitter around each interval, 0 to 1 (dapr/kit default 0.5)", Type: schema.Types{"number"}, Minimum: schema.Int(0), Maximum: schema.Int(1)},
	"maxElapsedTime":      schema.Duration("stop retrying after this long (dapr/kit default 15m; 0s never stops)"),
}
