package traces

import (
	"bytes"
	"testing"
	"time"
)

// TestWhyText holds each Reason's words to what the engine wrote before it
// recorded facts (the goldens hold the rest): a trace written from either
// must be the same bytes.
func TestWhyText(t *testing.T) {
	ms := time.Millisecond
	for _, tc := range []struct {
		name string
		e    Event
		want string
	}{
		{"tripped", Event{T: 26 * time.Second, Kind: Breaker, Reason: Reason{Kind: BreakerTripped, Text: "consecutiveFailures > 5",
			Counts: TripCounts{Requests: 6, TotalFailures: 6, ConsecutiveFailures: 6}, Until: 31 * time.Second, Timeout: 5 * time.Second}},
			"trip `consecutiveFailures > 5` was true after this failure with requests=6 totalSuccesses=0 totalFailures=6 consecutiveSuccesses=0 consecutiveFailures=6; open until 31s (timeout 5s)"},
		{"half-opened", Event{T: 31*time.Second + ms, Kind: Breaker, Reason: Reason{Kind: BreakerHalfOpened, Until: 31 * time.Second, By: ByAdmission, MaxRequests: 1}},
			"the open period ended at 31s and the breaker was consulted at 31.001s, strictly after it (an attempt asking to be admitted); half-open admits maxRequests=1"},
		{"reopened", Event{Kind: Breaker, Reason: Reason{Kind: BreakerReopened, Until: 36 * time.Second, Timeout: 5 * time.Second}},
			"a request failed while half-open: open again until 36s (timeout 5s)"},
		{"closed", Event{Kind: Breaker, Reason: Reason{Kind: BreakerClosed, Counts: TripCounts{ConsecutiveSuccesses: 1}, MaxRequests: 1}},
			"consecutiveSuccesses=1 reached maxRequests=1 while half-open"},
		{"constant", Event{Kind: Retry, Attempt: 1, Delay: -2 * time.Second, Reason: Reason{Kind: ConstantBackoff, Retries: 1, MaxRetries: 2}},
			"attempt 1 failed: constant backoff -2s; retry 1 of maxRetries 2"},
		{"exponential", Event{Kind: Retry, Attempt: 2, Delay: 442700759, Reason: Reason{Kind: ExponentialBackoff, Interval: 750 * ms, Lo: 375 * ms, Hi: 1125 * ms,
			Factor: 0.5, U: 0.0902681, Retries: 2, MaxRetries: -1}},
			"attempt 2 failed: exponential backoff 442.700759ms drawn from [375ms, 1.125s] (interval 750ms ±50%, u=0.090268); retry 2 of unlimited (maxRetries -1)"},
		{"max retries", Event{Kind: Op, Reason: Reason{Kind: GaveUpMaxRetries, MaxRetries: 3, Attempts: 4}},
			"maxRetries 3 reached after 4 attempts"},
		{"max elapsed", Event{Kind: Op, Reason: Reason{Kind: GaveUpMaxElapsed, MaxElapsedTime: 10 * time.Second, Attempts: 4}},
			"the next delay would pass the elapsed-time cap (maxElapsedTime 10s) after 4 attempts"},
		{"refused", Event{Kind: Op, Reason: Reason{Kind: GaveUpRefused, Attempts: 1, Text: "circuit breaker is open"}},
			"the breaker refused attempt 1 (circuit breaker is open): Dapr makes a refusal permanent, so the retries end"},
		{"permanent", Event{Kind: Op, Reason: Reason{Kind: GaveUpPermanent, Attempts: 1}},
			"attempt 1 failed with an error this runner does not retry"},
		{"stop", Event{Kind: Op, Reason: Reason{Kind: GaveUpStop}},
			"the backoff returned Stop (a delay of -1ns)"},
		{"worded already", Event{Kind: Call, Why: "as read back"}, "as read back"},
		{"none", Event{Kind: Op}, ""},
	} {
		if got := tc.e.WhyText(); got != tc.want {
			t.Errorf("%s: got  %q\nwant %q", tc.name, got, tc.want)
		}
	}
}

// TestReasonReadBack: an event recorded with facts, written and read back,
// compares equal to itself as replay compares them (Recorded).
func TestReasonReadBack(t *testing.T) {
	e := Event{T: time.Second, Kind: Retry, App: "a", Step: 1, Target: "s", Op: "save", Attempt: 1, Delay: time.Second,
		Reason: Reason{Kind: ConstantBackoff, Retries: 1, MaxRetries: -1}}
	var buf bytes.Buffer
	tw, err := NewTraceWriter(&buf, Header{Format: FormatVersion, Name: "x", Dapr: "1.16"})
	if err != nil {
		t.Fatal(err)
	}
	if err := tw.Record(&e); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	tr, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Events) != 1 {
		t.Fatalf("read %d events, want 1", len(tr.Events))
	}
	if d := Compare(tr.Events, []Event{e}); d != nil {
		t.Errorf("the event read back differs:\n%s", d)
	}
}
