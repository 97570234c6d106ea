//go:build unix

package regfile

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestOpenRefusesSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	regular := filepath.Join(dir, "data.csv")
	if err := os.WriteFile(regular, []byte("1,a\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.csv")
	if err := os.Symlink(regular, link); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, path, want string
	}{
		{"a directory", dir, "a directory, not a regular file"},
		{"a missing file", filepath.Join(dir, "nosuch"), "no such file or directory"},
	}
	{
		fifo := filepath.Join(dir, "fifo")
		if err := syscall.Mkfifo(fifo, 0o644); err != nil {
			t.Fatal(err)
		}
		cases = append(cases,
			struct{ name, path, want string }{"a FIFO", fifo, "a named pipe (FIFO), not a regular file"},
			struct{ name, path, want string }{"/dev/zero", "/dev/zero", "a character device, not a regular file"},
			struct{ name, path, want string }{"/dev/null", "/dev/null", "a character device, not a regular file"},
		)
		fifoLink := filepath.Join(dir, "fifo-link")
		if err := os.Symlink(fifo, fifoLink); err != nil {
			t.Fatal(err)
		}
		cases = append(cases, struct{ name, path, want string }{"a link to a FIFO", fifoLink, "fifo-link: a named pipe (FIFO)"})
	}
	for _, c := range cases {
		done := make(chan error, 1)
		go func() {
			f, err := Open(c.path)
			if err == nil {
				f.Close()
			}
			done <- err
		}()
		select {
		case err := <-done:
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), c.path) {
				t.Errorf("%s: Open(%s) = %v, want an error naming it and saying %q", c.name, c.path, err, c.want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: Open(%s) hangs", c.name, c.path)
		}
	}
	for _, p := range []string{regular, link} {
		b, err := ReadFile(p, 100)
		if err != nil || string(b) != "1,a\n" {
			t.Errorf("ReadFile(%s) = %q, %v; want its content", p, b, err)
		}
	}
}
