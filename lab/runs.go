package lab

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/mlptui/mlptui/internal/termsafe"
	"github.com/mlptui/mlptui/trainer"
)

// Entry is one saved run as the runs command shows it: its Config and
// Summary are nil where the file is missing or damaged.
type Entry struct{ trainer.RunRecord }

func (r *Entry) Name() string { return filepath.Base(r.Dir) }

// num returns a summary figure, NaN where there is none.
func (r *Entry) num(get func(*trainer.Summary) *float64) float64 {
	if r.Summary == nil {
		return math.NaN()
	}
	if v := get(r.Summary); v != nil {
		return *v
	}
	return math.NaN()
}

// RunColumn is a column of `mlptui runs`: its name (what --sort takes),
// its cell text and how it orders runs.
type RunColumn struct {
	Name  string
	JSON  string // its name in summary.JSON, config.JSON and --csv, which --sort takes too
	Right bool   // numbers, right-aligned
	Cell  func(*Entry) string
	// Exactly one of num and str orders the runs; unknown values (NaN, or
	// ok false) go last.
	num  func(*Entry) float64
	str  func(*Entry) (string, bool)
	desc bool // highest first: the accuracies
	// prio says what stays when the table is wider than the terminal:
	// the lowest go first.
	Prio int
}

func cfgNum(get func(*trainer.Config) float64) func(*Entry) float64 {
	return func(r *Entry) float64 {
		if r.Config == nil {
			return math.NaN()
		}
		return get(r.Config)
	}
}

// batchCell shows a batch size; 0, the whole training set a step, is
// "all" (a table's "0" read as no batch at all). --csv and --json keep 0,
// as config.json has it.
func batchCell(v float64) string {
	if v == 0 {
		return "all"
	}
	return strconv.Itoa(int(v))
}

func fmtNum(f func(*Entry) float64, format func(float64) string) func(*Entry) string {
	return func(r *Entry) string {
		v := f(r)
		if math.IsNaN(v) {
			return "-"
		}
		return format(v)
	}
}

var (
	bestVal = func(r *Entry) float64 {
		return r.num(func(s *trainer.Summary) *float64 { return s.BestValAccuracy })
	}
	testAcc   = func(r *Entry) float64 { return r.num(func(s *trainer.Summary) *float64 { return s.TestAccuracy }) }
	trainTime = func(r *Entry) float64 {
		if r.Summary == nil {
			return math.NaN()
		}
		return r.Summary.TrainSeconds
	}
	epochsDone = func(r *Entry) float64 {
		if r.Summary == nil {
			return math.NaN()
		}
		return float64(r.Summary.Epochs)
	}
	cfgStr = func(get func(*trainer.Config) string) func(*Entry) (string, bool) {
		return func(r *Entry) (string, bool) {
			if r.Config == nil {
				return "", false
			}
			return get(r.Config), true
		}
	}
	cellOf = func(f func(*Entry) (string, bool)) func(*Entry) string {
		return func(r *Entry) string {
			if s, ok := f(r); ok {
				return s
			}
			return "?"
		}
	}
	datasetOf = cfgStr(func(c *trainer.Config) string { return trainer.DatasetLabel(c.Dataset) })
	hiddenOf  = cfgStr(func(c *trainer.Config) string { return trainer.FieldByName("hidden").Get(c) })
)

// edited is the cell of a live setting: its value, then its edits
// ("0.01→0.001@1051").
func edited(field string) func(*Entry) string {
	f := trainer.FieldByName(field)
	return func(r *Entry) string {
		if r.Config == nil {
			return "-"
		}
		v := f.Get(r.Config)
		if r.Summary != nil {
			v = trainer.EditedValue(field, v, r.Summary.Edits)
		}
		return v
	}
}

