// Package escape makes text from input files safe to print on a terminal.
//
// Names in Resiliency, Component and scenario files (apps, stores, policies,
// breakers, errors) and the paths that lead to them reach stdout and stderr
// through every command. A name holding ESC[2J would clear the user's screen
// and one holding a carriage return could overwrite a line of the log that a
// reviewer is reading, so every command prints them through this package:
// Name quotes a name %q-style, Text escapes the unprintable runes of a line in
// place. Text that is already safe comes back unchanged and unallocated, so
// the common case costs a scan.
//
// What is never escaped: the app's own `log:` text (the `== APP ==` lines
// print what the app wrote, as `dapr run` does) and sim's own colours.
//
// It imports no package of ours.
package escape
