package sim

import (
	"strconv"
	"time"

	"github.com/alicebob/miniredis/v2"
)

// StateStore is a state store backed by a real miniredis, used through its direct
// Go API (no socket: a loopback client costs ~40 µs an operation, the direct
// API well under 1 µs). Availability is scripted: while stopped, calls are
// refused like a stopped container's and the data stays, as with
// `docker stop` / `docker start`.
type StateStore struct {
	name    string
	latency time.Duration
	up      bool
	mr      *miniredis.Miniredis
}

func newStore(s Store) *StateStore {
	return &StateStore{name: s.Name, latency: s.Latency, up: true, mr: miniredis.NewMiniRedis()}
}

// do performs one step's command on a store that is up and answering, and
// returns the error text the attempt ends with ("" for success).
//
// The layout is the one Dapr's state.redis component writes: a hash under
// "<appID>||<key>" with fields data and version (version counts writes, as
// its Lua script does).
func (s *StateStore) do(appID string, st *Step, iteration, workerIndex int) string {
	key := appID + "||" + expand(st.Key, iteration, workerIndex)
	switch st.Op {
	case Save:
		s.mr.HSet(key, "data", expand(st.Value, iteration, workerIndex))
		if _, err := s.mr.HIncr(key, "version", 1); err != nil {
			return "WRONGTYPE " + err.Error()
		}
	case Get:
		// A missing key is not an error in Dapr's state API: the app gets
		// an empty answer.
		_ = s.mr.HGet(key, "data")
	case Delete:
		s.mr.Del(key)
	}
	return ""
}

// Data returns the stored value of a state key written by appID, and whether
// it exists: what `HGET <appID>||<key> data` returns.
func (s *StateStore) Data(appID, key string) (string, bool) {
	k := appID + "||" + key
	if !s.mr.Exists(k) {
		return "", false
	}
	return s.mr.HGet(k, "data"), true
}

// Version returns the version field Dapr keeps beside the data.
func (s *StateStore) Version(appID, key string) int {
	v, _ := strconv.Atoi(s.mr.HGet(appID+"||"+key, "version"))
	return v
}

// Keys lists the Redis keys in the store, sorted.
func (s *StateStore) Keys() []string { return s.mr.Keys() }

// Close releases the miniredis.
func (s *StateStore) Close() { s.mr.Close() }
