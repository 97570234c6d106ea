package nn

import (
	"math"
	"math/bits"
)

// RNG is a small, fast, seedable generator (xoshiro256**). Its zero value
// is not usable; make one with NewRNG. The same seed gives the same stream
// on every machine.
type RNG struct{ s [4]uint64 }

// NewRNG returns a generator seeded from the given words, mixed with
// splitmix64 so that nearby seeds give unrelated streams.
func NewRNG(seed ...uint64) *RNG {
	r := &RNG{}
	r.Seed(seed...)
	return r
}

// Seed resets r to the stream of the given seed words.
func (r *RNG) Seed(seed ...uint64) {
	x := uint64(0x243f6a8885a308d3)
	for _, s := range seed {
		x = splitmix(x ^ s)
	}
	for i := range r.s {
		x = splitmix(x)
		r.s[i] = x
	}
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	z := x
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// Uint64 returns 64 random bits.
func (r *RNG) Uint64() uint64 {
	s := &r.s
	out := rotl(s[1]*5, 7) * 9
	t := s[1] << 17
	s[2] ^= s[0]
	s[3] ^= s[1]
	s[1] ^= s[2]
	s[0] ^= s[3]
	s[2] ^= t
	s[3] = rotl(s[3], 45)
	return out
}

func rotl(x uint64, k uint) uint64 { return x<<k | x>>(64-k) }

// Float64 returns a uniform value in [0, 1).
func (r *RNG) Float64() float64 { return float64(r.Uint64()>>11) / (1 << 53) }

// NormFloat64 returns a standard normal value (Box-Muller, polar form).
func (r *RNG) NormFloat64() float64 {
	for {
		u := 2*r.Float64() - 1
		v := 2*r.Float64() - 1
		s := u*u + v*v
		if s > 0 && s < 1 {
			return u * math.Sqrt(-2*math.Log(s)/s)
		}
	}
}

// IntN returns a uniform value in [0, n). n must be positive.
func (r *RNG) IntN(n int) int {
	// Lemire's multiply-shift; the bias is below 2^-32 for n < 2^32.
	hi, _ := bits.Mul64(r.Uint64(), uint64(n))
	return int(hi)
}

// Shuffle permutes idx uniformly (Fisher-Yates).
func (r *RNG) Shuffle(idx []int) {
	for i := len(idx) - 1; i > 0; i-- {
		j := r.IntN(i + 1)
		idx[i], idx[j] = idx[j], idx[i]
	}
}
