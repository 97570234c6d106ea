package trainer

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// An evaluation's JSON holds every field; a loss JSON cannot hold (NaN,
// infinite) is null rather than an error, and a finite one reads back.
func TestEvaluationJSON(t *testing.T) {
	for _, c := range []struct {
		loss float64
		want string
	}{{0.25, `"loss":0.25`}, {math.NaN(), `"loss":null`}, {math.Inf(1), `"loss":null`}} {
		ev := Evaluation{Run: "runs/x", Dataset: "iris", Samples: 30, Accuracy: 0.9, Loss: c.loss, Classes: []string{"a", "b"},
			Confusion: [][]int{{1, 0}, {0, 1}}, Report: Report{PerClass: []ClassStats{{Class: "a", Precision: 1, Recall: 1, Support: 1}}}}
		b, err := json.Marshal(ev)
		if err != nil {
			t.Fatalf("loss %v: %v", c.loss, err)
		}
		for _, want := range []string{c.want, `"run":"runs/x"`, `"accuracy":0.9`, `"confusion":[[1,0],[0,1]]`, `"per_class":[{"class":"a"`} {
			if !strings.Contains(string(b), want) {
				t.Errorf("loss %v: %s lacks %s", c.loss, b, want)
			}
		}
		if strings.Count(string(b), `"loss"`) != 1 {
			t.Errorf("loss %v: %s: want one loss", c.loss, b)
		}
		var back Evaluation
		if err := json.Unmarshal(b, &back); err != nil || back.Samples != 30 || !math.IsNaN(c.loss) && !math.IsInf(c.loss, 0) && back.Loss != c.loss {
			t.Errorf("loss %v: read back %+v, %v", c.loss, back, err)
		}
	}
}

// An evaluation of two classes has roc_auc (null when undefined); one of
// more classes has none.
func TestEvaluationJSONROCAUC(t *testing.T) {
	for _, c := range []struct {
		classes []string
		auc     float64
		want    string
		absent  bool
	}{
		{[]string{"a", "b"}, 0.75, `"roc_auc":0.75`, false},
		{[]string{"a", "b"}, math.NaN(), `"roc_auc":null`, false},
		{[]string{"a", "b", "c"}, 0, `"roc_auc"`, true},
	} {
		b, err := json.Marshal(Evaluation{Classes: c.classes, ROCAUC: c.auc, Report: Report{Macro: Averages{F1: 0.5}}})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), c.want) == c.absent || !strings.Contains(string(b), `"macro_avg":{"precision":0,"recall":0,"f1":0.5}`) {
			t.Errorf("%d classes, AUC %v: %s (want %s absent=%v)", len(c.classes), c.auc, b, c.want, c.absent)
		}
	}
}
