// Messages: one pub/sub message followed through its deliveries at one
// subscriber, from the deliver and redeliver events alone. Metrics and the
// expect package both ask this fold whether a delivery was the message's
// first or a duplicate, so the two never count differently.

package traces

import (
	"strconv"
	"strings"
	"time"
)

// StreamEpoch is the Unix millisecond that virtual time 0 stands for in the
// pub/sub streams: a stream entry id's milliseconds are virtual time since
// it. sim's streams set Redis's clock from the same instant (2000-01-01,
// sim/streams.go `epoch`; a test there holds the two equal), so an entry id
// says when its XADD ran without the publish event naming it.
const StreamEpoch = 946684800000

// PublishedAt is when the XADD of stream entry id ran, as virtual time
// since the run started, to Redis's millisecond; false when id is not an
// entry id of this run's clock.
func PublishedAt(id string) (time.Duration, bool) {
	ms, _, ok := strings.Cut(id, "-")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(ms, 10, 64)
	if err != nil || n < StreamEpoch {
		return 0, false
	}
	return time.Duration(n-StreamEpoch) * time.Millisecond, true
}

// MessageKey names one message at one subscriber: the subscriber's app id
// (its sidecar and consumer group), the pub/sub component, the topic and
// the stream entry id.
type MessageKey struct {
	App, Pubsub, Topic, Message string
}

// MessageOf is the message a deliver or redeliver event is about.
func MessageOf(e *Event) MessageKey {
	return MessageKey{App: e.App, Pubsub: e.Target, Topic: e.Topic, Message: e.Message}
}

// Taken reports whether a deliver event is one the subscriber's handler
// took: result ack, or ackfailed (the app took it; only the XACK failed,
// so it comes back and a second take is a duplicate).
func Taken(e *Event) bool {
	return e.Kind == Deliver && (e.Result == ResultAck || e.Result == ResultAckFailed)
}

// Settles reports whether a deliver event's result removes the message
// from the pending list for good (acknowledged); pending and ackfailed
// leave it there for the reclaim loop.
func Settles(result string) bool {
	return result != ResultPending && result != ResultAckFailed
}

// Fate is what one deliver event was for its message at its subscriber.
type Fate uint8

const (
	// NotTaken: the handler did not take the message this time.
	NotTaken Fate = iota
	// FirstTaken: the first time the handler took the message.
	FirstTaken
	// DuplicateTaken: the handler had taken the message before.
	DuplicateTaken
)

// messageState is one message at one subscriber while it can still be
// delivered.
type messageState struct {
	// started counts its deliveries begun: the first read, which records
	// no event, and one per redeliver event; ended counts deliver events.
	started, ended int
	taken          bool
	settled        bool
}

// Messages folds deliver and redeliver events, in run order, into each
// message's story at each subscriber. It forgets a message once it is
// acknowledged and no delivery of it is still under way (after the XACK
// nothing claims it again), so its memory follows the messages in flight
// or pending, not the run's length.
type Messages struct {
	open map[MessageKey]*messageState
}

// NewMessages returns an empty fold.
func NewMessages() *Messages { return &Messages{open: map[MessageKey]*messageState{}} }

// Add folds one event in and says, for a deliver event, whether the
// handler took the message for the first time or again. Other kinds are
// NotTaken and change nothing.
func (m *Messages) Add(e *Event) Fate {
	if e.Kind != Deliver && e.Kind != Redeliver {
		return NotTaken
	}
	k := MessageOf(e)
	s := m.open[k]
	if s == nil {
		s = &messageState{started: 1}
		m.open[k] = s
	}
	if e.Kind == Redeliver {
		s.started++
		s.settled = false
		return NotTaken
	}
	s.ended++
	fate := NotTaken
	if Taken(e) {
		fate = FirstTaken
		if s.taken {
			fate = DuplicateTaken
		}
		s.taken = true
	}
	// A later delivery's result is what the pending list holds now: a
	// duplicate acknowledged after an ackfailed one settles it.
	s.settled = Settles(e.Result)
	if s.settled && s.ended >= s.started {
		delete(m.open, k)
	}
	return fate
}

// Pending is how many messages were left unacknowledged by their last
// delivery that ended: in the pending list, waiting for the reclaim loop.
func (m *Messages) Pending() int {
	n := 0
	for _, s := range m.open {
		if !s.settled {
			n++
		}
	}
	return n
}
