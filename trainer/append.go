package trainer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/mlptui/mlptui/internal/runlock"
)

// LockFile is the lock of a run directory: it names the one process that
// may write the run (see internal/runlock).
const LockFile = "run.lock"

// runFiles are the files a run's writer writes atomically: a temporary
// file of one of them that is there when the lock is taken was left by a
// writer that died.
var runFiles = []string{ConfigFile, MetricsFile, EventsFile, ModelFile, CheckpointFile, SummaryFile, LayersFile}

// lockRun takes dir's lock for this process, removes what a dead writer
// left (temporary files) and keeps the lock's heartbeat going. A run
// another process trains is refused, naming that process.
func lockRun(dir string) (*runlock.Lock, error) {
	l, err := runlock.Acquire(filepath.Join(dir, LockFile), runlock.Options{})
	var he *runlock.HeldError
	if errors.As(err, &he) {
		h := he.Holder
		if h.PID == 0 {
			return nil, fmt.Errorf("%s: another process is training this run (its %s cannot be read)", dir, LockFile)
		}
		return nil, fmt.Errorf("%s: already being trained by process %d on %s since %s; one run has one writer",
			dir, h.PID, h.Host, h.Started.Local().Format("2006-01-02 15:04:05"))
	}
	if err != nil {
		return nil, err
	}
	runlock.RemoveTemp(dir, runFiles...)
	l.Keep(0)
	return l, nil
}

// runHeld reports whether a live process holds the run's lock; known is
// false when the run has no lock file (an older mlptui wrote it).
func runHeld(dir string) (held, known bool) {
	st, _, err := runlock.Check(filepath.Join(dir, LockFile), runlock.Options{})
	if err != nil {
		return false, false
	}
	return st == runlock.Held, st != runlock.Free
}

// appendFile appends data to path (created with head first if it is new
// or empty) and syncs it. If the write fails (a full disk) the file is cut
// back to what it was, so it never ends in half a line.
func appendFile(path string, head, data []byte) (err error) {
	if len(data) == 0 && len(head) == 0 {
		return nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, unwrapPathErr(err))
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("write %s: %w", path, unwrapPathErr(cerr))
		}
	}()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("write %s: %w", path, unwrapPathErr(err))
	}
	size := st.Size()
	if size == 0 {
		data = append(append([]byte(nil), head...), data...)
	}
	if len(data) == 0 {
		return nil
	}
	if _, err := f.Write(data); err != nil {
		f.Truncate(size)
		return fmt.Errorf("write %s: %w", path, unwrapPathErr(err))
	}
	if err := f.Sync(); err != nil {
		f.Truncate(size)
		return fmt.Errorf("write %s: %w", path, unwrapPathErr(err))
	}
	return nil
}

// metricsLines formats rows as lines of metrics.csv.
func metricsLines(rows []EpochMetrics) []byte {
	var b bytes.Buffer
	for _, r := range rows {
		fmt.Fprintf(&b, "%d,%d,%s,%s,%s,%s,%s,%s\n", r.Epoch, r.Step, ftoa(r.Seconds), ftoa(r.LR),
			ftoa(r.TrainLoss), ftoa(r.TrainAcc), ftoa(r.ValLoss), ftoa(r.ValAcc))
	}
	return b.Bytes()
}

// eventLines formats entries as lines of events.jsonl.
func eventLines(log []LogEntry) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	for _, e := range log {
		if err := enc.Encode(e); err != nil {
			return nil, err
		}
	}
	return b.Bytes(), nil
}

// appendMetrics appends rows to metrics.csv (its header first if new).
func appendMetrics(path string, rows []EpochMetrics) error {
	return appendFile(path, []byte(metricsHeader+"\n"), metricsLines(rows))
}

// appendEvents appends entries to events.jsonl.
func appendEvents(path string, log []LogEntry) error {
	b, err := eventLines(log)
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return appendFile(path, nil, b)
}

// truncateMetrics cuts metrics.csv after its first keep rows: a resumed
// run trains the epochs after its checkpoint again, and appends their rows
// anew. It needs no free space.
func truncateMetrics(path string, keep int) error {
	b, err := readSmall(path)
	if err != nil {
		return err
	}
	off := 0
	for line := 0; line <= keep; line++ { // the header, then keep rows
		i := bytes.IndexByte(b[off:], '\n')
		if i < 0 {
			return nil // no more rows than that
		}
		off += i + 1
	}
	if off == len(b) {
		return nil
	}
	if err := os.Truncate(path, int64(off)); err != nil {
		return fmt.Errorf("write %s: %w", path, unwrapPathErr(err))
	}
	return nil
}
