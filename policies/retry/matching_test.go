package retry

import "testing"

func TestParseCodesAndNeedRetry(t *testing.T) {
	http, err := ParseCodes("500-502,404,,", HTTPCodes)
	if err != nil {
		t.Fatal(err)
	}
	grpc, err := ParseCodes("14", GRPCCodes)
	if err != nil {
		t.Fatal(err)
	}
	m := &Matching{HTTPStatusCodes: http, GRPCStatusCodes: grpc}
	for code, want := range map[int32]bool{500: true, 502: true, 503: false, 404: true, 400: false, 14: true, 2: false, 600: false} {
		if got := m.NeedRetry(code); got != want {
			t.Errorf("NeedRetry(%d) = %v, want %v", code, got, want)
		}
	}
	// No matching at all: every valid code is retried, an invalid one not.
	var none *Matching
	for code, want := range map[int32]bool{503: true, 2: true, 600: false} {
		if got := none.NeedRetry(code); got != want {
			t.Errorf("nil NeedRetry(%d) = %v, want %v", code, got, want)
		}
	}
	for _, bad := range []string{"5xx", "500-", "1-2-3", "99", "600", "502-500"} {
		if _, err := ParseCodes(bad, HTTPCodes); err == nil {
			t.Errorf("ParseCodes(%q) accepted", bad)
		}
	}
	if got, err := ParseCodes("", HTTPCodes); got != nil || err != nil {
		t.Errorf("empty list: got %v, %v; want nil (every code)", got, err)
	}
}
