package sim

import (
	"io/fs"
	slashpath "path"
	"path/filepath"
	"strings"
	"time"

	"github.com/dapr-sim/sim/internal/input"
	"github.com/dapr-sim/sim/policies"
	"gopkg.in/yaml.v3"
)

// Scenario is a validated scenario file (version 1 of the contract in
// DESIGN.md) with its defaults applied.
type Scenario struct {
	File          string        `yaml:"-"`
	Version       int           `yaml:"version"`
	Name          string        `yaml:"name"`
	Dapr          string        `yaml:"dapr"`
	Seed          int64         `yaml:"seed"`
	Duration      time.Duration `yaml:"duration"`
	Overhead      time.Duration `yaml:"overhead"`
	ResourcesPath string        `yaml:"resourcesPath,omitempty"`
	Resiliency    string        `yaml:"resiliency,omitempty"`
	Apps          []App         `yaml:"apps"`
	Stores        []Store       `yaml:"stores"`
	Faults        []Fault       `yaml:"faults"`
	Windows       []Window      `yaml:"-"` // faults with a target: slow, failing, flaky, flapping
	// Overrides are the what-if edits of the `overrides:` block, each
	// named by the file and the line of its policy's key.
	Overrides []policies.Edit `yaml:"-"`
	// ResourcesLine is where resourcesPath or resiliency is given.
	ResourcesLine int `yaml:"-"`
	// Line, DaprLine and AppsLine are where the scenario, its dapr and
	// its apps are given (0 when absent), for errors found later.
	Line     int `yaml:"-"`
	DaprLine int `yaml:"-"`
	AppsLine int `yaml:"-"`
	// Expect is the `expect:` block as written (nil when absent), kept as a
	// YAML node so its lines (in File) survive: the expect package parses
	// it for `sim check` and simtest. A run ignores it.
	Expect *yaml.Node `yaml:"-"`
	// FS is the file system File was read from (LoadScenarioFS), where
	// its resource paths are read too; nil is the operating system's.
	FS fs.FS `yaml:"-"`
}

// App is one app loop: a sidecar's app id and what the app does.
//
// An app with no steps is a called app: it runs no loop and only answers
// service invocation, after its Latency; its availability is scripted like a
// store's.
type App struct {
	ID           string        `yaml:"id"`
	Latency      time.Duration `yaml:"latency,omitempty"`
	Actors       []string      `yaml:"actors,omitempty"` // actor types a called app hosts
	Start        time.Duration `yaml:"start"`
	Pause        time.Duration `yaml:"pause,omitempty"`
	Every        time.Duration `yaml:"every,omitempty"`
	Iterations   int           `yaml:"iterations,omitempty"` // 0 = until the horizon
	Workers      int           `yaml:"workers"`
	WorkerOffset time.Duration `yaml:"workerOffset,omitempty"`
	OnError      OnError       `yaml:"onError"`
	Steps        []Step        `yaml:"steps"`
	// Subscriptions are the topics the app subscribes to in its code (what
	// its /dapr/subscribe endpoint answers): its sidecar delivers their
	// messages to it, and the app takes Latency to answer each.
	Subscriptions []Subscription `yaml:"subscriptions,omitempty"`
	// Bindings are the input bindings the app answers (its OPTIONS probe
	// finds the route): its sidecar delivers their events to it.
	Bindings []InputBinding `yaml:"bindings,omitempty"`
	// Protocol is how the app's sidecar talks to it (daprd's
	// --app-protocol): it decides how a delivery reads the app's answer.
	Protocol     Protocol `yaml:"-"`
	ProtocolLine int      `yaml:"-"` // where protocol is given (0: not given)
	Line         int      `yaml:"-"` // where the app is, for errors found later
}

// Protocol is an app channel's protocol, daprd's --app-protocol. The HTTP
// family (http, https, h2c) reads a delivery's answer as Dapr's
// publishMessageHTTP does, the gRPC family (grpc, grpcs) as
// publishMessageGRPC does; within a family only the scheme of a refused
// connection's text differs.
type Protocol uint8

const (
	HTTP Protocol = iota // the default, as daprd's
	HTTPS
	H2C
	GRPC
	GRPCS
)

var protocolNames = [...]string{"http", "https", "h2c", "grpc", "grpcs"}

func (p Protocol) String() string { return protocolNames[p] }

// GRPC reports whether the app channel speaks gRPC (grpc or grpcs).
func (p Protocol) GRPC() bool { return p == GRPC || p == GRPCS }

// parseProtocol reads a protocol as daprd does: lower-cased, "" for http.
func parseProtocol(s string) (Protocol, bool) {
	s = strings.ToLower(s)
	if s == "" {
		return HTTP, true
	}
	for i, n := range protocolNames {
		if s == n {
			return Protocol(i), true
		}
	}
	return 0, false
}