var RunColumns = []RunColumn{
	{Name: "name", JSON: "run", Prio: 10, Cell: (*Entry).Name, str: func(r *Entry) (string, bool) { return r.Name(), true }},
	{Name: "dataset", JSON: "dataset", Prio: 7, Cell: cellOf(datasetOf), str: datasetOf},
	{Name: "hidden", JSON: "hidden", Prio: 6, Cell: cellOf(hiddenOf), str: hiddenOf},
	{Name: "dropout", JSON: "dropout", Prio: 2, Right: true, num: cfgNum(func(c *trainer.Config) float64 { return c.Dropout }), Cell: edited("dropout")},
	{Name: "lr", JSON: "lr", Prio: 5, Right: true, num: cfgNum(func(c *trainer.Config) float64 { return c.LR }), Cell: edited("lr")},
	{Name: "batch", JSON: "batch", Prio: 1, Right: true, num: cfgNum(func(c *trainer.Config) float64 { return float64(c.Batch) }),
		Cell: fmtNum(cfgNum(func(c *trainer.Config) float64 { return float64(c.Batch) }), batchCell)},
	{Name: "epochs", JSON: "epochs_done", Prio: 4, Right: true, num: epochsDone, Cell: func(r *Entry) string {
		if r.Summary == nil {
			return "-"
		}
		if r.Summary.Status != trainer.StatusDone && r.Config != nil && r.Config.Epochs > r.Summary.Epochs {
			return fmt.Sprintf("%d/%d", r.Summary.Epochs, r.Config.Epochs)
		}
		return strconv.Itoa(r.Summary.Epochs)
	}},
	{Name: "best-val-acc", JSON: "best_val_accuracy", Prio: 9, Right: true, num: bestVal, desc: true, Cell: fmtNum(bestVal, Percent)},
	{Name: "test-acc", JSON: "test_accuracy", Prio: 9, Right: true, num: testAcc, desc: true, Cell: fmtNum(testAcc, Percent)},
	{Name: "train-time", JSON: "train_seconds", Prio: 3, Right: true, num: trainTime, Cell: fmtNum(trainTime, Seconds)},
	{Name: "status", JSON: "status", Prio: 8, Cell: func(r *Entry) string { return string(r.Status) }, str: func(r *Entry) (string, bool) { return string(r.Status), true }},
}

// SweepColumn is the sweep a run is a trial of: not a column of `mlptui
// runs` (its --csv has it), but of the dashboard's table when a trial is
// listed.
var SweepColumn = RunColumn{Name: "sweep", JSON: "sweep", Prio: 2, Cell: cellOf(sweepOf), str: sweepOf}

var sweepOf = cfgStr(func(c *trainer.Config) string { return c.Sweep })

// Head is the column's header: BEST VAL ACC.
func (c *RunColumn) Head() string { return strings.ToUpper(strings.ReplaceAll(c.Name, "-", " ")) }

func init() {
	for i := range RunColumns {
		c := &RunColumns[i]
		if c.Cell == nil {
			c.Cell = fmtNum(c.num, G4)
		}
	}
}

// RunColumnNames lists what --sort takes.
func RunColumnNames() []string {
	var n []string
	for _, c := range RunColumns {
		n = append(n, c.Name)
	}
	return n
}

// RunColumnJSONNames lists the columns' names in --json and --csv.
func RunColumnJSONNames() []string {
	var n []string
	for _, c := range RunColumns {
		n = append(n, c.JSON)
	}
	return n
}

// FindRunColumn finds a column by its name, its header or its name in
// JSON and CSV ("best-val-acc", "BEST VAL ACC", "best_val_accuracy");
// spaces and underscores may stand for the dashes.
func FindRunColumn(name string) *RunColumn {
	dashed := strings.NewReplacer(" ", "-", "_", "-")
	n := dashed.Replace(strings.ToLower(strings.TrimSpace(name)))
	for i := range RunColumns {
		if c := &RunColumns[i]; c.Name == n || dashed.Replace(c.JSON) == n {
			return c
		}
	}
	return nil
}

// SortRuns orders runs by a column; unknown values last, ties by name.
func SortRuns(runs []*Entry, c *RunColumn) {
	sort.SliceStable(runs, func(i, j int) bool {
		a, b := runs[i], runs[j]
		if c.Name == "best-val-acc" { // the leaderboard's order
			if r := trainer.BestFirst(a.Summary, b.Summary); r != 0 {
				return r < 0
			}
			return a.Dir < b.Dir
		}
		if c.num != nil {
			x, y := c.num(a), c.num(b)
			switch {
			case math.IsNaN(x) || math.IsNaN(y):
				if math.IsNaN(x) != math.IsNaN(y) {
					return !math.IsNaN(x)
				}
			case x != y:
				return (x > y) == c.desc
			}
		} else {
			x, okx := c.str(a)
			y, oky := c.str(b)
			switch {
			case okx != oky:
				return okx
			case c.Name == "hidden" && x != y:
				return compareHidden(x, y) < 0
			case x != y:
				return x < y
			}
		}
		return a.Dir < b.Dir
	})
}

