package nn

import (
	"math"

	"github.com/mlptui/mlptui/nn/internal/vec"
)

// The element-wise parts of a training step as parallel jobs. Each job is
// a struct owned by its layer, so handing it to parallel.For allocates
// nothing; each index is computed independently (or per fixed block), so
// results do not depend on the number of threads. The loops are branch-free:
// with random signs a branch per element mispredicts half the time.

// addBias adds b to every row of y: y[r, c] += b[c]. Ranges are rows.
type addBias struct {
	y, b []float32
}

func (j *addBias) Run(lo, hi int) {
	n := len(j.b)
	for r := lo; r < hi; r++ {
		row := j.y[r*n : (r+1)*n]
		for c, v := range j.b[:len(row)] {
			row[c] += v
		}
	}
}

// sumRows sets db[c] = Σ_r dy[r, c]. Ranges are columns, so each sum runs
// over the rows in order whatever the split.
type sumRows struct {
	dy, db []float32
	rows   int
}

func (j *sumRows) Run(lo, hi int) {
	n := len(j.db)
	db := j.db[lo:hi]
	clear(db)
	for r := range j.rows {
		row := j.dy[r*n+lo : r*n+hi]
		for c, v := range row[:len(db)] {
			db[c] += v
		}
	}
}

// slopes[sign bit] is the derivative of a leaky ReLU with the given slope.
func slopes(s float32) [2]float32 { return [2]float32{1, s} }

// actForward computes y = x for x > 0 and slope·x otherwise.
type actForward struct {
	x, y  []float32
	slope float32
}

func (j *actForward) Run(lo, hi int) {
	f := slopes(j.slope)
	x, y := j.x[lo:hi], j.y[lo:hi]
	for i, v := range x[:len(y)] {
		y[i] = v * f[math.Float32bits(v)>>31]
	}
}

// actBackward computes dx = dy·f'(x).
type actBackward struct {
	x, dy, dx []float32
	slope     float32
}

func (j *actBackward) Run(lo, hi int) {
	f := slopes(j.slope)
	x, dy, dx := j.x[lo:hi], j.dy[lo:hi], j.dx[lo:hi]
	for i, v := range dy[:len(dx)] {
		dx[i] = v * f[math.Float32bits(x[i])>>31]
	}
}

// dropBlock is the number of units whose dropout mask comes from one
// random stream: fixed, so masks do not depend on how work is split.
const dropBlock = 1 << 14

// dropForward draws the mask for whole blocks and applies it: y = x·mask.
type dropForward struct {
	x, y, mask []float32
	seed       uint64
	thr        uint64 // drop when a 32-bit draw is below thr
	keep       float32
}

func (j *dropForward) Run(lo, hi int) {
	var rng RNG
	for b := lo / dropBlock; b*dropBlock < hi; b++ {
		rng.Seed(j.seed, uint64(b))
		end := min((b+1)*dropBlock, len(j.x))
		dropMask(j.mask[b*dropBlock:end], j.x[b*dropBlock:end], j.y[b*dropBlock:end], &rng, j.thr, j.keep)
	}
}

// dropMask fills m with keep or 0, two units per draw of r (the low 32
// bits first), 0 where the 32-bit draw is below thr, and sets y = x·m.
// It is RNG.Uint64 written out on local state (the call does not
// inline), branch-free: keep·(draw >= thr) from the sign of draw-thr.
func dropMask(m, x, y []float32, r *RNG, thr uint64, keep float32) {
	x, y = x[:len(m)], y[:len(m)]
	s0, s1, s2, s3 := r.s[0], r.s[1], r.s[2], r.s[3]
	t := int64(thr)
	for i := 0; i < len(m); i += 2 {
		out := rotl(s1*5, 7) * 9
		sh := s1 << 17
		s2 ^= s0
		s3 ^= s1
		s1 ^= s2
		s0 ^= s3
		s2 ^= sh
		s3 = rotl(s3, 45)
		k0 := keep * float32(uint64(int64(out&0xffffffff)-t)>>63^1)
		m[i] = k0
		y[i] = x[i] * k0
		if i+1 < len(m) {
			k1 := keep * float32(uint64(int64(out>>32)-t)>>63^1)
			m[i+1] = k1
			y[i+1] = x[i+1] * k1
		}
	}
	r.s = [4]uint64{s0, s1, s2, s3}
}

// mulMask computes out = in·mask: dropout's backward pass, and GELU's with
// its derivative for the mask.
type mulMask struct {
	in, mask, out []float32
}

func (j *mulMask) Run(lo, hi int) {
	in, m, out := j.in[lo:hi], j.mask[lo:hi], j.out[lo:hi]
	for i, v := range in[:len(out)] {
		out[i] = v * m[i]
	}
}

// addScaled computes g += s·w (the L2 term of the gradient).
type addScaled struct {
	g, w []float32
	s    float32
}

func (j *addScaled) Run(lo, hi int) {
	g, w := j.g[lo:hi], j.w[lo:hi]
	for i, v := range w[:len(g)] {
		g[i] += j.s * v
	}
}

// adamStep is the Adam update over a range of parameters.
type adamStep struct {
	p, g, m, v []float32
	c          vec.Adam
}

func (j *adamStep) Run(lo, hi int) {
	j.c.Update(j.p[lo:hi], j.g[lo:hi], j.m[lo:hi], j.v[lo:hi])
}

// sgdStep is the SGD update over a range of parameters.
type sgdStep struct {
	p, g, vel []float32
	c         vec.SGD
}

func (j *sgdStep) Run(lo, hi int) {
	var vel []float32
	if j.c.Mu != 0 {
		vel = j.vel[lo:hi]
	}
	j.c.Update(j.p[lo:hi], j.g[lo:hi], vel)
}

// scaleBy multiplies v by s in place.
type scaleBy struct {
	v []float32
	s float32
}

func (j *scaleBy) Run(lo, hi int) {
	for i := lo; i < hi; i++ {
		j.v[i] *= j.s
	}
}
