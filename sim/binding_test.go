package sim

import "testing"

func TestBindingData(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{"orderId":1}`, `{"orderId":1}`},
		{`{ "b": 2, "a": [1, 2] }`, `{"a":[1,2],"b":2}`},
		{`42`, `42`},
		{`hello`, `"hello"`},
		{`a<b`, `"a\u003cb"`},
	} {
		if got := bindingData(c.in); got != c.want {
			t.Errorf("bindingData(%q) = %s, want %s", c.in, got, c.want)
		}
	}
}

func TestBind(t *testing.T) {
	s := newStore(Store{Name: "orders"}, false)
	defer s.Close()
	step := func(op, key, data string) *Step {
		return &Step{Op: Binding, Target: "orders", Operation: op, Key: key, Data: data}
	}
	if err := s.bind(step("get", "k{i}", ""), 1, 0, false); err != "" || s.read != "" {
		t.Fatalf("get of a missing key: err %q, read %q; want an empty answer", err, s.read)
	}
	if err := s.bind(step("get", "k{i}", ""), 1, 0, true); err != errRedisNil {
		t.Fatalf("get of a missing key on 1.10: err %q, want %q", err, errRedisNil)
	}
	if err := s.bind(step("create", "k{i}", `{"orderId":{i}}`), 1, 0, false); err != "" {
		t.Fatalf("create: %s", err)
	}
	if v, _ := s.mr.Get("k1"); v != `{"orderId":1}` {
		t.Fatalf("create stored %q", v)
	}
	if err := s.bind(step("get", "k{i}", ""), 1, 0, false); err != "" || s.read != `{"orderId":1}` {
		t.Fatalf("get: err %q, read %q", err, s.read)
	}
	if err := s.bind(step("increment", "k{i}", ""), 1, 0, false); err != "ERR value is not an integer or out of range" {
		t.Fatalf("increment of JSON: err %q", err)
	}
	if err := s.bind(step("increment", "n", ""), 1, 0, false); err != "" {
		t.Fatalf("increment: %s", err)
	}
	if v, _ := s.mr.Get("n"); v != "1" {
		t.Fatalf("increment stored %q", v)
	}
	if err := s.bind(step("delete", "k{i}", ""), 1, 0, false); err != "" || s.mr.Exists("k1") {
		t.Fatalf("delete: err %q, exists %v", err, s.mr.Exists("k1"))
	}
}
