package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"text/tabwriter"

	"github.com/mlptui/mlptui/trainer"
)

func runRuns(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "runs", "mlptui runs [--runs DIR] [--json]\n\nLists saved runs, one line each.")
	dir := fs.String("runs", "runs", "directory of saved runs")
	jsonOut := fs.Bool("json", false, "print a JSON array of the runs' summaries")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	recs, err := trainer.ListRuns(*dir)
	if err != nil {
		return err
	}
	var sums []*trainer.Summary
	for _, r := range recs {
		s := r.Summary
		if s == nil {
			s = &trainer.Summary{Message: oneLine(r.Err.Error())}
		}
		s.Run, s.Status = r.Dir, r.Status
		sums = append(sums, s)
	}
	if *jsonOut {
		if sums == nil {
			sums = []*trainer.Summary{}
		}
		return json.NewEncoder(e.stdout).Encode(sums)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tSTATUS\tNETWORK\tEPOCHS\tBEST VAL\tTEST\tTIME")
	pct := func(v *float64) string {
		if v == nil {
			return "-"
		}
		return fmt.Sprintf("%.2f%%", 100**v)
	}
	for _, s := range sums {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s\n", filepath.Base(s.Run), s.Status, s.Arch, s.Epochs,
			pct(s.BestValAccuracy), pct(s.TestAccuracy), duration(s.TrainSeconds))
	}
	return tw.Flush()
}
