package sim

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dapr-sim/sim/traces"
)

// deliveryRun runs a publisher of one order at 1s and a subscriber with the
// given subscription keys, component metadata, Resiliency policies (the
// inbound target's body) and faults, on Dapr release dapr, and returns the
// events.
type deliveryCase struct {
	dapr      string
	sub       string // extra keys of the app's subscription
	metadata  string // extra metadata items of the pubsub component
	policies  string // spec.policies body
	inbound   string // targets.components.orderpubsub.inbound body
	faults    string // the faults list, YAML flow items
	orders    int    // how many orders checkout publishes, one a second (default 1)
	duration  string
	extraApps string
	app       string // extra keys of the subscriber app (protocol: grpc)
}

func runDelivery(t *testing.T, c deliveryCase) (*Engine, []traces.Event) {
	t.Helper()
	dir := t.TempDir()
	if c.dapr == "" {
		c.dapr = "1.14"
	}
	if c.orders == 0 {
		c.orders = 1
	}
	if c.duration == "" {
		c.duration = "100s"
	}
	res := "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: orderpubsub\nspec:\n  type: pubsub.redis\n  version: v1\n  metadata:\n  - name: redisHost\n    value: localhost:6379\n" + c.metadata
	resiliency := ""
	if c.policies != "" {
		// Dapr reads a Resiliency only as the first document of its file.
		resiliency = "apiVersion: dapr.io/v1alpha1\nkind: Resiliency\nmetadata:\n  name: r\nspec:\n  policies:\n" + c.policies +
			"  targets:\n    components:\n      orderpubsub:\n        inbound:\n" + c.inbound
	}
	sc := fmt.Sprintf(`version: 1
dapr: "%s"
duration: %s
resourcesPath: res
apps:
  - id: checkout
    start: 1s
    every: 1s
    iterations: %d
    steps:
      - publish: {pubsub: orderpubsub, topic: orders}
        data: '{"orderId":{i}}'
  - id: order-processor
%s    subscriptions:
      - pubsub: orderpubsub
        topic: orders
        log: "got {data}"
%s%s
faults: [%s]
`, c.dapr, c.duration, c.orders, c.app, c.sub, c.extraApps, c.faults)
	if err := os.MkdirAll(filepath.Join(dir, "res"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "res", "pubsub.yaml"), []byte(res), 0o644); err != nil {
		t.Fatal(err)
	}
	if resiliency != "" {
		if err := os.WriteFile(filepath.Join(dir, "res", "resiliency.yaml"), []byte(resiliency), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "scenario.yaml")
	if err := os.WriteFile(path, []byte(sc), 0o644); err != nil {
		t.Fatal(err)
	}
	return collectRun(t, path)
}

// collectRun runs the scenario at path to its horizon and returns the
// engine (closed when the test ends) and every event.
func collectRun(t *testing.T, path string) (*Engine, []traces.Event) {
	t.Helper()
	sc, err := LoadScenario(path)
	if err != nil {
		t.Fatal(err)
	}
	setup, err := Prepare(sc, Overrides{})
	if err != nil {
		t.Fatal(err)
	}
	var col traces.Collector
	e := NewEngine(setup, &col, Options{})
	t.Cleanup(e.Close)
	if err := e.Run(); err != nil {
		t.Fatal(err)
	}
	return e, col.Events
}

// summary is a delivery's story in one line per deliver and redeliver
// event, and each call event's outcome, for the table below.
func summary(evs []traces.Event) string {
	var b strings.Builder
	for _, e := range evs {
		switch {
		case e.Kind == traces.Deliver:
			fmt.Fprintf(&b, "%s deliver w%d %s attempts=%d", secs(e.T), e.Worker, e.Result, e.Attempts)
			if e.DeadLetter != "" {
				fmt.Fprintf(&b, " dlq=%s", e.DeadLetter)
			}
			if e.Error != "" {
				fmt.Fprintf(&b, " err=%q", e.Error)
			}
			if l := e.LogText(); l != "" {
				fmt.Fprintf(&b, " log=%q", l)
			}
			b.WriteByte('\n')
		case e.Kind == traces.Redeliver:
			fmt.Fprintf(&b, "%s redeliver %s n=%d\n", secs(e.T), e.Message, e.Deliveries)
		case e.Kind == traces.Breaker:
			fmt.Fprintf(&b, "%s breaker %s->%s\n", secs(e.T), e.From, e.To)
		}
	}
	return b.String()
}

var uuidPattern = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)

