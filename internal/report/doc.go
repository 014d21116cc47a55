// Package report is the envelope of sim's machine-readable output (`--format
// json` on check, lint, diff and replay): the format version every document
// starts with, the one encoding (two-space indent, keys in the order of the
// struct that holds them, terminal-safe) and the one way a duration is
// written (seconds as an exact decimal, as sim sweep writes them).
//
// The shapes themselves live beside the data they encode (expect, policies,
// traces); this package only makes them alike. It imports no package of
// ours.
package report
