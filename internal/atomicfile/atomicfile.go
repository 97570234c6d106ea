// Package atomicfile writes files so that readers see either the old
// content or the new, never a mix: the data goes to a temporary file in the
// same directory, is synced to disk, and is renamed over the target. A
// failure at any point (a full disk, a read-only directory, a crash) leaves
// the previous file as it was.
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/mlptui/mlptui/internal/regfile"
)

// createTemp makes the temporary file; tests replace it to inject failures.
var createTemp = func(dir, pattern string) (file, error) { return os.CreateTemp(dir, pattern) }

// file is the part of *os.File that Write uses.
type file interface {
	io.Writer
	Name() string
	Sync() error
	Close() error
	Chmod(os.FileMode) error
}

// Write creates or replaces path with what fn writes, atomically. The file
// gets mode 0644. If fn or any step fails, the error names path and the
// target is untouched. A directory, FIFO or device at path is refused
// before anything is written.
func Write(path string, fn func(w io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if st, err := os.Lstat(path); err == nil && !st.Mode().IsRegular() && st.Mode()&os.ModeSymlink == 0 {
		// Renaming over it would fail ("file exists") after all was written.
		return fmt.Errorf("write %s: %s is in its place; remove it or move it away", path, regfile.Kind(st.Mode()))
	}
	f, err := createTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, UnwrapPath(err))
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	bw := bufio.NewWriterSize(f, 1<<16)
	if err = fn(bw); err != nil {
		return fmt.Errorf("write %s: %w", path, UnwrapPath(err))
	}
	if err = bw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", path, UnwrapPath(err))
	}
	if err = f.Chmod(0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, UnwrapPath(err))
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, UnwrapPath(err))
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, UnwrapPath(err))
	}
	if err = os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, UnwrapPath(err))
	}
	SyncDir(dir)
	return nil
}

// WriteFile replaces path with data, atomically.
func WriteFile(path string, data []byte) error {
	return Write(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

// SyncDir makes a rename (or a link) in dir durable. Some systems cannot
// sync a directory; the rename itself has still happened, so that is not
// an error.
func SyncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// UnwrapPath drops the temporary file's name from an *os.PathError or an
// *os.LinkError so the message names the target rather than
// ".model.safetensors.tmp-123".
func UnwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
