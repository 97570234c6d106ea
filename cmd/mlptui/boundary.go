package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/muesli/termenv"

	"github.com/mlptui/mlptui/internal/atomicfile"
	"github.com/mlptui/mlptui/internal/termsafe"
	"github.com/mlptui/mlptui/lab/figure"
	"github.com/mlptui/mlptui/trainer"
	"github.com/mlptui/mlptui/tui"
)

// plotBoundary draws the decision boundary of the run in dir: to a file
// in format ("png" or "svg"), or else in the terminal, width columns wide.
func plotBoundary(ctx context.Context, e *env, dir, out, format string, width int, colour bool) error {
	if _, err := os.Stat(dir); err != nil {
		return fmt.Errorf("%s: %v", dir, atomicfile.UnwrapPath(err)) // as plot says it of curves
	}
	if format != "" {
		plane, b, err := trainer.RunBoundary(ctx, dir, figure.BoundaryPixels, figure.BoundaryPixels)
		if err != nil {
			return err
		}
		if err := figure.WriteBoundary(out, format, dir, plane, b, figure.Palette{Point: tui.BoundaryRGB, Class: tui.ClassRGB}); err != nil {
			return err
		}
		termsafe.Fprintf(e.stderr, "wrote %s\n", out)
		return nil
	}
	cols := min(width, 100)
	rows := cols / 2
	plane, b, err := trainer.RunBoundary(ctx, dir, cols, 2*rows)
	if err != nil {
		return err
	}
	prof := termenv.Ascii
	if colour {
		prof = termenv.ANSI256
		if ct := os.Getenv("COLORTERM"); ct == "truecolor" || ct == "24bit" {
			prof = termenv.TrueColor
		}
	}
	lines := tui.BoundaryLines(prof, plane, b, cols, rows)
	legend := "classes " + strings.Join(termsafe.Strings(plane.Classes), ", ") + "; training points ▀ (capitals without colour); test points + right, × wrong"
	_, err = io.WriteString(e.stdout, strings.Join(lines, "\n")+"\n"+legend+"\n")
	return err
}
