package atomicfile

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestWriteReplaces(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f.txt")
	for _, want := range []string{"first", "second, longer", ""} {
		if err := WriteFile(path, []byte(want)); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want {
			t.Errorf("content %q, want %q", got, want)
		}
	}
	assertOnly(t, filepath.Dir(path), "f.txt")
}

// failingFile wraps a real temporary file and fails one operation.
type failingFile struct {
	*os.File
	writeAfter int // fail writes once this many bytes went through; <0 never
	failSync   bool
	written    int
}

func (f *failingFile) Write(p []byte) (int, error) {
	if f.writeAfter >= 0 && f.written+len(p) > f.writeAfter {
		n := f.writeAfter - f.written
		f.File.Write(p[:n])
		f.written += n
		return n, syscall.ENOSPC
	}
	f.written += len(p)
	return f.File.Write(p)
}

func (f *failingFile) WriteString(s string) (int, error) { return f.Write([]byte(s)) }

func (f *failingFile) Sync() error {
	if f.failSync {
		return syscall.EIO
	}
	return f.File.Sync()
}

func TestFailuresKeepOldFile(t *testing.T) {
	big := strings.Repeat("x", 1<<20)
	cases := []struct {
		name    string
		create  func(dir, pattern string) (file, error)
		fn      func(io.Writer) error
		wantErr string
	}{
		{"disk full", func(dir, p string) (file, error) {
			f, err := os.CreateTemp(dir, p)
			return &failingFile{File: f, writeAfter: 1000}, err
		}, nil, "no space left"},
		{"sync fails", func(dir, p string) (file, error) {
			f, err := os.CreateTemp(dir, p)
			return &failingFile{File: f, writeAfter: -1, failSync: true}, err
		}, nil, "input/output error"},
		{"read-only directory", func(dir, p string) (file, error) {
			return nil, &os.PathError{Op: "open", Path: filepath.Join(dir, p), Err: syscall.EROFS}
		}, nil, "read-only file system"},
		{"writer fails", nil, func(io.Writer) error { return errors.New("encoder broke") }, "encoder broke"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "model.bin")
			if err := WriteFile(path, []byte("old good content")); err != nil {
				t.Fatal(err)
			}
			if c.create != nil {
				old := createTemp
				createTemp = c.create
				defer func() { createTemp = old }()
			}
			fn := c.fn
			if fn == nil {
				fn = func(w io.Writer) error { _, err := io.WriteString(w, big); return err }
			}
			err := Write(path, fn)
			if err == nil || !strings.Contains(err.Error(), c.wantErr) || !strings.Contains(err.Error(), path) {
				t.Fatalf("error %v, want one naming %s and saying %q", err, path, c.wantErr)
			}
			if strings.Contains(err.Error(), ".tmp-") {
				t.Errorf("error %q names the temporary file", err)
			}
			got, _ := os.ReadFile(path)
			if string(got) != "old good content" {
				t.Errorf("old file now holds %d bytes %.20q", len(got), got)
			}
			assertOnly(t, dir, "model.bin")
		})
	}
}

func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if strings.Join(got, ",") != strings.Join(names, ",") {
		t.Errorf("directory holds %v, want %v", got, names)
	}
}

// TestDirectoryInPlace: a directory where the file goes is refused by
// name before anything is written, and left as it was.
func TestDirectoryInPlace(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "model.safetensors")
	if err := os.Mkdir(p, 0o755); err != nil {
		t.Fatal(err)
	}
	err := WriteFile(p, []byte("x"))
	if err == nil || err.Error() != "write "+p+": a directory is in its place; remove it or move it away" {
		t.Errorf("WriteFile over a directory: %v", err)
	}
	if st, err := os.Stat(p); err != nil || !st.IsDir() {
		t.Errorf("the directory is gone: %v", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1 {
		t.Errorf("left behind: %v", ents)
	}
}
