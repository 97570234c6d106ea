package nn

import "strconv"

// A Probe is a view of one layer with parameters (a Dense layer or a
// norm) for statistics about training: its weights, their gradients and
// what it output on the last Forward, and, when an activation takes that
// output, the activation's output. The slices and matrices are the
// network's own (no copies): they are valid after a training step
// (TrainBatch) until the next Forward, and must not be changed.
type Probe struct {
	Name string // the tensors' name prefix: "dense.0", "norm.1"
	Kind string // KindDense, KindLayerNorm or KindBatchNorm
	// Block is the residual block the layer is in, from 1; 0 outside one.
	Block int
	// Weights are a Dense layer's weights (not its biases) or a norm's
	// gains, and Grads their gradients.
	Weights, Grads []float32
	// Out is the layer's output of the last Forward, [batch, units]; for
	// a Dense layer its pre-activation x·W + b.
	Out *Matrix
	// ActKind is KindReLU, KindLeakyReLU or KindGELU when an activation
	// takes Out, and Act its output; else "" and nil.
	ActKind string
	Act     *Matrix
}

// Probes lists the layers of m with parameters, in Arch.Graph's order.
func (m *MLP) Probes() []Probe {
	var ps []Probe
	nd, nm := 0, 0
	var each func(ls []layer, block int)
	each = func(ls []layer, block int) {
		for i, l := range ls {
			var p Probe
			switch v := l.(type) {
			case *Dense:
				p = Probe{Name: "dense." + strconv.Itoa(nd), Kind: KindDense, Weights: v.W.Data, Grads: v.DW.Data, Out: &v.y}
				nd++
			case *LayerNorm:
				p = Probe{Name: "norm." + strconv.Itoa(nm), Kind: KindLayerNorm, Weights: v.Gain, Grads: v.DGain, Out: &v.y}
				nm++
			case *BatchNorm:
				p = Probe{Name: "norm." + strconv.Itoa(nm), Kind: KindBatchNorm, Weights: v.Gain, Grads: v.DGain, Out: &v.y}
				nm++
			case *Residual:
				blocks := 0
				for _, q := range ps {
					blocks = max(blocks, q.Block)
				}
				each(v.Body, blocks+1)
				continue
			default:
				continue
			}
			p.Block = block
			if i+1 < len(ls) {
				switch a := ls[i+1].(type) {
				case *Activation:
					p.ActKind, p.Act = KindReLU, &a.y
					if a.Slope != 0 {
						p.ActKind = KindLeakyReLU
					}
				case *GELU:
					p.ActKind, p.Act = KindGELU, &a.y
				}
			}
			ps = append(ps, p)
		}
	}
	each(m.seq, 0)
	return ps
}
