package cifar10

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/mlptui/mlptui/internal/regfile"
)

// Limits on what [Extract] accepts. A real batch file is 30,730,000 bytes
// and the official archive has 9 entries.
const (
	MaxEntrySize = 200 << 20 // bytes in one entry
	MaxEntries   = 1000      // entries in the archive, directories included
	maxTotalSize = 1 << 30   // bytes in all entries together
)

// limits bound an extraction; tests shrink them.
type limits struct {
	entrySize, totalSize int64
	entries              int
	noSync               bool // skip fsync (fuzzing only)
}

var defaultLimits = limits{entrySize: MaxEntrySize, totalSize: maxTotalSize, entries: MaxEntries}

// Extract unpacks the gzip-compressed tar archive at archive into
// dataDir/cifar-10-batches-bin. Entries outside cifar-10-batches-bin/ are
// checked but not written. Everything is written to a temporary directory
// in dataDir that is renamed into place only when the archive has been read
// to its end and every batch file is present; on failure the temporary
// directory is removed. It is an error if dataDir/cifar-10-batches-bin
// already exists.
//
// Only regular files and directories are accepted; an absolute path, a ".."
// component, a backslash, a link or device, an entry larger than
// [MaxEntrySize] or more than [MaxEntries] entries make Extract fail with
// an error naming the archive and the entry.
func Extract(ctx context.Context, archive, dataDir string) error {
	f, err := regfile.Open(archive)
	if err != nil {
		return fmt.Errorf("cifar10: %w", err)
	}
	defer f.Close()
	return extract(ctx, f, archive, dataDir, defaultLimits)
}

func extract(ctx context.Context, r io.Reader, archive, dataDir string, lim limits) (err error) {
	final := filepath.Join(dataDir, DirName)
	if _, err := os.Lstat(final); err == nil {
		return fmt.Errorf("cifar10: extract %s: %s already exists", archive, final)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cifar10: %w", err)
	}
	tmp, err := os.MkdirTemp(dataDir, ".cifar-10-extract-*")
	if err != nil {
		return fmt.Errorf("cifar10: %w", err)
	}
	defer func() {
		if rerr := os.RemoveAll(tmp); rerr != nil && err == nil {
			err = fmt.Errorf("cifar10: %w", rerr)
		}
	}()
	zr, err := gzip.NewReader(r)
	if err != nil {
		return fmt.Errorf("cifar10: %s: not a gzip archive: %v", archive, err)
	}
	last, err := unpack(ctx, tar.NewReader(zr), archive, tmp, lim)
	if err != nil {
		return err
	}
	// Read the gzip stream to its end so its checksum is verified.
	if _, err := io.Copy(io.Discard, io.LimitReader(zr, 1<<20)); err != nil {
		return fmt.Errorf("cifar10: %s: after the last entry %q: %v", archive, last, err)
	}
	return install(archive, filepath.Join(tmp, DirName), final, dataDir, lim)
}

// unpack writes the archive's entries under cifar-10-batches-bin/ into
// tmp, within the limits, and returns the last entry's name.
func unpack(ctx context.Context, tr *tar.Reader, archive, tmp string, lim limits) (last string, err error) {
	entries := 0
	var total int64
	for {
		if err := ctx.Err(); err != nil {
			return last, fmt.Errorf("cifar10: extract %s: %w", archive, err)
		}
		hdr, err := tr.Next()
		if err == io.EOF {
			return last, nil
		}
		if err != nil {
			if last == "" {
				return last, fmt.Errorf("cifar10: %s: first entry: %v", archive, err)
			}
			return last, fmt.Errorf("cifar10: %s: entry after %q: %v", archive, last, err)
		}
		last = hdr.Name
		if entries++; entries > lim.entries {
			return last, entryErr(archive, hdr, "more than %d entries", lim.entries)
		}
		if hdr.Typeflag == tar.TypeXGlobalHeader {
			continue // pax metadata for the whole archive, not a file
		}
		if err := unpackEntry(tr, hdr, archive, tmp, lim, &total); err != nil {
			return last, err
		}
	}
}

