package trainer

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/mlptui/mlptui/internal/pyref"
	"github.com/mlptui/mlptui/nn"
)

// TestClassReportByHand checks one small case worked out by hand.
func TestClassReportByHand(t *testing.T) {
	// true a: 3 (2 right, 1 as b); true b: 1 (as a); c: never, but
	// predicted once from... nothing: c absent everywhere.
	conf := [][]int{{2, 1, 0}, {1, 0, 0}, {0, 0, 0}}
	r := ClassReport([]string{"a", "b", "c"}, conf)
	// a: precision 2/3, recall 2/3, F1 2/3; b: 0, 0, 0; c does not occur.
	if math.Abs(r.PerClass[0].F1-2.0/3) > 1e-12 || r.PerClass[1].F1 != 0 || r.PerClass[2].Support != 0 {
		t.Errorf("per class %+v", r.PerClass)
	}
	if math.Abs(r.Macro.F1-1.0/3) > 1e-12 || math.Abs(r.Weighted.F1-0.5) > 1e-12 || math.Abs(r.BalancedAccuracy-1.0/3) > 1e-12 {
		t.Errorf("macro F1 %v (want 1/3), weighted F1 %v (want 1/2), balanced accuracy %v (want 1/3)", r.Macro.F1, r.Weighted.F1, r.BalancedAccuracy)
	}
	auc, ok := ROCAUC([]float64{0.1, 0.4, 0.35, 0.8}, []bool{false, false, true, true})
	if !ok || auc != 0.75 {
		t.Errorf("ROC AUC %v %v, want 0.75 (scikit-learn's example)", auc, ok)
	}
	if _, ok := ROCAUC([]float64{1, 2}, []bool{true, true}); ok {
		t.Error("ROC AUC of one class only is defined")
	}
}

// TestMetricsMatchScikitLearn compares ClassReport and ROCAUC with
// scikit-learn's classification_report, balanced_accuracy_score and
// roc_auc_score on the same predictions, to 1e-6: random predictions of
// 2, 3 and 5 classes, with a class never predicted, one absent from the
// truth, and tied scores.
func TestMetricsMatchScikitLearn(t *testing.T) {
	py := pyref.Python(t, "sklearn", "python3-sklearn")
	cases := metricsCases()
	ref := sklearnReports(t, py, cases)
	near := func(what string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-6 {
			t.Errorf("%s: mlptui %.9f, scikit-learn %.9f", what, got, want)
		}
	}
	for i, s := range cases {
		r := ref[i]
		for k, want := range r.PerClass {
			var c int
			fmt.Sscan(k, &c)
			got := s.report.PerClass[c]
			near(s.Name+" class "+k+" precision", got.Precision, want.Precision)
			near(s.Name+" class "+k+" recall", got.Recall, want.Recall)
			near(s.Name+" class "+k+" f1", got.F1, want.F1)
			near(s.Name+" class "+k+" support", float64(got.Support), want.Support)
		}
		for _, a := range []struct {
			name string
			got  Averages
			want sklearnAvg
		}{{"macro", s.report.Macro, r.Macro}, {"weighted", s.report.Weighted, r.Weighted}} {
			near(s.Name+" "+a.name+" precision", a.got.Precision, a.want.Precision)
			near(s.Name+" "+a.name+" recall", a.got.Recall, a.want.Recall)
			near(s.Name+" "+a.name+" f1", a.got.F1, a.want.F1)
		}
		near(s.Name+" balanced accuracy", s.report.BalancedAccuracy, r.Balanced)
		if r.AUC != nil {
			near(s.Name+" ROC AUC", s.auc, *r.AUC)
		}
		t.Logf("%s: macro F1 %.6f, weighted F1 %.6f, balanced accuracy %.6f, ROC AUC %v: equal to scikit-learn's", s.Name, s.report.Macro.F1, s.report.Weighted.F1, s.report.BalancedAccuracy, s.auc)
	}
}

