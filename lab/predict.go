package lab

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/mlptui/mlptui/datasets"
	"github.com/mlptui/mlptui/datasets/imagefolder"
	"github.com/mlptui/mlptui/internal/regfile"
	"github.com/mlptui/mlptui/nn"
	"github.com/mlptui/mlptui/trainer"
)

// Prediction is one input's result: the most probable class and the top
// k, as classify --json prints it.
type Prediction struct {
	Input       string      `json:"input"`
	Class       string      `json:"class"`
	Probability float64     `json:"probability"`
	Top         []ClassProb `json:"top"`
}

// ClassProb is a class and its probability.
type ClassProb struct {
	Class       string  `json:"class"`
	Probability float64 `json:"probability"`
}

// A Predictor turns raw input, a row of values, an image file or a
// sample's pixels, into a run's model's probabilities: the preparation
// training gave its samples, then the network.
type Predictor struct {
	Model     *nn.Model
	MaxPixels int // images of more pixels are refused before decoding (imagefolder.ErrTooLarge)
	// Table is the input of a table model saved with its preprocessing
	// (raw rows: text categories, empty cells); nil for other models.
	Table *trainer.TableInput
	// CSV says how to read files of rows for a model of plain numbers
	// without preprocessing: its run's label column, skipped in rows that
	// have one.
	CSV datasets.CSVOptions
}

// Predict returns the model's top k classes for a prepared input x.
func (p *Predictor) Predict(x []float32, k int) Prediction {
	return Rank(p.Model.Classes, p.Model.Net.Predict(nn.FromSlice(1, len(x), x)).Row(0), k)
}

// Sample makes one sample, a table row x or an image's pixels pix,
// the model's input as training made it: datasets.Dataset.Batch with the
// model's normalization.
func (p *Predictor) Sample(x []float32, pix []byte) []float32 {
	m := p.Model
	d := datasets.Dataset{Shape: m.InputShape, X: x, Pix: pix, Y: []int32{0}}
	out := make([]float32, d.Dim())
	d.Batch(out, []int{0}, datasets.ModelNormalization(m), datasets.Augment{}, nil)
	return out
}

// Top returns the indices of the k largest probabilities, largest first
// (ties in class order): the ranking of Rank, for a front end that draws
// classes by index (the dashboard's predictions).
func Top(p []float32, k int) []int {
	order := make([]int, len(p))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case p[a] > p[b]:
			return -1
		case p[a] < p[b]:
			return 1
		}
		return 0
	})
	return order[:min(k, len(order))]
}

// Rank returns the most probable class and the top k.
func Rank(classes []string, p []float32, k int) Prediction {
	var pred Prediction
	for _, i := range Top(p, k) {
		pred.Top = append(pred.Top, ClassProb{classes[i], float64(p[i])})
	}
	pred.Class, pred.Probability = pred.Top[0].Class, pred.Top[0].Probability
	return pred
}

// Input turns one raw input, comma-separated values or an image file, into the model's normalized input vector.
func (p *Predictor) Input(in string) ([]float32, error) {
	m := p.Model
	if len(m.InputShape) == 3 {
		return p.image(in)
	}
	want := m.Net.Arch.Inputs
	parts := strings.Split(in, ",")
	if len(parts) != want {
		if st, err := os.Stat(in); err == nil {
			return nil, fmt.Errorf("%s: %s; this model takes %d comma-separated values or a CSV file of them", in, regfile.Kind(st.Mode()), want)
		}
		return nil, fmt.Errorf("%s: %d values, the model takes %d", in, len(parts), want)
	}
	x := make([]float32, want)
	for i, s := range parts {
		v, err := strconv.ParseFloat(strings.TrimSpace(s), 32)
		if err != nil || nn.CheckFinite([]float32{float32(v)}) != nil {
			return nil, fmt.Errorf("%s: value %d, %q, is not a finite number", in, i+1, s)
		}
		x[i] = float32(v)
	}
	return p.Sample(x, nil), nil
}

// image decodes an image file, resized to the model's input size,
// and standardizes it channel by channel.
func (p *Predictor) image(in string) ([]float32, error) {
	m := p.Model
	c, h, w := m.InputShape[0], m.InputShape[1], m.InputShape[2]
	if _, err := os.Stat(in); err != nil && strings.Contains(in, ",") {
		return nil, fmt.Errorf("%s: not a file; this model classifies %dx%d images", in, w, h)
	}
	pix, err := imagefolder.DecodeFile(in, h, w, p.MaxPixels)
	if err != nil {
		return nil, err
	}
	if len(pix) != c*h*w {
		return nil, fmt.Errorf("%s: %d values after decoding, the model takes %d", in, len(pix), c*h*w)
	}
	return p.Sample(nil, pix), nil
}
