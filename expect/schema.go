package expect

import (
	"fmt"
	"strings"

	"github.com/dapr-sim/sim/internal/schema"
)

// kind is one kind of assertion as the schema offers it: the keys Parse
// allows it (one of the key lists above) and the keys that make an item
// that kind.
type kind struct {
	title    string
	desc     string
	keys     []string
	required []string
	// rules are what Parse requires of the kind's keys together, if any.
	rules func(branch *schema.Schema)
}

var kinds = []kind{
	{"assertion: breaker state", "a breaker's state at an instant (at) or throughout a window (from, to)", stateKeys, []string{"breaker", "state"},
		// say when: at, or from and to; not both.
		oneOrOther([]string{"at"}, []string{"from", "to"})},
	{"assertion: transition", "a breaker's transition, at least once, exactly times, or never", transitionKeys, []string{"breaker", "transition"}, nil},
	{"assertion: log line", "a line of the sidecar log (or == APP == line), by text or /regular expression/", logKeys, []string{"log"}, nil},
	{"assertion: count", "a count of events, bounded by equals, atLeast and/or atMost", countKeys, []string{"count"},
		// say how many: equals, or atLeast and/or atMost; not both.
		oneOrOther([]string{"equals"}, []string{"atLeast"}, []string{"atMost"})},
	{"assertion: message delay", "the worst delay of a delivered message, from its publish to its delivery", delayKeys, []string{"maxDelay"}, nil},
}

// oneOrOther is the rule that an item gives the keys of first, or those
// of one of others, and not first with any of others' keys.
func oneOrOther(first []string, others ...[]string) func(*schema.Schema) {
	return func(b *schema.Schema) {
		b.AnyOf = append(b.AnyOf, &schema.Schema{Required: first})
		not := &schema.Schema{Required: first}
		for _, o := range others {
			b.AnyOf = append(b.AnyOf, &schema.Schema{Required: o})
			for _, k := range o {
				not.AnyOf = append(not.AnyOf, &schema.Schema{Required: []string{k}})
			}
		}
		b.Not = not
	}
}

// ItemSchema returns the JSON Schema of one item of an `expect:` list: one
// branch per kind of assertion, each with exactly the keys Parse allows
// it; sim.ScenarioSchema places it under `expect:`. A key Parse allows
// that no doc describes, or a doc of a key no kind allows, is an error.
func ItemSchema() (*schema.Schema, error) {
	return itemSchema(kinds, itemDocs)
}

func itemSchema(kinds []kind, docs map[string]*schema.Schema) (*schema.Schema, error) {
	item := &schema.Schema{Description: "one assertion, decided by its keys: breaker with state or transition, log, count or maxDelay"}
	var problems []string
	used := map[string]bool{}
	for _, k := range kinds {
		branch := &schema.Schema{Title: k.title, Description: k.desc, Type: schema.Types{"object"}, Required: k.required, AdditionalProperties: schema.False()}
		for _, key := range k.keys {
			used[key] = true
			doc, ok := docs[key]
			if !ok {
				problems = append(problems, fmt.Sprintf("Parse allows %s (with %s) and the schema does not describe it", key, k.required[len(k.required)-1]))
				continue
			}
			branch.Properties = append(branch.Properties, schema.Property{Key: key, Schema: doc})
		}
		if k.rules != nil {
			k.rules(branch)
		}
		item.AnyOf = append(item.AnyOf, branch)
	}
	for _, key := range schema.Unread(docs, used) {
		problems = append(problems, fmt.Sprintf("the schema describes %s and Parse allows it in no assertion", key))
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("the expect schema and Parse disagree: %s", strings.Join(problems, "; "))
	}
	return item, nil
}

// count is a count Parse reads (p.count0).
func count(desc string) *schema.Schema { return schema.Whole(desc, 0, 1<<31) }

// transitionSchema is FROM->TO between two different breaker states,
// spaces allowed around the arrow as Parse trims them.
func transitionSchema() *schema.Schema {
	var alts, examples []string
	for _, from := range breakerStates {
		var tos []string
		for _, to := range breakerStates {
			if to != from {
				tos = append(tos, to)
				examples = append(examples, from+"->"+to)
			}
		}
		alts = append(alts, from+`\s*->\s*(`+strings.Join(tos, "|")+`)`)
	}
	return &schema.Schema{
		Description:         "the transition, FROM->TO with states " + strings.Join(breakerStates, ", ") + ", e.g. closed->open",
		Type:                schema.Types{"string"},
		Pattern:             `^\s*(` + strings.Join(alts, "|") + `)\s*$`,
		PatternErrorMessage: "want FROM->TO with two different states of " + strings.Join(breakerStates, ", ") + ", such as closed->open",
		Examples:            schema.Strings(examples),
	}
}

var itemDocs = map[string]*schema.Schema{
	"name":       schema.NonEmpty("what the report calls this assertion, instead of its generated description"),
	"breaker":    schema.NonEmpty("the breaker's name as Dapr logs it, e.g. simpleCB-statestore"),
	"state":      schema.Words("the breaker state", breakerStates),
	"at":         schema.Duration("the instant the state holds, a virtual time since the start, e.g. 27s"),
	"from":       schema.Duration("the state holds from this time (with to)"),
	"to":         schema.Duration("the state holds until this time, included (with from)"),
	"transition": transitionSchema(),
	"within": {Description: "the window [from, to], both ends included; default the whole run",
		Type: schema.Types{"array"}, MinItems: schema.Count(2), MaxItems: schema.Count(2), Items: schema.Duration("")},
	"times":    count("exactly how many times; default at least once"),
	"never":    {Description: "true: it never happens", Type: schema.Types{"boolean"}},
	"log":      schema.NonEmpty("text a log line contains, or a regular expression written /.../"),
	"count":    schema.Words("the events to count, e.g. attempts, failedOps, shed, retries, delivered, duplicates", Counters()),
	"target":   schema.NonEmpty("only events of this target (a store, app, component or, for maxDelay, pub/sub)"),
	"app":      schema.NonEmpty("only events of this app (the caller, or for messages the subscriber)"),
	"op":       schema.Words("only events of this operation", opNames),
	"result":   schema.Words("only deliver events with this result", deliverResults),
	"equals":   count("the count is exactly this"),
	"atLeast":  count("the count is at least this"),
	"atMost":   count("the count is at most this"),
	"maxDelay": schema.Duration("every delivered message took at most this from its publish"),
}
