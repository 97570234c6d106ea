package nn

import (
	"fmt"
	"testing"
)

// trainStep is one whole training step: forward, loss, backward, Adam.
type trainStep struct {
	net *MLP
	opt *Adam
	x   *Matrix
	y   []int32
}

func newTrainStep(sizes []int, batch int) *trainStep {
	return newArchStep(PlainArch(sizes...), batch)
}

// newArchStep is newTrainStep for any architecture.
func newArchStep(arch Arch, batch int) *trainStep {
	net, err := New(arch, 1)
	if err != nil {
		panic(err)
	}
	net.SetDropout(0.1)
	rng := NewRNG(2)
	x := NewMatrix(batch, arch.Inputs)
	for i := range x.Data {
		x.Data[i] = float32(rng.NormFloat64())
	}
	y := make([]int32, batch)
	for i := range y {
		y[i] = int32(rng.IntN(arch.Classes))
	}
	return &trainStep{net: net, opt: NewAdam(len(net.Params), 1e-4), x: x, y: y}
}

func (s *trainStep) run(step uint64) {
	s.net.SeedDropout(1, step)
	s.net.TrainBatch(s.x, s.y)
	s.opt.Step(s.net.Params, s.net.Grads)
}

// BenchmarkTrainStep times one training step of the original CIFAR-10
// network at batch 1024, of the cifar10 and cifar10-residual presets'
// networks at batch 256, and of the Iris network.
func BenchmarkTrainStep(b *testing.B) {
	for _, c := range []struct {
		arch  Arch
		batch int
	}{
		{PlainArch(3072, 4000, 1000, 4000, 10), 1024},
		{PlainArch(3072, 2048, 1024, 512, 10), 256},
		{Arch{Inputs: 3072, Hidden: []int{512, 512, 512, 512}, Classes: 10, Activation: GELUName, Norm: LayerNormName, Block: ResidualBlock, Expansion: 4}, 256},
		{PlainArch(4, 1000, 100, 3), 108},
	} {
		name := fmt.Sprint(c.arch, "/batch=", c.batch)
		b.Run(name, func(b *testing.B) {
			s := newArchStep(c.arch, c.batch)
			s.run(0) // warm: buffers sized
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				s.run(uint64(i + 1))
			}
			b.ReportMetric(b.Elapsed().Seconds()*1000/float64(b.N), "ms/step")
		})
	}
}

func TestTrainStepAllocatesNothing(t *testing.T) {
	s := newTrainStep([]int{64, 128, 32, 10}, 50)
	s.run(0)
	if a := testing.AllocsPerRun(10, func() { s.run(1) }); a != 0 {
		t.Errorf("a warm training step allocates %v times", a)
	}
}
