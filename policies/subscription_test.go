package policies

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

const subscriptionsYAML = `apiVersion: dapr.io/v2alpha1
kind: Subscription
metadata: {name: orders}
spec:
  pubsubname: orderpubsub
  topic: orders
  routes:
    rules:
      - match: event.type == "refund"
        path: /refunds
    default: /orders
  deadLetterTopic: poison
  metadata: {rawPayload: "false"}
scopes: [order-processor]
---
apiVersion: dapr.io/v1alpha1
kind: Subscription
metadata: {name: audit}
spec:
  pubsubname: orderpubsub
  topic: orders
  route: /audit
`

// Both versions are read, v1alpha1's route becoming the default route, the
// default last; scopes keep a Subscription from other apps' sidecars.
func TestSubscriptionsParseAndScope(t *testing.T) {
	f, warns, err := ParseFile("s.yaml", []byte(subscriptionsYAML))
	if err != nil || len(warns) > 0 {
		t.Fatalf("parse: %v %v", err, warns)
	}
	want := []Subscription{
		{Name: "orders", APIVersion: "dapr.io/v2alpha1", Pubsub: "orderpubsub", Topic: "orders",
			Rules:           []RouteRule{{Match: `event.type == "refund"`, Path: "/refunds"}, {Path: "/orders"}},
			DeadLetterTopic: "poison", Metadata: []MetadataItem{{Name: "rawPayload", Value: "false"}}, Scopes: []string{"order-processor"}},
		{Name: "audit", APIVersion: "dapr.io/v1alpha1", Pubsub: "orderpubsub", Topic: "orders", Rules: []RouteRule{{Path: "/audit"}}},
	}
	ignore := cmpopts.IgnoreFields(Subscription{}, "File", "Line", "PubsubLine", "TopicLine", "RoutesLine", "DeadLetterLine")
	lines := cmpopts.IgnoreFields(RouteRule{}, "Line")
	mdLines := cmpopts.IgnoreFields(MetadataItem{}, "Line", "Field")
	if d := cmp.Diff(want, f.Subscriptions, ignore, lines, mdLines); d != "" {
		t.Fatalf("subscriptions (-want +got):\n%s", d)
	}
	for app, names := range map[string][]string{"order-processor": {"orders", "audit"}, "checkout": {"audit"}} {
		s, _, err := Build([]*File{f}, app, Profile{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, sub := range s.Subscriptions {
			got = append(got, sub.Name)
		}
		if !cmp.Equal(got, names) {
			t.Errorf("%s keeps %v, want %v", app, got, names)
		}
	}
}

func TestSubscriptionErrors(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"no topic", "spec: {pubsubname: p, routes: {default: /x}}", "s.yaml:4: spec.topic: a Subscription needs spec.topic"},
		{"bad match", "spec: {pubsubname: p, topic: t, routes: {rules: [{match: 'event.type ==', path: /x}]}}", "spec.routes.rules[0].match: invalid CEL expression"},
		{"routes a list", "spec: {pubsubname: p, topic: t, routes: [/x]}", "spec.routes: want a mapping with rules and default, got a list"},
		{"metadata a list", "spec: {pubsubname: p, topic: t, routes: {default: /x}, metadata: [a]}", "spec.metadata: want a mapping of names to values, got a list"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ParseFile("s.yaml", []byte("apiVersion: dapr.io/v2alpha1\nkind: Subscription\nmetadata: {name: s}\n"+tc.doc+"\n"))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want an error containing %q, got %v", tc.want, err)
			}
		})
	}
}

// A rule's match is evaluated on the CloudEvent as Dapr does: true routes
// there, a non-bool result or an evaluation error is an error.
func TestRouteMatch(t *testing.T) {
	event := map[string]any{"type": "refund", "data": map[string]any{"amount": int64(30)}}
	for _, tc := range []struct {
		src     string
		want    bool
		wantErr string
	}{
		{`event.type == "refund"`, true, ""},
		{`event.type == "order"`, false, ""},
		{`event.data.amount > 20`, true, ""},
		{`event.type`, false, "was not a boolean"},
		{`event.missing == 1`, false, "no such key"},
	} {
		m, err := CompileMatch(tc.src)
		if err != nil {
			t.Fatalf("%s: %v", tc.src, err)
		}
		got, err := m.Eval(event)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: want error %q, got %v, %v", tc.src, tc.wantErr, got, err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s: got %v, %v; want %v", tc.src, got, err, tc.want)
		}
	}
}
