package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/mlptui/mlptui/internal/termsafe"
	"github.com/mlptui/mlptui/lab"
	"github.com/mlptui/mlptui/trainer"
)

func runEval(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "eval", "mlptui eval --run DIR [--dataset PATH] [--json]\n\nMeasures a run's model on its test set, or on all of another labelled data set:\naccuracy, balanced accuracy, loss, confusion matrix, per-class precision, recall\nand F1 with their macro and weighted averages, and ROC AUC for two classes.")
	runDir := fs.String("run", "", "run `dir`ectory whose model to evaluate")
	jsonOut := fs.Bool("json", false, "print one JSON object")
	dataDir := fs.String("data-dir", "", "the `dir`ectory where downloaded data sets are kept (default: the run's own)")
	dataset := fs.String("dataset", "", "measure on every sample of this labelled CSV table or image folder (its `path`) instead of the run's test part")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	if *runDir == "" {
		return usagef("--run is required: the run directory whose model to evaluate")
	}
	if err := checkRunDir("run", *runDir); err != nil {
		return err
	}
	p := newProgress(e)
	var ev *trainer.Evaluation
	if *dataset != "" {
		ev, err = trainer.EvaluateOn(ctx, *runDir, *dataset, p.event)
	} else {
		ev, err = trainer.Evaluate(ctx, *runDir, *dataDir, p.event)
	}
	p.clearLive()
	if err != nil {
		if ctx.Err() != nil {
			return errInterrupted
		}
		return err
	}
	if *jsonOut {
		return json.NewEncoder(e.stdout).Encode(ev)
	}
	part := "test"
	if *dataset != "" {
		part = "data"
		termsafe.Fprintf(e.stdout, "run       %s\ndata set  %s\n", ev.Run, ev.Dataset)
	} else {
		termsafe.Fprintf(e.stdout, "run       %s\n", ev.Run)
	}
	termsafe.Fprintf(e.stdout, "%-10s%d samples  accuracy %.4f  balanced accuracy %.4f  loss %s", part, ev.Samples, ev.Accuracy, ev.BalancedAccuracy, lab.Loss(ev.Loss))
	if len(ev.Classes) == 2 {
		termsafe.Fprintf(e.stdout, "  ROC AUC %s", aucText(ev.ROCAUC, ev.Classes[1]))
	}
	fmt.Fprint(e.stdout, "\n\n")
	// Right-aligned numbers; class names padded to one width read left-aligned.
	w := len("class")
	for _, c := range ev.Classes {
		w = max(w, len(c)+len(fmt.Sprint(len(ev.Classes)))+1)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	w = max(w, len("weighted avg"))
	termsafe.Fprintf(tw, "%-*s\tprecision\trecall\tf1\tsupport\t\n", w, "class")
	for i, c := range ev.PerClass {
		termsafe.Fprintf(tw, "%-*s\t%.4f\t%.4f\t%.4f\t%d\t\n", w, fmt.Sprintf("%d %s", i, c.Class), c.Precision, c.Recall, c.F1, c.Support)
	}
	for _, a := range []struct {
		name string
		avg  trainer.Averages
	}{{"macro avg", ev.Macro}, {"weighted avg", ev.Weighted}} {
		termsafe.Fprintf(tw, "%-*s\t%.4f\t%.4f\t%.4f\t%d\t\n", w, a.name, a.avg.Precision, a.avg.Recall, a.avg.F1, ev.Samples)
	}
	tw.Flush()
	fmt.Fprintln(e.stdout, "\nconfusion matrix (rows: true class, columns: predicted)")
	tw = tabwriter.NewWriter(e.stdout, 0, 4, 1, ' ', tabwriter.AlignRight)
	var head strings.Builder
	head.WriteString("\t")
	for i := range ev.Classes {
		termsafe.Fprintf(&head, "%d\t", i)
	}
	fmt.Fprintln(tw, head.String())
	for i, row := range ev.Confusion {
		termsafe.Fprintf(tw, "%-*s\t", w, fmt.Sprintf("%d %s", i, ev.Classes[i]))
		for _, v := range row {
			termsafe.Fprintf(tw, "%d\t", v)
		}
		fmt.Fprintln(tw)
	}
	return tw.Flush()
}

// aucText formats a ROC AUC, saying which class is the positive one.
func aucText(auc float64, positive string) string {
	if math.IsNaN(auc) {
		return "undefined (one class only)"
	}
	return fmt.Sprintf("%.4f (%s positive)", auc, positive)
}
