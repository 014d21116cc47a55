// Package simtest runs sim scenarios inside `go test` and asserts on their
// timeline with helpers that read like a scenario's `expect:` list:
//
//	func TestQuickstart(t *testing.T) {
//		r := simtest.Run(t, "../examples/quickstart/scenario.yaml")
//		r.BreakerState("simpleCB-statestore", 27*time.Second).Is("open")
//		r.Transition("simpleCB-statestore", "closed", "open").Within(26*time.Second, 27*time.Second)
//		r.Count(simtest.FailedOps).Target("statestore").Equals(0)
//		r.Log("Recovered processing operation").Within(36*time.Second, 37*time.Second)
//		r.Expect()                             // the file's own expect: list, as `sim check` reads it
//		r.Golden("testdata/quickstart.trace") // the whole trace, byte for byte
//	}
//
// Run takes a scenario file; RunYAML a scenario written in the test (its
// relative paths, such as resourcesPath, are read from the test's working
// directory, the package folder). A scenario that cannot be loaded or run
// stops the test (t.Fatal); a false assertion reports what was expected,
// what happened and the nearest relevant events with t.Errorf and returns
// false, so the test goes on and reports every failure.
//
// Every assertion is evaluated by the expect package, the same code `sim
// check` runs, so a test and a CI check of the same expectation never
// disagree.
//
// # Golden traces and -update
//
// Result.Golden compares the run's YAML trace (the `sim run --trace` bytes)
// with a file. This package defines the test flag -update: with it, Golden
// rewrites the file instead; review the diff like code:
//
//	go test ./... -run TestQuickstart -update
//
// The flag exists only in test binaries of packages that import simtest;
// `go test ./...` passes it to every package it tests, so run it on the
// packages that use Golden (go test ./mypkg -update) when other packages
// of the module do not import simtest, or they fail with "flag provided
// but not defined". A package that defines its own -update flag cannot
// import simtest (the flag would be defined twice).
//
// simtest sits beside the CLI: it imports sim (to run), traces (the
// events) and expect (the vocabulary); nothing of ours imports it.
package simtest
