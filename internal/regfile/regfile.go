// Package regfile opens files that must be regular files: a data set, a
// run's config.json or summary.json, a model, a checkpoint, an input to
// classify.
//
// Opening a named pipe (FIFO) blocks until something writes to it, a
// device such as /dev/zero never ends, and a directory in place of a
// file gives an error that names neither. [Open] looks first (a stat,
// which follows symbolic links) and refuses anything but a regular file
// with an error naming the path and what it is; on Unix it then opens
// without blocking and checks the opened file again, so a FIFO put in
// place between the two steps is refused too.
package regfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// A NotRegularError is a path that is something other than a regular
// file.
type NotRegularError struct {
	Path string
	Mode fs.FileMode
}

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s: %s, not a regular file", e.Path, Kind(e.Mode))
}

// Kind names the type of file a mode describes: "a directory", "a named
// pipe (FIFO)", "a character device" ...
func Kind(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return "a regular file"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "a special file"
}

// Check stats path (following symbolic links) and returns its FileInfo if
// it is a regular file, or an error naming it: a *NotRegularError, or the
// stat's own *fs.PathError.
func Check(path string) (fs.FileInfo, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, &NotRegularError{Path: path, Mode: st.Mode()}
	}
	return st, nil
}

// Open opens path for reading if it is a regular file; see the package
// comment.
func Open(path string) (*os.File, error) {
	if _, err := Check(path); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err == nil && !st.Mode().IsRegular() {
		err = &NotRegularError{Path: path, Mode: st.Mode()}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// A TooLargeError is a file larger than the limit its reader allows.
type TooLargeError struct {
	Path  string
	Size  int64 // -1 if only known to be over the limit
	Limit int64
}

func (e *TooLargeError) Error() string {
	if e.Size < 0 {
		return fmt.Sprintf("%s: larger than %s, the limit for this file", e.Path, Bytes(e.Limit))
	}
	return fmt.Sprintf("%s: %s, more than %s, the limit for this file", e.Path, Bytes(e.Size), Bytes(e.Limit))
}

// ReadFile reads a regular file of at most limit bytes whole.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, err := Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > limit {
		return nil, &TooLargeError{Path: path, Size: st.Size(), Limit: limit}
	}
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit { // it grew since the stat
		return nil, &TooLargeError{Path: path, Size: -1, Limit: limit}
	}
	return b, nil
}

// IsNotRegular reports whether err is, or wraps, a *NotRegularError.
func IsNotRegular(err error) bool {
	var nr *NotRegularError
	return errors.As(err, &nr)
}

// Bytes formats a size for messages: "512 bytes", "64 MB", "1.5 GB"
// (powers of 1024).
func Bytes(n int64) string {
	const k = 1024
	switch {
	case n < k:
		return fmt.Sprintf("%d bytes", n)
	case n < k*k:
		return trimZero(float64(n)/k) + " KB"
	case n < k*k*k:
		return trimZero(float64(n)/(k*k)) + " MB"
	}
	return trimZero(float64(n)/(k*k*k)) + " GB"
}

func trimZero(v float64) string {
	s := fmt.Sprintf("%.1f", v)
	if len(s) > 2 && s[len(s)-2:] == ".0" {
		s = s[:len(s)-2]
	}
	return s
}
