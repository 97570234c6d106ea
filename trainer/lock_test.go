package trainer

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mlptui/mlptui/internal/runlock"
)

// pausedRun starts a long run, pauses it after its first epoch and
// returns it with its directory; the caller reads on from its events.
func pausedRun(t *testing.T, cfg Config, opt Options) (*Run, string) {
	t.Helper()
	r, err := Start(context.Background(), cfg, opt)
	if err != nil {
		t.Fatal(err)
	}
	var dir string
	for e := range r.Events() {
		switch e.Kind {
		case Started:
			dir = e.Info.Dir
		case EpochEnd:
			r.Pause()
		case Failed:
			t.Fatalf("run failed: %v", e.Err)
		}
		if e.Kind == Paused {
			return r, dir
		}
	}
	t.Fatal("the run ended before it paused")
	return nil, ""
}

// blockSummary puts a directory (not empty) in the place of dir's
// summary.json, so that writing it fails, and returns its path. A paused
// run may be rewriting summary.json meanwhile: it tries until the
// directory stands.
func blockSummary(t *testing.T, dir string) string {
	t.Helper()
	sum := filepath.Join(dir, SummaryFile)
	for i := 0; ; i++ {
		os.Remove(sum)
		if os.Mkdir(sum, 0o755) == nil {
			break
		} else if i == 100 {
			t.Fatal("cannot put a directory in summary.json's place")
		}
	}
	os.WriteFile(filepath.Join(sum, "x"), nil, 0o644)
	return sum
}

// drain reads a run's events to the end and returns its summary.
func drain(t *testing.T, r *Run) (*Summary, error) {
	t.Helper()
	for range r.Events() {
	}
	return r.Wait()
}

// TestOneWriterPerRun: while a run trains, resuming it is refused with a
// line naming the process that trains it; once it has ended, the lock is
// gone and the resume goes ahead.
func TestOneWriterPerRun(t *testing.T) {
	cfg := smallConfig(t)
	cfg.Epochs = 1000
	r, dir := pausedRun(t, cfg, Options{})
	h, err := os.ReadFile(filepath.Join(dir, LockFile))
	if err != nil {
		t.Fatalf("no lock while the run trains: %v", err)
	}
	holder, err := runlock.Parse(h)
	if err != nil || holder.PID != os.Getpid() {
		t.Fatalf("lock %q: %v", h, err)
	}
	if rec := ReadRun(dir); rec.Status != StatusRunning {
		t.Errorf("runs lists the run under way as %s", rec.Status)
	}
	_, err = Resume(context.Background(), dir, 2000)
	host, _ := os.Hostname()
	want := dir + ": already being trained by process " + strconv.Itoa(os.Getpid()) + " on " + host + " since " +
		holder.Started.Local().Format("2006-01-02 15:04:05")
	if err == nil || !strings.HasPrefix(err.Error(), want) || strings.Contains(err.Error(), "\n") {
		t.Fatalf("second writer: %v\nwant %s...", err, want)
	}
	r.Stop()
	if s, err := drain(t, r); err != nil || s.Status != StatusStopped {
		t.Fatalf("stopped run: %+v %v", s, err)
	}
	if _, err := os.Stat(filepath.Join(dir, LockFile)); !os.IsNotExist(err) {
		t.Errorf("the lock outlives the run: %v", err)
	}
	r2, err := Resume(context.Background(), dir, 0, Options{StopAfterStep: 1 << 40})
	if err != nil {
		t.Fatalf("resume after the end: %v", err)
	}
	r2.Stop()
	drain(t, r2)
}

