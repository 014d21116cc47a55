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
	mr      *miniredis.Miniredis // nil: a null store (Options.nullStore)
	keyBuf  []byte               // reused to build Redis keys
	lastKey string               // the last key built, as a string
	conn    *redisConn           // stream commands, made on first use
	read    string               // the data the last get read ("" for none)

	// db is mr's database 0, where state.redis keeps its keys (nothing
	// selects another), held for the operations of a run: miniredis's
	// Miniredis methods look it up each time, under its lock, before the
	// database's own methods lock again (4 % of a sweep point's CPU).
	db *miniredis.RedisDB
}

// streams returns the connection the component's stream commands run on.
func (s *StateStore) streams() (*redisConn, error) {
	if s.conn == nil {
		c, err := connTo(s.mr)
		if err != nil {
			return nil, err
		}
		s.conn = c
	}
	return s.conn, nil
}

func newStore(s Store, null bool) *StateStore {
	if null {
		return &StateStore{name: s.Name, latency: s.Latency, up: true}
	}
	mr := miniredis.NewMiniRedis()
	// A fixed wall clock: miniredis stamps every write with its time
	// (OBJECT IDLETIME), a time.Now call each, unless one is set. Nothing
	// here sets a TTL or reads those stamps, so no result depends on it.
	mr.SetTime(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC))
	return &StateStore{name: s.Name, latency: s.Latency, up: true, mr: mr, db: mr.DB(0)}
}

// do performs one step's command on a store that is up and answering, and
// returns the error text the attempt ends with ("" for success).
//
// The layout is the one Dapr's state.redis component writes: a hash under
// "<appID>||<key>" with fields data and version (version counts writes, as
// its Lua script does).
func (s *StateStore) do(appID string, st *Step, iteration, workerIndex int) string {
	s.read = ""
	if s.mr == nil {
		return ""
	}
	b := append(s.keyBuf[:0], appID...)
	b = append(b, "||"...)
	b = appendExpand(b, st.Key, iteration, workerIndex)
	s.keyBuf = b
	// A step often names the key the previous step named (save, then get
	// the same order): reuse that string rather than allocate again.
	if string(b) != s.lastKey {
		s.lastKey = string(b)
	}
	key := s.lastKey
	switch st.Op {
	case Save:
		// HSET data and HINCRBY version in one HSET: the version is read
		// first and written back plus one, as HINCRBY would.
		n := 0
		if v := s.db.HGet(key, "version"); v != "" {
			var err error
			if n, err = strconv.Atoi(v); err != nil {
				s.db.HSet(key, "data", expand(st.Value, iteration, workerIndex))
				return "WRONGTYPE " + miniredis.ErrIntValueError.Error()
			}
		}
		s.db.HSet(key, "data", expand(st.Value, iteration, workerIndex), "version", strconv.Itoa(n+1))
	case Get:
		// A missing key is not an error in Dapr's state API: the app gets
		// an empty answer.
		s.read = s.db.HGet(key, "data")
	case Delete:
		s.db.Del(key)
	}
	return ""
}

// holdsHash reports whether the step's key exists (as the hash state.redis
// writes): what a GET of it meets.
func (s *StateStore) holdsHash(appID string, st *Step, iteration, workerIndex int) bool {
	if s.mr == nil {
		return false
	}
	b := append(s.keyBuf[:0], appID...)
	b = append(b, "||"...)
	b = appendExpand(b, st.Key, iteration, workerIndex)
	s.keyBuf = b
	return s.db.Exists(string(b))
}

// Data returns the stored value of a state key written by appID, and whether
// it exists: what `HGET <appID>||<key> data` returns.
func (s *StateStore) Data(appID, key string) (string, bool) {
	k := appID + "||" + key
	if s.mr == nil || !s.mr.Exists(k) {
		return "", false
	}
	return s.mr.HGet(k, "data"), true
}

// Version returns the version field Dapr keeps beside the data.
func (s *StateStore) Version(appID, key string) int {
	if s.mr == nil {
		return 0
	}
	v, _ := strconv.Atoi(s.mr.HGet(appID+"||"+key, "version"))
	return v
}

// Keys lists the Redis keys in the store, sorted.
func (s *StateStore) Keys() []string {
	if s.mr == nil {
		return nil
	}
	return s.mr.Keys()
}

// Close releases the miniredis.
func (s *StateStore) Close() {
	if s.mr != nil {
		s.mr.Close()
	}
}
