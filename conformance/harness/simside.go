package harness

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/dapr-sim/sim/sim"
	"github.com/dapr-sim/sim/traces"
)

// RunSim plays the scenario through sim's engine with the given Dapr
// profile and overhead 0 (the pure model Dapr's code runs under synctest),
// and projects its events onto a Record.
func RunSim(file, profile string) (*Record, *sim.Setup, error) {
	sc, err := sim.LoadScenario(file)
	if err != nil {
		return nil, nil, err
	}
	setup, err := sim.Prepare(sc, sim.Overrides{Dapr: profile})
	if err != nil {
		return nil, nil, err
	}
	// Under synctest no time passes while goroutines compute: Dapr's code
	// runs the pure model, so sim must too.
	setup.Scenario.Overhead = 0
	for _, sub := range setup.Subscribers {
		if sub.Name != "" {
			return nil, nil, fmt.Errorf("subscription %q: the harness drives the app's own subscriptions only, not declarative ones", sub.Name)
		}
	}
	rec := &Record{Delays: map[CallID][]time.Duration{}}
	// Dapr's pkg/resiliency has no component client below its runners: the
	// harness's stores answer each attempt in one step, so sim runs without
	// the state.redis client too (DEVIATIONS.md, "Component client").
	s := &recorder{r: rec, sc: setup.Scenario}
	eng := sim.NewEngine(setup, s, sim.Options{NoClient: true})
	defer eng.Close()
	if err := eng.Run(); err != nil {
		return nil, nil, fmt.Errorf("sim: %w", err)
	}
	if s.redelivered > 0 {
		// The Dapr side runs each message's delivery once: a scenario must
		// end before pubsub.redis would reclaim anything.
		return nil, nil, fmt.Errorf("sim redelivered %d messages: the harness does not model redelivery; shorten the scenario", s.redelivered)
	}
	s.numberDeliveries()
	return rec, setup, nil
}

type recorder struct {
	r  *Record
	sc *sim.Scenario
	// A delivery's attempts and end, kept with their stream entry until
	// the run ends and the messages can be numbered.
	attempts    []deliveryEvent[Attempt]
	ends        []deliveryEvent[Delivery]
	redelivered int
}

// deliveryEvent is a delivery's attempt or end with the stream entry of
// its message ("<ms>-<seq>").
type deliveryEvent[T any] struct {
	pubsub, topic, entry string
	x                    T
}

func (s *recorder) Record(e *traces.Event) error {
	r := s.r
	switch {
	case e.Kind == traces.Call && e.Op == sim.Deliver.String():
		s.attempts = append(s.attempts, deliveryEvent[Attempt]{e.Target, e.Topic, e.Message,
			Attempt{T: e.T, App: e.App, Step: subIndex(s.sc, e.App, e.Target, e.Topic) + 1, Operation: deliveryOperation(e.Target), Attempt: e.Attempt, Outcome: e.Outcome.String()}})
		return nil
	case e.Kind == traces.Deliver:
		s.ends = append(s.ends, deliveryEvent[Delivery]{e.Target, e.Topic, e.Message,
			Delivery{T: e.T, App: e.App, Topic: e.Topic, Result: e.Result, Outcome: e.Outcome.String(), Attempts: e.Attempts}})
		return nil
	case e.Kind == traces.Redeliver:
		s.redelivered++
		return nil
	}
	switch e.Kind {
	case traces.Breaker:
		r.Breakers = append(r.Breakers, Transition{T: e.T, Name: e.Name, From: e.From, To: e.To})
	case traces.Retry:
		id := CallID{App: e.App, Worker: e.Worker, Iteration: e.Iteration, Step: e.Step}
		d := max(e.Delay, 0) // a negative delay waits 0, as backoff's timer does
		r.Delays[id] = append(r.Delays[id], d)
		if e.Notice {
			r.Notices = append(r.Notices, Notice{T: e.T, App: e.App, Operation: e.Operation, Delay: e.Delay})
		}
	case traces.Recovered:
		r.Recovered = append(r.Recovered, Recovery{T: e.T, App: e.App, Operation: e.Operation, Attempts: e.Attempts})
	case traces.Call:
		r.Attempts = append(r.Attempts, Attempt{T: e.T, App: e.App, Worker: e.Worker, Iteration: e.Iteration, Step: e.Step, Operation: e.Operation, Attempt: e.Attempt, Outcome: e.Outcome.String()})
	case traces.Op:
		r.Ops = append(r.Ops, Op{T: e.T, App: e.App, Worker: e.Worker, Iteration: e.Iteration, Step: e.Step, Outcome: e.Outcome.String(), Attempts: e.Attempts})
	}
	return nil
}

// numberDeliveries keys each delivery by its message's place in its
// topic's publish order, which stream entry ids give (milliseconds, then a
// sequence). A message counts when its delivery shows before the horizon;
// scenarios leave no earlier message's delivery without an event there.
func (s *recorder) numberDeliveries() {
	type topicOf struct{ app, pubsub, topic string }
	ids := map[topicOf][]string{}
	add := func(k topicOf, id string) {
		if !slices.Contains(ids[k], id) {
			ids[k] = append(ids[k], id)
		}
	}
	for _, a := range s.attempts {
		add(topicOf{a.x.App, a.pubsub, a.topic}, a.entry)
	}
	for _, d := range s.ends {
		add(topicOf{d.x.App, d.pubsub, d.topic}, d.entry)
	}
	for _, l := range ids {
		slices.SortFunc(l, compareEntries)
	}
	n := func(app, pubsub, topic, entry string) int {
		return slices.Index(ids[topicOf{app, pubsub, topic}], entry) + 1
	}
	for _, a := range s.attempts {
		a.x.Iteration = n(a.x.App, a.pubsub, a.topic, a.entry)
		s.r.Attempts = append(s.r.Attempts, a.x)
	}
	for _, d := range s.ends {
		d.x.N = n(d.x.App, d.pubsub, d.topic, d.entry)
		s.r.Deliveries = append(s.r.Deliveries, d.x)
	}
}

// compareEntries orders Redis stream entry ids, "<ms>-<seq>".
func compareEntries(a, b string) int {
	am, as, _ := strings.Cut(a, "-")
	bm, bs, _ := strings.Cut(b, "-")
	for _, p := range [][2]string{{am, bm}, {as, bs}} {
		x, _ := strconv.ParseUint(p[0], 10, 64)
		y, _ := strconv.ParseUint(p[1], 10, 64)
		if c := cmp.Compare(x, y); c != 0 {
			return c
		}
	}
	return 0
}

// subIndex is the place of app's subscription to topic of pubsub among
// the app's subscriptions (the Step both sides give a delivery).
func subIndex(sc *sim.Scenario, app, pubsub, topic string) int {
	for _, a := range sc.Apps {
		if a.ID != app {
			continue
		}
		for i, s := range a.Subscriptions {
			if s.Pubsub == pubsub && s.Topic == topic {
				return i
			}
		}
	}
	return -1
}