// InputBinding is an input binding an app answers: events of the binding
// component Name are POSTed to the app at the component's route (its
// `route` metadata, else its name).
type InputBinding struct {
	Name string
	// Log is the app's line on each event it takes; {i} counts the
	// binding's events (1, 2, ...).
	Log  string
	Line int
}

// Subscription is one programmatic subscription: messages of Topic on the
// pub/sub component Pubsub are delivered to the app at Route.
type Subscription struct {
	Pubsub          string
	Topic           string
	Route           string // the app's path, e.g. /orders (default: / and the topic)
	DeadLetterTopic string
	// Log is the app's line on each message it takes; {data} is the
	// message's data as the app reads it, {id} the CloudEvent id, {event}
	// the whole CloudEvent (what an HTTP app's request body holds).
	Log  string
	Line int
}

// OnError says what an app loop does when a step finally fails.
type OnError uint8

const (
	Continue OnError = iota // go on with the next step
	Skip                    // skip the rest of this iteration
	Stop                    // end this worker's loop
)

var onErrorNames = [...]string{"continue", "skip", "stop"}

func (o OnError) String() string { return onErrorNames[o] }

// MarshalYAML writes the word, for the trace header.
func (o OnError) MarshalYAML() (any, error) { return o.String(), nil }

// OpKind is a state operation.
type OpKind uint8

const (
	Save OpKind = iota
	Get
	Delete
	Invoke  // service invocation of another app's method
	Actor   // a method call on an actor, hosted by a called app
	Publish // a message published to a topic of a pub/sub component
	Binding // an operation on an output binding (bindings.redis)
	// Deliver is a subscriber's sidecar delivering a message to its app:
	// not a step a scenario writes, the op of a delivery's events.
	Deliver
	// Trigger is a sidecar delivering an input binding's event to its app
	// (the op of those events' records).
	Trigger
)

var opNames = [...]string{"save", "get", "delete", "invoke", "actor", "publish", "binding", "deliver", "trigger"}

func (o OpKind) String() string { return opNames[o] }

// MarshalYAML writes the word, for the trace header.
func (o OpKind) MarshalYAML() (any, error) { return o.String(), nil }

// Step is one operation of an iteration.
type Step struct {
	Op      OpKind `yaml:"op"`
	Target  string `yaml:"target"` // a store, or the called app's id
	Method  string `yaml:"method,omitempty"`
	ActorID string `yaml:"actorID,omitempty"` // template, like key
	Key     string `yaml:"key"`
	Value   string `yaml:"value,omitempty"`
	// Topic, Data and ContentType are a publish step's: Target names the
	// pub/sub component, Data is a template like Value. A binding step
	// sends Data too, under Key, and names its Operation (Target is the
	// binding component).
	Topic       string         `yaml:"topic,omitempty"`
	Operation   string         `yaml:"operation,omitempty"`
	Data        string         `yaml:"data,omitempty"`
	ContentType string         `yaml:"contentType,omitempty"`
	Log         string         `yaml:"log,omitempty"`
	Latency     *time.Duration `yaml:"latency,omitempty"`
	Line        int            `yaml:"-"` // where the step is, for errors found later
}

// Store is a simulated state store.
type Store struct {
	Name    string        `yaml:"name"`
	Latency time.Duration `yaml:"latency"`
	Line    int           `yaml:"-"`
}

// MaxHorizon is the longest duration a scenario may run: a year of virtual
// time. The quickstart's loop needs about half a million events a virtual
// day, so a longer horizon (a typo such as 1000000h, or 200 years) could
// only end on the event budget after minutes of work; it is refused at once.
const MaxHorizon = 365 * 24 * time.Hour

// Defaults for fields a scenario may leave out.
const (
	DefaultOverhead     = time.Microsecond
	DefaultStoreLatency = time.Millisecond
	DefaultKey          = "{i}"
	DefaultValue        = `{"orderId":{i}}`
	// DefaultContentType is what an SDK's publish sends with JSON data;
	// Dapr's own default, without a Content-Type, is text/plain.
	DefaultContentType = "application/json"
)

// ResourcePaths returns the Dapr resources the scenario names, relative to
// the scenario file's folder (as `dapr run --resources-path` would be from
// where the scenario lives). A scenario read from standard input (file
// "-") has no folder: its paths are relative to the working directory
// (filepath.Dir("-") is "."). A path "-" is standard input.
// In a scenario read from an fs.FS (FS) they are slash-separated names in
// it.
func (sc *Scenario) ResourcePaths() []string {
	p := sc.ResourcesPath
	if p == "" {
		p = sc.Resiliency
	}
	switch {
	case p == "":
		return nil
	case sc.FS != nil:
		return []string{slashpath.Join(slashpath.Dir(sc.File), p)}
	}
	return []string{joinRel(filepath.Dir(sc.File), p)}
}

func joinRel(base, p string) string {
	if filepath.IsAbs(p) || p == input.Stdin {
		return p
	}
	return filepath.Join(base, p)
}
