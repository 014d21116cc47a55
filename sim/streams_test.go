package sim

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2/proto"
	"github.com/google/go-cmp/cmp"
)

// The stream commands the pub/sub component issues run on miniredis's own
// command table: a consumer group reads each entry once, an unacknowledged
// one stays pending and grows idle on the virtual clock, and XCLAIM hands it
// out again, counting the delivery.
func TestRedisStreamsConsumerGroup(t *testing.T) {
	c, err := newRedisConn()
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	if _, err := c.xreadgroup("app", "app", "orders", 10); err == nil || !strings.HasPrefix(err.Error(), "NOGROUP") {
		t.Fatalf("read before the group exists: want NOGROUP, got %v", err)
	}
	if err := c.xgroupCreate("orders", "app"); err != nil {
		t.Fatal(err)
	}
	if err := c.xgroupCreate("orders", "app"); err != nil {
		t.Fatalf("a second create is not an error: %v", err)
	}
	var ids []string
	for i, d := range []time.Duration{time.Second, time.Second, 2 * time.Second} {
		c.at(d)
		id, err := c.xadd("orders", 0, "data", strings.Repeat("x", i+1))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if want := []string{"946684801000-0", "946684801000-1", "946684802000-0"}; !cmp.Equal(ids, want) {
		t.Fatalf("IDs follow the virtual clock: got %v, want %v", ids, want)
	}
	got, err := c.xreadgroup("app", "app", "orders", 2)
	if err != nil {
		t.Fatal(err)
	}
	want := []streamMsg{{ID: ids[0], Data: "x"}, {ID: ids[1], Data: "xx"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("first read (-want +got):\n%s", d)
	}
	if err := c.xack("orders", "app", ids[0]); err != nil {
		t.Fatal(err)
	}
	c.at(62 * time.Second)
	pend, err := c.xpending("orders", "app", 100)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]pendingMsg{{ID: ids[1], Consumer: "app", Idle: 60 * time.Second, Deliveries: 1}}, pend); d != "" {
		t.Fatalf("pending (-want +got):\n%s", d)
	}
	got, err = c.xclaim("orders", "app", "app", 60*time.Second, []string{ids[1]})
	if err != nil || len(got) != 1 || got[0].ID != ids[1] {
		t.Fatalf("claim: %v, %v", got, err)
	}
	pend, _ = c.xpending("orders", "app", 100)
	if len(pend) != 1 || pend[0].Idle != 0 || pend[0].Deliveries != 2 {
		t.Fatalf("a claim restarts the idle time and counts a delivery: %+v", pend)
	}
	if got, _ := c.xreadgroup("app", "app", "orders", 10); len(got) != 1 || got[0].ID != ids[2] {
		t.Fatalf("the next read gets only the undelivered entry: %v", got)
	}
}

