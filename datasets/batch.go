package datasets

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/mlptui/mlptui/nn"
)

// Normalization standardizes inputs channel by channel: x' = (x - Mean[c]) / Std[c].
// For images x is the raw byte value 0..255 and c the colour channel; for
// tables c is the feature. It is computed on training data only and saved
// with the model, so classify preprocesses exactly as training did.
type Normalization struct {
	Mean []float32 `json:"mean"`
	Std  []float32 `json:"std"`
	// Whiten, if not nil, then maps each standardized sample (see FitZCA).
	Whiten *nn.Whitening `json:"-"`
}

// ModelNormalization is the preparation m's inputs had in training: its
// normalization and its whitening, if any.
func ModelNormalization(m *nn.Model) Normalization {
	return Normalization{Mean: m.Mean, Std: m.Std, Whiten: m.Whiten}
}

// ComputeNormalization returns the per-channel mean and standard deviation
// of d. A channel with no spread gets Std 1, so it maps to zero rather than
// to infinity.
func ComputeNormalization(d *Dataset) Normalization {
	ch := d.Channels()
	plane := d.Dim() / ch
	sum := make([]float64, ch)
	sq := make([]float64, ch)
	n := d.Len()
	dim := d.Dim()
	for i := 0; i < n; i++ {
		for c := 0; c < ch; c++ {
			off := i*dim + c*plane
			var s, q float64
			if d.IsImage() {
				for _, p := range d.Pix[off : off+plane] {
					v := float64(p)
					s += v
					q += v * v
				}
			} else {
				for _, p := range d.X[off : off+plane] {
					v := float64(p)
					s += v
					q += v * v
				}
			}
			sum[c] += s
			sq[c] += q
		}
	}
	norm := Normalization{Mean: make([]float32, ch), Std: make([]float32, ch)}
	cnt := float64(n * plane)
	for c := range ch {
		if cnt == 0 {
			norm.Std[c] = 1
			continue
		}
		m := sum[c] / cnt
		v := sq[c]/cnt - m*m
		s := math.Sqrt(math.Max(v, 0))
		if s < 1e-6 {
			s = 1
		}
		norm.Mean[c] = float32(m)
		norm.Std[c] = float32(s)
	}
	return norm
}

// Validate checks that the normalization fits samples with the given number
// of channels and has only finite, positive deviations.
func (n Normalization) Validate(channels int) error {
	if len(n.Mean) != channels || len(n.Std) != channels {
		return fmt.Errorf("normalization has %d means and %d deviations, want %d each", len(n.Mean), len(n.Std), channels)
	}
	for c := range channels {
		m, s := float64(n.Mean[c]), float64(n.Std[c])
		if math.IsNaN(m) || math.IsInf(m, 0) || !(s > 0) || math.IsInf(s, 0) {
			return fmt.Errorf("normalization channel %d: mean %v, std %v", c, m, s)
		}
	}
	return nil
}

// Augment describes random changes applied to training images, a different
// draw for every sample of every batch. Tables are never augmented.
type Augment struct {
	Flip bool // mirror left-right with probability 1/2
	Pad  int  // shift by up to Pad pixels in each direction (a random crop of the zero-padded image)
}

// Enabled reports whether a does anything.
func (a Augment) Enabled() bool { return a.Flip || a.Pad > 0 }

// DefaultAugment is what --augment turns on for an image of the given
// width: flips, and crops from an image padded by an eighth of its width
// (4 pixels for CIFAR-10's 32).
func DefaultAugment(width int) Augment {
	return Augment{Flip: true, Pad: max(1, width/8)}
}

// Batch writes the samples at idx, standardized with norm, into dst as
// len(idx) rows of Dim() values. With aug enabled and d an image set, every
// sample is flipped and shifted at random, drawing from rng; padding takes
// the channel mean (zero after standardization). Then, if norm.Whiten is
// set, every row is whitened (after the augmentation). dst must hold
// len(idx)*Dim() values.
func (d *Dataset) Batch(dst []float32, idx []int, norm Normalization, aug Augment, rng *rand.Rand) {
	d.standardize(dst, idx, norm, aug, rng)
	if norm.Whiten != nil {
		dim := d.Dim()
		norm.Whiten.Apply(nn.FromSlice(len(idx), dim, dst[:len(idx)*dim]))
	}
}

// standardize is Batch without the whitening.
func (d *Dataset) standardize(dst []float32, idx []int, norm Normalization, aug Augment, rng *rand.Rand) {
	dim := d.Dim()
	if len(dst) < len(idx)*dim {
		panic(fmt.Sprintf("datasets: Batch buffer holds %d values, need %d", len(dst), len(idx)*dim))
	}
	ch := d.Channels()
	plane := dim / ch
	inv := make([]float32, ch)
	for c := range ch {
		inv[c] = 1 / norm.Std[c]
	}
	for j, i := range idx {
		out := dst[j*dim : (j+1)*dim]
		if !d.IsImage() {
			x := d.X[i*dim : (i+1)*dim]
			for f := range x {
				out[f] = (x[f] - norm.Mean[f]) * inv[f]
			}
			continue
		}
		pix := d.Pix[i*dim : (i+1)*dim]
		if !aug.Enabled() || rng == nil {
			for c := range ch {
				m, s := norm.Mean[c], inv[c]
				src := pix[c*plane : (c+1)*plane]
				o := out[c*plane : (c+1)*plane]
				for k, p := range src {
					o[k] = (float32(p) - m) * s
				}
			}
			continue
		}
		flip := aug.Flip && rng.IntN(2) == 1
		dx, dy := 0, 0
		if aug.Pad > 0 {
			dx = rng.IntN(2*aug.Pad+1) - aug.Pad
			dy = rng.IntN(2*aug.Pad+1) - aug.Pad
		}
		augmentImage(out, pix, d.Shape[1], d.Shape[2], norm.Mean, inv, flip, dx, dy)
	}
}

// augmentImage writes one standardized image shifted by (dx, dy) and
// optionally mirrored: out(y, x) = in(y+dy, x'+dx) where x' is x or its
// mirror; pixels from outside the image are zero.
func augmentImage(out []float32, pix []byte, h, w int, mean, inv []float32, flip bool, dx, dy int) {
	plane := h * w
	for c := range mean {
		m, s := mean[c], inv[c]
		src := pix[c*plane : (c+1)*plane]
		o := out[c*plane : (c+1)*plane]
		for y := range h {
			sy := y + dy
			row := o[y*w : (y+1)*w]
			if sy < 0 || sy >= h {
				clear(row)
				continue
			}
			srow := src[sy*w : (sy+1)*w]
			for x := range w {
				xx := x
				if flip {
					xx = w - 1 - x
				}
				sx := xx + dx
				if sx < 0 || sx >= w {
					row[x] = 0
					continue
				}
				row[x] = (float32(srow[sx]) - m) * s
			}
		}
	}
}
