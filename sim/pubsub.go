package sim

import (
	"encoding/hex"
	"hash/fnv"
	"math/rand/v2"
)

// Pub/sub on pubsub.redis: a publish step's XADD (this file); delivery to
// subscribers is deliver.go's, a gRPC subscriber's answers grpcapp.go's.

// publishErr is how pubsub.redis words a failed XADD
// (components-contrib pubsub/redis/redis.go:117): every failure the answer
// of a publish's attempt carries, the client's or a fault window's.
func publishErr(err string) string {
	if err == "" {
		return ""
	}
	return "redis streams: error from publish: " + err
}

// publish performs a publish step's command on its component's Redis, now:
// Dapr's CloudEvent around the step's data, appended to the topic's stream
// (XADD <topic> [MAXLEN ~ n] * data <event> [metadata {}]). It returns the
// error text the try ends with ("" for success).
//
// forward, when set, is a delivery whose message goes to a dead-letter
// topic: its stored CloudEvent is appended as it is, with the metadata the
// subscription added (sendToDeadLetter, subscription.go:275-290).
func (e *Engine) publish(appID string, st *Step, iteration, workerIndex int, refs *stepRefs, forward *delivery) string {
	s := refs.store
	if s.mr == nil {
		return ""
	}
	rc, err := s.streams()
	if err != nil {
		return err.Error()
	}
	now := e.q.Now()
	rc.at(now)
	var fields []string
	if forward != nil {
		fields = []string{"data", forward.raw}
		if e.setup.Profile.PublishMetadata {
			fields = append(fields, "metadata", `{"pubsubName":"`+st.Target+`"}`)
		}
	} else {
		r := e.eventRandOf(appID)
		id := newUUID(r)
		p := publication{id: id, source: appID, topic: st.Topic, pubsub: st.Target, contentType: st.ContentType,
			traceparent: traceparent(r), data: []byte(expand(st.Data, iteration, workerIndex)), at: now}
		fields = []string{"data", string(cloudEvent(p))}
		if e.setup.Profile.PublishMetadata {
			// The HTTP publish API always passes a map, so the field is
			// there even when empty; Go's map order puts the two fields
			// either way, sim always this way.
			fields = append(fields, "metadata", "{}")
		}
	}
	if _, err := rc.xadd(st.Topic, refs.maxLen, fields...); err != nil {
		return err.Error()
	}
	e.published(st.Target, st.Topic)
	return ""
}

// eventRandOf is the source of a sidecar's CloudEvent ids and trace ids
// (uuid.New and the tracer draw from the system's randomness): seeded from
// the scenario's seed and the app id, apart from every other draw.
func (e *Engine) eventRandOf(appID string) *rand.Rand {
	if r, ok := e.eventRand[appID]; ok {
		return r
	}
	h := fnv.New64a()
	h.Write([]byte(appID))
	r := rand.New(rand.NewPCG(uint64(e.setup.Seed), h.Sum64()))
	e.eventRand[appID] = r
	return r
}

// traceparent draws a W3C traceparent, sampled: what Dapr puts in an
// event's traceid and traceparent when the publishing request is traced.
func traceparent(r *rand.Rand) string {
	var b [24]byte
	randomBytes(r, b[:])
	return "00-" + hex.EncodeToString(b[:16]) + "-" + hex.EncodeToString(b[16:]) + "-01"
}
