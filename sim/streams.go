package sim

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/alicebob/miniredis/v2/server"
	"github.com/dapr-sim/sim/traces"
)

// redisConn runs Redis commands on a miniredis in process, through its own
// command table: each command is the real one (XREADGROUP's pending-list
// bookkeeping, XCLAIM's idle rule, MAXLEN trimming), with no socket. The
// direct Go API miniredis offers has no consumer groups, and a loopback
// connection costs tens of microseconds a command.
type redisConn struct {
	mr   *miniredis.Miniredis
	srv  *server.Server
	out  bytes.Buffer
	peer *server.Peer

	// Every entry a run adds to a stream goes through xadd here: added
	// counts them per stream, and drained holds, per group and stream,
	// the count when the group's last XREADGROUP ">" read all there was.
	// While the two agree Redis has nothing new for the group, and
	// xreadgroup answers so without asking: half of a pub/sub run's
	// reads (each delivery's end polls again) cost a binary search of
	// the stream in miniredis, parsing entry IDs, for that answer.
	added   map[string]uint64
	drained map[groupStream]uint64
}

type groupStream struct{ group, stream string }

// epoch is the wall-clock instant virtual time 0 stands for in Redis: stream
// entry IDs and idle times are milliseconds of it, the same on every run.
var epoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

func newRedisConn() (*redisConn, error) {
	mr := miniredis.NewMiniRedis()
	mr.SetTime(epoch)
	return connTo(mr)
}

// connTo runs commands on mr.
func connTo(mr *miniredis.Miniredis) (*redisConn, error) {
	// Dial starts miniredis's server without a listener; the connection it
	// returns is not used.
	c, err := mr.Dial()
	if err != nil {
		return nil, err
	}
	c.Close()
	rc := &redisConn{mr: mr, srv: mr.Server(), added: map[string]uint64{}, drained: map[groupStream]uint64{}}
	rc.peer = server.NewPeer(bufio.NewWriter(&rc.out))
	return rc, nil
}

// at sets Redis's clock to virtual time now: new stream IDs, the pending
// list's delivery times and idle times follow the scenario's clock.
func (c *redisConn) at(now time.Duration) { c.mr.SetTime(epoch.Add(now)) }

// do runs one command and returns its reply (parseReply): a string, an
// int, nil, []any, or an error for a Redis error reply.
func (c *redisConn) do(args ...string) (any, error) {
	reply, err := c.raw(args)
	if err != nil {
		return nil, err
	}
	return decodeReply(args[0], reply)
}

// decodeReply reads command's reply (parseReply): a Redis error reply
// as the error.
func decodeReply(command, reply string) (any, error) {
	v, rest, err := parseReply(reply)
	if err == nil && rest != "" {
		err = errTrailing
	}
	if err != nil {
		return nil, fmt.Errorf("redis %s: %w", command, err)
	}
	if e, ok := v.(error); ok {
		return nil, e
	}
	return v, nil
}

// raw runs one command and returns its reply's RESP text.
func (c *redisConn) raw(args []string) (string, error) {
	c.out.Reset()
	c.srv.Dispatch(c.peer, args)
	c.peer.Flush()
	if c.out.Len() == 0 {
		return "", fmt.Errorf("redis %s: no reply", args[0])
	}
	return c.out.String(), nil
}

var (
	errReply    = errors.New("malformed reply")
	errTrailing = errors.New("more than one reply")
)

// parseReply reads the RESP2 reply at the start of b and returns it with
// what follows it: the values proto.Parse gives (a string, an int, an
// error for an error reply, []any), but nil for a null bulk string or
// array. proto.Parse copies each nested element through a bufio.Reader of
// its own, 4 KB apiece, which made an XREADGROUP reply cost some 50 KB;
// here the strings are slices of b.
func parseReply(b string) (v any, rest string, err error) {
	line, rest, ok := strings.Cut(b, "\r\n")
	if !ok || line == "" {
		return nil, "", errReply
	}
	switch line[0] {
	case '+':
		return line[1:], rest, nil
	case '-':
		return errors.New(line[1:]), rest, nil
	case ':':
		n, err := strconv.Atoi(line[1:])
		return n, rest, err
	case '$':
		n, err := strconv.Atoi(line[1:])
		switch {
		case err != nil:
			return nil, "", err
		case n < 0:
			return nil, rest, nil
		case len(rest) < n+2 || rest[n:n+2] != "\r\n":
			return nil, "", errReply
		}
		return rest[:n], rest[n+2:], nil
	case '*':
		n, err := strconv.Atoi(line[1:])
		if err != nil {
			return nil, "", err
		}
		if n < 0 {
			return nil, rest, nil
		}
		out := make([]any, n)
		for i := range out {
			if out[i], rest, err = parseReply(rest); err != nil {
				return nil, "", err
			}
		}
		return out, rest, nil
	}
	return nil, "", errReply
}

