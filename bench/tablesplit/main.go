// Command tablesplit prints the rows of a CSV table that mlptui train puts
// in its training, validation and test parts for a seed, as JSON lists of
// data-row numbers counted from 0 (the header excluded), so that a
// reference (bench/tables_sklearn.py) trains and tests on the same rows.
//
//	go run ./bench/tablesplit --dataset penguins.csv --label species --seed 3
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/mlptui/mlptui/datasets/tabular"
	"github.com/mlptui/mlptui/trainer"
)

func main() {
	cfg := trainer.Defaults()
	flag.StringVar(&cfg.Dataset, "dataset", "", "the CSV table")
	flag.StringVar(&cfg.Label, "label", "", "its class column (default the last)")
	flag.StringVar(&cfg.Delimiter, "delimiter", "", "its delimiter (default detected)")
	flag.StringVar(&cfg.Decimal, "decimal", "", "its decimal mark (default detected)")
	flag.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "the run's --seed")
	flag.Float64Var(&cfg.ValSplit, "val-split", cfg.ValSplit, "the run's --val-split")
	flag.Float64Var(&cfg.TestSplit, "test-split", cfg.TestSplit, "the run's --test-split")
	flag.Parse()
	t, err := tabular.Load(cfg.Dataset, tabular.ReadOptions{Label: cfg.Label, Delimiter: cfg.Delimiter, Decimal: cfg.Decimal})
	if err != nil {
		fmt.Fprintln(os.Stderr, "tablesplit:", err)
		os.Exit(1)
	}
	rows := trainer.SplitTable(t, cfg)
	json.NewEncoder(os.Stdout).Encode(map[string]any{
		"train": rows.Train, "val": rows.Val, "test": rows.Test, "classes": t.Classes, "y": t.Y,
	})
}
