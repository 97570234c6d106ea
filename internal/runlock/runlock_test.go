package runlock

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// abandon drops the lock as a crash would: the file stays, its flock and
// this process's claim go.
func (l *Lock) abandon() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.f.Close()
	l.f = nil
}

func read(t *testing.T, path string) Holder {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h, err := Parse(b)
	if err != nil {
		t.Fatalf("%s: %v (%q)", path, err, b)
	}
	return h
}

func TestAcquireReleaseAndHeld(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.lock")
	opt := Options{Host: "here"}
	l, err := Acquire(path, opt)
	if err != nil {
		t.Fatal(err)
	}
	h := read(t, path)
	if h.Host != "here" || h.PID != os.Getpid() || h.Token != l.Holder().Token {
		t.Errorf("lock file says %+v", h)
	}
	_, err = Acquire(path, opt)
	var he *HeldError
	if !errors.As(err, &he) || !errors.Is(err, ErrHeld) || he.Holder.PID != os.Getpid() {
		t.Fatalf("second Acquire: %v, want a HeldError naming this process", err)
	}
	msg := err.Error()
	for _, want := range []string{path, "process " + strconv.Itoa(os.Getpid()), "on here", "since " + h.Started.Local().Format("2006-01-02 15:04:05")} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("released lock still there: %v", err)
	}
	if err := l.Release(); err != nil {
		t.Errorf("second Release: %v", err)
	}
	l, err = Acquire(path, opt)
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	l.Release()
	if ents, _ := os.ReadDir(filepath.Dir(path)); len(ents) != 0 {
		t.Errorf("left behind: %v", ents)
	}
}

// TestDeadHolderOfThisHost: a lock whose process died (a real process,
// killed while holding it) is taken over at once; so is one abandoned
// within this process.
func TestDeadHolderOfThisHost(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.lock")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperHold$")
	cmd.Env = append(os.Environ(), "RUNLOCK_HOLD="+path)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	if h := read(t, path); h.PID != cmd.Process.Pid {
		t.Fatalf("the helper's lock names %d, want %d", h.PID, cmd.Process.Pid)
	}
	if st, h, err := Check(path, Options{}); st != Stale || err != nil || h.PID != cmd.Process.Pid {
		t.Errorf("Check of a dead process's lock: %v %+v %v", st, h, err)
	}
	l, err := Acquire(path, Options{})
	if err != nil {
		t.Fatalf("the lock of a dead process: %v", err)
	}
	if h := read(t, path); h.PID != os.Getpid() {
		t.Errorf("taken over, the lock names %d", h.PID)
	}
	l.abandon()
	l2, err := Acquire(path, Options{})
	if err != nil {
		t.Fatalf("an abandoned lock: %v", err)
	}
	if st, _, _ := Check(path, Options{}); st != Held {
		t.Errorf("Check of a held lock: %v", st)
	}
	l2.Release()
	if st, _, _ := Check(path, Options{}); st != Free {
		t.Errorf("Check of a released lock: %v", st)
	}
}

// TestHelperHold takes the lock RUNLOCK_HOLD names and exits without
// releasing it: a process that dies holding a lock.
func TestHelperHold(t *testing.T) {
	path := os.Getenv("RUNLOCK_HOLD")
	if path == "" {
		t.Skip("helper process")
	}
	if _, err := Acquire(path, Options{}); err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	os.Exit(0)
}

