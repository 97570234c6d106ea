//go:build unix

package trainer

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestRunFilesThatAreNotFiles: a FIFO, a device or a directory in place of
// any file of a run is refused by name where the run is read (listing,
// resuming, evaluating), and nothing hangs; a run whose config.json is
// broken is listed as damaged, not as its summary says.
func TestRunFilesThatAreNotFiles(t *testing.T) {
	cfg := smallConfig(t)
	cfg.Epochs = 1
	_, sum := runToEnd(t)(Start(context.Background(), cfg))
	good := sum.Run
	copyRun := func(name string) string {
		dst := filepath.Join(cfg.RunsDir, name)
		os.MkdirAll(dst, 0o755)
		for _, f := range []string{ConfigFile, MetricsFile, EventsFile, ModelFile, CheckpointFile, SummaryFile} {
			b, err := os.ReadFile(filepath.Join(good, f))
			if err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(dst, f), b, 0o644)
		}
		return dst
	}
	special := map[string]func(p string) error{
		"a named pipe (FIFO)": func(p string) error { return syscall.Mkfifo(p, 0o644) },
		"a directory":         func(p string) error { return os.Mkdir(p, 0o755) },
		"a character device":  func(p string) error { return os.Symlink("/dev/zero", p) },
	}
	for kind, mk := range special {
		for _, f := range []string{ConfigFile, SummaryFile, MetricsFile, EventsFile, ModelFile, CheckpointFile} {
			dir := copyRun(strings.ReplaceAll(kind, " ", "_") + "-" + f)
			p := filepath.Join(dir, f)
			os.Remove(p)
			if err := mk(p); err != nil {
				t.Fatal(err)
			}
			want := p + ": " + kind + ", not a regular file"
			done := make(chan struct{})
			go func() {
				defer close(done)
				rec := ReadRun(dir)
				switch f {
				case ConfigFile, SummaryFile:
					if rec.Status != "damaged" || rec.Err == nil || !strings.Contains(rec.Err.Error(), want) {
						t.Errorf("%s as %s: listed %s, %v; want damaged, %q", f, kind, rec.Status, rec.Err, want)
					}
				case MetricsFile, EventsFile:
					if err := resumeErr(dir); err == nil || !strings.Contains(err.Error(), want) {
						t.Errorf("resume with %s as %s: %v, want %q", f, kind, err, want)
					}
				case ModelFile:
					if _, err := Evaluate(context.Background(), dir, "", nil); err == nil || !strings.Contains(err.Error(), want) {
						t.Errorf("eval with %s as %s: %v, want %q", f, kind, err, want)
					}
				case CheckpointFile:
					if err := resumeErr(dir); err == nil || !strings.Contains(err.Error(), want) {
						t.Errorf("resume with %s as %s: %v, want %q", f, kind, err, want)
					}
				}
			}()
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				t.Fatalf("%s as %s: hangs", f, kind)
			}
		}
	}
	broken := copyRun("broken-config")
	os.WriteFile(filepath.Join(broken, ConfigFile), []byte("{"), 0o644)
	if rec := ReadRun(broken); rec.Status != "damaged" || rec.Summary == nil {
		t.Errorf("a broken config.json beside a summary saying done: listed %q (summary %v), want damaged", rec.Status, rec.Summary != nil)
	}
	recs, err := ListRuns(cfg.RunsDir)
	if err != nil || len(recs) != 1+len(special)*6+1 {
		t.Errorf("ListRuns: %d runs, %v", len(recs), err)
	}
}

// resumeErr resumes the run in dir to 3 epochs and returns the error it
// fails with, at the start or at the end.
func resumeErr(dir string) error {
	r, err := Resume(context.Background(), dir, 3)
	if err != nil {
		return err
	}
	for range r.Events() {
	}
	_, err = r.Wait()
	return err
}
