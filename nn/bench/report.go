package bench

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

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
	// StepDropout is the dropout of the timed steps' hidden layers
	// (mlptui bench's default: 0.1).
	StepDropout float64
	Gonum       bool // gonum's multiply beside ours
	BF16        bool // each product and the step with bfloat16 operands too
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
	if r.TrainStep, err = MeasureTrainStep(ctx, o.Sizes, o.StepBatch, o.Steps, o.StepDropout); err != nil || !o.BF16 {
		return r, err
	}
	var got nn.Precision
	got, r.BF16Note = nn.SetPrecision(nn.BF16)
	defer nn.SetPrecision(nn.Float32)
	if got == nn.BF16 {
		s, err := MeasureTrainStep(ctx, o.Sizes, o.StepBatch, o.Steps, o.StepDropout)
		r.BF16Step = &s
		return r, err
	}
	return r, nil
}

// WriteText writes a report for people to read, as mlptui bench prints
// it below its line on the kernel: a table of the products (GFLOP/s,
// gonum's and the ratio, bfloat16's with bf16), then the training step's
// times.
func WriteText(w io.Writer, r Report, bf16 bool) error {
	withBF16 := bf16
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	bf := ""
	if withBF16 {
		bf = "bf16 GFLOP/s\t"
	}
	fmt.Fprintln(tw, "product\tbatch\tm\tn\tk\top\tGFLOP/s\tgonum\tx gonum\t"+bf)
	for _, pr := range r.Products {
		op := map[bool]string{false: "N", true: "T"}
		ratio, gon := "-", "-"
		if pr.GonumGFLOPS > 0 {
			gon = fmt.Sprintf("%.1f", pr.GonumGFLOPS)
			ratio = fmt.Sprintf("%.1f", pr.GFLOPS/pr.GonumGFLOPS)
		}
		bfr := ""
		if withBF16 {
			bfr = fmt.Sprintf("%.1f\t", pr.BF16GFLOPS)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%s%s\t%.1f\t%s\t%s\t%s\n", pr.Name, pr.Batch, pr.M, pr.N, pr.K, op[pr.TransA], op[pr.TransB], pr.GFLOPS, gon, ratio, bfr)
	}
	tw.Flush()
	s := r.TrainStep
	fmt.Fprintf(w, "\ntraining step %s, batch %d, dropout %g, Adam: %.3f s (fastest of %d; median %.3f s)\n", s.Network, s.Batch, s.Dropout, s.Seconds, s.Steps, s.Median)
	if r.BF16Note != "" {
		fmt.Fprintln(w, r.BF16Note)
	}
	if b := r.BF16Step; b != nil {
		fmt.Fprintf(w, "training step with bf16 products: %.3f s (fastest of %d; median %.3f s), %.2fx the float32 step's median\n", b.Seconds, b.Steps, b.Median, b.Median/s.Median)
	}
	return nil
}
