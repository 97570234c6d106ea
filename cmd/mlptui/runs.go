package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/mlptui/mlptui/internal/cliflag"
	"github.com/mlptui/mlptui/internal/termsafe"
	"github.com/mlptui/mlptui/lab"
)

func runRuns(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "runs", "mlptui runs [--runs DIR] [--sort COLUMN] [--json | --csv]\n\n"+
		"Lists saved runs, one line each, best validation accuracy first. A damaged run, or one\n"+
		"still training, is listed with its state.\n"+
		"--csv gives every run's settings and final and best metrics as one CSV table (for a\n"+
		"spreadsheet or pandas); --json a JSON array of the runs' summaries and settings.")
	dir := fs.String("runs", "runs", "`dir`ectory of saved runs")
	jsonOut := fs.Bool("json", false, "print a JSON array of the runs' summaries, each with its config")
	csvOut := fs.Bool("csv", false, "print every run's settings and metrics as CSV")
	sortBy := fs.String("sort", "best-val-acc", "order by this `column`: "+strings.Join(lab.RunColumnNames(), ", ")+
		" or its name in --json and --csv, like best_val_accuracy (accuracies highest first, the others lowest first; unknown values last)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	col := lab.FindRunColumn(*sortBy)
	if col == nil {
		return usagef("--sort %s: unknown column; want one of %s, or a name of --json and --csv (%s)", *sortBy, strings.Join(lab.RunColumnNames(), ", "), strings.Join(lab.RunColumnJSONNames(), ", "))
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
	runs, err := lab.ReadRuns(ctx, *dir)
	if err != nil {
		return err
	}
	lab.SortRuns(runs, col)
	switch {
	case *jsonOut:
		return lab.WriteRunsJSON(e.stdout, runs)
	case *csvOut:
		return lab.WriteRunsCSV(e.stdout, runs)
	}
	if len(runs) == 0 {
		termsafe.Fprintf(e.stderr, "no runs in %s\n", *dir)
		return nil
	}
	rows := lab.RunTable(runs)
	printTable(e, rows, func(i int) int { return lab.RunColumns[i].Prio }, func(i int) bool { return lab.RunColumns[i].Right }, "--csv")
	for _, r := range runs {
		if r.Err != nil {
			termsafe.Fprintf(e.stderr, "%s: %s: %s\n", r.Name(), r.Status, errText(r.Err))
		}
	}
	return nil
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
	rows, keep, left := lab.FitTable(rows, prio, e.stdoutWidth)
	lab.WriteTable(e.stdout, rows, func(i int) bool { return right(keep[i]) })
	if len(left) > 0 {
		note := fmt.Sprintf("(left out to fit: %s; %s has all)", strings.Join(left, ", "), all)
		if e.stderrTTY && e.stderrWidth > 1 { // lines that fit, not one the terminal breaks mid-word
			note = strings.Join(cliflag.Wrap(note, e.stderrWidth-1), "\n")
		}
		fmt.Fprintln(e.stderr, note)
	}
}
