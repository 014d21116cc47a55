package diag

import (
	"errors"
	"fmt"
	"testing"
)

func TestRendering(t *testing.T) {
	for _, tc := range []struct {
		got, want string
	}{
		{(&Error{File: "r.yaml", Line: 14, Field: "spec.policies.retries.slow.maxInterval", Msg: `want a duration such as "15s", got "15"`}).Error(),
			`r.yaml:14: spec.policies.retries.slow.maxInterval: want a duration such as "15s", got "15"`},
		{(&Error{File: "r.yaml", Msg: "cannot read"}).Error(), "r.yaml: cannot read"},
		{(&Error{Field: "--dapr", Msg: "unknown"}).Error(), "--dapr: unknown"},
		{Warnf("r.yaml", 3, 1, "spec.x", "ignored by Dapr").String(), "r.yaml:3: warning: spec.x: ignored by Dapr"},
	} {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestListSortsAndUnwraps(t *testing.T) {
	l := List{Errorf("b.yaml", 2, 0, "x", "two"), Errorf("a.yaml", 9, 0, "y", "nine"), Errorf("a.yaml", 3, 0, "z", "three")}
	err := fmt.Errorf("load: %w", l.Err())
	var got List
	if !errors.As(err, &got) {
		t.Fatalf("errors.As did not find the list in %v", err)
	}
	want := "a.yaml:3: z: three\na.yaml:9: y: nine\nb.yaml:2: x: two"
	if got.Error() != want {
		t.Errorf("got\n%s\nwant\n%s", got.Error(), want)
	}
	if (List{}).Err() != nil {
		t.Error("an empty list must be a nil error")
	}
}

func TestNearest(t *testing.T) {
	known := []string{"duration", "maxInterval", "maxRetries", "policy"}
	for in, want := range map[string]string{
		"durration":   "duration",
		"MaxRetries":  "maxRetries",
		"maxretry":    "",
		"polcy":       "policy",
		"somethingxx": "",
	} {
		if got := Nearest(in, known); got != want {
			t.Errorf("Nearest(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSuggest(t *testing.T) {
	if got, want := Suggest("durration", []string{"duration", "policy"}), ` (did you mean "duration"?)`; got != want {
		t.Errorf("Suggest = %q, want %q", got, want)
	}
	if got := Suggest("somethingxx", []string{"duration"}); got != "" {
		t.Errorf("Suggest far from every candidate = %q, want none", got)
	}
	if got, want := SuggestKey("slwo", map[string]int{"slow": 1, "fast": 2}), ` (did you mean "slow"?)`; got != want {
		t.Errorf("SuggestKey = %q, want %q", got, want)
	}
	if got := DidYouMean(""); got != "" {
		t.Errorf(`DidYouMean("") = %q, want none`, got)
	}
}

func TestIn(t *testing.T) {
	de := Errorf("a.yaml", 3, 0, "spec", "bad")
	if got := In("b.yaml", fmt.Errorf("wrapped: %w", de)); got != de {
		t.Errorf("In(a wrapped *Error) = %v, want the *Error itself", got)
	}
	if got, want := In("b.yaml", errors.New("broken")).Error(), "b.yaml: broken"; got != want {
		t.Errorf("In(plain error) = %q, want %q", got, want)
	}
}