// TestOtherHost: a lock of another host is held while its heartbeat is
// fresh, taken over once it is older than StaleAfter.
func TestOtherHost(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.lock")
	start := time.Date(2026, 12, 2, 4, 0, 0, 0, time.UTC)
	clock := start
	now := func() time.Time { return clock }
	there, err := Acquire(path, Options{Host: "there", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	there.abandon() // only the file is left: the other host does not flock here
	here := Options{Host: "here", Now: now, StaleAfter: 2 * time.Minute}
	for _, d := range []time.Duration{0, time.Minute, 2 * time.Minute} {
		clock = start.Add(d)
		_, err := Acquire(path, here)
		var he *HeldError
		if !errors.As(err, &he) || he.Holder.Host != "there" {
			t.Fatalf("heartbeat %v old: %v, want held by there", d, err)
		}
		if !strings.Contains(err.Error(), "on there since") {
			t.Errorf("message %q", err)
		}
	}
	clock = start.Add(2*time.Minute + time.Second)
	l, err := Acquire(path, here)
	if err != nil {
		t.Fatalf("stale heartbeat: %v", err)
	}
	if h := read(t, path); h.Host != "here" {
		t.Errorf("taken over, the lock names %q", h.Host)
	}
	l.Release()
}

// TestHeartbeat: Refresh rewrites the heartbeat (the rest stays), and a
// refreshed lock of another host stays held.
func TestHeartbeat(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.lock")
	start := time.Date(2026, 12, 2, 4, 0, 0, 0, time.UTC)
	clock := start
	opt := Options{Host: "there", Now: func() time.Time { return clock }, StaleAfter: time.Minute}
	l, err := Acquire(path, opt)
	if err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	clock = start.Add(50 * time.Second)
	if err := l.Refresh(); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(path)
	h := read(t, path)
	if !h.Heartbeat.Equal(clock) || !h.Started.Equal(start) || len(after) != len(before) {
		t.Errorf("after Refresh: %s (before %s)", after, before)
	}
	clock = start.Add(100 * time.Second) // 50 s after the heartbeat
	other := Options{Host: "here", Now: opt.Now, StaleAfter: time.Minute}
	l.f.Close() // as seen from another host: no flock
	l.f, _ = os.OpenFile(path, os.O_RDWR, 0)
	if _, err := Acquire(path, other); !errors.Is(err, ErrHeld) {
		t.Errorf("fresh heartbeat of another host: %v", err)
	}
	l.Release()
}

// TestKeep: the heartbeat goroutine refreshes the file until Release.
func TestKeep(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.lock")
	l, err := Acquire(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	first := read(t, path).Heartbeat
	l.Keep(time.Millisecond)
	for i := 0; read(t, path).Heartbeat.Equal(first); i++ {
		if i == 5000 {
			t.Fatal("no heartbeat")
		}
		time.Sleep(time.Millisecond)
	}
	if err := l.Release(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a heartbeat after Release recreated the file: %v", err)
	}
}

// TestNotALockFile: damaged files, empty ones older than youngLock, and
// older versions' bare process ids whose process is gone, are taken over;
// a bare id of a live process is held, and so is a young empty file (one
// being created in place).
func TestNotALockFile(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	dead := strconv.Itoa(cmd.Process.Pid)
	old := time.Now().Add(-time.Minute)
	for _, tc := range []struct {
		content string
		young   bool // just written, not a minute ago
		held    bool
	}{
		{"", false, false}, {"garbage", true, false}, {"0\n", true, false}, {dead + "\n", true, false},
		{`{"host":"x"}`, true, false}, {strconv.Itoa(os.Getpid()) + "\n", true, true},
		{"", true, true}, // being created in place this moment
	} {
		path := filepath.Join(t.TempDir(), "run.lock")
		if err := os.WriteFile(path, []byte(tc.content), 0o644); err != nil {
			t.Fatal(err)
		}
		if !tc.young {
			os.Chtimes(path, old, old)
		}
		l, err := Acquire(path, Options{})
		if tc.held {
			if !errors.Is(err, ErrHeld) || tc.content != "" && !strings.Contains(err.Error(), "process "+strconv.Itoa(os.Getpid())) {
				t.Errorf("%q: %v, want held", tc.content, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.content, err)
			continue
		}
		if h := read(t, path); h.PID != os.Getpid() {
			t.Errorf("%q: now names %d", tc.content, h.PID)
		}
		l.Release()
	}
}

// TestReleaseLeavesAnothersLock: a holder whose lock was taken over (by
// another host, its heartbeat gone stale) does not remove the new one.
func TestReleaseLeavesAnothersLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "run.lock")
	start := time.Now()
	clock := start
	now := func() time.Time { return clock }
	a, err := Acquire(path, Options{Host: "a", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	// Host b does not see a's flock (as over a file system that does not
	// pass flocks on): it sees a's file with an old heartbeat.
	saved := a.f
	a.f = nil
	saved.Close()
	clock = start.Add(time.Hour)
	b, err := Acquire(path, Options{Host: "b", Now: now})
	if err != nil {
		t.Fatal(err)
	}
	a.f, _ = os.Open(os.DevNull)
	if err := a.Refresh(); err == nil {
		t.Error("Refresh of a lock taken over: no error")
	}
	if err := a.Release(); err == nil || !strings.Contains(err.Error(), "taken over") {
		t.Errorf("Release of a lock taken over: %v", err)
	}
	if h := read(t, path); h.Host != "b" {
		t.Errorf("after a's Release the lock names %q", h.Host)
	}
	b.Release()
}

func TestParseRoundTrip(t *testing.T) {
	h := Holder{Host: "héte \"x\"", PID: 42, Started: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC),
		Token: newToken(), Heartbeat: time.Date(2026, 1, 2, 3, 5, 5, 0, time.UTC)}
	got, err := Parse(encode(h))
	if err != nil || got != h {
		t.Fatalf("Parse(encode(%+v)) = %+v, %v", h, got, err)
	}
	for _, bad := range []string{"", "{}", "null", `{"host":"x","pid":-1}`, string(encode(Holder{Host: "x", PID: 1, Token: h.Token}))} {
		if _, err := Parse([]byte(bad)); err == nil {
			t.Errorf("Parse(%q): no error", bad)
		}
	}
}

func TestRemoveTemp(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{".metrics.csv.tmp-123", ".model.safetensors.tmp-9", "metrics.csv", ".other.tmp-1"} {
		os.WriteFile(filepath.Join(dir, n), nil, 0o644)
	}
	if err := RemoveTemp(dir, "metrics.csv", "model.safetensors"); err != nil {
		t.Fatal(err)
	}
	var left []string
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		left = append(left, e.Name())
	}
	if strings.Join(left, " ") != ".other.tmp-1 metrics.csv" {
		t.Errorf("left %v", left)
	}
}

// TestStress: 4 processes take one lock 1,000 times in all, while some
// holders "crash" (abandon the lock) for the others to take over. Each
// holder marks its hold with a file created with O_EXCL: a second holder
// at the same time finds the mark and reports an overlap.
func TestStress(t *testing.T) {
	const procs, each = 4, 250
	dir := t.TempDir()
	var cmds []*exec.Cmd
	var outs []*strings.Builder
	for i := range procs {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperStress$")
		cmd.Env = append(os.Environ(), "RUNLOCK_STRESS="+dir, "RUNLOCK_STRESS_N="+strconv.Itoa(each), "RUNLOCK_STRESS_SEED="+strconv.Itoa(i))
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, outs = append(cmds, cmd), append(outs, &out)
	}
	total, abandoned, refused := 0, 0, 0
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("process %d: %v\n%s", i, err, outs[i])
			continue
		}
		var a, b, c int
		for _, line := range strings.Split(outs[i].String(), "\n") {
			if _, err := fmt.Sscanf(line, "acquired %d abandoned %d refused %d", &a, &b, &c); err == nil {
				break
			}
		}
		total, abandoned, refused = total+a, abandoned+b, refused+c
	}
	if total != procs*each {
		t.Errorf("%d acquisitions, want %d", total, procs*each)
	}
	if !t.Failed() {
		t.Logf("%d processes: %d acquisitions (%d abandoned and taken over), %d refusals, no overlap", procs, total, abandoned, refused)
	}
}