func (c *redisConn) close() { c.mr.Close() }

// streamMsg is one stream entry as the consumer reads it: the fields
// pubsub.redis writes (XADD data <event> [metadata <json>]), the last of a
// repeated one. Others are dropped; a map per entry cost more than the
// rest of reading it.
type streamMsg struct {
	ID       string
	Data     string
	Metadata string
}

// pendingMsg is one entry of a consumer group's pending list.
type pendingMsg struct {
	ID         string
	Consumer   string
	Idle       time.Duration
	Deliveries int
}

// xadd appends fields to stream, trimmed to about maxLen entries when
// maxLen > 0 (XADD MAXLEN ~), and returns the new entry's ID.
func (c *redisConn) xadd(stream string, maxLen int64, fields ...string) (string, error) {
	args := []string{"XADD", stream}
	if maxLen > 0 {
		args = append(args, "MAXLEN", "~", strconv.FormatInt(maxLen, 10))
	}
	args = append(append(args, "*"), fields...)
	v, err := c.do(args...)
	if err != nil {
		return "", err
	}
	c.added[stream]++
	id, _ := v.(string)
	return id, nil
}

// xgroupCreate creates group on stream (and the stream), reading from the
// start; a group that exists already is not an error.
func (c *redisConn) xgroupCreate(stream, group string) error {
	_, err := c.do("XGROUP", "CREATE", stream, group, "0", "MKSTREAM")
	if err != nil && err.Error() == "BUSYGROUP Consumer Group name already exists" {
		return nil
	}
	return err
}

// xreadgroup reads up to count entries never delivered to group, as
// consumer, adding them to the group's pending list.
func (c *redisConn) xreadgroup(group, consumer, stream string, count int) ([]streamMsg, error) {
	gs := groupStream{group, stream}
	added := c.added[stream]
	if n, ok := c.drained[gs]; ok && n == added {
		return nil, nil // XREADGROUP's own answer: a nil reply
	}
	msgs, err := c.xreadgroupAsked(group, consumer, stream, count)
	if err == nil && (count <= 0 || len(msgs) < count) {
		c.drained[gs] = added
	}
	return msgs, err
}

// xreadgroupAsked is xreadgroup asking Redis.
func (c *redisConn) xreadgroupAsked(group, consumer, stream string, count int) ([]streamMsg, error) {
	args := []string{"XREADGROUP", "GROUP", group, consumer}
	if count > 0 {
		// COUNT 0 is no COUNT: contrib's queueDepth 0 reads everything.
		args = append(args, "COUNT", strconv.Itoa(count))
	}
	args = append(args, "STREAMS", stream, ">")
	reply, err := c.raw(args)
	if err != nil {
		return nil, err
	}
	if msgs, ok := readEntries(reply); ok {
		return msgs, nil
	}
	v, err := decodeReply(args[0], reply)
	if err != nil || v == nil {
		return nil, err
	}
	streams, _ := v.([]any)
	var out []streamMsg
	for _, s := range streams {
		pair, _ := s.([]any)
		if len(pair) != 2 {
			continue
		}
		entries, _ := pair[1].([]any)
		out = appendEntries(out, entries)
	}
	return out, nil
}

// readEntries reads an XREADGROUP reply of one stream (or a null reply)
// straight into stream entries, as parseReply and appendEntries would
// read it; ok is false for any other reply, left to them. The []any of
// the general reader cost a dozen allocations a message.
func readEntries(reply string) (out []streamMsg, ok bool) {
	r := respReader{s: reply}
	n, ok := r.array()
	switch {
	case !ok:
		return nil, false
	case n < 0:
		return nil, r.s == ""
	case n != 1:
		return nil, false
	}
	if n, ok := r.array(); !ok || n != 2 {
		return nil, false
	}
	if _, ok := r.bulk(); !ok {
		return nil, false
	}
	entries, ok := r.array()
	if !ok || entries < 0 {
		return nil, false
	}
	if entries > 0 {
		out = make([]streamMsg, 0, entries)
	}
	for range entries {
		if n, ok := r.array(); !ok || n != 2 {
			return nil, false
		}
		m := streamMsg{}
		if m.ID, ok = r.bulk(); !ok {
			return nil, false
		}
		kv, ok := r.array()
		if !ok || kv < 0 {
			return nil, false
		}
		for i := 0; i < kv; i++ {
			k, ok := r.bulk()
			if !ok {
				return nil, false
			}
			if i++; i == kv {
				break // an odd field out, as appendEntries drops it
			}
			v, ok := r.bulk()
			if !ok {
				return nil, false
			}
			switch k {
			case "data":
				m.Data = v
			case "metadata":
				m.Metadata = v
			}
		}
		out = append(out, m)
	}
	return out, r.s == ""
}

