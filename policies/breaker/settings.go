package breaker

import "time"

// Counts are the five numbers gobreaker keeps per generation; a trip
// expression sees them as requests, totalSuccesses, totalFailures,
// consecutiveSuccesses and consecutiveFailures.
type Counts struct {
	Requests             uint32
	TotalSuccesses       uint32
	TotalFailures        uint32
	ConsecutiveSuccesses uint32
	ConsecutiveFailures  uint32
}

// Settings configure one breaker instance, with gobreaker's defaults applied
// by Resolve (MaxRequests 0 → 1, Timeout ≤ 0 → 60s, Interval ≤ 0 → never
// clear counts while closed, nil ReadyToTrip → ConsecutiveFailures > 5).
type Settings struct {
	Name        string // the name Dapr logs, e.g. simpleCB-statestore
	MaxRequests uint32
	Interval    time.Duration
	Timeout     time.Duration
	// ReadyToTrip decides, after a failure while closed, whether to open. It
	// must be a pure function of the counts (the CEL trip expression is).
	ReadyToTrip func(Counts) bool
	// TripText describes ReadyToTrip for diagrams and explanations.
	TripText string
}

// Resolve returns s with gobreaker v0.5.0's defaults filled in.
func (s Settings) Resolve() Settings {
	if s.MaxRequests == 0 {
		s.MaxRequests = 1
	}
	if s.Interval < 0 {
		s.Interval = 0
	}
	if s.Timeout <= 0 {
		s.Timeout = 60 * time.Second
	}
	if s.ReadyToTrip == nil {
		s.ReadyToTrip = DefaultReadyToTrip
		if s.TripText == "" {
			s.TripText = "consecutiveFailures > 5"
		}
	}
	return s
}

// resolved reports whether Resolve would return s unchanged, so Step can use
// the caller's settings (an engine resolves them once per instance) without
// a copy per event.
func (s *Settings) resolved() bool {
	return s.MaxRequests != 0 && s.Interval >= 0 && s.Timeout > 0 && s.ReadyToTrip != nil
}

// DefaultReadyToTrip is gobreaker's default: open on the 6th consecutive failure.
func DefaultReadyToTrip(c Counts) bool { return c.ConsecutiveFailures > 5 }
