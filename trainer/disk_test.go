//go:build linux

package trainer

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mlptui/mlptui/nn"
)

// tmpfs mounts a small RAM file system for the test, or skips when the
// test may not mount (not root, or in a container that forbids it).
func tmpfs(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size="+size, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("umount", "-l", dir).Run() })
	return dir
}

// runOnDisk trains cfg to its end and returns its last event, summary and
// error.
func runOnDisk(t *testing.T, cfg Config, opt Options) (Event, *Summary, error) {
	t.Helper()
	r, err := Start(context.Background(), cfg, opt)
	if err != nil {
		t.Fatal(err)
	}
	var last Event
	for e := range r.Events() {
		last = e
	}
	s, err := r.Wait()
	return last, s, err
}

// noTempFiles fails the test if dir holds a temporary file of an atomic
// write.
func noTempFiles(t *testing.T, dir string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}

// TestFullDiskKeepsLastGoodFiles trains into a file system too small for
// a second checkpoint: the run must fail with a message naming the file and
// the cause, and the model and checkpoint from before must still load.
func TestFullDiskKeepsLastGoodFiles(t *testing.T) {
	cfg := smallConfig(t)
	cfg.Hidden = []int{1000, 100} // model 0.42 MB, checkpoint 1.3 MB
	cfg.Epochs = 50
	cfg.RunsDir = tmpfs(t, "2600k")
	last, s, err := runOnDisk(t, cfg, Options{CheckpointEvery: time.Nanosecond})
	if err == nil || !strings.Contains(err.Error(), "no space left on device") || !strings.Contains(err.Error(), ".safetensors") {
		t.Fatalf("run on a full disk: %v", err)
	}
	if last.Kind != Failed {
		t.Errorf("last event %s, want failed", last.Kind)
	}
	if s == nil {
		t.Fatal("no summary")
	}
	m, err := nn.LoadModel(filepath.Join(s.Run, ModelFile))
	if err != nil {
		t.Errorf("the last good model does not load: %v", err)
	} else if nn.CheckFinite(m.Net.Params) != nil {
		t.Errorf("the kept model is not finite")
	}
	if _, err := readCheckpoint(filepath.Join(s.Run, CheckpointFile)); err != nil {
		t.Errorf("the last good checkpoint does not load: %v", err)
	}
	noTempFiles(t, s.Run)
}

func TestReadOnlyRunsDirectory(t *testing.T) {
	dir := tmpfs(t, "1m")
	if out, err := exec.Command("mount", "-o", "remount,ro", dir).CombinedOutput(); err != nil {
		t.Skipf("cannot remount read-only: %v %s", err, out)
	}
	cfg := smallConfig(t)
	cfg.RunsDir = filepath.Join(dir, "runs")
	r, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	for range r.Events() {
	}
	if _, err := r.Wait(); err == nil || !strings.Contains(err.Error(), "read-only file system") || !strings.Contains(err.Error(), "runs") {
		t.Errorf("read-only runs directory: %v", err)
	}
}

// TestNoRoomForTheFirstModel: a disk too small for even the first model
// file fails the run with the file named, and the run directory's
// summary.json still says which run it is and that it failed.
func TestNoRoomForTheFirstModel(t *testing.T) {
	cfg := smallConfig(t)
	cfg.Hidden = []int{1000, 100} // model 0.42 MB
	cfg.RunsDir = tmpfs(t, "200k")
	r, err := Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	for range r.Events() {
	}
	if _, err := r.Wait(); err == nil || !strings.Contains(err.Error(), "model.safetensors: no space left on device") {
		t.Fatalf("run on a full disk: %v", err)
	}
	ents, err := os.ReadDir(cfg.RunsDir)
	if err != nil || len(ents) != 1 {
		t.Fatalf("runs directory holds %v (%v), want one run", ents, err)
	}
	dir := filepath.Join(cfg.RunsDir, ents[0].Name())
	s, err := ReadSummary(dir)
	if err != nil || s.Status != StatusFailed || s.Run != dir || !strings.Contains(s.Message, "no space left") {
		t.Errorf("summary %+v, %v", s, err)
	}
}

// TestNoRoomForTheFinalCheckpoint: a run whose final model fits on the
// disk but whose final checkpoint does not is still done, with its final
// model and test accuracy; its message says a resume would start from the
// checkpoint before, which is still whole on disk.
func TestNoRoomForTheFinalCheckpoint(t *testing.T) {
	cfg := smallConfig(t)
	cfg.Hidden = []int{1000, 100}   // model 0.42 MB, checkpoint 1.3 MB
	cfg.RunsDir = tmpfs(t, "2600k") // both, one more model, not a second checkpoint
	last, s, err := runOnDisk(t, cfg, Options{CheckpointEvery: time.Hour})
	if err != nil {
		t.Fatalf("run: %v", err)
	}
	want := "the checkpoint could not be saved"
	if s.Status != StatusDone || s.TestAccuracy == nil || !strings.Contains(s.Message, want) ||
		!strings.Contains(s.Message, "no space left on device") || !strings.Contains(s.Message, "step 0 (epoch 0)") {
		t.Fatalf("summary: status %s, message %q", s.Status, s.Message)
	}
	if last.Kind != Finished || last.Message != s.Message {
		t.Errorf("last event %s %q, want finished with the summary's message", last.Kind, last.Message)
	}
	if disk, err := ReadSummary(s.Run); err != nil || disk.Status != StatusDone || disk.Message != s.Message {
		t.Errorf("summary.json: %+v, %v", disk, err)
	}
	modelNewerThanFirstCheckpoint(t, s.Run)
	noTempFiles(t, s.Run)
}

