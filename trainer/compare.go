package trainer

import (
	"math"
	"strings"
)

// BestFirst orders runs as a leaderboard does: the higher best validation
// accuracy first, then the lower validation loss of that epoch; a run
// without a value (no summary, not measured, NaN) comes after those with
// one. It returns a negative number when a ranks before b, a positive one
// when b ranks before a, and 0 when they tie. It never reads a test
// figure: the test set takes no part in choosing a model.
func BestFirst(a, b *Summary) int {
	if c := descUnknownLast(bestVal(a), bestVal(b)); c != 0 {
		return c
	}
	return descUnknownLast(-bestValLoss(a), -bestValLoss(b)) // the lower loss first
}

func bestVal(s *Summary) float64 {
	if s == nil {
		return math.NaN()
	}
	return valueOrNaN(s.BestValAccuracy)
}

func bestValLoss(s *Summary) float64 {
	if s == nil {
		return math.NaN()
	}
	return valueOrNaN(s.BestValLoss)
}

func valueOrNaN(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

// descUnknownLast compares two values, the higher first and NaN last.
func descUnknownLast(a, b float64) int {
	switch an, bn := math.IsNaN(a), math.IsNaN(b); {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

// A Difference is a setting whose value is not the same in every run of
// a set: what `mlptui plot` puts in its legend, what the dashboard's runs
// screen lists under a comparison, and how `mlptui sweep` tells its trials
// apart.
type Difference struct {
	Field  string   // the flag name: "lr", "hidden", ...
	Values []string // one per config, as the flag takes it; "?" for a nil config
}

// notCompared are the settings that neither change what a run learns nor
// describe it: where things are kept, the run's own name and the thread
// count (results do not depend on it).
var notCompared = map[string]bool{"name": true, "runs": true, "data-dir": true, "threads": true}

// Compared reports whether Differences looks at the setting with that
// flag name.
func Compared(field string) bool { return FieldByName(field) != nil && !notCompared[field] }

// Differences lists, in flag order, the settings whose values are not the
// same in all the configs. A nil config (a run whose config.json could not
// be read) shows "?" and is not counted as differing by itself.
func Differences(configs []*Config) []Difference { return EditedDifferences(configs, nil) }

// SameSettings reports whether a and b would train the same run: no
// setting that Differences compares differs.
func SameSettings(a, b *Config) bool {
	return SettingsKey(a) == SettingsKey(b)
}

// SettingsKey is every setting Differences compares, as "name=value"
// pairs in flag order: two configs train the same run when their keys are
// equal.
func SettingsKey(c *Config) string {
	var b strings.Builder
	for i := range Fields {
		if f := &Fields[i]; !notCompared[f.Name] {
			v := f.Get(c)
			if f.Name == "dataset" { // a relative path and the absolute one a run keeps
				v = AbsDataset(v)
			}
			b.WriteString(f.Name + "=" + v + "\n")
		}
	}
	return b.String()
}

// Describe writes the i-th config's values of the differences as flags
// would give them: "lr=0.001 dropout=0.2".
func Describe(diffs []Difference, i int) string {
	parts := make([]string, 0, len(diffs))
	for _, d := range diffs {
		if i < len(d.Values) {
			parts = append(parts, d.Field+"="+d.Values[i])
		}
	}
	return strings.Join(parts, " ")
}
