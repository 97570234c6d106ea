package trainer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/mlptui/mlptui/datasets/tabular"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/mlptui/mlptui/internal/atomicfile"
	"github.com/mlptui/mlptui/internal/regfile"
)

// The files of a run directory.
const (
	ConfigFile     = "config.json"
	MetricsFile    = "metrics.csv"
	EventsFile     = "events.jsonl"
	ModelFile      = "model.safetensors"
	CheckpointFile = "checkpoint.safetensors"
	SummaryFile    = "summary.json"
	LayersFile     = "layers.csv"
)

// Status is the state of a run: the first six are written in
// summary.json; crashed and damaged are what a reader of the run
// directory concludes (ReadRun), never written.
type Status string

// Run statuses.
const (
	StatusRunning     Status = "running"
	StatusDone        Status = "done"
	StatusStopped     Status = "stopped"     // stopped by the user; can be resumed
	StatusInterrupted Status = "interrupted" // SIGINT or SIGTERM; can be resumed
	StatusDiverged    Status = "diverged"    // the loss became NaN or infinite
	StatusFailed      Status = "failed"
	StatusCrashed     Status = "crashed" // says running, but the process that wrote it is gone
	StatusDamaged     Status = "damaged" // config.json or summary.json cannot be read
)

// Resumable reports whether a run that ended so can go on training.
func (s Status) Resumable() bool {
	return s == StatusStopped || s == StatusInterrupted || s == StatusCrashed
}

// Finished reports whether a run ended on its own: done or diverged.
func (s Status) Finished() bool { return s == StatusDone || s == StatusDiverged }

// Bad reports whether a run ended badly: diverged, failed, crashed or
// damaged.
func (s Status) Bad() bool {
	return s == StatusDiverged || s == StatusFailed || s == StatusCrashed || s == StatusDamaged
}

// Summary is a run's summary.json: how it ended and its final and best
// metrics. Accuracies are fractions in [0, 1]; a value that does not exist
// (no validation split, no test yet) is null.
type Summary struct {
	Run             string   `json:"run"`
	Status          Status   `json:"status"`
	Message         string   `json:"message,omitempty"`
	Dataset         string   `json:"dataset"`
	Preset          string   `json:"preset,omitempty"`
	Arch            string   `json:"arch"`
	Params          int      `json:"params"`
	Epochs          int      `json:"epochs"`
	Steps           int64    `json:"steps"`
	TestAccuracy    *float64 `json:"test_accuracy"`
	TestLoss        *float64 `json:"test_loss"`
	BestValAccuracy *float64 `json:"best_val_accuracy"`
	BestValEpoch    int      `json:"best_val_epoch,omitempty"`
	BestValLoss     *float64 `json:"best_val_loss,omitempty"` // the validation loss of BestValEpoch
	// ModelEpoch is the epoch the weights of model.safetensors are from
	// (the best one by validation, or the last; 0: the initial weights).
	// TestAccuracy and TestLoss are that model's.
	ModelEpoch       int       `json:"model_epoch"`
	TrainLoss        *float64  `json:"train_loss"`
	TrainAccuracy    *float64  `json:"train_accuracy"`
	ValLoss          *float64  `json:"val_loss"`
	ValAccuracy      *float64  `json:"val_accuracy"`
	TrainSeconds     float64   `json:"train_seconds"`
	SamplesPerSecond float64   `json:"samples_per_second"`
	Started          time.Time `json:"started"`
	Updated          time.Time `json:"updated"`
	PID              int       `json:"pid,omitempty"`
	// Host is the machine the run last trained on (as its lock names it):
	// a sweep's trials may train on many.
	Host    string `json:"host,omitempty"`
	Version string `json:"mlptui_version"`

	// The live settings as the run ended ("lr", "dropout": edits
	// included) and the edits made while it trained, in order.
	SettingsAtEnd map[string]float64 `json:"settings_at_end,omitempty"`
	Edits         []Edit             `json:"edits"`
}

// configFile is config.json: the settings and the version that wrote them.
type configFile struct {
	Version string    `json:"mlptui_version"`
	Created time.Time `json:"created"`
	Config
	// Table is what was decided about a CSV table's columns (kinds,
	// categories, imputation values), as saved with the model.
	Table *tabular.Pipeline `json:"table,omitempty"`
}

func writeJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(path, append(b, '\n'))
}

// maxSmallFile bounds the JSON and CSV files of a run that are read whole.
const maxSmallFile = 64 << 20

// readSmall reads a run's file whole: a regular file (a FIFO or a
// directory in its place is refused, naming it) of at most maxSmallFile
// bytes.
func readSmall(path string) ([]byte, error) {
	return regfile.ReadFile(path, maxSmallFile)
}