// secs prints t in seconds, to the millisecond.
func secs(t time.Duration) string {
	return fmt.Sprintf("%.3fs", t.Truncate(time.Millisecond).Seconds())
}

const retry5s = "    retries:\n      r:\n        policy: constant\n        duration: 5s\n        maxRetries: %d\n"

// The delivery decisions of Dapr's subscription handler and pubsub.redis,
// case by case (conformance/PUBSUB.md §1.3, §2, §3.4, §9): what the app
// answers, whether a dead-letter topic exists, the release.
func TestDeliveryDecisions(t *testing.T) {
	const msg = "946684801000-0" // the order published at 1s
	cases := []struct {
		name string
		c    deliveryCase
		want string
	}{
		{"the app takes it: acknowledged, its line printed", deliveryCase{},
			"1.001s deliver w0 ack attempts=1 log=\"got {\\\"orderId\\\":1}\"\n"},
		{"500 with no policy: one attempt, pending, reclaimed 60-75s after the delivery and delivered again",
			deliveryCase{faults: "{from: 0s, to: 70s, target: order-processor, error: boom}"},
			"1.001s deliver w0 pending attempts=1 err=\"retriable error occurred: retriable error returned from app while processing pub/sub event " + "<id>" + ", topic: orders, body: boom. status code returned: 500\"\n" +
				"75.000s redeliver " + msg + " n=2\n" +
				"75.001s deliver w1 ack attempts=1 log=\"got {\\\"orderId\\\":1}\"\n"},
		{"404: acknowledged, not retried, not redelivered",
			deliveryCase{policies: fmt.Sprintf(retry5s, 3), inbound: "          retry: r\n", faults: "{target: order-processor, error: gone, status: 404}"},
			"1.001s deliver w0 notfound attempts=1\n"},
		{"RETRY is retried by the inbound policy, then left pending",
			deliveryCase{policies: fmt.Sprintf(retry5s, 2), inbound: "          retry: r\n", faults: "{from: 0s, to: 50s, target: order-processor, answer: RETRY}", duration: "50s"},
			"11.003s deliver w0 pending attempts=3 err=\"RETRY status returned from app while processing pub/sub event <id>: retriable error occurred\"\n"},
		{"DROP with a dead-letter topic (1.13+): forwarded, acknowledged",
			deliveryCase{sub: "        deadLetterTopic: poison\n", faults: "{target: order-processor, answer: DROP}", duration: "10s"},
			"1.002s deliver w0 dropped attempts=1 dlq=poison\n"},
		{"DROP on 1.12: acknowledged only",
			deliveryCase{dapr: "1.12", sub: "        deadLetterTopic: poison\n", faults: "{target: order-processor, answer: DROP}", duration: "10s"},
			"1.001s deliver w0 dropped attempts=1\n"},
		{"the runner gives up with a dead-letter topic: forwarded, acknowledged",
			deliveryCase{sub: "        deadLetterTopic: poison\n", policies: fmt.Sprintf(retry5s, 1), inbound: "          retry: r\n", faults: "{target: order-processor, error: boom}", duration: "100s"},
			"6.003s deliver w0 deadletter attempts=2 dlq=poison err=\"retriable error occurred: retriable error returned from app while processing pub/sub event <id>, topic: orders, body: boom. status code returned: 500\"\n"},
		{"1.14: a runner past processingTimeout cannot dead-letter, and the message is acknowledged anyway: lost",
			deliveryCase{sub: "        deadLetterTopic: poison\n", policies: fmt.Sprintf(retry5s, 12), inbound: "          retry: r\n", faults: "{target: order-processor, error: boom}", duration: "150s"},
			"61.013s deliver w0 lost attempts=13 dlq=poison err=\"context deadline exceeded\"\n"},
		{"1.15: the same failed dead-letter publish leaves the message pending",
			deliveryCase{dapr: "1.15", sub: "        deadLetterTopic: poison\n", policies: fmt.Sprintf(retry5s, 12), inbound: "          retry: r\n", faults: "{from: 0s, to: 62s, target: order-processor, error: boom}", duration: "150s"},
			"61.013s deliver w0 pending attempts=13 dlq=poison err=\"context deadline exceeded\"\n" +
				"75.000s redeliver 946684801000-0 n=2\n" +
				"75.001s deliver w1 ack attempts=1 log=\"got {\\\"orderId\\\":1}\"\n"},
		{"1.12: the runner runs on the handler's context and stops at processingTimeout",
			deliveryCase{dapr: "1.12", policies: fmt.Sprintf(retry5s, 20), inbound: "          retry: r\n", faults: "{from: 0s, to: 62s, target: order-processor, error: boom}", duration: "150s"},
			"61.000s deliver w0 pending attempts=12 err=\"context deadline exceeded\"\n" +
				"75.000s redeliver 946684801000-0 n=2\n" +
				"75.001s deliver w1 ack attempts=1 log=\"got {\\\"orderId\\\":1}\"\n"},
		{"1.14: the runner outlives processingTimeout, the message is reclaimed and delivered twice at once",
			deliveryCase{policies: fmt.Sprintf(retry5s, 20), inbound: "          retry: r\n", faults: "{from: 0s, to: 80s, target: order-processor, error: boom}", duration: "150s"},
			"75.000s redeliver 946684801000-0 n=2\n" +
				"80.002s deliver w1 ack attempts=2 log=\"got {\\\"orderId\\\":1}\"\n" +
				"81.017s deliver w0 ack attempts=17 log=\"got {\\\"orderId\\\":1}\"\n"},
		{"an open breaker with a dead-letter topic sends every delivery there at once",
			deliveryCase{sub: "        deadLetterTopic: poison\n", orders: 4,
				policies: "    circuitBreakers:\n      cb:\n        maxRequests: 1\n        timeout: 30s\n        trip: consecutiveFailures >= 2\n",
				inbound:  "          circuitBreaker: cb\n", faults: "{target: order-processor, error: boom}", duration: "10s"},
			"1.002s deliver w0 deadletter attempts=1 dlq=poison err=\"retriable error occurred: retriable error returned from app while processing pub/sub event <id>, topic: orders, body: boom. status code returned: 500\"\n" +
				"2.001s breaker closed->open\n" +
				"2.002s deliver w1 deadletter attempts=1 dlq=poison err=\"retriable error occurred: retriable error returned from app while processing pub/sub event <id>, topic: orders, body: boom. status code returned: 500\"\n" +
				"3.001s deliver w2 deadletter attempts=1 dlq=poison err=\"circuit breaker is open\"\n" +
				"4.001s deliver w3 deadletter attempts=1 dlq=poison err=\"circuit breaker is open\"\n"},
		{"a stopped subscriber: its app channel refuses, the message stays pending",
			deliveryCase{faults: "{at: 0s, stop: order-processor}", duration: "10s"},
			"1.001s deliver w0 pending attempts=1 err=\"error returned from app channel while sending pub/sub event to app: retriable error occurred: Post \\\"http://127.0.0.1:3000/orders\\\": dial tcp 127.0.0.1:3000: connect: connection refused\"\n"},
		{"the broker stops before the XACK: the app took it, it stays pending and comes back",
			deliveryCase{faults: "{at: 1.0005s, stop: orderpubsub}, {at: 20s, start: orderpubsub}", duration: "100s", extraApps: ""},
			"1.001s deliver w0 ackfailed attempts=1 err=\"connect: connection refused\"\n" +
				"75.000s redeliver 946684801000-0 n=2\n" +
				"75.001s deliver w1 ack attempts=1 log=\"got {\\\"orderId\\\":1}\"\n"},
		{"1.16: a retry policy's matching leaves a status it does not list unretried",
			deliveryCase{dapr: "1.16", policies: "    retries:\n      r:\n        policy: constant\n        duration: 5s\n        maxRetries: 3\n        matching:\n          httpStatusCodes: \"502\"\n",
				inbound: "          retry: r\n", faults: "{from: 0s, to: 50s, target: order-processor, error: boom}", duration: "50s"},
			"1.001s deliver w0 pending attempts=1 err=\"retriable error occurred: retriable error returned from app while processing pub/sub event <id>, topic: orders, body: boom. status code returned: 500\"\n"},
		{"1.14: the same policy retries it (matching is 1.15's)",
			deliveryCase{dapr: "1.14", policies: fmt.Sprintf(retry5s, 3), inbound: "          retry: r\n", faults: "{from: 0s, to: 50s, target: order-processor, error: boom}", duration: "50s"},
			"16.004s deliver w0 pending attempts=4 err=\"retriable error occurred: retriable error returned from app while processing pub/sub event <id>, topic: orders, body: boom. status code returned: 500\"\n"},
		{"entries trimmed while pending (maxLenApprox 2) are ghosts: acknowledged at the reclaim, not redelivered",
			deliveryCase{orders: 4, metadata: "  - name: maxLenApprox\n    value: \"2\"\n", faults: "{from: 0s, to: 70s, target: order-processor, error: boom}", duration: "80s"},
			"1.001s deliver w0 pending attempts=1 err=\"retriable error occurred: retriable error returned from app while processing pub/sub event <id>, topic: orders, body: boom. status code returned: 500\"\n" +
				"2.001s deliver w1 pending attempts=1 err=\"retriable error occurred: retriable error returned from app while processing pub/sub event <id>, topic: orders, body: boom. status code returned: 500\"\n" +
				"3.001s deliver w2 pending attempts=1 err=\"retriable error occurred: retriable error returned from app while processing pub/sub event <id>, topic: orders, body: boom. status code returned: 500\"\n" +
				"4.001s deliver w3 pending attempts=1 err=\"retriable error occurred: retriable error returned from app while processing pub/sub event <id>, topic: orders, body: boom. status code returned: 500\"\n" +
				"75.000s redeliver 946684803000-0 n=2\n75.000s redeliver 946684804000-0 n=2\n" +
				"75.001s deliver w4 ack attempts=1 log=\"got {\\\"orderId\\\":3}\"\n75.001s deliver w5 ack attempts=1 log=\"got {\\\"orderId\\\":4}\"\n"},
		{"concurrency 1: one delivery at a time, retries included",
			deliveryCase{orders: 3, metadata: "  - name: concurrency\n    value: \"1\"\n", policies: fmt.Sprintf(retry5s, 1), inbound: "          retry: r\n", faults: "{from: 0s, to: 2s, target: order-processor, error: boom}", duration: "20s"},
			"6.002s deliver w0 ack attempts=2 log=\"got {\\\"orderId\\\":1}\"\n" +
				"6.003s deliver w0 ack attempts=1 log=\"got {\\\"orderId\\\":2}\"\n" +
				"6.004s deliver w0 ack attempts=1 log=\"got {\\\"orderId\\\":3}\"\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, evs := runDelivery(t, tc.c)
			checkDelivery(t, evs, tc.want)
		})
	}
}

