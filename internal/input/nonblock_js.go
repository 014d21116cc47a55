//go:build js && wasm

package input

// openNonblock is 0 where the platform has no O_NONBLOCK (the
// browser playground, where there are no named pipes to block on).
const openNonblock = 0
