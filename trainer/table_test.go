package trainer

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mlptui/mlptui/nn"
)

// TestClassWeights: scikit-learn's compute_class_weight("balanced") of
// counts [90, 10] is [100/180, 100/20].
func TestClassWeights(t *testing.T) {
	w := ClassWeights(ClassWeightBalanced, []int{90, 10, 0})
	want := []float32{100 / (3 * 90.0), 100 / (3 * 10.0), 0}
	for i := range want {
		if math.Abs(float64(w[i]-want[i])) > 1e-6 {
			t.Errorf("weights %v, want %v", w, want)
		}
	}
	if ClassWeights(ClassWeightNone, []int{1, 2}) != nil || ClassWeights("", []int{1, 2}) != nil {
		t.Error("no weighting gives weights")
	}
}

// TestBalancedClassWeight trains on a table with 5 % of one class: with
// --class-weight balanced the rare class is found (recall up, balanced
// accuracy up) where without it is mostly missed.
func TestBalancedClassWeight(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "imbalanced.csv")
	var b strings.Builder
	b.WriteString("x,y,colour,label\n")
	rng := nn.NewRNG(4)
	for i := range 3000 {
		rare := rng.Float64() < 0.05
		c := 0.0
		if rare {
			c = 1.5
		}
		fmt.Fprintf(&b, "%.3f,%.3f,%s,%s\n", rng.NormFloat64()+c, rng.NormFloat64()+c, []string{"red", "blue"}[i%2], map[bool]string{true: "rare", false: "common"}[rare])
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	recall := map[string]float64{}
	balanced := map[string]float64{}
	for _, cw := range []string{ClassWeightNone, ClassWeightBalanced} {
		cfg := Defaults()
		cfg.Dataset, cfg.ClassWeight, cfg.Epochs, cfg.RunsDir = path, cw, 30, filepath.Join(dir, "runs-"+cw)
		_, s := runToEnd(t)(Start(context.Background(), cfg))
		ev, err := Evaluate(context.Background(), s.Run, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		rare := slices.Index(ev.Classes, "rare")
		recall[cw], balanced[cw] = ev.PerClass[rare].Recall, ev.BalancedAccuracy
	}
	t.Logf("rare-class recall %.3f without weights, %.3f balanced; balanced accuracy %.3f, %.3f",
		recall[ClassWeightNone], recall[ClassWeightBalanced], balanced[ClassWeightNone], balanced[ClassWeightBalanced])
	if recall[ClassWeightBalanced] < recall[ClassWeightNone]+0.3 || balanced[ClassWeightBalanced] < balanced[ClassWeightNone]+0.1 {
		t.Errorf("balanced weights did not find the rare class: recall %v, balanced accuracy %v", recall, balanced)
	}
}

// TestTableFittedOnTrainingPartOnly: the imputation values, categories
// and standardization of a table come from its training part, never the
// validation or test part, and the parts are the stratified split.
func TestTableFittedOnTrainingPartOnly(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "t.csv")
	var b strings.Builder
	b.WriteString("v,c,label\n")
	for i := range 200 {
		fmt.Fprintf(&b, "%d,k%d,%s\n", i*i, i%5, []string{"a", "b", "c"}[i%3])
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := Defaults()
	cfg.Dataset = path
	d, err := LoadData(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	var vals []float64
	var sum float64
	for _, r := range d.Rows.Train {
		vals = append(vals, float64(r*r))
		sum += float64(r * r)
	}
	slices.Sort(vals)
	n := len(vals)
	median := vals[n/2]
	if n%2 == 0 {
		median = (vals[n/2-1] + vals[n/2]) / 2
	}
	if got := d.Table.Columns[0].Median; got != median {
		t.Errorf("median %v, want the training part's %v", got, median)
	}
	if got, want := float64(d.Norm.Mean[0]), sum/float64(n); math.Abs(got-want) > 1e-3*want {
		t.Errorf("mean %v, want the training part's %v", got, want)
	}
	if len(d.Rows.Train)+len(d.Rows.Val)+len(d.Rows.Test) != 200 || d.Train.Len() != len(d.Rows.Train) || d.Test.Len() != 39 {
		t.Errorf("parts %d/%d/%d rows", len(d.Rows.Train), len(d.Rows.Val), len(d.Rows.Test))
	}
	if !slices.Equal(d.Test.ClassCounts(), []int{13, 13, 13}) { // 20 % of 67, 67 and 66
		t.Errorf("test part not stratified: %v", d.Test.ClassCounts())
	}
}