const (
	grpcApp = "    protocol: grpc\n"
	// grpcErr is publishMessageGRPC's error for the app's gRPC error.
	grpcErr = "error returned from app while processing pub/sub event <id>: retriable error occurred: rpc error: code = "
	// grpcDown is the Unavailable error of a refused gRPC app channel.
	grpcDown = grpcErr + "Unavailable desc = connection error: desc = \\\"transport: Error while dialing: dial tcp 127.0.0.1:3000: connect: connection refused\\\""
	// matching16 is a 1.15+ retry policy that retries gRPC code 14 only.
	matching16 = "    retries:\n      r:\n        policy: constant\n        duration: 5s\n        maxRetries: 3\n        matching:\n          gRPCStatusCodes: \"14\"\n"
)

// A gRPC subscriber's answers as publishMessageGRPC reads them (dapr
// v1.14.0 pkg/runtime/subscription/publish.go:130-200; v1.16.0
// postman/grpc/grpc.go), per release family where they differ: DROP's
// dead-letter topic from 1.13, the code attached for matching from 1.15.
func TestGRPCDeliveryDecisions(t *testing.T) {
	cases := []struct {
		name string
		c    deliveryCase
		want string
	}{
		{"SUCCESS (or no status): acknowledged, its line printed", deliveryCase{app: grpcApp},
			"1.001s deliver w0 ack attempts=1 log=\"got {\\\"orderId\\\":1}\"\n"},
		{"an error with no code given is Unknown: retriable, pending, redelivered",
			deliveryCase{app: grpcApp, faults: "{from: 0s, to: 70s, target: order-processor, error: boom}"},
			"1.001s deliver w0 pending attempts=1 err=\"" + grpcErr + "Unknown desc = boom\"\n" +
				"75.000s redeliver 946684801000-0 n=2\n" +
				"75.001s deliver w1 ack attempts=1 log=\"got {\\\"orderId\\\":1}\"\n"},
		{"Unimplemented: acknowledged, not retried, not redelivered",
			deliveryCase{app: grpcApp, policies: fmt.Sprintf(retry5s, 3), inbound: "          retry: r\n", faults: "{target: order-processor, error: gone, status: Unimplemented}"},
			"1.001s deliver w0 unimplemented attempts=1\n"},
		{"Unimplemented by number (12) is the same",
			deliveryCase{app: grpcApp, faults: "{target: order-processor, error: gone, status: 12}", duration: "10s"},
			"1.001s deliver w0 unimplemented attempts=1\n"},
		{"Internal is retried by the inbound policy, then left pending",
			deliveryCase{app: grpcApp, policies: fmt.Sprintf(retry5s, 2), inbound: "          retry: r\n", faults: "{from: 0s, to: 50s, target: order-processor, error: boom, status: Internal}", duration: "50s"},
			"11.003s deliver w0 pending attempts=3 err=\"" + grpcErr + "Internal desc = boom\"\n"},
		{"RETRY is retried, then left pending",
			deliveryCase{app: grpcApp, policies: fmt.Sprintf(retry5s, 2), inbound: "          retry: r\n", faults: "{from: 0s, to: 50s, target: order-processor, answer: RETRY}", duration: "50s"},
			"11.003s deliver w0 pending attempts=3 err=\"RETRY status returned from app while processing pub/sub event <id>: retriable error occurred\"\n"},
		{"DROP with a dead-letter topic (1.13+): forwarded, acknowledged",
			deliveryCase{app: grpcApp, sub: "        deadLetterTopic: poison\n", faults: "{target: order-processor, answer: DROP}", duration: "10s"},
			"1.002s deliver w0 dropped attempts=1 dlq=poison\n"},
		{"DROP on 1.12: acknowledged only",
			deliveryCase{dapr: "1.12", app: grpcApp, sub: "        deadLetterTopic: poison\n", faults: "{target: order-processor, answer: DROP}", duration: "10s"},
			"1.001s deliver w0 dropped attempts=1\n"},
		{"a stopped app: the gRPC app channel's Unavailable, pending",
			deliveryCase{app: grpcApp, faults: "{at: 0s, stop: order-processor}", duration: "10s"},
			"1.001s deliver w0 pending attempts=1 err=\"" + grpcDown + "\"\n"},
		{"a stopped app with a dead-letter topic: the runner gives up, forwarded",
			deliveryCase{app: grpcApp, sub: "        deadLetterTopic: poison\n", faults: "{at: 0s, stop: order-processor}", duration: "10s"},
			"1.002s deliver w0 deadletter attempts=1 dlq=poison err=\"" + grpcDown + "\"\n"},
		{"1.16: matching.gRPCStatusCodes leaves a code it does not list unretried",
			deliveryCase{dapr: "1.16", app: grpcApp, policies: matching16, inbound: "          retry: r\n", faults: "{from: 0s, to: 50s, target: order-processor, error: boom, status: Internal}", duration: "50s"},
			"1.001s deliver w0 pending attempts=1 err=\"" + grpcErr + "Internal desc = boom\"\n"},
		{"1.16: and retries one it lists (an unreachable app is Unavailable, 14)",
			deliveryCase{dapr: "1.16", app: grpcApp, policies: matching16, inbound: "          retry: r\n", faults: "{at: 0s, stop: order-processor}", duration: "50s"},
			"16.004s deliver w0 pending attempts=4 err=\"" + grpcDown + "\"\n"},
		{"1.15: the code is matched from 1.15",
			deliveryCase{dapr: "1.15", app: grpcApp, policies: matching16, inbound: "          retry: r\n", faults: "{from: 0s, to: 50s, target: order-processor, error: boom, status: 13}", duration: "50s"},
			"1.001s deliver w0 pending attempts=1 err=\"" + grpcErr + "Internal desc = boom\"\n"},
		{"1.14: the same policy retries it (matching is 1.15's)",
			deliveryCase{dapr: "1.14", app: grpcApp, policies: fmt.Sprintf(retry5s, 3), inbound: "          retry: r\n", faults: "{from: 0s, to: 50s, target: order-processor, error: boom, status: Internal}", duration: "50s"},
			"16.004s deliver w0 pending attempts=4 err=\"" + grpcErr + "Internal desc = boom\"\n"},
		{"grpcs reads answers as grpc",
			deliveryCase{app: "    protocol: GRPCS\n", faults: "{target: order-processor, error: gone, status: Unimplemented}", duration: "10s"},
			"1.001s deliver w0 unimplemented attempts=1\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, evs := runDelivery(t, tc.c)
			checkDelivery(t, evs, tc.want)
		})
	}
}