// ReadConfig reads a run's config.json.
func ReadConfig(dir string) (Config, error) {
	path := filepath.Join(dir, ConfigFile)
	b, err := readSmall(path)
	if errors.Is(err, os.ErrNotExist) {
		if st, serr := os.Stat(dir); serr == nil && st.IsDir() {
			return Config{}, fmt.Errorf("%s: not a run directory (it has no %s)", dir, ConfigFile)
		}
	}
	if err != nil {
		return Config{}, err
	}
	c, err := parseConfig(path, b)
	if err != nil {
		return Config{}, err
	}
	c.RunsDir = filepath.Dir(filepath.Clean(dir))
	return c, nil
}

// updateConfig records in a resumed run's config.json what resuming may
// change: the total epochs and the data directory. The file is rewritten
// (atomically) only when one of them did change.
func updateConfig(dir string, cfg Config) error {
	path := filepath.Join(dir, ConfigFile)
	b, err := readSmall(path)
	if err != nil {
		return err
	}
	var cf configFile
	if err := json.Unmarshal(b, &cf); err != nil {
		return jsonError(path, err)
	}
	changed := cf.Epochs != cfg.Epochs
	if cf.DataDir != cfg.DataDir && (cf.DataDir != "" || cfg.DataDir != DefaultDataDir()) {
		changed = true
	}
	if !changed {
		return nil
	}
	cf.Epochs, cf.DataDir = cfg.Epochs, cfg.DataDir
	return writeJSON(path, cf)
}

// parseConfig reads config.json's content: one JSON object whose settings
// must pass Validate. Errors name the file.
func parseConfig(path string, b []byte) (Config, error) {
	// Settings added after the first release are absent from older
	// config.json files: those runs had the behaviour of legacyConfig.
	cf := configFile{Config: legacyConfig()}
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&cf); err != nil {
		return Config{}, jsonError(path, err)
	}
	if dec.More() {
		return Config{}, fmt.Errorf("%s: more than one JSON value", path)
	}
	if err := cf.Config.Validate(); err != nil {
		return Config{}, fmt.Errorf("%s: %w", path, err)
	}
	if cf.Config.DataDir == "" {
		cf.Config.DataDir = DefaultDataDir()
	}
	return cf.Config, nil
}

// jsonError says what is wrong with a JSON file that did not decode.
func jsonError(path string, err error) error {
	var syn *json.SyntaxError
	switch {
	case errors.Is(err, io.EOF):
		return fmt.Errorf("%s: empty file", path)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("%s: cut short: the JSON ends early", path)
	case errors.As(err, &syn):
		return fmt.Errorf("%s: not JSON: %v (byte %d)", path, err, syn.Offset)
	}
	return fmt.Errorf("%s: %v", path, err)
}

// ReadSummary reads a run's summary.json.
func ReadSummary(dir string) (*Summary, error) {
	path := filepath.Join(dir, SummaryFile)
	b, err := readSmall(path)
	if err != nil {
		return nil, err
	}
	return parseSummary(path, b)
}

// parseSummary reads summary.json's content: one JSON object with a
// status. Errors name the file.
func parseSummary(path string, b []byte) (*Summary, error) {
	var s Summary
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&s); err != nil {
		return nil, jsonError(path, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%s: more than one JSON value", path)
	}
	if s.Status == "" {
		return nil, fmt.Errorf("%s: no status", path)
	}
	return &s, nil
}

// metricsHeader is the first line of metrics.csv.
const metricsHeader = "epoch,step,seconds,lr,train_loss,train_acc,val_loss,val_acc"

// ftoa formats a float exactly (it reads back to the same float64); NaN
// is an empty cell.
func ftoa(v float64) string {
	if math.IsNaN(v) {
		return ""
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// ReadMetrics reads a run's metrics.csv. Errors name the file and line.
func ReadMetrics(dir string) ([]EpochMetrics, error) {
	path := filepath.Join(dir, MetricsFile)
	b, err := readSmall(path)
	if err != nil {
		return nil, err
	}
	b = completeLines(b)
	return parseMetrics(path, b)
}

// completeLines drops a last line without its newline: one being
// appended this moment by the run's writer (or cut short by a crash).
func completeLines(b []byte) []byte {
	if len(b) == 0 || b[len(b)-1] == '\n' {
		return b
	}
	return b[:bytes.LastIndexByte(b, '\n')+1]
}

func parseMetrics(path string, b []byte) ([]EpochMetrics, error) {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) == 0 || strings.TrimSpace(lines[0]) != metricsHeader {
		return nil, fmt.Errorf("%s:1: header is not %q", path, metricsHeader)
	}
	var rows []EpochMetrics
	for i, line := range lines[1:] {
		f := strings.Split(strings.TrimSpace(line), ",")
		if len(f) != 8 {
			return nil, fmt.Errorf("%s:%d: %d fields, want 8", path, i+2, len(f))
		}
		var r EpochMetrics
		var err error
		num := func(s string) float64 {
			if err != nil {
				return 0
			}
			if s == "" {
				return math.NaN()
			}
			var v float64
			v, err = strconv.ParseFloat(s, 64)
			return v
		}
		ep, e1 := strconv.Atoi(f[0])
		st, e2 := strconv.ParseInt(f[1], 10, 64)
		r.Epoch, r.Step = ep, st
		r.Seconds, r.LR, r.TrainLoss, r.TrainAcc, r.ValLoss, r.ValAcc = num(f[2]), num(f[3]), num(f[4]), num(f[5]), num(f[6]), num(f[7])
		if err = errors.Join(e1, e2, err); err != nil || ep < 1 || st < 0 {
			return nil, fmt.Errorf("%s:%d: bad row %q", path, i+2, line)
		}
		if len(rows) > 0 && ep != rows[len(rows)-1].Epoch+1 {
			return nil, fmt.Errorf("%s:%d: epoch %d follows epoch %d", path, i+2, ep, rows[len(rows)-1].Epoch)
		}
		if len(rows) > 0 && st < rows[len(rows)-1].Step {
			return nil, fmt.Errorf("%s:%d: step %d follows step %d", path, i+2, st, rows[len(rows)-1].Step)
		}
		if err := r.checkRange(); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", path, i+2, err)
		}
		rows = append(rows, r)
	}
	return rows, nil
}

