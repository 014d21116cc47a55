// Package input opens the files sim reads — scenarios, Dapr resources,
// traces, daprd logs — under two rules every reader shares: a file is a
// regular file (a device, a named pipe or a socket would block a read or
// never end it), and it is not larger than a sane limit (a scenario or a
// resource is a few kilobytes; a mistake is refused, not read into memory).
// ErrText is how a message quotes the cause of a failed read. The name "-"
// (Stdin) is standard input, read like a file.
//
// It sits at the very start of the flow, before any parse. It imports no
// package of ours.
package input
