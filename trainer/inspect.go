package trainer

import (
	"context"

	"github.com/mlptui/mlptui/datasets"
)

// Inspection is a saved run's model looked at on its test set: the
// predictions of chosen test samples and the confusion matrix, for a
// screen of predictions of a run that is not training.
type Inspection struct {
	// Info describes the run as a Started event would: Samples holds the
	// chosen test samples, the same ones a live run with the same seed
	// and Options.Samples shows.
	Info RunInfo
	// Predictions holds the class probabilities of Info.Samples.
	Predictions [][]float32
	// Accuracy and Loss are the model's on the whole test set.
	Accuracy, Loss float64
	// Confusion[true][predicted] counts test samples.
	Confusion [][]int
}

// Inspect loads the model of the run in dir and its data set (with the
// run's settings, so the same split), and measures the model on the test
// part. samples is how many test samples to return the predictions of.
// dataDir, if not empty, overrides the data directory in config.json;
// report, if not nil, gets Loading events.
func Inspect(ctx context.Context, dir, dataDir string, samples int, report func(Event)) (*Inspection, error) {
	cfg, m, data, err := openRun(ctx, dir, dataDir, report)
	if err != nil {
		return nil, err
	}
	test := data.Test
	// The model's own normalization: the run's, whatever the data set's
	// statistics are now.
	data.Norm = datasets.ModelNormalization(m)
	t := &trainer{cfg: cfg, opt: Options{Samples: samples}, data: data, net: m.Net}
	in := &Inspection{Info: RunInfo{
		Dir: dir, Config: cfg, Arch: m.Net.Arch.String(), Params: m.Net.Arch.ParamCount(), Classes: m.Classes,
		InputShape: m.InputShape, Train: data.Train.Len(), Test: test.Len(), Samples: t.pickSamples(test),
		SamplesOf: SamplesTest, SamplesFrom: test.Len(), Features: data.Features(),
	}}
	if data.Val != nil {
		in.Info.Val = data.Val.Len()
	}
	in.Predictions = t.predictSamples()
	in.Loss, in.Accuracy, in.Confusion = t.evaluate(test)
	return in, nil
}
