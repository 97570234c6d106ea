//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package runlock

import "os"

// flock is not there: locks are judged by process ids and heartbeats.
func flock(*os.File) error { return errNoFlock }

// Alive reports whether a process with that id exists on this machine.
func Alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	if pid == os.Getpid() {
		return true
	}
	p, err := os.FindProcess(pid) // opens the process on Windows
	if err != nil {
		return false
	}
	p.Release()
	return true
}