// compareHidden orders hidden sizes layer by layer as numbers.
func compareHidden(a, b string) int {
	ha, _ := trainer.ParseHidden(a)
	hb, _ := trainer.ParseHidden(b)
	return slices.Compare(ha, hb)
}

// ReadRuns lists the runs under dir.
func ReadRuns(ctx context.Context, dir string) ([]*Entry, error) {
	recs, err := trainer.ListRunsContext(ctx, dir)
	if err != nil {
		return nil, err
	}
	runs := make([]*Entry, len(recs))
	for i, r := range recs {
		runs[i] = &Entry{r}
	}
	return runs, nil
}

// runJSON is one run in `runs --json`: its summary (status, metrics) and
// its settings.
type runJSON struct {
	*trainer.Summary
	Config map[string]any `json:"config"` // every setting, typed (trainer.Settings)
}

func WriteRunsJSON(w io.Writer, runs []*Entry) error {
	out := make([]runJSON, 0, len(runs))
	for _, r := range runs {
		s := trainer.Summary{}
		if r.Summary != nil {
			s = *r.Summary
		} else if r.Err != nil {
			s.Message = OneLine(r.Err.Error())
		}
		s.Run, s.Status = r.Dir, r.Status
		if s.Dataset == "" && r.Config != nil {
			s.Dataset = r.Config.Dataset
		}
		out = append(out, runJSON{Summary: &s, Config: trainer.Settings(r.Config)})
	}
	return json.NewEncoder(w).Encode(out)
}

// CSVSettings are the settings `runs --csv` has a column for: every one
// but where the runs are kept.
func CSVSettings() []*trainer.Field {
	var fs []*trainer.Field
	for i := range trainer.Fields {
		if f := &trainer.Fields[i]; f.Name != "runs" {
			fs = append(fs, f)
		}
	}
	return fs
}

// csvMetrics are the summary's columns in `runs --csv`, named as in
// summary.JSON.
var csvMetrics = []struct {
	Name string
	get  func(*trainer.Summary) string
}{
	{"epochs_done", func(s *trainer.Summary) string { return strconv.Itoa(s.Epochs) }},
	{"steps", func(s *trainer.Summary) string { return strconv.FormatInt(s.Steps, 10) }},
	{"arch", func(s *trainer.Summary) string { return s.Arch }},
	{"params", func(s *trainer.Summary) string { return strconv.Itoa(s.Params) }},
	{"best_val_accuracy", func(s *trainer.Summary) string { return csvFloat(s.BestValAccuracy) }},
	{"best_val_epoch", func(s *trainer.Summary) string {
		if s.BestValAccuracy == nil {
			return ""
		}
		return strconv.Itoa(s.BestValEpoch)
	}},
	{"test_accuracy", func(s *trainer.Summary) string { return csvFloat(s.TestAccuracy) }},
	{"test_loss", func(s *trainer.Summary) string { return csvFloat(s.TestLoss) }},
	{"train_accuracy", func(s *trainer.Summary) string { return csvFloat(s.TrainAccuracy) }},
	{"train_loss", func(s *trainer.Summary) string { return csvFloat(s.TrainLoss) }},
	{"val_accuracy", func(s *trainer.Summary) string { return csvFloat(s.ValAccuracy) }},
	{"val_loss", func(s *trainer.Summary) string { return csvFloat(s.ValLoss) }},
	{"train_seconds", func(s *trainer.Summary) string { return csvFloat(&s.TrainSeconds) }},
	{"samples_per_second", func(s *trainer.Summary) string { return csvFloat(&s.SamplesPerSecond) }},
	{"started", func(s *trainer.Summary) string { return csvTime(s.Started) }},
	{"updated", func(s *trainer.Summary) string { return csvTime(s.Updated) }},
	{"lr_at_end", func(s *trainer.Summary) string { return csvAtEnd(s, "lr") }},
	{"dropout_at_end", func(s *trainer.Summary) string { return csvAtEnd(s, "dropout") }},
	{"edits", func(s *trainer.Summary) string { return trainer.EditsText(s.Edits) }},
	{"message", func(s *trainer.Summary) string { return s.Message }},
}

