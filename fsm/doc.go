// Package fsm is a small, generic, table-driven finite-state machine: a
// Table lists transitions as data (from, event, guard, to, notes), so the
// same table that decides a step can be rendered as a Mermaid or DOT
// diagram.
//
// A Table only decides *which* transition applies. Actions are not part of
// it: a machine's step function fires the table, then computes the next
// state value and its effects itself, which keeps machines pure. A pair
// (state, event) that no row accepts is rejected with a *RejectedError,
// never silently ignored; a pair that is ignored on purpose has a row whose
// Note says why.
//
// A machine on a hot path runs its table compiled: internal/fsmgen turns
// the rows, as their source writes them, into a switch with the guards
// inlined (go generate), Table.Reject words its rejections, and
// Table.Verify holds it to Pick for every state, event and guard outcome.
// The table stays the one source: Pick, Rows and the diagrams read it.
//
// fsm knows nothing of Dapr and imports no package of this module.
package fsm
