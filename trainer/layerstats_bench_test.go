package trainer

import (
	"context"
	"testing"

	"github.com/mlptui/mlptui/nn"
)

// BenchmarkLayerStatsOverhead trains with the layer statistics off and on,
// alternately in each iteration so that both see the same machine, and
// reports training samples per second of each (the summaries', evaluation
// excluded) and their ratio: the statistics may cost at most a few per
// cent. The decision boundary is on in both, as in the dashboard. The
// networks: the spiral preset (2-16-16-2, whose steps take microseconds:
// the worst case for a fixed cost) and hidden 256,256 on the spiral.
//
//	go test -run - -bench LayerStatsOverhead -benchtime 5x ./trainer
func BenchmarkLayerStatsOverhead(b *testing.B) {
	for _, net := range []struct {
		name    string
		dataset string
		hidden  []int
		epochs  int
	}{{"spiral-preset", "spiral", []int{16, 16}, 1000}, {"spiral-256x2", "spiral", []int{256, 256}, 100}} {
		b.Run(net.name, func(b *testing.B) {
			cfg := Defaults()
			cfg.Dataset = net.dataset
			if err := cfg.ApplyPreset(net.dataset); err != nil {
				b.Fatal(err)
			}
			cfg.Hidden, cfg.Epochs = net.hidden, net.epochs
			var samples, secs [2]float64
			for b.Loop() {
				for k, off := range []bool{true, false} {
					cfg.RunsDir = b.TempDir()
					r, err := Start(context.Background(), cfg, Options{Boundary: true, NoLayerStats: off})
					if err != nil {
						b.Fatal(err)
					}
					for range r.Events() {
					}
					s, err := r.Wait()
					if err != nil {
						b.Fatal(err)
					}
					samples[k] += s.SamplesPerSecond * s.TrainSeconds
					secs[k] += s.TrainSeconds
				}
			}
			off, on := samples[0]/secs[0], samples[1]/secs[1]
			b.ReportMetric(off, "off-samples/s")
			b.ReportMetric(on, "on-samples/s")
			b.ReportMetric(on/off, "on/off")
		})
	}
}

// BenchmarkCollectStats is one collection of the layer statistics (before
// and after a step) for the cifar10 preset's network at batch 256 and for
// the spiral preset's: the trainer waits 100 times as long as one took
// before the next, so they take at most 1 % of the training time.
//
//	go test -run - -bench CollectStats ./trainer
func BenchmarkCollectStats(b *testing.B) {
	for _, c := range []struct {
		name  string
		arch  nn.Arch
		batch int
	}{
		{"cifar10-preset", nn.Arch{Inputs: 3072, Hidden: []int{2048, 1024, 512}, Classes: 10, Activation: nn.ReLU}, 256},
		{"spiral-preset", nn.Arch{Inputs: 2, Hidden: []int{16, 16}, Classes: 2, Activation: nn.ReLU}, 32},
	} {
		b.Run(c.name, func(b *testing.B) {
			net, err := nn.New(c.arch, 1)
			if err != nil {
				b.Fatal(err)
			}
			x := nn.NewMatrix(c.batch, c.arch.Inputs)
			r := nn.NewRNG(2)
			for i := range x.Data {
				x.Data[i] = float32(r.NormFloat64())
			}
			y := make([]int32, c.batch)
			for i := range y {
				y[i] = int32(i % c.arch.Classes)
			}
			net.TrainBatch(x, y)
			col := newStatsCollector(net)
			for b.Loop() {
				col.beforeStep(1, 1, 1e-3)
				col.afterStep(false)
			}
		})
	}
}
