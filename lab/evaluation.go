package lab

import (
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"

	"github.com/mlptui/mlptui/internal/termsafe"
	"github.com/mlptui/mlptui/trainer"
)

// WriteEvaluation writes an evaluation for people to read, as eval prints
// it: the run (and the data set, whole: measured on all of another data
// set rather than the run's test part), the accuracy, balanced accuracy,
// loss and, for two classes, ROC AUC; per-class precision, recall, F1 and
// support with their macro and weighted averages; the confusion matrix.
func WriteEvaluation(out io.Writer, ev *trainer.Evaluation, whole bool) error {
	part := "test"
	if whole {
		part = "data"
		termsafe.Fprintf(out, "run       %s\ndata set  %s\n", ev.Run, ev.Dataset)
	} else {
		termsafe.Fprintf(out, "run       %s\n", ev.Run)
	}
	termsafe.Fprintf(out, "%-10s%d samples  accuracy %.4f  balanced accuracy %.4f  loss %s", part, ev.Samples, ev.Accuracy, ev.BalancedAccuracy, Loss(ev.Loss))
	if len(ev.Classes) == 2 {
		termsafe.Fprintf(out, "  ROC AUC %s", AUCText(ev.ROCAUC, ev.Classes[1]))
	}
	fmt.Fprint(out, "\n\n")
	// Right-aligned numbers; class names padded to one width read left-aligned.
	w := len("class")
	for _, c := range ev.Classes {
		w = max(w, len(c)+len(fmt.Sprint(len(ev.Classes)))+1)
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', tabwriter.AlignRight)
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
	fmt.Fprintln(out, "\nconfusion matrix (rows: true class, columns: predicted)")
	tw = tabwriter.NewWriter(out, 0, 4, 1, ' ', tabwriter.AlignRight)
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

// AUCText formats a ROC AUC, saying which class is the positive one.
func AUCText(auc float64, positive string) string {
	if math.IsNaN(auc) {
		return "undefined (one class only)"
	}
	return fmt.Sprintf("%.4f (%s positive)", auc, positive)
}
