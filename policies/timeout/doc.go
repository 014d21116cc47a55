// Package timeout is Dapr's per-attempt timeout policy as a pure state
// machine: each attempt (each retry, each breaker request) gets its own
// deadline; if it fires first the attempt fails at that instant with
// "context deadline exceeded" and the operation's late answer is dropped.
//
// Which of an answer and a deadline at the same instant comes first is the
// engine's business (scheduling order); the machine takes events in the
// order given. It performs no I/O, reads no clock and imports only fsm.
package timeout
