package sim

import (
	"encoding/json"
	"errors"

	"github.com/alicebob/miniredis/v2"
)

// Output bindings on bindings.redis: a binding step's command (this file).
// One step per attempt on the component's miniredis: the component's own
// go-redis client (its retries, backoff and timeouts) is not modelled for
// bindings.redis yet, so a try is the attempt.

// errRedisNil is go-redis's answer to a GET of a missing key.
const errRedisNil = "redis: nil"

// bind performs a binding step's command on its component's Redis, now, as
// contrib's bindings/redis Invoke does (contrib@v1.14.4
// bindings/redis/redis.go:91-137): create is SET <key> <data>, get is GET
// <key>, delete is DEL <key>, increment is INCR <key>. The key is the step's
// key as the request's metadata carries it, with no app id before it. It
// returns the error text the attempt ends with ("" for success) and keeps
// what a get read in s.read. getMissingFails: a get of a missing key fails
// with "redis: nil" (contrib 1.10) rather than answering empty.
func (s *StateStore) bind(st *Step, iteration, workerIndex int, getMissingFails bool) string {
	s.read = ""
	if s.mr == nil {
		return ""
	}
	key := expand(st.Key, iteration, workerIndex)
	switch st.Operation {
	case "create":
		if s.mr.Exists(key) && s.mr.Type(key) != "string" {
			s.mr.Del(key) // SET replaces a key of any type
		}
		if err := s.mr.Set(key, bindingData(expand(st.Data, iteration, workerIndex))); err != nil {
			return err.Error()
		}
	case "get":
		v, err := s.mr.Get(key)
		switch {
		case errors.Is(err, miniredis.ErrKeyNotFound) && getMissingFails:
			return errRedisNil
		case errors.Is(err, miniredis.ErrKeyNotFound):
			// An empty answer: the API's 204 with no body.
		case err != nil:
			return err.Error()
		}
		s.read = v
	case "delete":
		s.mr.Del(key)
	case "increment":
		if _, err := s.mr.Incr(key, 1); err != nil {
			return err.Error()
		}
	}
	return ""
}

// bindingData is the request's data as bindings.redis receives it from
// Dapr's HTTP binding API: the body's data field decoded as JSON and
// encoded again (dapr@v1.14.4 pkg/api/http/http.go:404-419), so JSON comes
// out compact with its object keys sorted; data that is not JSON is sent as
// a JSON string, as an app must put it in the request body.
func bindingData(data string) string {
	var v any
	if json.Unmarshal([]byte(data), &v) != nil {
		v = data
	}
	b, err := json.Marshal(v)
	if err != nil {
		// Only values decoded from JSON and strings reach here.
		panic("sim: marshal a binding's data: " + err.Error())
	}
	return string(b)
}