// TestHelperStress is one process of TestStress.
func TestHelperStress(t *testing.T) {
	dir := os.Getenv("RUNLOCK_STRESS")
	if dir == "" {
		t.Skip("helper process")
	}
	n, _ := strconv.Atoi(os.Getenv("RUNLOCK_STRESS_N"))
	seed, _ := strconv.Atoi(os.Getenv("RUNLOCK_STRESS_SEED"))
	rng := rand.New(rand.NewPCG(uint64(seed), 1))
	path, mark := filepath.Join(dir, "run.lock"), filepath.Join(dir, "held")
	acquired, abandoned, refused := 0, 0, 0
	for acquired < n {
		l, err := Acquire(path, Options{})
		if errors.Is(err, ErrHeld) {
			refused++
			time.Sleep(time.Duration(rng.IntN(200)) * time.Microsecond)
			continue
		}
		if err != nil {
			fmt.Println("acquire:", err)
			os.Exit(2)
		}
		f, err := os.OpenFile(mark, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err != nil {
			fmt.Println("OVERLAP: the lock was held twice:", err)
			os.Exit(3)
		}
		f.Close()
		acquired++
		time.Sleep(time.Duration(rng.IntN(100)) * time.Microsecond)
		os.Remove(mark)
		if rng.IntN(10) == 0 {
			l.abandon() // a crash: the file stays, for another to take over
			abandoned++
		} else if err := l.Release(); err != nil {
			fmt.Println("release:", err)
			os.Exit(2)
		}
	}
	fmt.Printf("acquired %d abandoned %d refused %d\n", acquired, abandoned, refused)
	os.Exit(0)
}

// TestSetDefaults: the process's defaults stand for a zero Host and
// StaleAfter (a sweep's --stale-after, a test's other machine); a zero
// field leaves the default as it is, and restore puts back the previous.
func TestSetDefaults(t *testing.T) {
	host, _ := os.Hostname()
	if host == "" {
		host = "localhost"
	}
	if Hostname() != host || StaleAfter() != DefaultStaleAfter {
		t.Fatalf("built-in defaults: %q %v", Hostname(), StaleAfter())
	}
	path := filepath.Join(t.TempDir(), "run.lock")
	start := time.Date(2026, 12, 2, 4, 0, 0, 0, time.UTC)
	clock := start
	now := func() time.Time { return clock }
	restore := SetDefaults(Options{Host: "there"})
	there, err := Acquire(path, Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if h := read(t, path); h.Host != "there" || Hostname() != "there" {
		t.Fatalf("lock names %q, Hostname %q; want there", h.Host, Hostname())
	}
	there.abandon()
	restoreHere := SetDefaults(Options{Host: "here"})
	restoreStale := SetDefaults(Options{StaleAfter: 10 * time.Second})
	if Hostname() != "here" {
		t.Errorf("a zero Host changed the default to %q", Hostname())
	}
	clock = start.Add(10 * time.Second)
	if st, _, _ := Check(path, Options{Now: now}); st != Held {
		t.Errorf("heartbeat 10 s old, stale after 10 s: %v", st)
	}
	clock = start.Add(11 * time.Second)
	if st, _, _ := Check(path, Options{Now: now}); st != Stale {
		t.Errorf("heartbeat 11 s old, stale after 10 s: %v", st)
	}
	if st, _, _ := Check(path, Options{Now: now, StaleAfter: time.Minute}); st != Held {
		t.Errorf("an Options' own StaleAfter is not the default's: %v", st)
	}
	restoreStale()
	if Hostname() != "here" || StaleAfter() != DefaultStaleAfter {
		t.Errorf("restored once: %q %v", Hostname(), StaleAfter())
	}
	restoreHere()
	restore()
	if Hostname() != host || StaleAfter() != DefaultStaleAfter {
		t.Errorf("restored: %q %v", Hostname(), StaleAfter())
	}
}
