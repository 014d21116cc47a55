// Package archtest holds tests of the repository's structure: the import
// rules of DESIGN.md and the house rule that only clock/ and cmd/sim read the
// wall clock. It has no code of its own.
package archtest
