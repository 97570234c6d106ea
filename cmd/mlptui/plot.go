package main

import (
	"cmp"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/mlptui/mlptui/internal/termsafe"
	"github.com/mlptui/mlptui/lab/figure"
)

func runPlot(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "plot", "mlptui plot [-o FILE.png|FILE.svg] [--boundary|--layers] DIR...\n\n"+
		"Draws the loss and accuracy curves, training and validation, of one or more runs\n"+
		"overlaid, with a legend naming each run and the settings in which the runs differ.\n"+
		"With -o: a PNG or SVG file, by its extension; without: the curves in the terminal.\n"+
		"--boundary: the decision boundary of one run on two features instead.\n"+
		"--layers: one run's layer statistics (layers.csv) epoch by epoch instead.")
	out := fs.String("o", "", "write the plot to this `file`: .png or .svg (default: draw in the terminal)")
	width := fs.Int("width", 0, "terminal: columns to use (0: the terminal's width, or 80)")
	boundary := fs.Bool("boundary", false, "draw the decision boundary of one run whose data set has two features, with its points")
	layers := fs.Bool("layers", false, "draw one run's layer statistics epoch by epoch: gradient norm, update ratio, dead units, output spread")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usagef("no run directory given; want mlptui plot [-o FILE] DIR...")
	}
	if len(pos) > figure.MaxRuns {
		return usagef("%d runs given; at most %d fit in one plot", len(pos), figure.MaxRuns)
	}
	format, err := imageFormat(*out)
	if err != nil {
		return err
	}
	if *width < 0 || *width > 10000 {
		return usagef("--width %d: want 0 (the terminal's) to 10000", *width)
	}
	// Colour only on a terminal (stdoutWidth is 0 elsewhere).
	colour := e.stdoutWidth > 0 && os.Getenv("NO_COLOR") == "" && os.Getenv("TERM") != "dumb"
	w := cmp.Or(*width, e.stdoutWidth, 80)
	if *layers {
		if *boundary {
			return usagef("--layers and --boundary draw different things; give one")
		}
		if len(pos) != 1 {
			return usagef("--layers draws one run; %d given", len(pos))
		}
		return plotLayers(e, pos[0], *out, format, max(w, 30), colour)
	}
	if *boundary {
		if len(pos) != 1 {
			return usagef("--boundary draws one run; %d given", len(pos))
		}
		return plotBoundary(ctx, e, pos[0], *out, format, max(w, 20), colour)
	}
	runs, err := figure.LoadRuns(ctx, pos)
	if err != nil {
		return interruptedOr(ctx, err)
	}
	if format != "" {
		if err := figure.WriteFile(*out, format, runs); err != nil {
			return err
		}
		termsafe.Fprintf(e.stderr, "wrote %s\n", *out)
		return nil
	}
	_, err = io.WriteString(e.stdout, figure.Terminal(runs, max(w, 30), colour))
	return err
}

// imageFormat is the format -o's file extension names: "png", "svg", or
// "" without -o.
func imageFormat(out string) (string, error) {
	if out == "" {
		return "", nil
	}
	switch ext := strings.ToLower(filepath.Ext(out)); ext {
	case ".png", ".svg":
		return ext[1:], nil
	default:
		return "", usagef("-o %s: unknown image format %q; want a file ending in .png or .svg", out, ext)
	}
}
