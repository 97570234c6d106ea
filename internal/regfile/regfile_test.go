package regfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestReadFileLimit(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big.json")
	if err := os.WriteFile(p, make([]byte, 2048), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(p, 2048); err != nil {
		t.Errorf("ReadFile at the limit: %v", err)
	}
	_, err := ReadFile(p, 1024)
	var tl *TooLargeError
	if !errors.As(err, &tl) || err.Error() != p+": 2 KB, more than 1 KB, the limit for this file" {
		t.Errorf("ReadFile over the limit: %v", err)
	}
}

func TestKindAndBytes(t *testing.T) {
	kinds := map[fs.FileMode]string{
		0:                                 "a regular file",
		fs.ModeDir:                        "a directory",
		fs.ModeNamedPipe:                  "a named pipe (FIFO)",
		fs.ModeDevice | fs.ModeCharDevice: "a character device",
		fs.ModeDevice:                     "a block device",
		fs.ModeSocket:                     "a socket",
		fs.ModeIrregular:                  "a special file",
	}
	for m, want := range kinds {
		if got := Kind(m); got != want {
			t.Errorf("Kind(%v) = %q, want %q", m, got, want)
		}
	}
	sizes := map[int64]string{0: "0 bytes", 1023: "1023 bytes", 1024: "1 KB", 1536: "1.5 KB", 64 << 20: "64 MB", 1 << 30: "1 GB"}
	for n, want := range sizes {
		if got := Bytes(n); got != want {
			t.Errorf("Bytes(%d) = %q, want %q", n, got, want)
		}
	}
}