// checkRange says which value of a metrics row is out of its range: a
// time or learning rate that is negative or not finite, a loss below 0
// (a loss may be NaN or +Inf: an epoch whose weights overflowed), an
// accuracy outside [0, 1] (or NaN: no validation split).
func (r *EpochMetrics) checkRange() error {
	for _, c := range []struct {
		name string
		v    float64
		ok   bool
	}{
		{"seconds", r.Seconds, finite(r.Seconds) && r.Seconds >= 0},
		{"lr", r.LR, finite(r.LR) && r.LR >= 0},
		{"train_loss", r.TrainLoss, math.IsNaN(r.TrainLoss) || r.TrainLoss >= 0},
		{"train_acc", r.TrainAcc, math.IsNaN(r.TrainAcc) || r.TrainAcc >= 0 && r.TrainAcc <= 1},
		{"val_loss", r.ValLoss, math.IsNaN(r.ValLoss) || r.ValLoss >= 0},
		{"val_acc", r.ValAcc, math.IsNaN(r.ValAcc) || r.ValAcc >= 0 && r.ValAcc <= 1},
	} {
		if !c.ok {
			return fmt.Errorf("%s %v out of range", c.name, c.v)
		}
	}
	return nil
}

// LogEntry is one line of events.jsonl.
type LogEntry struct {
	Time    time.Time `json:"time"`
	Event   string    `json:"event"` // start, resume, pause, continue, edit, checkpoint, stop, interrupt, diverged, finish, fail
	Epoch   int       `json:"epoch"`
	Step    int64     `json:"step"`
	Field   string    `json:"field,omitempty"`
	Value   *float64  `json:"value,omitempty"`
	Old     *float64  `json:"old,omitempty"`
	Message string    `json:"message,omitempty"`
}

// ReadEvents reads a run's events.jsonl. Errors name the file and line.
func ReadEvents(dir string) ([]LogEntry, error) {
	path := filepath.Join(dir, EventsFile)
	b, err := readSmall(path)
	if err != nil {
		return nil, err
	}
	b = completeLines(b)
	return parseEvents(path, b)
}

func parseEvents(path string, b []byte) ([]LogEntry, error) {
	var log []LogEntry
	for i, line := range strings.Split(string(b), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var e LogEntry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", path, i+1, err)
		}
		if e.Event == "" {
			return nil, fmt.Errorf("%s:%d: no event name", path, i+1)
		}
		log = append(log, e)
	}
	return log, nil
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// createRunDir makes a new run directory under parent named
// <yyyymmdd-hhmmss>-<dataset>[-<name>], adding -2, -3 ... if another run
// (perhaps in another process) took the name first. Mkdir is atomic, so
// two processes never share a directory.
func createRunDir(parent, dataset, name string, now time.Time) (string, error) {
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", fmt.Errorf("runs directory: %w", err)
	}
	base := now.Format("20060102-150405") + "-" + strings.Trim(unsafeName.ReplaceAllString(dataset, "_"), "_.")
	if name != "" {
		base += "-" + strings.Trim(unsafeName.ReplaceAllString(name, "_"), "_.")
	}
	for i := 1; i < 1000; i++ {
		dir := filepath.Join(parent, base)
		if i > 1 {
			dir += "-" + strconv.Itoa(i)
		}
		err := os.Mkdir(dir, 0o755)
		if err == nil {
			return dir, nil
		}
		if !errors.Is(err, os.ErrExist) {
			return "", fmt.Errorf("run directory: %w", err)
		}
	}
	return "", fmt.Errorf("run directory: too many runs named %s in %s", base, parent)
}
