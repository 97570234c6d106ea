package nn

import "testing"

// TestDropMaskIsTheRNGStream checks dropMask, which runs xoshiro256** on
// local state, against RNG.Uint64: the same masks (low 32 bits first,
// dropped below thr), y = x·mask, and the generator left where Uint64
// would leave it; odd lengths too.
func TestDropMaskIsTheRNGStream(t *testing.T) {
	for _, n := range []int{0, 1, 2, 7, 64, 1001} {
		const thr, keep = 1 << 30, float32(1 / 0.75)
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(i) - 3.5
		}
		m, y := make([]float32, n), make([]float32, n)
		r, ref := NewRNG(9, uint64(n)), NewRNG(9, uint64(n))
		dropMask(m, x, y, r, thr, keep)
		for i := 0; i < n; i += 2 {
			u := ref.Uint64()
			for h, draw := range []uint64{u & 0xffffffff, u >> 32} {
				if i+h >= n {
					break
				}
				want := keep
				if draw < thr {
					want = 0
				}
				if m[i+h] != want || y[i+h] != x[i+h]*want {
					t.Fatalf("n %d unit %d: mask %v y %v, want %v %v", n, i+h, m[i+h], y[i+h], want, x[i+h]*want)
				}
			}
		}
		if r.Uint64() != ref.Uint64() {
			t.Errorf("n %d: generator state differs after the mask", n)
		}
	}
}
