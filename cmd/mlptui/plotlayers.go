package main

import (
	"io"

	"github.com/mlptui/mlptui/internal/termsafe"
	"github.com/mlptui/mlptui/lab/figure"
)

// plotLayers draws the layer statistics of the run in dir, each panel a
// curve per layer: to a file in format ("png" or "svg"), or else in the
// terminal, width columns wide.
func plotLayers(e *env, dir, out, format string, width int, colour bool) error {
	l, err := figure.LoadLayers(dir)
	if err != nil {
		return err
	}
	if format != "" {
		if err := figure.WriteLayers(out, format, l); err != nil {
			return err
		}
		termsafe.Fprintf(e.stderr, "wrote %s\n", out)
		return nil
	}
	_, err = io.WriteString(e.stdout, figure.LayersText(l, width, colour))
	return err
}