// TestLastWriteFails: when a run's files cannot be updated as it ends
// (here summary.json has become a directory while it was paused), the run
// reports failure, naming the file, instead of ending done in memory while
// summary.json still says running.
func TestLastWriteFails(t *testing.T) {
	cfg := smallConfig(t)
	cfg.Epochs = 100000
	r, dir := pausedRun(t, cfg, Options{})
	blockSummary(t, dir)
	r.Stop()
	for range r.Events() {
	}
	s, err := r.Wait()
	if err == nil || !strings.Contains(err.Error(), "could not be updated") || !strings.Contains(err.Error(), SummaryFile) {
		t.Fatalf("run: %v", err)
	}
	if s == nil || s.Status != StatusFailed {
		t.Errorf("summary %+v, want status failed", s)
	}
	if _, err := os.Stat(filepath.Join(dir, ModelFile)); err != nil {
		t.Errorf("the model was not kept: %v", err)
	}
}

// TestFullDiskSavesTheModel is the full disk of issue 12: a 2900 kB disk
// with room for the model and one checkpoint, not for a second checkpoint
// beside the first. The periodic checkpoint fails, and the run still
// saves its model of that step (not leaving the one of epoch 0), its
// metrics.csv has every epoch trained, and the message says what was saved.
func TestFullDiskSavesTheModel(t *testing.T) {
	cfg := smallConfig(t)
	cfg.Hidden = []int{1000, 100} // model 0.42 MB, checkpoint 1.3 MB
	cfg.Batch = 8
	cfg.Epochs = 100000
	cfg.RunsDir = tmpfs(t, "2900k")
	_, s, err := runOnDisk(t, cfg, Options{CheckpointEvery: time.Nanosecond})
	if err == nil || s == nil || s.Status != StatusFailed {
		t.Fatalf("run on a full disk: %+v, %v", s, err)
	}
	want := "no space left on device; the model of step " + strconv.FormatInt(s.Steps, 10) + " (epoch 1) was saved, not the checkpoint"
	if !strings.Contains(err.Error(), want) || !strings.Contains(s.Message, want) {
		t.Errorf("error %q\nwant it to say %q", err, want)
	}
	modelNewerThanFirstCheckpoint(t, s.Run)
	if rows, err := ReadMetrics(s.Run); err != nil || len(rows) != s.Epochs {
		t.Errorf("metrics.csv: %d rows (%v), want %d", len(rows), err, s.Epochs)
	}
	if _, err := ReadEvents(s.Run); err != nil {
		t.Error(err)
	}
	noTempFiles(t, s.Run)
}

// TestAppendOnFullDisk: metrics.csv and events.jsonl are appended to; an
// append that does not fit fails naming the file, and leaves the file as
// it was (no half line), and the next append once there is room goes on.
func TestAppendOnFullDisk(t *testing.T) {
	dir := tmpfs(t, "64k")
	path := filepath.Join(dir, MetricsFile)
	row := func(e int) EpochMetrics {
		return EpochMetrics{Epoch: e, Step: int64(7 * e), Seconds: 0.5, LR: 1e-3, TrainLoss: 1, TrainAcc: 0.5, ValLoss: 1, ValAcc: 0.5}
	}
	if err := appendMetrics(path, []EpochMetrics{row(1), row(2)}); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	filler := filepath.Join(dir, "filler")
	f, _ := os.Create(filler)
	f.Write(make([]byte, 1<<20)) // fills the disk (the write stops short)
	f.Close()
	var many []EpochMetrics
	for e := 3; e < 2000; e++ {
		many = append(many, row(e))
	}
	err := appendMetrics(path, many)
	if err == nil || !strings.Contains(err.Error(), path+": no space left on device") {
		t.Fatalf("append on a full disk: %v", err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) {
		t.Fatalf("a failed append left %d bytes, want the %d before", len(after), len(before))
	}
	os.Remove(filler)
	if err := appendMetrics(path, many); err != nil {
		t.Fatal(err)
	}
	if rows, err := ReadMetrics(dir); err != nil || len(rows) != 1999 {
		t.Errorf("%d rows, %v", len(rows), err)
	}
}

// modelNewerThanFirstCheckpoint checks that dir's checkpoint, the one of
// step 0, still loads, and that its model file holds trained weights, not
// those of step 0.
func modelNewerThanFirstCheckpoint(t *testing.T, dir string) {
	t.Helper()
	m, err := nn.LoadModel(filepath.Join(dir, ModelFile))
	if err != nil {
		t.Fatal(err)
	}
	ck, err := readCheckpoint(filepath.Join(dir, CheckpointFile))
	if err != nil {
		t.Fatalf("the checkpoint before does not load: %v", err)
	}
	if ck.step != 0 || slices.Equal(m.Net.Params, ck.model.Net.Params) {
		t.Errorf("checkpoint of step %d; the model file should hold the trained weights, not the first", ck.step)
	}
}