// metricsCase is a set of true and predicted classes (and scores) with
// mlptui's report of it.
type metricsCase struct {
	Name       string    `json:"name"`
	Classes    int       `json:"classes"`
	True, Pred []int     `json:"-"`
	YTrue      []int     `json:"y_true"`
	YPred      []int     `json:"y_pred"`
	Scores     []float64 `json:"scores"`
	report     Report
	auc        float64
}

// metricsCases makes the cases: random predictions of a few kinds, from a
// fixed seed.
func metricsCases() []*metricsCase {
	rng := nn.NewRNG(17)
	var cases []*metricsCase
	for _, c := range []struct {
		name       string
		classes, n int
		neverPred  int // a class never predicted (-1: none)
		absentTrue int // a class with no true samples (-1: none)
		tiedScores bool
	}{
		{"two classes", 2, 200, -1, -1, false},
		{"two classes, tied scores", 2, 150, -1, -1, true},
		{"three classes, one never predicted", 3, 120, 2, -1, false},
		{"five classes, one absent from the truth", 5, 300, -1, 4, false},
	} {
		s := &metricsCase{Name: c.name, Classes: c.classes}
		for range c.n {
			y := rng.IntN(c.classes)
			for y == c.absentTrue {
				y = rng.IntN(c.classes)
			}
			p := y
			if rng.Float64() < 0.35 {
				p = rng.IntN(c.classes)
			}
			for p == c.neverPred {
				p = rng.IntN(c.classes)
			}
			score := rng.Float64()
			if c.tiedScores {
				score = float64(rng.IntN(5)) / 4
			}
			if y == 1 {
				score = math.Min(1, score+0.3)
			}
			s.YTrue, s.YPred, s.Scores = append(s.YTrue, y), append(s.YPred, p), append(s.Scores, score)
		}
		conf := make([][]int, c.classes)
		for i := range conf {
			conf[i] = make([]int, c.classes)
		}
		for i := range s.YTrue {
			conf[s.YTrue[i]][s.YPred[i]]++
		}
		names := make([]string, c.classes)
		for i := range names {
			names[i] = fmt.Sprint(i)
		}
		s.report = ClassReport(names, conf)
		if c.classes == 2 {
			pos := make([]bool, len(s.YTrue))
			for i, y := range s.YTrue {
				pos[i] = y == 1
			}
			s.auc, _ = ROCAUC(s.Scores, pos)
		}
		cases = append(cases, s)
	}
	return cases
}

type sklearnAvg struct {
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1-score"`
	Support   float64 `json:"support"`
}

// sklearnMetrics is scikit-learn's report of a case.
type sklearnMetrics struct {
	PerClass map[string]sklearnAvg `json:"per_class"`
	Macro    sklearnAvg            `json:"macro"`
	Weighted sklearnAvg            `json:"weighted"`
	Balanced float64               `json:"balanced"`
	AUC      *float64              `json:"auc"`
}

// sklearnReports has scikit-learn report on the cases.
func sklearnReports(t *testing.T, py string, cases []*metricsCase) []sklearnMetrics {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "cases.json")
	b, _ := json.Marshal(cases)
	if err := os.WriteFile(in, b, 0o644); err != nil {
		t.Fatal(err)
	}
	script := `
import json, sys, warnings
warnings.simplefilter("ignore")
from sklearn.metrics import classification_report, balanced_accuracy_score, roc_auc_score
out = []
for c in json.load(open(sys.argv[1])):
    r = classification_report(c["y_true"], c["y_pred"], output_dict=True, zero_division=0)
    o = {"per_class": {k: v for k, v in r.items() if k not in ("accuracy", "macro avg", "weighted avg")},
         "macro": r["macro avg"], "weighted": r["weighted avg"],
         "balanced": balanced_accuracy_score(c["y_true"], c["y_pred"])}
    if c["classes"] == 2:
        o["auc"] = roc_auc_score([y == 1 for y in c["y_true"]], c["scores"])
    out.append(o)
json.dump(out, sys.stdout)
`
	cmd := exec.Command(py, "-c", script, in)
	cmd.Stderr = os.Stderr
	outb, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v", py, err)
	}
	var ref []sklearnMetrics
	if err := json.Unmarshal(outb, &ref); err != nil {
		t.Fatal(err)
	}
	return ref
}
