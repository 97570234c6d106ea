//go:build !unix

package regfile

// openFlags: outside Unix there is no FIFO to open without blocking.
const openFlags = 0
