// Package pidlock takes locks that are files holding their owner's process
// id, so that a lock whose owner has died (killed, the machine restarted)
// does not stay taken: the next taker finds the process gone and takes it
// over.
package pidlock

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// ErrHeld is returned, wrapped, when a live process holds the lock.
var ErrHeld = errors.New("held by another process")

// Acquire takes the lock at path: it creates the file, which must not
// exist, with this process's id in it. A file naming a process that is
// gone (or naming none) is stale: it is removed and the lock taken. The
// lock is released by calling release, which removes the file.
func Acquire(path string) (release func(), err error) {
	for range 3 {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			_, werr := fmt.Fprintf(f, "%d\n", os.Getpid())
			if cerr := f.Close(); werr == nil {
				werr = cerr
			}
			if werr != nil {
				os.Remove(path)
				return nil, werr
			}
			return func() { os.Remove(path) }, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, err
		}
		b, rerr := os.ReadFile(path)
		if errors.Is(rerr, os.ErrNotExist) {
			continue // released meanwhile: try again
		}
		if pid, perr := strconv.Atoi(strings.TrimSpace(string(b))); rerr == nil && perr == nil && Alive(pid) {
			return nil, fmt.Errorf("%s: %w (process %d)", path, ErrHeld, pid)
		}
		// Stale. Another taker may remove it at the same moment; then one
		// of the two creates it and the other finds it held.
		os.Remove(path)
	}
	return nil, fmt.Errorf("%s: %w (taken and released again and again)", path, ErrHeld)
}

// Alive reports whether a process with that id exists on this machine.
func Alive(pid int) bool {
	if pid <= 0 {
		return false
	}
	if pid == os.Getpid() {
		return true
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM)
}