// TestCrashedRunIsTakenOver: a run whose process died (its lock left
// behind, summary.json saying running, half-written temporary files) is
// listed as crashed, and the next writer takes the lock at once and
// removes the temporary files.
func TestCrashedRunIsTakenOver(t *testing.T) {
	cfg := smallConfig(t)
	cfg.Epochs = 1000
	r, dir := pausedRun(t, cfg, Options{})
	r.Stop()
	drain(t, r)
	// What a writer killed in the middle of a save leaves.
	s, _ := ReadSummary(dir)
	s.Status = StatusRunning
	if err := writeJSON(filepath.Join(dir, SummaryFile), s); err != nil {
		t.Fatal(err)
	}
	lock := filepath.Join(dir, LockFile)
	if err := os.WriteFile(lock, []byte(`{"host":"`+hostname(t)+`","pid":999999999,"started":"2026-12-02T04:00:00.000000000Z","token":"0123456789abcdef0123456789abcdef","heartbeat":"2026-12-02T04:00:00.000000000Z"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	temps := []string{".model.safetensors.tmp-123", ".metrics.csv.tmp-9", ".checkpoint.safetensors.tmp-77"}
	for _, n := range temps {
		os.WriteFile(filepath.Join(dir, n), make([]byte, 1000), 0o644)
	}
	keep := filepath.Join(dir, "notes.tmp-1") // not a run file's: not ours to remove
	os.WriteFile(keep, nil, 0o644)
	if rec := ReadRun(dir); rec.Status != "crashed" {
		t.Errorf("a run whose writer died is listed as %s", rec.Status)
	}
	r2, err := Resume(context.Background(), dir, 0)
	if err != nil {
		t.Fatalf("resume of a crashed run: %v", err)
	}
	for _, n := range temps {
		if _, err := os.Stat(filepath.Join(dir, n)); !os.IsNotExist(err) {
			t.Errorf("%s of the dead writer is still there: %v", n, err)
		}
	}
	if _, err := os.Stat(keep); err != nil {
		t.Errorf("a file that is no run file's was removed: %v", err)
	}
	r2.Stop()
	drain(t, r2)
}

func hostname(t *testing.T) string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		t.Skip("no host name")
	}
	return h
}

// TestFailedRunSavesItsModel: a run that fails because a file of the run
// cannot be written (here summary.json, a directory in its place) still
// saves its model and checkpoint, of the step it failed at, and can be
// resumed once the cause is gone, its epochs numbered on.
func TestFailedRunSavesItsModel(t *testing.T) {
	cfg := smallConfig(t)
	cfg.Epochs = 1000
	r, dir := pausedRun(t, cfg, Options{WriteEvery: time.Nanosecond, CheckpointEvery: time.Hour})
	sum := blockSummary(t, dir)
	r.Resume()
	s, err := drain(t, r)
	if err == nil || s == nil || s.Status != StatusFailed {
		t.Fatalf("run: %+v, %v; want failed", s, err)
	}
	if !strings.Contains(s.Message, "the model and checkpoint of step") || !strings.Contains(s.Message, SummaryFile) {
		t.Errorf("message %q", s.Message)
	}
	ck, err := readCheckpoint(filepath.Join(dir, CheckpointFile))
	if err != nil {
		t.Fatal(err)
	}
	if ck.epoch < 2 || ck.step != s.Steps {
		t.Errorf("checkpoint of epoch %d step %d; the run failed at step %d after epoch 1", ck.epoch, ck.step, s.Steps)
	}
	rows, err := ReadMetrics(dir)
	if err != nil || len(rows) < ck.epoch {
		t.Fatalf("metrics.csv: %d rows, %v; want %d", len(rows), err, ck.epoch)
	}
	// Mended, the run resumes from the failure and numbers on.
	os.RemoveAll(sum)
	r2, err := Resume(context.Background(), dir, ck.epoch+2)
	if err != nil {
		t.Fatal(err)
	}
	if s, err := drain(t, r2); err != nil || s.Epochs != ck.epoch+2 {
		t.Fatalf("resumed: %+v, %v", s, err)
	}
	rows, err = ReadMetrics(dir)
	if err != nil || len(rows) != ck.epoch+2 || rows[len(rows)-1].Epoch != ck.epoch+2 {
		t.Errorf("after the resume metrics.csv has %d rows (%v), want %d numbered on", len(rows), err, ck.epoch+2)
	}
}

// TestResumeCutsMetricsAfterTheCheckpoint: rows appended after the last
// checkpoint are trained again on resume, so they are cut from
// metrics.csv (not duplicated), and the events are appended to.
func TestResumeCutsMetricsAfterTheCheckpoint(t *testing.T) {
	const fakeStep = 1_000_000
	cfg := smallConfig(t)
	cfg.Epochs = 1000
	r, dir := pausedRun(t, cfg, Options{WriteEvery: time.Nanosecond, CheckpointEvery: time.Hour})
	r.Resume()
	r.Stop()
	s, err := drain(t, r)
	if err != nil {
		t.Fatal(err)
	}
	ck, _ := readCheckpoint(filepath.Join(dir, CheckpointFile))
	// Rows after the checkpoint, as a run killed after an epoch end and
	// before its next checkpoint leaves them; and half a line.
	f, _ := os.OpenFile(filepath.Join(dir, MetricsFile), os.O_APPEND|os.O_WRONLY, 0)
	for e := s.Epochs + 1; e <= s.Epochs+3; e++ {
		// Steps far past the run's, growing as real rows' do (metrics.csv
		// refuses a step that goes back), and telling these rows apart.
		f.WriteString(strconv.Itoa(e) + "," + strconv.Itoa(fakeStep+e) + ",0.1,0.01,1,0.5,,\n")
	}
	f.WriteString(strconv.Itoa(s.Epochs+4) + ",1,0.")
	f.Close()
	events, _ := ReadEvents(dir)
	r2, err := Resume(context.Background(), dir, ck.epoch+3)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := drain(t, r2); err != nil {
		t.Fatal(err)
	}
	rows, err := ReadMetrics(dir)
	if err != nil || len(rows) != ck.epoch+3 {
		t.Fatalf("metrics.csv: %d rows, %v; want %d", len(rows), err, ck.epoch+3)
	}
	for i, row := range rows {
		if row.Epoch != i+1 || row.Step >= fakeStep {
			t.Errorf("row %d: epoch %d step %d", i+1, row.Epoch, row.Step)
		}
	}
	after, err := ReadEvents(dir)
	if err != nil || len(after) <= len(events) || after[len(events)].Event != "resume" {
		t.Errorf("events: %d before, %d after (%v)", len(events), len(after), err)
	}
}

// TestResumeWithNothingLeft: a resume that asks for no more epochs than
// are done is refused on one line that says the count is a total and
// names the number to go past; the run is left as it was.
func TestResumeWithNothingLeft(t *testing.T) {
	cfg := smallConfig(t)
	cfg.Epochs = 3
	_, s := runToEnd(t)(Start(context.Background(), cfg))
	cases := []struct {
		asked int
		want  string
	}{
		{0, ": all 3 epochs are done; give epochs more than 3 to go on"},
		{2, ": epochs 2 is the total, and 3 epochs are already done; give epochs more than 3 to go on"},
		{3, ": epochs 3 is the total, and 3 epochs are already done; give epochs more than 3 to go on"},
	}
	before, _ := os.ReadFile(filepath.Join(s.Run, SummaryFile))
	for _, c := range cases {
		_, err := Resume(context.Background(), s.Run, c.asked)
		if err == nil || err.Error() != s.Run+c.want {
			t.Errorf("resume with %d epochs: %v\nwant %s%s", c.asked, err, s.Run, c.want)
		}
	}
	if after, _ := os.ReadFile(filepath.Join(s.Run, SummaryFile)); string(after) != string(before) {
		t.Errorf("a refused resume rewrote summary.json")
	}
}