// checkDelivery compares a run's summary with want.
func checkDelivery(t *testing.T, evs []traces.Event, want string) {
	t.Helper()
	// Event ids are drawn from the seed: the table need not spell them.
	if got := uuidPattern.ReplaceAllString(summary(evs), "<id>"); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// runTrigger runs an app answering a bindings.cron every 10s, with the
// given inbound policies (spec.policies body and the inbound target's
// body) and faults, for 40s.
func runTrigger(t *testing.T, policies, inbound, faults string) []traces.Event {
	return runTriggerApp(t, "", "1.14", policies, inbound, faults)
}

// runTriggerApp is runTrigger with extra keys for the app (protocol: grpc)
// on Dapr release dapr.
func runTriggerApp(t *testing.T, app, dapr, policies, inbound, faults string) []traces.Event {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "res"), 0o755); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{
		"res/cron.yaml": "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: tick\nspec:\n  type: bindings.cron\n  version: v1\n  metadata:\n  - name: schedule\n    value: \"@every 10s\"\n  - name: direction\n    value: input\n",
		"scenario.yaml": "version: 1\ndapr: \"" + dapr + "\"\nduration: 40s\nresourcesPath: res\napps:\n  - id: batch\n" + app + "    latency: 10ms\n    bindings:\n      - name: tick\n        log: \"run {i}\"\nfaults: [" + faults + "]\n",
	}
	if policies != "" {
		files["res/resiliency.yaml"] = "apiVersion: dapr.io/v1alpha1\nkind: Resiliency\nmetadata:\n  name: r\nspec:\n  policies:\n" + policies +
			"  targets:\n    components:\n      tick:\n        inbound:\n" + inbound
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, evs := collectRun(t, filepath.Join(dir, "scenario.yaml"))
	return evs
}