func TestRedisStreamsMaxLen(t *testing.T) {
	c, err := newRedisConn()
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	for i := 0; i < 50; i++ {
		if _, err := c.xadd("orders", 10, "data", "x"); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := c.xlen("orders"); err != nil || n > 50 || n < 10 {
		t.Fatalf("XADD MAXLEN ~ 10 of 50 entries: len %d, %v", n, err)
	}
}

// parseReply reads what miniredis answers the stream commands as
// proto.Parse does, null replies aside (nil here, "$-1\r\n" or an empty
// []any there: no caller tells them from an empty answer).
func TestParseReplyMatchesProto(t *testing.T) {
	c, err := newRedisConn()
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	cmds := [][]string{
		{"XREADGROUP", "GROUP", "g", "c", "STREAMS", "orders", ">"},
		{"XGROUP", "CREATE", "orders", "g", "0", "MKSTREAM"},
		{"XGROUP", "CREATE", "orders", "g", "0", "MKSTREAM"},
		{"XADD", "orders", "*", "data", `{"id":"a\r\nb"}`, "metadata", "{}"},
		{"XADD", "orders", "MAXLEN", "~", "10", "*", "data", ""},
		{"XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "orders", ">"},
		{"XREADGROUP", "GROUP", "g", "c", "STREAMS", "orders", ">"},
		{"XREADGROUP", "GROUP", "g", "c", "STREAMS", "orders", ">"},
		{"XPENDING", "orders", "g", "-", "+", "10"},
		{"XCLAIM", "orders", "g", "c", "0", "946684800000-0", "0-1"},
		{"XACK", "orders", "g", "946684800000-0"},
		{"XLEN", "orders"},
		{"XINFO", "GROUPS", "orders"},
		{"GET", "missing"},
	}
	for _, cmd := range cmds {
		c.out.Reset()
		c.srv.Dispatch(c.peer, cmd)
		c.peer.Flush()
		raw := c.out.String()
		got, rest, err := parseReply(raw)
		if err != nil || rest != "" {
			t.Fatalf("%v: %q: %v, %q left", cmd, raw, err, rest)
		}
		want, err := proto.Parse(raw)
		if err != nil {
			t.Fatalf("%v: proto.Parse %q: %v", cmd, raw, err)
		}
		if d := cmp.Diff(normalReply(want), normalReply(got)); d != "" {
			t.Errorf("%v: %q (-proto +parseReply):\n%s", cmd, raw, d)
		}
	}
	for _, bad := range []string{"", "$5\r\nab\r\n", "*2\r\n:1\r\n", "?x\r\n", ":x\r\n"} {
		if _, _, err := parseReply(bad); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
}

// normalReply maps the null replies of both parsers to nil, empty arrays
// to nil, and errors to their text.
func normalReply(v any) any {
	switch v := v.(type) {
	case string:
		if v == "$-1\r\n" {
			return nil
		}
	case error:
		return "error: " + v.Error()
	case []any:
		if len(v) == 0 {
			return nil
		}
		out := make([]any, len(v))
		for i := range v {
			out[i] = normalReply(v[i])
		}
		return out
	}
	return v
}

// xreadgroup answers "nothing new" without asking only when Redis would
// answer so: over random XADDs (trimmed or not), reads of several groups
// with and without COUNT, acknowledgements and claims, every read the
// shortcut would answer is asked of miniredis too and must come back
// empty; a test that never took the shortcut would prove nothing.
func TestReadShortcutAgreesWithRedis(t *testing.T) {
	c, err := newRedisConn()
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	r := rand.New(rand.NewPCG(1, 2))
	streams, groups := []string{"orders", "payments"}, []string{"a", "b"}
	for _, s := range streams {
		for _, g := range groups {
			if err := c.xgroupCreate(s, g); err != nil {
				t.Fatal(err)
			}
		}
	}
	var read []streamMsg
	shortcuts := 0
	for i := 0; i < 5000; i++ {
		c.at(time.Duration(i) * time.Millisecond)
		s, g := streams[r.IntN(2)], groups[r.IntN(2)]
		switch r.IntN(4) {
		case 0:
			if _, err := c.xadd(s, int64(r.IntN(3)*5), "data", "x"); err != nil {
				t.Fatal(err)
			}
		case 1, 2:
			count := r.IntN(3)
			if n, ok := c.drained[groupStream{g, s}]; ok && n == c.added[s] {
				shortcuts++
				got, err := c.xreadgroupAsked(g, g, s, count)
				if err != nil || len(got) != 0 {
					t.Fatalf("op %d: the shortcut answers nothing for %s on %s; Redis gives %v, %v", i, g, s, got, err)
				}
				continue
			}
			got, err := c.xreadgroup(g, g, s, count)
			if err != nil {
				t.Fatal(err)
			}
			read = append(read, got...)
		case 3:
			if len(read) > 0 {
				m := read[r.IntN(len(read))]
				if r.IntN(2) == 0 {
					c.xack(s, g, m.ID)
				} else {
					c.xclaim(s, g, g, 0, []string{m.ID})
				}
			}
		}
	}
	if shortcuts < 100 {
		t.Fatalf("the shortcut was taken %d times in 5000 operations", shortcuts)
	}
}

// readEntries reads an XREADGROUP reply as parseReply and appendEntries
// do, and takes every reply miniredis gives the consumer's reads.
func TestReadEntriesMatchesParseReply(t *testing.T) {
	c, err := newRedisConn()
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	generic := func(reply string) []streamMsg {
		v, err := decodeReply("XREADGROUP", reply)
		if err != nil || v == nil {
			return nil
		}
		var out []streamMsg
		for _, s := range v.([]any) {
			if pair, _ := s.([]any); len(pair) == 2 {
				entries, _ := pair[1].([]any)
				out = appendEntries(out, entries)
			}
		}
		return out
	}
	read := []string{"XREADGROUP", "GROUP", "g", "c", "COUNT", "3", "STREAMS", "orders", ">"}
	var replies []string
	run := func(args ...string) string {
		reply, err := c.raw(args)
		if err != nil {
			t.Fatal(err)
		}
		return reply
	}
	run("XGROUP", "CREATE", "orders", "g", "0", "MKSTREAM")
	replies = append(replies, run(read...))
	run("XADD", "orders", "*", "data", `{"id":"a\r\nb"}`, "metadata", `{"k":"v"}`)
	run("XADD", "orders", "*", "data", "", "other", "x", "data", "last wins")
	run("XADD", "orders", "*", "only", "other")
	run("XADD", "orders", "*", "data", "4")
	replies = append(replies, run(read...), run(read...), run(read...))
	for _, reply := range replies {
		got, ok := readEntries(reply)
		if !ok {
			t.Errorf("readEntries does not take miniredis's reply %q", reply)
		}
		if want := generic(reply); !cmp.Equal(got, want) {
			t.Errorf("readEntries(%q) = %+v; parseReply and appendEntries give %+v", reply, got, want)
		}
	}
	// Replies it leaves to the general reader, or reads the same way.
	for _, reply := range []string{
		"-NOGROUP No such key\r\n", "*2\r\n*2\r\n$1\r\na\r\n*0\r\n*2\r\n$1\r\nb\r\n*0\r\n",
		"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*3\r\n$4\r\ndata\r\n$1\r\nx\r\n$1\r\ny\r\n",
		"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$4\r\ndata\r\n:5\r\n",
		"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*-1\r\n", "*-1\r\n", "*-1\r\nextra", "*1\r\n*2\r\n$1\r\ns\r\n*0\r\n",
		"*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$9\r\n1-1\r\n",
	} {
		if got, ok := readEntries(reply); ok && !cmp.Equal(got, generic(reply)) {
			t.Errorf("readEntries(%q) = %+v; parseReply and appendEntries give %+v", reply, got, generic(reply))
		}
	}
}

// issuesXadd matches a command line that starts with XADD: the argument
// lists redisConn.do and raw take. (A command's name in a table, such as
// the client's, is not a command.)
var issuesXadd = regexp.MustCompile(`(?i)(do\(|raw\(|\[\]string\{)\s*"XADD"`)

// The XREADGROUP shortcut counts the entries xadd adds: an XADD issued
// anywhere else would add entries it never hears of, and it would answer
// "nothing new" over them. Only streams.go may name the command.
func TestOnlyXaddAddsEntries(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") || f == "streams.go" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if issuesXadd.Match(b) {
			t.Errorf("%s issues XADD itself: stream entries must go through redisConn.xadd, which the read shortcut counts", f)
		}
	}
}
