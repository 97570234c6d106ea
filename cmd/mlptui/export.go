package main

import (
	"context"
	"fmt"

	"github.com/mlptui/mlptui/export/onnx"
)

func runExport(_ context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "export", "mlptui export --run DIR [-o FILE.onnx]\n\nWrites the run's model as ONNX (opset 17): the whole path from raw input to class\nprobabilities, for ONNX Runtime and other ONNX clients. Input \"input\": float32\n[N, features] for a table (a CSV table's model: one value per column, a category\nas its index in the metadata's columns, NaN for a gap), [N, 3, H, W] raw 0-255\npixels for images; output \"probabilities\" [N, classes]. See README, \"Using a\nmodel without mlptui\".")
	runDir := fs.String("run", "", "run `dir`ectory (or model.safetensors) whose model to export")
	out := fs.String("o", "", "the `file` to write (default: model.onnx in the run directory)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *runDir == "" {
		return usagef("--run is required: the run directory whose model to export")
	}
	if _, err := statFlag("run", *runDir); err != nil {
		return err
	}
	path, err := onnx.ExportRun(*runDir, *out)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, path)
	return nil
}
