// Package retry is Dapr's retry policy as a pure state machine: constant and
// exponential backoff (the cenkalti/backoff v4 formulas dapr/kit configures),
// maxRetries, permanent errors, and when Dapr logs its retry notice and its
// "Recovered" line. Jitter arrives inside events; the machine never draws.
package retry
