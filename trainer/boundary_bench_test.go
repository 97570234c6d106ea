package trainer

import (
	"context"
	"testing"

	"github.com/mlptui/mlptui/datasets"
	"github.com/mlptui/mlptui/nn"
)

// BenchmarkBoundaryOverhead trains the spiral set with the decision
// boundary off and on, side by side, and reports training samples per
// second (the summary's, evaluation excluded): the boundary may cost at
// most a few per cent. "wide" is a network whose boundary grid costs far
// more than a step (hidden 256,256), where the 2 % cap holds it back.
//
//	go test -run - -bench BoundaryOverhead -benchtime 5x ./trainer
func BenchmarkBoundaryOverhead(b *testing.B) {
	for _, net := range []struct {
		name   string
		hidden []int
		epochs int
	}{{"preset", []int{16, 16}, 1000}, {"wide", []int{256, 256}, 100}} {
		for _, on := range []bool{false, true} {
			name := net.name + "/off"
			if on {
				name = net.name + "/on"
			}
			b.Run(name, func(b *testing.B) {
				cfg := Defaults()
				cfg.Dataset = "spiral"
				if err := cfg.ApplyPreset("spiral"); err != nil {
					b.Fatal(err)
				}
				cfg.Hidden, cfg.Epochs = net.hidden, net.epochs
				samples, secs := 0.0, 0.0
				for b.Loop() {
					cfg.RunsDir = b.TempDir()
					r, err := Start(context.Background(), cfg, Options{Boundary: on})
					if err != nil {
						b.Fatal(err)
					}
					for range r.Events() {
					}
					s, err := r.Wait()
					if err != nil {
						b.Fatal(err)
					}
					samples += s.SamplesPerSecond * s.TrainSeconds
					secs += s.TrainSeconds
				}
				b.ReportMetric(samples/secs, "samples/s")
			})
		}
	}
}

// BenchmarkComputeBoundary is one boundary of the 96×96 grid: the
// trainer draws at most 4 a second, so its cost times 4 bounds the share
// of each second it takes (and the 2 % cap bounds it for any network).
func BenchmarkComputeBoundary(b *testing.B) {
	for _, net := range []struct {
		name   string
		hidden []int
	}{{"preset", []int{16, 16}}, {"wide", []int{256, 256}}} {
		b.Run(net.name, func(b *testing.B) {
			m, err := nn.New(nn.Arch{Inputs: 2, Hidden: net.hidden, Classes: 2, Activation: nn.ReLU}, 1)
			if err != nil {
				b.Fatal(err)
			}
			norm := datasets.Normalization{Mean: []float32{0, 0}, Std: []float32{1, 1}}
			p := &Plane{XMin: -1, XMax: 1, YMin: -1, YMax: 1}
			var buf nn.Matrix
			for b.Loop() {
				ComputeBoundary(m, norm, p, BoundaryCells, BoundaryCells, &buf)
			}
		})
	}
}
