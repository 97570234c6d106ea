package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mlptui/mlptui/datasets/cifar10"
	"github.com/mlptui/mlptui/trainer"
	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal of 80×24: the master, which the test
// reads and types into, and the slave, the child's terminal.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	fd := int(m.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		m.Close()
		t.Skipf("unlockpt: %v", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		m.Close()
		t.Skipf("ptsname: %v", err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		t.Skipf("open /dev/pts/%d: %v", n, err)
	}
	if err := unix.IoctlSetWinsize(int(s.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 24, Col: 80}); err != nil {
		t.Fatal(err)
	}
	return m, s
}

// waitFor waits until the output after byte from contains one of want,
// and returns the time it took.
func (s *lockedBuffer) waitFor(t *testing.T, from int, limit time.Duration, want ...string) time.Duration {
	t.Helper()
	start := time.Now()
	for time.Since(start) < limit {
		out := s.String()
		for _, w := range want {
			if strings.Contains(out[from:], w) {
				return time.Since(start)
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("no %q on the screen within %v; the screen's last output:\n%q", want, limit, tail(s.String(), 2000))
	return 0
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// termModes are the terminal modes a program may change: raw mode, echo.
func termModes(t *testing.T, f *os.File) unix.Termios {
	t.Helper()
	tio, err := unix.IoctlGetTermios(int(f.Fd()), unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	return *tio
}

// dashboard is mlptui's dashboard running in a child process on a
// pseudo-terminal.
type dashboard struct {
	master, slave *os.File
	cmd           *exec.Cmd
	done          chan error    // the child's exit
	exited        bool          // done was received
	copied        chan struct{} // all the output was read
	screen        *lockedBuffer
	before        unix.Termios // the terminal's modes before the child
}

// startDashboard runs "mlptui tui args..." on a new 80×24 terminal, as
// TERM=xterm-256color without COLORTERM, and waits for the setup form.
func startDashboard(t *testing.T, args ...string) *dashboard {
	master, slave := openPTY(t)
	d := &dashboard{master: master, slave: slave, done: make(chan error, 1), copied: make(chan struct{}), screen: &lockedBuffer{}}
	d.before = termModes(t, slave)
	d.cmd = exec.Command(os.Args[0], append([]string{"tui"}, args...)...)
	// The child sees a user's terminal, whatever the test runs under: CI
	// (termenv takes any CI variable to mean no terminal, hence no
	// colour) and the colour switches are left out.
	env := []string{"MLPTUI_BE_MAIN=1", "TERM=xterm-256color"}
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "TERM", "COLORTERM", "NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE", "CI":
		default:
			env = append(env, kv)
		}
	}
	d.cmd.Env = env
	d.cmd.Stdin, d.cmd.Stdout, d.cmd.Stderr = slave, slave, slave
	d.cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { d.done <- d.cmd.Wait() }()
	t.Cleanup(func() {
		if !d.exited {
			d.cmd.Process.Kill()
			<-d.done
		}
		slave.Close()
		master.Close()
	})
	go func() {
		defer close(d.copied)
		buf := make([]byte, 32<<10)
		for {
			n, err := master.Read(buf) // nothing answers terminal queries
			d.screen.Write(buf[:n])
			if err != nil {
				return // EIO once the child and the test have closed the slave
			}
		}
	}()
	d.screen.waitFor(t, 0, 20*time.Second, "Enter starts")
	// No query of the terminal (see internal/quietstart), and still the
	// colours of TERM=xterm-256color.
	if out := d.screen.String(); strings.Contains(out, "\x1b]11;?") || strings.Contains(out, "\x1b[6n") {
		t.Errorf("the dashboard queried the terminal: %q", out[:min(len(out), 80)])
	} else if !strings.Contains(out, "\x1b[38;5;") {
		t.Errorf("no 256-colour codes on a TERM=xterm-256color terminal")
	}
	return d
}

// TestHeadlessNoTerminalQuery runs a headless command with its output on
// a pseudo-terminal that answers nothing: it must not query the terminal
// (bubbletea v1 does so as it initializes, then waits 5 s for an answer;
// internal/quietstart prevents it) and print its usual output.
func TestHeadlessNoTerminalQuery(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	master, slave := openPTY(t)
	defer master.Close()
	cmd := exec.Command(os.Args[0], "runs", "--runs", t.TempDir())
	cmd.Env = append(os.Environ(), "MLPTUI_BE_MAIN=1", "TERM=xterm-256color")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = slave, slave, slave
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	slave.Close()
	var out bytes.Buffer
	io.Copy(&out, master) // until EIO: the child has exited
	if err := cmd.Wait(); err != nil {
		t.Fatalf("%v: %q", err, out.String())
	}
	if s := out.String(); strings.Contains(s, "\x1b]11;?") || strings.Contains(s, "\x1b[6n") || !strings.Contains(s, "no runs in") {
		t.Errorf("output %q: want no terminal query and 'no runs in'", s)
	}
}

// typeKeys types s on the terminal.
func (d *dashboard) typeKeys(t *testing.T, s string) {
	t.Helper()
	if _, err := d.master.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
}

// wait waits for the child to exit and returns its exit code.
func (d *dashboard) wait(t *testing.T, limit time.Duration) int {
	t.Helper()
	select {
	case <-d.done:
		d.exited = true
	case <-time.After(limit):
		t.Fatalf("no exit within %v", limit)
	}
	return d.cmd.ProcessState.ExitCode()
}

// TestDashboardInterrupt runs the dashboard on a pseudo-terminal, starts
// Iris from the form, pauses and continues it, and sends SIGINT (then, in
// other processes, SIGTERM, and SIGHUP as when the terminal closes): the
// process must exit 130 with a complete run directory marked interrupted,
// and leave the terminal as it found it: the alternate screen left, the
// cursor shown, the same modes.
func TestDashboardInterrupt(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP} {
		t.Run(sig.String(), func(t *testing.T) { dashboardInterrupt(t, sig) })
	}
}

func dashboardInterrupt(t *testing.T, sig syscall.Signal) {
	runs := t.TempDir()
	d := startDashboard(t, "--runs", runs, "--epochs", "100000", "--hidden", "64", "--batch", "8")
	screen := d.screen
	d.typeKeys(t, "\r")
	screen.waitFor(t, 0, 30*time.Second, "samples/s")
	if raw := termModes(t, d.slave); raw.Lflag&(unix.ICANON|unix.ECHO) != 0 || d.before.Lflag&(unix.ICANON|unix.ECHO) == 0 {
		t.Fatalf("the dashboard runs without raw mode (lflag %#x, before %#x)", raw.Lflag, d.before.Lflag)
	}
	// The keys reach the dashboard: space pauses, space continues.
	from := screen.Len()
	d.typeKeys(t, " ")
	screen.waitFor(t, from, 10*time.Second, "paused at step")
	from = screen.Len()
	d.typeKeys(t, " ")
	screen.waitFor(t, from, 10*time.Second, "continued from step")

	if err := d.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
	if code := d.wait(t, 30*time.Second); code != exitInterrupted {
		t.Errorf("exit %d, want %d", code, exitInterrupted)
	}
	after := termModes(t, d.slave)
	d.slave.Close() // the child's end is closed too: the reader sees EIO
	<-d.copied

	// The terminal: the alternate screen left and the cursor shown after
	// they were last entered and hidden, and the modes as before.
	out := screen.String()
	if i, j := strings.LastIndex(out, "\x1b[?1049h"), strings.LastIndex(out, "\x1b[?1049l"); i < 0 || j < i {
		t.Errorf("the alternate screen was not left (entered at byte %d, left at %d of %d)", i, j, len(out))
	}
	if i, j := strings.LastIndex(out, "\x1b[?25l"), strings.LastIndex(out, "\x1b[?25h"); j < i {
		t.Errorf("the cursor was left hidden (hidden at byte %d, shown at %d of %d)", i, j, len(out))
	}
	if strings.Contains(out, "panic") || strings.Contains(out, "goroutine ") {
		t.Errorf("a stack trace on the terminal:\n%s", tail(out, 2000))
	}
	before := d.before
	if after.Iflag != before.Iflag || after.Oflag != before.Oflag || after.Lflag != before.Lflag || after.Cflag != before.Cflag {
		t.Errorf("terminal modes not restored: iflag %#x→%#x oflag %#x→%#x lflag %#x→%#x cflag %#x→%#x",
			before.Iflag, after.Iflag, before.Oflag, after.Oflag, before.Lflag, after.Lflag, before.Cflag, after.Cflag)
	}

	// The run directory: complete, and marked interrupted.
	dirs, _ := filepath.Glob(filepath.Join(runs, "*"))
	if len(dirs) != 1 {
		t.Fatalf("%d run directories in %s, want 1", len(dirs), runs)
	}
	s, err := trainer.ReadSummary(dirs[0])
	if err != nil || s.Status != trainer.StatusInterrupted {
		t.Fatalf("summary %+v, %v; want status interrupted", s, err)
	}
	// Back on the normal screen, a line says where the run went.
	left := out[strings.LastIndex(out, "\x1b[?1049l"):]
	if want := fmt.Sprintf("%s: interrupted after %d epochs", dirs[0], s.Epochs); !strings.Contains(left, want) {
		t.Errorf("after the dashboard the terminal shows %q, want a line %q", left, want)
	}
	for _, f := range []string{trainer.ConfigFile, trainer.MetricsFile, trainer.EventsFile, trainer.ModelFile, trainer.CheckpointFile, trainer.SummaryFile} {
		if fi, err := os.Stat(filepath.Join(dirs[0], f)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	events, err := os.ReadFile(filepath.Join(dirs[0], trainer.EventsFile))
	if err != nil || !bytes.Contains(events, []byte(`"event":"pause"`)) || !bytes.Contains(events, []byte(`"event":"continue"`)) {
		t.Errorf("events.jsonl lacks the pause and the continue (%v):\n%s", err, events)
	}
}

// latencyDataOnDisk checks, without downloading, that the data set the
// training flags name is on disk, so that TestKeyLatency fails at once with
// what it needs instead of waiting minutes on a download that cannot
// happen offline.
func latencyDataOnDisk(args []string) error {
	fs := flag.NewFlagSet("MLPTUI_LATENCY", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var cf configFlags
	cf.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	c, err := cf.config()
	if err != nil {
		return err
	}
	if c.Dataset != "cifar10" {
		return nil // iris is built in; a path was checked by config
	}
	if _, err := cifar10.Prepare(context.Background(), c.DataDir, cifar10.Options{Offline: true}); err != nil {
		return fmt.Errorf("the test needs CIFAR-10 on disk: %v (or run 'mlptui data cifar10' once, or give --data-dir DIR holding %s)", err, cifar10.DirName)
	}
	return nil
}

// TestLatencyDataCheckedFirst: the latency test's data check fails at once
// for CIFAR-10 that is not on disk, and passes for Iris.
func TestLatencyDataCheckedFirst(t *testing.T) {
	empty := t.TempDir()
	err := latencyDataOnDisk([]string{"--dataset", "cifar10", "--data-dir", empty, "--hidden", "1024"})
	if err == nil || !strings.Contains(err.Error(), "needs CIFAR-10 on disk") || !strings.Contains(err.Error(), empty) {
		t.Errorf("CIFAR-10 missing from %s: %v; want an error naming what is needed and where", empty, err)
	}
	if entries, _ := os.ReadDir(empty); len(entries) != 0 {
		t.Errorf("the check wrote into the data directory: %v", entries)
	}
	if err := latencyDataOnDisk([]string{"--dataset", "iris", "--epochs", "8"}); err != nil {
		t.Errorf("iris: %v", err)
	}
}

// TestKeyLatency measures how soon the dashboard answers space (pause,
// then continue) while it trains, from the key typed on the terminal to
// the answer written to it. It runs only when MLPTUI_LATENCY holds the
// training flags, for example
//
//	MLPTUI_LATENCY="--dataset cifar10 --data-dir /tmp/cifar10-bin --hidden 1024 --epochs 8" \
//		go test -run TestKeyLatency -v ./cmd/mlptui
//
// and fails if an answer takes more than 100 ms.
func TestKeyLatency(t *testing.T) {
	flags := os.Getenv("MLPTUI_LATENCY")
	if flags == "" {
		t.Skip("set MLPTUI_LATENCY to the training flags to measure")
	}
	n := 20
	if v, err := strconv.Atoi(os.Getenv("MLPTUI_LATENCY_N")); err == nil && v > 0 {
		n = v
	}
	if err := latencyDataOnDisk(strings.Fields(flags)); err != nil {
		t.Fatalf("MLPTUI_LATENCY=%q: %v", flags, err)
	}
	d := startDashboard(t, append([]string{"--runs", t.TempDir()}, strings.Fields(flags)...)...)
	d.typeKeys(t, "\r")
	d.screen.waitFor(t, 0, 5*time.Minute, "samples/s") // the data loaded and training
	time.Sleep(2 * time.Second)                        // well into training
	var pause, resume, paused []time.Duration
	for range n {
		from := d.screen.Len()
		d.typeKeys(t, " ")
		pause = append(pause, d.screen.waitFor(t, from, 10*time.Second, "pausing", "‖ paused"))
		paused = append(paused, d.screen.waitFor(t, from, 30*time.Second, "paused at step"))
		time.Sleep(200 * time.Millisecond)
		from = d.screen.Len()
		d.typeKeys(t, " ")
		resume = append(resume, d.screen.waitFor(t, from, 10*time.Second, "● running"))
		time.Sleep(time.Duration(500+rand.IntN(500)) * time.Millisecond) // training, at a random point of a step
	}
	stats := func(ds []time.Duration) string {
		s := slices.Clone(ds)
		slices.Sort(s)
		ms := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
		all := make([]string, len(s))
		for i, d := range s {
			all[i] = fmt.Sprintf("%.0f", float64(d.Microseconds())/1000)
		}
		return fmt.Sprintf("median %s, 90th percentile %s, max %s (n=%d; all, ms: %s)", ms(s[len(s)/2]), ms(s[len(s)*9/10]), ms(s[len(s)-1]), len(s), strings.Join(all, " "))
	}
	t.Logf("space to pause, answered: %s", stats(pause))
	t.Logf("space to continue, answered: %s", stats(resume))
	t.Logf("space to pause, until the run has paused (after its step): %s", stats(paused))
	for _, ds := range [][]time.Duration{pause, resume} {
		if slices.Max(ds) > 100*time.Millisecond {
			t.Errorf("a key took %v to be answered, more than 100 ms", slices.Max(ds))
		}
	}
	d.typeKeys(t, "\x03") // ctrl+c: interrupt, save, quit
	d.wait(t, time.Minute)
}

// TestDashboardSweepFromFlags: `mlptui tui --lr 1e-3,1e-2 --epochs 30`
// pre-fills the form with a 2-trial sweep that it names before Enter;
// Enter trains both trials, the runs screen shows the leaderboard, and
// the trials on disk are the ones `mlptui sweep` with the same flags
// finds as its own (it trains nothing: 2 done before).
func TestDashboardSweepFromFlags(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	runs := t.TempDir()
	flags := []string{"--runs", runs, "--lr", "1e-3,1e-2", "--epochs", "30", "--hidden", "8"}
	d := startDashboard(t, flags...)
	d.screen.waitFor(t, 0, 10*time.Second, "Enter starts a 2-trial sweep iris-lr (lr)")
	from := d.screen.Len()
	d.typeKeys(t, "\r")
	d.screen.waitFor(t, from, 60*time.Second, "Sweep iris-lr: 2 of 2 trials ended")
	d.typeKeys(t, "q")
	if code := d.wait(t, 20*time.Second); code != 0 {
		t.Fatalf("exit %d", code)
	}
	code, out, errOut := call(t, append([]string{"sweep", "--dataset", "iris"}, flags...)...)
	if code != 0 || !strings.Contains(errOut, "sweep iris-lr: 2 trials: 2 done before") || strings.Count(out, "lr-t0") != 2 {
		t.Errorf("sweep after the dashboard: exit %d\n%s\n%s", code, out, errOut)
	}
}
