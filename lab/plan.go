package lab

import (
	"fmt"
	"math"
	"slices"

	"github.com/mlptui/mlptui/trainer"
)

// A Dim is one swept setting and its values, canonical (as config.json
// writes them) and distinct, in the order given.
type Dim struct {
	Field  *trainer.Field
	Values []string
	last   int // index in the settings of the field's last occurrence: where it applies
}

// Dims returns the settings a sweep varies (trainer.Field.Sweep), in the
// order their fields first appear, each with its distinct values. The
// values must have passed Check.
func (s Settings) Dims() []*Dim {
	var dims []*Dim
	byName := map[string]*Dim{}
	for i, x := range s {
		if !x.Field.Sweep {
			continue
		}
		d := byName[x.Field.Name]
		if d == nil {
			d = &Dim{Field: x.Field}
			byName[x.Field.Name] = d
			dims = append(dims, d)
		}
		d.last = i
		for _, v := range SplitValues(x.Field, x.Value) {
			var c trainer.Config
			x.Field.Set(&c, v) // checked when it was given
			if canon := x.Field.Get(&c); !slices.Contains(d.Values, canon) {
				d.Values = append(d.Values, canon)
			}
		}
	}
	return dims
}

// TrialConfig builds one trial's settings: the settings replayed in order
// as Config does, each swept setting taking value pick[i] of dims[i]
// where its field last stands.
func (s Settings) TrialConfig(dims []*Dim, pick []int) (trainer.Config, error) {
	var one Settings
	for i, x := range s {
		if !x.Field.Sweep {
			one = append(one, x)
			continue
		}
		for k, d := range dims {
			if d.Field == x.Field && d.last == i {
				one = append(one, Setting{x.Field, d.Values[pick[k]]})
			}
		}
	}
	return one.Config()
}

// PlanOptions say how to choose and name a sweep's trials.
type PlanOptions struct {
	Name   string // the sweep's name; "" for DefaultSweepName's
	Trials int    // a random search of this many trials; 0: the whole grid
	Seed   uint64 // the random search's seed
	// Options, if set, gives the trainer options of a trial (tests).
	Options func(trial int) trainer.Options
}

// A Plan is a sweep laid out: the Sweep to run, the settings in which its
// trials differ, and how the trials were chosen.
type Plan struct {
	Sweep *Sweep
	Diffs []trainer.Difference
	Grid  int  // the grid's size
	Drawn bool // the trials are drawn at random from the grid
}

// TooManyTrials is the error of a grid larger than MaxTrials without a
// random search.
type TooManyTrials struct{ Grid int }

func (e *TooManyTrials) Error() string {
	return fmt.Sprintf("a grid of %d trials is too many; search a random part of it", e.Grid)
}

// PlanSweep lays out the sweep the settings ask for: every combination of
// the swept settings' values (a grid), or o.Trials of them drawn at
// random, each checked and named. Every value of every swept setting must
// be allowed, also those a random draw leaves out. A name that cannot be
// one is CheckSweepName's FieldError; a grid too large, *TooManyTrials.
func PlanSweep(s Settings, o PlanOptions) (*Plan, error) {
	dims := s.Dims()
	grid := 1
	sizes := make([]int, len(dims))
	var swept []string
	for k, d := range dims {
		sizes[k] = len(d.Values)
		if len(d.Values) > 1 {
			swept = append(swept, d.Field.Name)
		}
		if grid > math.MaxInt32/max(len(d.Values), 1) {
			grid = math.MaxInt32 // "too many" either way; no overflow on 32-bit CPUs
			break
		}
		grid *= len(d.Values)
	}
	if o.Trials == 0 && grid > MaxTrials {
		return nil, &TooManyTrials{grid}
	}
	for k, d := range dims {
		for v := range d.Values {
			pick := make([]int, len(dims))
			pick[k] = v
			if _, err := s.TrialConfig(dims, pick); err != nil {
				return nil, err
			}
		}
	}
	var trials []*Trial
	for i, p := range GridPicks(sizes, grid, o.Trials, o.Seed) {
		cfg, err := s.TrialConfig(dims, p)
		if err != nil {
			return nil, err
		}
		trials = append(trials, &Trial{N: i + 1, Config: cfg})
	}
	base := trials[0].Config
	name := o.Name
	if name == "" {
		name = DefaultSweepName(base.Dataset, swept)
	}
	if err := CheckSweepName(name); err != nil {
		return nil, err
	}
	diffs := NameTrials(trials, name)
	return &Plan{
		Sweep: &Sweep{Name: name, RunsDir: base.RunsDir, Plan: trials, Options: o.Options},
		Diffs: diffs, Grid: grid, Drawn: len(trials) < grid,
	}, nil
}
