package lab

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlptui/mlptui/datasets"
	"github.com/mlptui/mlptui/nn"
)

// numbersModel is an untrained model of two numbers and two classes.
func numbersModel(t *testing.T) *nn.Model {
	t.Helper()
	net, err := nn.New(nn.Arch{Inputs: 2, Hidden: []int{4}, Classes: 2, Activation: nn.ReLU}, 1)
	if err != nil {
		t.Fatal(err)
	}
	return &nn.Model{Net: net, Classes: []string{"a", "b"}, InputShape: []int{2}, Mean: []float32{1, 2}, Std: []float32{1, 1}}
}

// TestEachNumbers: one input of values, a file of rows (a label column
// skipped, bad rows told and, past BadRowsShown, counted), a file that is
// no text, an interrupt.
func TestEachNumbers(t *testing.T) {
	dir := t.TempDir()
	p := &Predictor{Model: numbersModel(t), CSV: datasets.CSVOptions{Label: "3"}}
	type visit struct {
		name string
		ok   bool
		err  string
	}
	each := func(ctx context.Context, in string) ([]visit, int, error) {
		var got []visit
		n, err := p.Each(ctx, in, func(name string, x []float32, err error) {
			v := visit{name: name, ok: err == nil && len(x) == 2}
			if err != nil {
				v.err = err.Error()
			}
			got = append(got, v)
		})
		return got, n, err
	}
	got, n, err := each(context.Background(), "1,2")
	if err != nil || n != 0 || len(got) != 1 || !got[0].ok || got[0].name != "1,2" {
		t.Errorf("1,2: %v %d %v", got, n, err)
	}
	rows := filepath.Join(dir, "rows.csv")
	os.WriteFile(rows, []byte("1,2,a\nx,2\n3,4\n"), 0o644)
	got, n, err = each(context.Background(), rows)
	if err != nil || n != 0 || len(got) != 3 || !got[0].ok || got[0].name != rows+":1" || got[1].ok ||
		!strings.Contains(got[1].err, `"x" is not a finite number`) || !got[2].ok || got[2].name != rows+":3" {
		t.Errorf("rows: %+v %d %v", got, n, err)
	}
	os.WriteFile(rows, []byte(strings.Repeat("7\n", BadRowsShown+4)), 0o644)
	got, n, err = each(context.Background(), rows)
	if err != nil || n != 4 || len(got) != BadRowsShown {
		t.Errorf("bad rows: %d visited, %d counted, %v", len(got), n, err)
	}
	png := filepath.Join(dir, "x.csv")
	os.WriteFile(png, []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), 0o644)
	got, _, _ = each(context.Background(), png)
	if len(got) != 1 || !strings.HasSuffix(got[0].err, "not a CSV table but image/png; this model takes 2 comma-separated values, or a CSV file of them") {
		t.Errorf("a PNG: %+v", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	os.WriteFile(rows, []byte("1,2\n3,4\n"), 0o644)
	if got, _, err = each(ctx, rows); err == nil || len(got) != 0 {
		t.Errorf("interrupted: %v, %d visited", err, len(got))
	}
}
