package lab

import (
	"math"
	"strings"
	"testing"

	"github.com/mlptui/mlptui/trainer"
)

// TestWriteEvaluation: the report of two classes, from a confusion matrix
// (the numbers are ClassReport's), on the run's test part and on another
// data set.
func TestWriteEvaluation(t *testing.T) {
	classes := []string{"cat", "dog"}
	conf := [][]int{{8, 2}, {1, 9}}
	ev := &trainer.Evaluation{Run: "runs/r", Dataset: "pets.csv", Samples: 20, Accuracy: 0.85, Loss: 0.4,
		Classes: classes, Confusion: conf, Report: trainer.ClassReport(classes, conf), ROCAUC: 0.9}
	var b strings.Builder
	if err := WriteEvaluation(&b, ev, false); err != nil {
		t.Fatal(err)
	}
	want := "run       runs/r\n" +
		"test      20 samples  accuracy 0.8500  balanced accuracy 0.8500  loss 0.4000  ROC AUC 0.9000 (dog positive)\n\n" +
		"  class         precision  recall      f1  support\n" +
		"  0 cat            0.8889  0.8000  0.8421       10\n" +
		"  1 dog            0.8182  0.9000  0.8571       10\n" +
		"  macro avg        0.8535  0.8500  0.8496       20\n" +
		"  weighted avg     0.8535  0.8500  0.8496       20\n\n" +
		"confusion matrix (rows: true class, columns: predicted)\n" +
		"              0 1\n" +
		" 0 cat        8 2\n" +
		" 1 dog        1 9\n"
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	WriteEvaluation(&b, ev, true)
	if !strings.HasPrefix(b.String(), "run       runs/r\ndata set  pets.csv\ndata      20 samples") {
		t.Errorf("on another data set:\n%s", b.String())
	}
	if got := AUCText(math.NaN(), "dog"); got != "undefined (one class only)" {
		t.Errorf("AUCText(NaN) = %q", got)
	}
}
