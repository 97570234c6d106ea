package trainer

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"

	"github.com/mlptui/mlptui/internal/runlock"
)

// RunRecord is one saved run as found on disk.
type RunRecord struct {
	Dir     string
	Config  *Config  // nil if config.json is missing or damaged
	Summary *Summary // nil if summary.json is missing or damaged
	// Status is the summary's status, except: "damaged" when summary.json
	// or config.json cannot be read, and "crashed" when it says running
	// but the process that wrote it is gone.
	Status Status
	Err    error // what made the run damaged, if it is
}

// ListRuns reads every run directory directly under dir, sorted by name
// (which starts with the start time). A damaged run is listed with its
// error; it does not stop the listing. A dir that does not exist yet has
// no runs: the first run creates it.
func ListRuns(dir string) ([]RunRecord, error) {
	return ListRunsContext(context.Background(), dir)
}

// ListRunsContext is ListRuns that stops when ctx ends, with ctx's error.
func ListRunsContext(ctx context.Context, dir string) ([]RunRecord, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fieldErr("runs", dir, fmt.Errorf("%w", unwrapPathErr(err)))
	}
	var out []RunRecord
	for _, ent := range ents {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if !ent.IsDir() || ent.Name()[0] == '.' {
			continue
		}
		out = append(out, ReadRun(filepath.Join(dir, ent.Name())))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Dir < out[j].Dir })
	return out, nil
}

// ReadRun reads one run directory's config and summary.
func ReadRun(dir string) RunRecord {
	r := RunRecord{Dir: dir}
	var errs []error
	if c, err := ReadConfig(dir); err == nil {
		r.Config = &c
	} else {
		errs = append(errs, err)
	}
	if s, err := ReadSummary(dir); err == nil {
		r.Summary = s
		r.Status = s.Status
		if s.Status == StatusRunning {
			// Running while its lock is held; a run of an older mlptui,
			// without a lock, while its process is there.
			held, known := runHeld(dir)
			if known && !held || !known && !runlock.Alive(s.PID) {
				r.Status = StatusCrashed
			}
		}
	} else {
		errs = append(errs, err)
		r.Status = StatusDamaged
	}
	if r.Config == nil {
		r.Status = StatusDamaged // whatever its summary says: it cannot be evaluated or resumed
	}
	r.Err = errors.Join(errs...)
	return r
}