// respReader reads RESP2 replies' arrays and bulk strings from the front
// of s.
type respReader struct{ s string }

// array reads an array's header: its length, -1 for a null array.
func (r *respReader) array() (int, bool) { return r.header('*') }

// bulk reads a bulk string (not a null one).
func (r *respReader) bulk() (string, bool) {
	n, ok := r.header('$')
	if !ok || n < 0 || len(r.s) < n+2 || r.s[n:n+2] != "\r\n" {
		return "", false
	}
	v := r.s[:n]
	r.s = r.s[n+2:]
	return v, true
}

func (r *respReader) header(kind byte) (int, bool) {
	line, rest, ok := strings.Cut(r.s, "\r\n")
	if !ok || line == "" || line[0] != kind {
		return 0, false
	}
	n, err := strconv.Atoi(line[1:])
	if err != nil {
		return 0, false
	}
	r.s = rest
	return n, true
}

// xack removes id from group's pending list.
func (c *redisConn) xack(stream, group, id string) error {
	_, err := c.do("XACK", stream, group, id)
	return err
}

// xpending lists up to count entries of group's pending list, oldest first.
func (c *redisConn) xpending(stream, group string, count int) ([]pendingMsg, error) {
	v, err := c.do("XPENDING", stream, group, "-", "+", strconv.Itoa(count))
	if err != nil {
		return nil, err
	}
	rows, _ := v.([]any)
	out := make([]pendingMsg, 0, len(rows))
	for _, r := range rows {
		f, _ := r.([]any)
		if len(f) != 4 {
			continue
		}
		id, _ := f[0].(string)
		consumer, _ := f[1].(string)
		idle, _ := f[2].(int)
		n, _ := f[3].(int)
		out = append(out, pendingMsg{ID: id, Consumer: consumer, Idle: time.Duration(idle) * time.Millisecond, Deliveries: n})
	}
	return out, nil
}

// xclaim gives the pending entries ids to consumer and returns those that
// still exist in the stream. miniredis (v2.40) ignores minIdle, which Redis
// checks again at the claim: pubsub.redis claims only the IDs XPENDING
// showed idle for processingTimeout, so with one consumer per group the two
// agree; callers filter the same way.
func (c *redisConn) xclaim(stream, group, consumer string, minIdle time.Duration, ids []string) ([]streamMsg, error) {
	args := append([]string{"XCLAIM", stream, group, consumer, strconv.FormatInt(minIdle.Milliseconds(), 10)}, ids...)
	v, err := c.do(args...)
	if err != nil {
		return nil, err
	}
	entries, _ := v.([]any)
	return appendEntries(nil, entries), nil
}

// xlen is the number of entries in stream.
func (c *redisConn) xlen(stream string) (int, error) {
	v, err := c.do("XLEN", stream)
	if err != nil {
		return 0, err
	}
	n, _ := v.(int)
	return n, nil
}

// appendEntries appends the stream entries of a reply (XREADGROUP's per
// stream, XCLAIM's) to out.
func appendEntries(out []streamMsg, entries []any) []streamMsg {
	out = slices.Grow(out, len(entries))
	for _, e := range entries {
		pair, _ := e.([]any)
		if len(pair) != 2 {
			continue
		}
		id, _ := pair[0].(string)
		kv, _ := pair[1].([]any)
		m := streamMsg{ID: id}
		for i := 0; i+1 < len(kv); i += 2 {
			v, _ := kv[i+1].(string)
			switch k, _ := kv[i].(string); k {
			case "data":
				m.Data = v
			case "metadata":
				m.Metadata = v
			}
		}
		out = append(out, m)
	}
	return out
}

// groups lists stream's consumer groups and their pending counts, by name.
func (c *redisConn) groups(stream string) ([]traces.GroupData, error) {
	v, err := c.do("XINFO", "GROUPS", stream)
	if err != nil {
		return nil, err
	}
	rows, _ := v.([]any)
	var out []traces.GroupData
	for _, r := range rows {
		kv, _ := r.([]any)
		var g traces.GroupData
		for i := 0; i+1 < len(kv); i += 2 {
			switch k, _ := kv[i].(string); k {
			case "name":
				g.Name, _ = kv[i+1].(string)
			case "pending":
				g.Pending, _ = kv[i+1].(int)
			}
		}
		out = append(out, g)
	}
	// miniredis lists them in map order.
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}