// entryErr is the error of an archive's entry.
func entryErr(archive string, hdr *tar.Header, format string, args ...any) error {
	return fmt.Errorf("cifar10: %s: entry %q: %s", archive, hdr.Name, fmt.Sprintf(format, args...))
}

// unpackEntry checks one entry and writes it under tmp if it is in
// cifar-10-batches-bin/; total counts the regular files' bytes.
func unpackEntry(tr *tar.Reader, hdr *tar.Header, archive, tmp string, lim limits, total *int64) error {
	bad := func(format string, args ...any) error { return entryErr(archive, hdr, format, args...) }
	name, err := entryPath(hdr.Name)
	if err != nil {
		return bad("%v", err)
	}
	switch hdr.Typeflag {
	case tar.TypeDir:
	case tar.TypeReg:
		if hdr.Size < 0 || hdr.Size > lim.entrySize {
			return bad("%d bytes, more than the limit of %d", hdr.Size, lim.entrySize)
		}
		if *total += hdr.Size; *total > lim.totalSize {
			return bad("archive holds more than %d bytes", lim.totalSize)
		}
	default:
		return bad("%s not allowed (only regular files and directories)", typeName(hdr.Typeflag))
	}
	// Only cifar-10-batches-bin/... is written.
	if name != DirName && !strings.HasPrefix(name, DirName+"/") {
		return nil
	}
	dst := filepath.Join(tmp, filepath.FromSlash(name))
	if hdr.Typeflag == tar.TypeDir {
		if err := os.MkdirAll(dst, 0o755); err != nil {
			return bad("%v", err)
		}
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return bad("%v", err)
	}
	if err := writeEntry(dst, tr, hdr.Size, !lim.noSync); err != nil {
		return bad("%v", err)
	}
	return nil
}

// install checks that src holds every batch file and moves it to final.
func install(archive, src, final, dataDir string, lim limits) error {
	for _, f := range append(append([]string(nil), TrainFiles...), TestFile) {
		fi, err := os.Lstat(filepath.Join(src, f))
		if err != nil || !fi.Mode().IsRegular() {
			return fmt.Errorf("cifar10: %s: no entry %s/%s", archive, DirName, f)
		}
	}
	if !lim.noSync {
		if err := syncDir(src); err != nil {
			return err
		}
	}
	if err := os.Rename(src, final); err != nil {
		if fi, serr := os.Stat(final); serr == nil && fi.IsDir() {
			return nil // another process unpacked it meanwhile
		}
		return fmt.Errorf("cifar10: extract %s: %w", archive, err)
	}
	if lim.noSync {
		return nil
	}
	return syncDir(dataDir)
}

// writeEntry writes size bytes from r to a new file at dst and syncs it
// if asked to.
func writeEntry(dst string, r io.Reader, size int64, sync bool) error {
	f, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return errors.New("duplicate entry")
		}
		return err
	}
	n, err := io.Copy(f, io.LimitReader(r, size))
	if err == nil && n != size {
		err = fmt.Errorf("truncated: %d of %d bytes", n, size)
	}
	if err == nil && sync {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// entryPath checks an archive entry's name and returns it cleaned, with
// forward slashes.
func entryPath(name string) (string, error) {
	switch {
	case name == "":
		return "", errors.New("empty name")
	case strings.ContainsAny(name, "\\\x00"):
		return "", errors.New("backslash or NUL in name")
	case strings.HasPrefix(name, "/"):
		return "", errors.New("absolute path")
	}
	for _, part := range strings.Split(name, "/") {
		if part == ".." {
			return "", errors.New(`".." in path`)
		}
	}
	return path.Clean(name), nil
}

func typeName(t byte) string {
	switch t {
	case tar.TypeSymlink:
		return "symbolic link"
	case tar.TypeLink:
		return "hard link"
	case tar.TypeChar:
		return "character device"
	case tar.TypeBlock:
		return "block device"
	case tar.TypeFifo:
		return "named pipe"
	}
	return fmt.Sprintf("entry type %q", t)
}
