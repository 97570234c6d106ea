package bench

import (
	"context"
	"fmt"

	"github.com/mlptui/mlptui/nn"
)

// A Report is what one bench run measured: `mlptui bench --json` prints
// it.
type Report struct {
	Kernel    string    `json:"kernel"`
	Kernels   []string  `json:"kernels"`
	Threads   int       `json:"threads"`
	Products  []Product `json:"products"`
	TrainStep TrainStep `json:"train_step"`
	// BF16Step is the training step with bfloat16 products (Options.BF16),
	// nil where this CPU has no kernel for them (BF16Note says so).
	BF16Step *TrainStep `json:"bf16_train_step,omitempty"`
	BF16Note string     `json:"bf16_note,omitempty"`
}

// Options say what Run measures.
type Options struct {
	Sizes     []int // layer widths, input first
	Batches   []int // batch sizes of the products
	StepBatch int   // batch size of the timed training steps
	Steps     int   // training steps to time
	Gonum     bool  // gonum's multiply beside ours
	BF16      bool  // each product and the step with bfloat16 operands too
	// Status, if set, hears what is being measured ("measuring ... at
	// batch 256 ...").
	Status func(string)
}

// Run measures the matrix products of one training step of the network
// at each batch size, then the training step itself (with bfloat16
// products too, if asked), on the kernel and threads set now. It stops
// with ctx's error when ctx ends.
func Run(ctx context.Context, o Options) (Report, error) {
	status := o.Status
	if status == nil {
		status = func(string) {}
	}
	r := Report{Kernel: Kernel(), Kernels: Kernels(), Threads: Threads()}
	for _, b := range o.Batches {
		for _, prod := range Products(o.Sizes, b) {
			status(fmt.Sprintf("measuring %s at batch %d ...", prod.Name, b))
			if err := Measure(ctx, &prod, o.Gonum); err != nil {
				return r, err
			}
			if o.BF16 {
				if err := MeasureBF16(ctx, &prod); err != nil {
					return r, err
				}
			}
			r.Products = append(r.Products, prod)
		}
	}
	status(fmt.Sprintf("timing %d training steps ...", o.Steps))
	var err error
	if r.TrainStep, err = MeasureTrainStep(ctx, o.Sizes, o.StepBatch, o.Steps); err != nil || !o.BF16 {
		return r, err
	}
	var got nn.Precision
	got, r.BF16Note = nn.SetPrecision(nn.BF16)
	defer nn.SetPrecision(nn.Float32)
	if got == nn.BF16 {
		s, err := MeasureTrainStep(ctx, o.Sizes, o.StepBatch, o.Steps)
		r.BF16Step = &s
		return r, err
	}
	return r, nil
}
