package main

import (
	"cmp"
	"context"
	"encoding/json"
	"io"
	"math"
	"os"

	"github.com/mlptui/mlptui/internal/termsafe"
	"github.com/mlptui/mlptui/lab/figure"
	"github.com/mlptui/mlptui/trainer"
)

func runLRFind(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "lr-find", "mlptui lr-find [training flags] [--json] [-o FILE.png|FILE.svg]\n\n"+
		"Suggests a learning rate: a throw-away copy of the configured network trains for a few\n"+
		"hundred steps while the learning rate grows from 1e-7 to 10 (stopping when the loss\n"+
		"explodes), and the suggestion is where the smoothed loss falls fastest (for a one-cycle\n"+
		"schedule: where it is least). Saves no run.")
	var cf configFlags
	cf.register(fs)
	jsonOut := fs.Bool("json", false, "print the curve and the suggestion as one JSON object")
	out := fs.String("o", "", "also write the curve to this `file`: .png or .svg")
	steps := fs.Int("steps", 200, "training steps from 1e-7 to 10")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *steps < 10 || *steps > 100000 {
		return usagef("--steps %d: want 10 to 100000", *steps)
	}
	format, err := imageFormat(*out)
	if err != nil {
		return err
	}
	cfg, err := cf.config()
	if err != nil {
		return err
	}
	p := newProgress(e)
	f, err := trainer.FindLR(ctx, cfg, trainer.LRFindOptions{Steps: *steps, Report: p.Event})
	if err != nil {
		return interruptedOr(ctx, err)
	}
	if format != "" {
		if err := figure.WriteLRFind(*out, format, f); err != nil {
			return err
		}
		termsafe.Fprintf(e.stderr, "wrote %s\n", *out)
	}
	if *jsonOut {
		return json.NewEncoder(e.stdout).Encode(lrFindJSON(f))
	}
	colour := e.stdoutWidth > 0 && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
	_, err = io.WriteString(e.stdout, figure.LRFindText(f, max(cmp.Or(e.stdoutWidth, 80), 40), colour))
	return err
}

// lrFindJSON is a finding with its non-finite losses as null, which JSON
// has no number for.
func lrFindJSON(f *trainer.LRFinding) any {
	nullable := func(v []float64) []*float64 {
		out := make([]*float64, len(v))
		for i := range v {
			if !math.IsNaN(v[i]) && !math.IsInf(v[i], 0) {
				out[i] = &v[i]
			}
		}
		return out
	}
	type finding struct {
		*trainer.LRFinding
		RawLoss []*float64 `json:"raw_loss"`
		Loss    []*float64 `json:"loss"`
	}
	return finding{f, nullable(f.RawLoss), nullable(f.Loss)}
}
