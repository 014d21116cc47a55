package retry

import (
	"fmt"
	"math"
	"time"
)

// Kind is the backoff family of a policy.
type Kind uint8

const (
	Constant Kind = iota
	Exponential
)

func (k Kind) String() string {
	if k == Exponential {
		return "exponential"
	}
	return "constant"
}

// Policy is a resolved retry policy: every field holds the value Dapr would
// run with (its defaults filled in, fields that Dapr's YAML cannot set at the
// kit defaults unless a scenario override changed them).
type Policy struct {
	Name string
	Kind Kind

	Duration time.Duration // constant: the delay between attempts (default 5s)

	// Exponential (cenkalti/backoff v4 as configured by dapr/kit). Dapr
	// keeps RandomizationFactor and Multiplier as float32 (kit's
	// retry.Config) and widens them to float64 for backoff, so a value such
	// as 0.3 must be stored here as float64(float32(0.3)) to reproduce
	// Dapr's delays to the nanosecond; the kit defaults 0.5 and 1.5 are
	// exact either way.
	InitialInterval     time.Duration // default 500ms; not settable from Dapr YAML
	RandomizationFactor float64       // default 0.5; not settable
	Multiplier          float64       // default 1.5; not settable
	MaxInterval         time.Duration // default 60s; caps the interval before jitter
	MaxElapsedTime      time.Duration // default 15m; 0 = no cap; not settable

	// MaxRetries: N retries allow N+1 attempts; negative = unlimited.
	MaxRetries int64

	// Matching (1.15+) limits which status codes are retried; nil retries
	// every code. Read by the runner, not by the machine.
	Matching *Matching
}

// Default returns dapr/kit's retry defaults (kit retry.DefaultConfig).
func Default(name string) Policy {
	return Policy{
		Name:                name,
		Kind:                Constant,
		Duration:            5 * time.Second,
		InitialInterval:     500 * time.Millisecond,
		RandomizationFactor: 0.5,
		Multiplier:          1.5,
		MaxInterval:         60 * time.Second,
		MaxElapsedTime:      15 * time.Minute,
		MaxRetries:          -1,
	}
}

// CheckMultiplier is the one rule for a Multiplier, whether it comes from a
// scenario's overrides or from --set: at least 1 (a smaller factor would
// shrink the delay), and within a float32, which is how dapr/kit keeps it (a
// larger value would become +Inf there). got is the value as written, for
// the message.
func CheckMultiplier(v float64, got string) error {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return fmt.Errorf("want a finite number, got %q", got)
	case v < 1:
		return fmt.Errorf("want a value of 1 or more, got %s", got)
	case v > math.MaxFloat32:
		return fmt.Errorf("want a value of 1 or more and at most %g (dapr/kit keeps it as a float32), got %s", float32(math.MaxFloat32), got)
	}
	return nil
}

// CheckRandomizationFactor is the one rule for a RandomizationFactor,
// whether it comes from a scenario's overrides or from --set: from 0 to 1, so
// that a jittered delay is never negative. got is the value as written.
func CheckRandomizationFactor(v float64, got string) error {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return fmt.Errorf("want a finite number, got %q", got)
	case v < 0 || v > 1:
		return fmt.Errorf("want a value from 0 to 1, got %s", got)
	}
	return nil
}
