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