// An input binding's event, from Dapr's processor/binding and contrib's
// cron (conformance/PUBSUB.md §7.2): only 200 is success; the final error
// depends on whether a retry policy disposed of the failed response; cron
// never retries an event, and a delivery that outlasts the period overlaps
// the next fire on a worker of its own.
func TestTriggerDecisions(t *testing.T) {
	cases := []struct {
		name, policies, inbound, faults, want string
	}{
		{"the app takes every event", "", "", "",
			"10.010s deliver w0 ack attempts=1 log=\"run 1\"\n20.010s deliver w0 ack attempts=1 log=\"run 2\"\n30.010s deliver w0 ack attempts=1 log=\"run 3\"\n"},
		{"no retry policy: one attempt, the app's status and body in the error", "", "", "{from: 15s, to: 25s, target: batch, error: locked}",
			"10.010s deliver w0 ack attempts=1 log=\"run 1\"\n" +
				"20.010s deliver w0 failed attempts=1 err=\"fails to send binding event to http app channel, status code: 500 body: locked\"\n" +
				"30.010s deliver w0 ack attempts=1 log=\"run 3\"\n"},
		{"a retry policy outlasting the period: the next fire overlaps on a second worker; the failed response is disposed of",
			fmt.Sprintf(retry5s, 2), "          retry: r\n", "{from: 15s, to: 35s, target: batch, error: locked}",
			"10.010s deliver w0 ack attempts=1 log=\"run 1\"\n" +
				"30.030s deliver w0 failed attempts=3 err=\"error invoking app: response object is nil\"\n" +
				"35.020s deliver w1 ack attempts=2 log=\"run 3\"\n"},
		{"a stopped app: the app channel's error", "", "", "{at: 15s, stop: batch}, {at: 25s, start: batch}",
			"10.010s deliver w0 ack attempts=1 log=\"run 1\"\n" +
				"20.010s deliver w0 failed attempts=1 err=\"error invoking app: Post \\\"http://127.0.0.1:3000/tick\\\": dial tcp 127.0.0.1:3000: connect: connection refused\"\n" +
				"30.010s deliver w0 ack attempts=1 log=\"run 3\"\n"},
	}
	matching := "    retries:\n      r:\n        policy: constant\n        duration: 5s\n        maxRetries: 3\n        matching:\n          httpStatusCodes: \"502\"\n"
	for _, dapr := range []string{"1.14", "1.16"} {
		// From 1.15 an HTTP app's status travels with the error, so a
		// retry policy's matching leaves a 500 it does not list unretried;
		// on 1.14 the same policy retries it.
		evs := runTriggerApp(t, "", dapr, matching, "          retry: r\n", "{from: 15s, to: 25s, target: batch, error: locked}")
		var attempts []int
		for _, ev := range evs {
			if ev.Kind == traces.Deliver {
				attempts = append(attempts, ev.Attempts)
			}
		}
		want := []int{1, 2, 1}
		if dapr == "1.16" {
			want = []int{1, 1, 1}
		}
		if !slices.Equal(attempts, want) {
			t.Errorf("%s, matching httpStatusCodes 502, the app answering 500 at 20s: attempts per event %v, want %v\n%s", dapr, attempts, want, summary(evs))
		}
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := summary(runTrigger(t, tc.policies, tc.inbound, tc.faults)); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

// The ghosts of the case above leave the pending list: nothing is pending
// once the two entries left are taken (without the XACK, two would stay
// and head every reclaim pass).
func TestGhostsLeaveThePendingList(t *testing.T) {
	e, _ := runDelivery(t, deliveryCase{orders: 4, metadata: "  - name: maxLenApprox\n    value: \"2\"\n", faults: "{from: 0s, to: 70s, target: order-processor, error: boom}", duration: "80s"})
	rc, err := e.Store("orderpubsub").streams()
	if err != nil {
		t.Fatal(err)
	}
	pend, err := rc.xpending("orders", "order-processor", 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(pend) != 0 {
		t.Errorf("%d entries still pending: %+v", len(pend), pend)
	}
}

// expandMessage gives what strings.NewReplacer gives for the same three
// placeholders, on templates that mix them with stray braces.
func TestExpandMessageMatchesReplacer(t *testing.T) {
	r := strings.NewReplacer("{data}", "D{id}", "{id}", "I", "{event}", "E{")
	for _, tmpl := range []string{"", "plain", "{data}", "got {data} ({id}) {event}", "{{data}}", "{", "}{", "{dat{data}", "{id}{id}{event}{", "a{b}c{data"} {
		if got, want := expandMessage(tmpl, "D{id}", "I", "E{"), r.Replace(tmpl); got != want {
			t.Errorf("%q: got %q, want %q", tmpl, got, want)
		}
	}
}

// An input binding's event to a gRPC app (OnBindingEvent, dapr@v1.14.0
// pkg/runtime/processor/binding/send.go:276-316, the same in 1.15 and
// 1.16): any error fails the attempt, Unimplemented included; no code is
// attached, so a 1.15+ policy's matching does not apply; the event's
// error is the runner's, wrapped once.
func TestGRPCTriggerDecisions(t *testing.T) {
	const grpcRefusedErr = "rpc error: code = Unavailable desc = connection error: desc = \\\"transport: Error while dialing: dial tcp 127.0.0.1:3000: connect: connection refused\\\""
	cases := []struct {
		name, dapr, policies, inbound, faults, want string
	}{
		{"the app takes every event", "1.14", "", "", "",
			"10.010s deliver w0 ack attempts=1 log=\"run 1\"\n20.010s deliver w0 ack attempts=1 log=\"run 2\"\n30.010s deliver w0 ack attempts=1 log=\"run 3\"\n"},
		{"no retry policy: the app's gRPC error, Unknown by default", "1.14", "", "", "{from: 15s, to: 25s, target: batch, error: locked}",
			"10.010s deliver w0 ack attempts=1 log=\"run 1\"\n" +
				"20.010s deliver w0 failed attempts=1 err=\"error invoking app: rpc error: code = Unknown desc = locked\"\n" +
				"30.010s deliver w0 ack attempts=1 log=\"run 3\"\n"},
		{"Unimplemented is an error like any other, retried", "1.14", fmt.Sprintf(retry5s, 2), "          retry: r\n", "{from: 15s, to: 25s, target: batch, error: nope, status: Unimplemented}",
			"10.010s deliver w0 ack attempts=1 log=\"run 1\"\n" +
				"25.020s deliver w0 ack attempts=2 log=\"run 2\"\n" +
				"30.010s deliver w0 ack attempts=1 log=\"run 3\"\n"},
		{"1.16: matching does not apply (no code attached): retried to the end, the last error kept", "1.16", matching16, "          retry: r\n", "{from: 15s, to: 45s, target: batch, error: locked, status: Internal}",
			"10.010s deliver w0 ack attempts=1 log=\"run 1\"\n" +
				"35.040s deliver w0 failed attempts=4 err=\"error invoking app: rpc error: code = Internal desc = locked\"\n"},
		{"a stopped app: Unavailable", "1.14", "", "", "{at: 15s, stop: batch}, {at: 25s, start: batch}",
			"10.010s deliver w0 ack attempts=1 log=\"run 1\"\n" +
				"20.010s deliver w0 failed attempts=1 err=\"error invoking app: " + grpcRefusedErr + "\"\n" +
				"30.010s deliver w0 ack attempts=1 log=\"run 3\"\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := summary(runTriggerApp(t, grpcApp, tc.dapr, tc.policies, tc.inbound, tc.faults)); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}
