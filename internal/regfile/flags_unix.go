//go:build unix

package regfile

import "syscall"

// openFlags opens without blocking: a FIFO swapped in after the stat is
// then refused by the second check instead of hanging the open.
const openFlags = syscall.O_NONBLOCK