// csvAtEnd is a live setting as the run ended, or an empty cell for a
// run whose summary does not say (written before mlptui kept it).
func csvAtEnd(s *trainer.Summary, field string) string {
	v, ok := s.SettingsAtEnd[field]
	if !ok {
		return ""
	}
	return csvFloat(&v)
}

// csvFloat writes a number exactly (it reads back to the same float64);
// none is an empty cell, which pandas reads as NaN.
func csvFloat(v *float64) string {
	if v == nil || math.IsNaN(*v) {
		return ""
	}
	return strconv.FormatFloat(*v, 'g', -1, 64)
}

func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

// WriteRunsCSV writes one header row and one row per run: the run, its
// status, sweep and host, every setting (named as in config.JSON) and the
// summary's figures (named as in summary.JSON). A value that does not
// exist is an empty cell.
func WriteRunsCSV(out io.Writer, runs []*Entry) error {
	w := csv.NewWriter(out)
	settings := CSVSettings()
	head := []string{"run", "status", "sweep", "host"}
	for _, f := range settings {
		head = append(head, strings.ReplaceAll(f.Name, "-", "_"))
	}
	for _, m := range csvMetrics {
		head = append(head, m.Name)
	}
	w.Write(head)
	for _, r := range runs {
		row := []string{r.Dir, string(r.Status), "", ""}
		if r.Config != nil {
			row[2] = r.Config.Sweep
		}
		if r.Summary != nil {
			row[3] = r.Summary.Host
		}
		for _, f := range settings {
			v := ""
			if r.Config != nil {
				v = f.Get(r.Config)
			}
			row = append(row, v)
		}
		for _, m := range csvMetrics {
			v := ""
			if r.Summary != nil {
				v = m.get(r.Summary)
			} else if m.Name == "message" && r.Err != nil {
				v = OneLine(r.Err.Error())
			}
			row = append(row, v)
		}
		w.Write(row)
	}
	w.Flush()
	return w.Error()
}

// FitColumns returns the indexes of the columns of rows to print so that
// the table, as WriteTable lays it out, is at most width cells wide:
// lowest prio first, the columns go until it fits (the last one always
// stays); of several rows (rows[0] is the header), a column with the same
// value in each goes before any that differs, since it tells them apart
// in nothing (at 80 columns a sweep over lr and dropout lost lr and
// dropout, and kept the one data set of all its trials). A width of 0 or
// less keeps every column.
func FitColumns(rows [][]string, prio func(col int) int, width int) []int {
	if len(rows) == 0 {
		return nil
	}
	widths := make([]int, len(rows[0]))
	same := make([]bool, len(rows[0]))
	for i := range same {
		same[i] = len(rows) > 2
	}
	for ri, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
			if ri > 1 && i < len(rows[1]) && c != rows[1][i] {
				same[i] = false
			}
		}
	}
	goesFirst := func(a, b int) bool { // column a goes before column b
		if same[a] != same[b] {
			return same[a]
		}
		return prio(a) < prio(b)
	}
	keep := make([]int, len(widths))
	for i := range keep {
		keep[i] = i
	}
	for width > 0 && len(keep) > 1 {
		total := 2 * (len(keep) - 1)
		for _, k := range keep {
			total += widths[k]
		}
		if total <= width {
			break
		}
		low := 0
		for j, k := range keep {
			if goesFirst(k, keep[low]) {
				low = j
			}
		}
		keep = slices.Delete(keep, low, low+1)
	}
	return keep
}

// WriteTable writes rows as columns two spaces apart, the columns for
// which right says so right-aligned, without trailing spaces.
func WriteTable(w io.Writer, rows [][]string, right func(col int) bool) {
	var width []int
	for _, r := range rows {
		for i, c := range r {
			if i >= len(width) {
				width = append(width, 0)
			}
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	for _, r := range rows {
		var b strings.Builder
		for i, c := range r {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
			if i > 0 {
				b.WriteString("  ")
			}
			if right(i) {
				b.WriteString(pad + c)
			} else {
				b.WriteString(c + pad)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

// OneLine is an error's or a file's text as one line of a table or a
// message: its first line, control characters shown escaped.
func OneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return termsafe.String(s) // an error may quote a file's content
}
