//go:build !(js && wasm)

package input

import "syscall"

// openNonblock is the flag that makes opening a named pipe with no writer
// return at once instead of blocking (openRegular).
const openNonblock = syscall.O_NONBLOCK
