package trainer

import (
	"gonum.org/v1/gonum/stat/distuv"

	"github.com/mlptui/mlptui/nn"
)

// mixer is mixup (Zhang et al. 2018): each training batch is blended with
// itself in another order, x_i ← λ·x_i + (1-λ)·x_π(i), and the target with
// it, λ·y_i + (1-λ)·y_π(i), one λ ~ Beta(α, α) per batch. λ and π come
// from a stream of the seed and the step, so a resumed run mixes alike.
type mixer struct {
	alpha float64
	rng   *rngSource
	perm  []int
	y2    []int32
	row   []float32
}

func newMixer(alpha float64) *mixer { return &mixer{alpha: alpha, rng: newRNGSource()} }

// mix blends x [batch, dim] (labels y) in place and returns the second
// labels and λ.
func (m *mixer) mix(x *nn.Matrix, y []int32, seed uint64, step int64) ([]int32, float32) {
	m.rng.seed(seed, streamMixup, uint64(step))
	lam := float32(distuv.Beta{Alpha: m.alpha, Beta: m.alpha, Src: m.rng.pcg}.Rand())
	n := x.Rows
	m.perm = m.perm[:0]
	for i := 0; i < n; i++ {
		m.perm = append(m.perm, i)
	}
	m.rng.rand.Shuffle(n, func(i, j int) { m.perm[i], m.perm[j] = m.perm[j], m.perm[i] })
	// Blend into a copy of the rows, as π reads rows already blended
	// otherwise.
	if cap(m.row) < len(x.Data) {
		m.row = make([]float32, len(x.Data))
	}
	orig := m.row[:len(x.Data)]
	copy(orig, x.Data)
	m.y2 = m.y2[:0]
	for i, p := range m.perm {
		dst, src := x.Row(i), orig[p*x.Cols:(p+1)*x.Cols]
		for j := range dst {
			dst[j] = lam*dst[j] + (1-lam)*src[j]
		}
		m.y2 = append(m.y2, y[p])
	}
	return m.y2, lam
}
