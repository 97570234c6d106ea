package pidlock

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

func TestAcquireReleaseAndHeld(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.lock")
	release, err := Acquire(path)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != strconv.Itoa(os.Getpid())+"\n" {
		t.Errorf("lock file holds %q", b)
	}
	if _, err := Acquire(path); !errors.Is(err, ErrHeld) {
		t.Errorf("second Acquire: %v, want ErrHeld", err)
	}
	release()
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("released lock still there: %v", err)
	}
	release, err = Acquire(path)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	release()
}

// TestStaleLockTakenOver: a lock naming a process that has exited, or
// holding no process id at all, is taken.
func TestStaleLockTakenOver(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	dead := cmd.Process.Pid // exited and waited for
	for _, content := range []string{strconv.Itoa(dead) + "\n", "", "garbage"} {
		path := filepath.Join(t.TempDir(), "x.lock")
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		release, err := Acquire(path)
		if err != nil {
			t.Errorf("stale lock %q: %v", content, err)
			continue
		}
		if b, _ := os.ReadFile(path); string(b) != strconv.Itoa(os.Getpid())+"\n" {
			t.Errorf("stale lock %q: now holds %q", content, b)
		}
		release()
	}
}

func TestAlive(t *testing.T) {
	if !Alive(os.Getpid()) || !Alive(1) {
		t.Error("this process or init is not alive")
	}
	if Alive(0) || Alive(-5) {
		t.Error("pid 0 or -5 is alive")
	}
}
