package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"github.com/mlptui/mlptui/lab"
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

// runEntry is one saved run as the runs command shows it: its Config and
// Summary are nil where the file is missing or damaged.
type runEntry struct{ trainer.RunRecord }

func (r *runEntry) name() string { return filepath.Base(r.Dir) }

// num returns a summary figure, NaN where there is none.
func (r *runEntry) num(get func(*trainer.Summary) *float64) float64 {
	if r.Summary == nil {
		return math.NaN()
	}
	if v := get(r.Summary); v != nil {
		return *v
	}
	return math.NaN()
}

// runsColumn is a column of `mlptui runs`: its name (what --sort takes),
// its cell text and how it orders runs.
type runsColumn struct {
	name  string
	json  string // its name in summary.json, config.json and --csv, which --sort takes too
	right bool   // numbers, right-aligned
	cell  func(*runEntry) string
	// Exactly one of num and str orders the runs; unknown values (NaN, or
	// ok false) go last.
	num  func(*runEntry) float64
	str  func(*runEntry) (string, bool)
	desc bool // highest first: the accuracies
	// prio says what stays when the table is wider than the terminal:
	// the lowest go first.
	prio int
}

func cfgNum(get func(*trainer.Config) float64) func(*runEntry) float64 {
	return func(r *runEntry) float64 {
		if r.Config == nil {
			return math.NaN()
		}
		return get(r.Config)
	}
}

func fmtNum(f func(*runEntry) float64, format func(float64) string) func(*runEntry) string {
	return func(r *runEntry) string {
		v := f(r)
		if math.IsNaN(v) {
			return "-"
		}
		return format(v)
	}
}

