// Package policies is the Dapr Resiliency model: it reads the resources a Dapr
// sidecar reads (Resiliency, Component, Configuration), validates them the way
// Dapr decodes them, applies Dapr's defaults and built-in policies, filters by
// scopes, and resolves which timeout, retry and circuit breaker apply to a
// target. Behaviour that changed between Dapr releases is chosen by a Profile.
//
// Place in the flow: sim.Load calls Load once, before the first event; the
// engine asks the resulting Spec for a target's Resolved pipeline, and the
// trace header records Spec.Dump. The retry, timeout and breaker machines live
// in the sub-packages; this package only builds their settings. That
// includes a store's own client (package client): Build reads the
// Component's spec.metadata the way the release's components-contrib does
// (client.FromMetadata) into Spec.Clients, and Lint weighs the client's
// retry time against the store's policies (lintclient.go). A pubsub.redis
// Component's subscriber settings go to Spec.Pubsubs (PubsubOf) the same
// way, and the declarative Subscriptions the app keeps to
// Spec.Subscriptions. A bindings.cron or bindings.redis Component goes to
// Spec.Bindings (BindingOf, binding.go): the sides daprd initializes, the
// OPTIONS probe, the route, and a cron's schedule (package cron).
//
// Problems in the input are reported with internal/diag: errors (the input
// cannot be simulated, exit 2) and warnings (Dapr silently does something the
// author probably did not mean; sim does the same and says so). Every message
// names the file, the line and the field path.
//
// Lint (lint.go; its finding kinds in lintchecks.go) checks parsed files for
// what Dapr ignores and for timing hazards, for `sim lint` and other tools.
//
// LoadEdited (edit.go) lays Edits over the Resiliency documents' YAML before
// they are read, so a value swept by `sim sweep --set` meets exactly the
// checks a file's value meets; its problems name the edit (Origin), not a
// line. An Edit of a what-if retry field (whatif.go: WhatIfFields, which
// the YAML has no key for; from --set or a scenario's overrides, then
// named by its File and Line) is laid over the loaded Spec instead, by
// ApplyWhatIfs, with the one rule for its values.
//
// Only Load, LoadEdited and ReadFiles perform I/O (reading the files they are given). Nothing here reads a
// clock, draws random numbers or logs. The package imports retry, breaker,
// client and cron (its sub-packages), internal/diag, internal/ynode, yaml.v3 and cel-go, and
// must not import sim, traces or cmd.
package policies
