package trainer

import (
	"strconv"
	"strings"
)

// An Edit is a change of a live setting (Field.Live: lr, dropout) made
// while the run trained, as summary.json lists it.
type Edit struct {
	Field string  `json:"field"` // flag name: "lr" or "dropout"
	Old   float64 `json:"old"`
	New   float64 `json:"new"`
	Step  int64   `json:"step"`  // the first step trained with New
	Epoch int     `json:"epoch"` // the epoch that step is in
}

// editsOf lists the edits of a run's event log, in order.
func editsOf(log []LogEntry) []Edit {
	edits := []Edit{}
	for _, e := range log {
		if e.Event != "edit" || e.Value == nil || e.Old == nil {
			continue
		}
		edits = append(edits, Edit{Field: e.Field, Old: *e.Old, New: *e.Value, Step: e.Step + 1, Epoch: e.Epoch})
	}
	return edits
}

// EditedValue shows a setting as it went during a run: value (as the
// setting's field shows it) followed by each edit of it, its new value
// and the step it applied from: "0.01→0.001@1051". Without edits of the
// field it is value unchanged.
func EditedValue(field, value string, edits []Edit) string {
	var b strings.Builder
	b.WriteString(value)
	for _, e := range edits {
		if e.Field == field {
			b.WriteString("→" + strconv.FormatFloat(e.New, 'g', -1, 64) + "@" + strconv.FormatInt(e.Step, 10))
		}
	}
	return b.String()
}

// EditsText is every edit of a run, "lr 0.01→0.001@1051; dropout
// 0.1→0@2000", or "" without any: the `edits` column of `runs --csv`.
func EditsText(edits []Edit) string {
	var parts []string
	for _, e := range edits {
		parts = append(parts, e.Field+" "+strconv.FormatFloat(e.Old, 'g', -1, 64)+"→"+
			strconv.FormatFloat(e.New, 'g', -1, 64)+"@"+strconv.FormatInt(e.Step, 10))
	}
	return strings.Join(parts, "; ")
}

// EditedDifferences is Differences of runs whose live settings may have
// been edited: a setting differs if its values as they went differ, and
// each value shows its edits (EditedValue). summaries[i] may be nil.
func EditedDifferences(configs []*Config, summaries []*Summary) []Difference {
	var out []Difference
	for i := range Fields {
		f := &Fields[i]
		if notCompared[f.Name] {
			continue
		}
		vals := make([]string, len(configs))
		first, seen, differ := "", false, false
		for j, c := range configs {
			if c == nil {
				vals[j] = "?"
				continue
			}
			vals[j] = f.Get(c)
			if f.Live && j < len(summaries) && summaries[j] != nil {
				vals[j] = EditedValue(f.Name, vals[j], summaries[j].Edits)
			}
			if !seen {
				first, seen = vals[j], true
			}
			differ = differ || vals[j] != first
		}
		if differ {
			out = append(out, Difference{Field: f.Name, Values: vals})
		}
	}
	return out
}