var (
	bestVal = func(r *runEntry) float64 {
		return r.num(func(s *trainer.Summary) *float64 { return s.BestValAccuracy })
	}
	testAcc   = func(r *runEntry) float64 { return r.num(func(s *trainer.Summary) *float64 { return s.TestAccuracy }) }
	trainTime = func(r *runEntry) float64 {
		if r.Summary == nil {
			return math.NaN()
		}
		return r.Summary.TrainSeconds
	}
	epochsDone = func(r *runEntry) float64 {
		if r.Summary == nil {
			return math.NaN()
		}
		return float64(r.Summary.Epochs)
	}
	cfgStr = func(get func(*trainer.Config) string) func(*runEntry) (string, bool) {
		return func(r *runEntry) (string, bool) {
			if r.Config == nil {
				return "", false
			}
			return get(r.Config), true
		}
	}
	cellOf = func(f func(*runEntry) (string, bool)) func(*runEntry) string {
		return func(r *runEntry) string {
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
func edited(field string) func(*runEntry) string {
	f := trainer.FieldByName(field)
	return func(r *runEntry) string {
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

var runsColumns = []runsColumn{
	{name: "name", json: "run", prio: 10, cell: (*runEntry).name, str: func(r *runEntry) (string, bool) { return r.name(), true }},
	{name: "dataset", json: "dataset", prio: 7, cell: cellOf(datasetOf), str: datasetOf},
	{name: "hidden", json: "hidden", prio: 6, cell: cellOf(hiddenOf), str: hiddenOf},
	{name: "dropout", json: "dropout", prio: 2, right: true, num: cfgNum(func(c *trainer.Config) float64 { return c.Dropout }), cell: edited("dropout")},
	{name: "lr", json: "lr", prio: 5, right: true, num: cfgNum(func(c *trainer.Config) float64 { return c.LR }), cell: edited("lr")},
	{name: "batch", json: "batch", prio: 1, right: true, num: cfgNum(func(c *trainer.Config) float64 { return float64(c.Batch) })},
	{name: "epochs", json: "epochs_done", prio: 4, right: true, num: epochsDone, cell: func(r *runEntry) string {
		if r.Summary == nil {
			return "-"
		}
		if r.Summary.Status != trainer.StatusDone && r.Config != nil && r.Config.Epochs > r.Summary.Epochs {
			return fmt.Sprintf("%d/%d", r.Summary.Epochs, r.Config.Epochs)
		}
		return strconv.Itoa(r.Summary.Epochs)
	}},
	{name: "best-val-acc", json: "best_val_accuracy", prio: 9, right: true, num: bestVal, desc: true, cell: fmtNum(bestVal, lab.Percent)},
	{name: "test-acc", json: "test_accuracy", prio: 9, right: true, num: testAcc, desc: true, cell: fmtNum(testAcc, lab.Percent)},
	{name: "train-time", json: "train_seconds", prio: 3, right: true, num: trainTime, cell: fmtNum(trainTime, lab.Seconds)},
	{name: "status", json: "status", prio: 8, cell: func(r *runEntry) string { return string(r.Status) }, str: func(r *runEntry) (string, bool) { return string(r.Status), true }},
}

func init() {
	for i := range runsColumns {
		c := &runsColumns[i]
		if c.cell == nil {
			c.cell = fmtNum(c.num, lab.G4)
		}
	}
}

// runsColumnNames lists what --sort takes.
func runsColumnNames() []string {
	var n []string
	for _, c := range runsColumns {
		n = append(n, c.name)
	}
	return n
}

// runsColumnJSONNames lists the columns' names in --json and --csv.
func runsColumnJSONNames() []string {
	var n []string
	for _, c := range runsColumns {
		n = append(n, c.json)
	}
	return n
}

// findRunsColumn finds a column by its name, its header or its name in
// JSON and CSV ("best-val-acc", "BEST VAL ACC", "best_val_accuracy");
// spaces and underscores may stand for the dashes.
func findRunsColumn(name string) *runsColumn {
	dashed := strings.NewReplacer(" ", "-", "_", "-")
	n := dashed.Replace(strings.ToLower(strings.TrimSpace(name)))
	for i := range runsColumns {
		if c := &runsColumns[i]; c.name == n || dashed.Replace(c.json) == n {
			return c
		}
	}
	return nil
}

// sortRuns orders runs by a column; unknown values last, ties by name.
func sortRuns(runs []*runEntry, c *runsColumn) {
	sort.SliceStable(runs, func(i, j int) bool {
		a, b := runs[i], runs[j]
		if c.name == "best-val-acc" { // the leaderboard's order
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
			case c.name == "hidden" && x != y:
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

// readRuns lists the runs under dir.
func readRuns(ctx context.Context, dir string) ([]*runEntry, error) {
	recs, err := trainer.ListRunsContext(ctx, dir)
	if err != nil {
		return nil, err
	}
	runs := make([]*runEntry, len(recs))
	for i, r := range recs {
		runs[i] = &runEntry{r}
	}
	return runs, nil
}

func runRuns(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "runs", "mlptui runs [--runs DIR] [--sort COLUMN] [--json | --csv]\n\n"+
		"Lists saved runs, one line each, best validation accuracy first. A damaged run, or one\n"+
		"still training, is listed with its state.\n"+
		"--csv gives every run's settings and final and best metrics as one CSV table (for a\n"+
		"spreadsheet or pandas); --json a JSON array of the runs' summaries and settings.")
	dir := fs.String("runs", "runs", "`dir`ectory of saved runs")
	jsonOut := fs.Bool("json", false, "print a JSON array of the runs' summaries, each with its config")
	csvOut := fs.Bool("csv", false, "print every run's settings and metrics as CSV")
	sortBy := fs.String("sort", "best-val-acc", "order by this `column`: "+strings.Join(runsColumnNames(), ", ")+
		" or its name in --json and --csv, like best_val_accuracy (accuracies highest first, the others lowest first; unknown values last)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	col := findRunsColumn(*sortBy)
	if col == nil {
		return usagef("--sort %s: unknown column; want one of %s, or a name of --json and --csv (%s)", *sortBy, strings.Join(runsColumnNames(), ", "), strings.Join(runsColumnJSONNames(), ", "))
	}
	if *jsonOut && *csvOut {
		return usagef("--json and --csv: choose one")
	}
	// The default directory may not exist yet: no runs. One named by
	// --runs should.
	var named bool
	fs.Visit(func(f *flag.Flag) { named = named || f.Name == "runs" })
	if named {
		if _, err := statFlag("runs", *dir); err != nil {
			return err
		}
	}
	runs, err := readRuns(ctx, *dir)
	if err != nil {
		return err
	}
	sortRuns(runs, col)
	switch {
	case *jsonOut:
		return writeRunsJSON(e, runs)
	case *csvOut:
		return writeRunsCSV(e, runs)
	}
	if len(runs) == 0 {
		termsafe.Fprintf(e.stderr, "no runs in %s\n", *dir)
		return nil
	}
	rows := [][]string{make([]string, len(runsColumns))}
	for i, c := range runsColumns {
		rows[0][i] = strings.ToUpper(strings.ReplaceAll(c.name, "-", " "))
	}
	for _, r := range runs {
		cells := make([]string, len(runsColumns))
		for i, c := range runsColumns {
			cells[i] = c.cell(r)
		}
		rows = append(rows, cells)
	}
	printTable(e, rows, func(i int) int { return runsColumns[i].prio }, func(i int) bool { return runsColumns[i].right }, "--csv")
	for _, r := range runs {
		if r.Err != nil {
			termsafe.Fprintf(e.stderr, "%s: %s: %s\n", r.name(), r.Status, errText(r.Err))
		}
	}
	return nil
}

// runJSON is one run in `runs --json`: its summary (status, metrics) and
// its settings.
type runJSON struct {
	*trainer.Summary
	Config map[string]any `json:"config"` // every setting, typed (trainer.Settings)
}

func writeRunsJSON(e *env, runs []*runEntry) error {
	out := make([]runJSON, 0, len(runs))
	for _, r := range runs {
		s := trainer.Summary{}
		if r.Summary != nil {
			s = *r.Summary
		} else if r.Err != nil {
			s.Message = errText(r.Err)
		}
		s.Run, s.Status = r.Dir, r.Status
		if s.Dataset == "" && r.Config != nil {
			s.Dataset = r.Config.Dataset
		}
		out = append(out, runJSON{Summary: &s, Config: trainer.Settings(r.Config)})
	}
	return json.NewEncoder(e.stdout).Encode(out)
}

// csvSettings are the settings `runs --csv` has a column for: every one
// but where the runs are kept.
func csvSettings() []*trainer.Field {
	var fs []*trainer.Field
	for i := range trainer.Fields {
		if f := &trainer.Fields[i]; f.Name != "runs" {
			fs = append(fs, f)
		}
	}
	return fs
}

// csvMetrics are the summary's columns in `runs --csv`, named as in
// summary.json.
var csvMetrics = []struct {
	name string
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

// writeRunsCSV writes one header row and one row per run: the run, its
// status, sweep and host, every setting (named as in config.json) and the
// summary's figures (named as in summary.json). A value that does not
// exist is an empty cell.
func writeRunsCSV(e *env, runs []*runEntry) error {
	w := csv.NewWriter(e.stdout)
	settings := csvSettings()
	head := []string{"run", "status", "sweep", "host"}
	for _, f := range settings {
		head = append(head, strings.ReplaceAll(f.Name, "-", "_"))
	}
	for _, m := range csvMetrics {
		head = append(head, m.name)
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
			} else if m.name == "message" && r.Err != nil {
				v = errText(r.Err)
			}
			row = append(row, v)
		}
		w.Write(row)
	}
	w.Flush()
	return w.Error()
}

// printTable writes a table for people to read on stdout (rows[0] is its
// header), its cells' control characters shown escaped, fitted to the
// terminal: columns of the lowest prio are left
// out until it fits, and stderr says which and that the flag all (--csv,
// --json) has every column.
func printTable(e *env, rows [][]string, prio func(col int) int, right func(col int) bool, all string) {
	for i, r := range rows {
		rows[i] = termsafe.Strings(r) // names, statuses and data sets from the runs' files, fitted as shown
	}
	keep := fitColumns(rows, prio, e.stdoutWidth)
	var left []string
	for i := range rows[0] {
		if !slices.Contains(keep, i) {
			left = append(left, strings.ToLower(rows[0][i]))
		}
	}
	for i, r := range rows {
		cells := make([]string, len(keep))
		for j, k := range keep {
			cells[j] = r[k]
		}
		rows[i] = cells
	}
	writeTable(e.stdout, rows, func(i int) bool { return right(keep[i]) })
	if len(left) > 0 {
		fmt.Fprintf(e.stderr, "(left out to fit: %s; %s has all)\n", strings.Join(left, ", "), all)
	}
}

// fitColumns returns the indexes of the columns of rows to print so that
// the table, as writeTable lays it out, is at most width cells wide:
// lowest prio first, the columns go until it fits (the last one always
// stays). A width of 0 or less keeps every column.
func fitColumns(rows [][]string, prio func(col int) int, width int) []int {
	if len(rows) == 0 {
		return nil
	}
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
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
			if prio(k) < prio(keep[low]) {
				low = j
			}
		}
		keep = slices.Delete(keep, low, low+1)
	}
	return keep
}

// writeTable writes rows as columns two spaces apart, the columns for
// which right says so right-aligned, without trailing spaces.
func writeTable(w io.Writer, rows [][]string, right func(col int) bool) {
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
