//go:build amd64 && !purego

package gemm

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/mlptui/mlptui/nn/internal/bf16"
)

func needBF16(t *testing.T) {
	t.Helper()
	if !bf16.Supported() {
		t.Skip("this CPU lacks avx512_bf16")
	}
}

// specialBits returns float32 bit patterns that exercise rounding: ties
// (low half 0x8000) with even and odd kept bits, just above and below a
// tie, denormals, zeros, infinities, NaNs and values that round to
// infinity, plus random ones.
func specialBits(rng *rand.Rand, n int) []uint32 {
	s := []uint32{
		0, 0x80000000, 0x00000001, 0x807fffff, 0x00400000, // zeros, denormals
		0x7f800000, 0xff800000, 0x7fc00000, 0x7f800001, 0xffa01234, // inf, NaN (quiet, signalling)
		0x7f7fffff, 0xff7f8000, 0x7f7f7fff, // round to inf, or not
		0x3f808000, 0x3f818000, 0x3f808001, 0x3f807fff, // ties to even, off ties
		0x00800000, 0x00808000, 0x0080ffff, // smallest normals
	}
	for len(s) < n {
		x := rng.Uint32()
		switch rng.IntN(4) {
		case 0:
			x = x&^0xffff | 0x8000 // a tie
		case 1:
			x &= 0x807fffff // a denormal
		}
		s = append(s, x)
	}
	return s[:n]
}

// TestCvtne2ps2bf16BitForBit runs the encoded VCVTNE2PS2BF16 and
// VCVTNEPS2BF16 on special and random values and compares every bit with
// the scalar model.
func TestCvtne2ps2bf16BitForBit(t *testing.T) {
	needBF16(t)
	rng := rand.New(rand.NewPCG(1, 2))
	for it := 0; it < 2000; it++ {
		bits := specialBits(rng, 32)
		rng.Shuffle(len(bits), func(i, j int) { bits[i], bits[j] = bits[j], bits[i] })
		var s1, s2 [16]float32
		for i := range s1 {
			s1[i] = math.Float32frombits(bits[i])
			s2[i] = math.Float32frombits(bits[16+i])
		}
		var got, want [32]uint16
		cvtne2ps2bf16(&got, &s1, &s2)
		bf16.Cvtne2ps2bf16(want[:], s1[:], s2[:])
		if got != want {
			t.Fatalf("VCVTNE2PS2BF16(%08x, %08x)\n got %04x\nwant %04x", bits[:16], bits[16:], got, want)
		}
		var got1 [16]uint16
		cvtneps2bf16(&got1, &s1)
		if [16]uint16(want[16:]) != got1 {
			t.Fatalf("VCVTNEPS2BF16(%08x) = %04x, want %04x", bits[:16], got1, want[16:])
		}
	}
}

// TestDpbf16psBitForBit runs the encoded VDPBF16PS on special and random
// bfloat16 pairs and accumulators, including sums that round, overflow,
// cancel and go denormal, and compares every bit with the scalar model.
func TestDpbf16psBitForBit(t *testing.T) {
	needBF16(t)
	rng := rand.New(rand.NewPCG(3, 4))
	for it := 0; it < 5000; it++ {
		var acc, wantAcc [16]float32
		var a, b [32]uint16
		accBits := specialBits(rng, 16)
		rng.Shuffle(len(accBits), func(i, j int) { accBits[i], accBits[j] = accBits[j], accBits[i] })
		for i := range acc {
			acc[i] = math.Float32frombits(accBits[i])
		}
		for i := range a {
			if it%2 == 0 {
				// Mostly moderate values, so that the sums round rather than
				// saturate.
				a[i] = bf16.FromFloat32(float32(rng.NormFloat64() * math.Exp2(float64(rng.IntN(40)-20))))
				b[i] = bf16.FromFloat32(float32(rng.NormFloat64() * math.Exp2(float64(rng.IntN(40)-20))))
			} else {
				a[i], b[i] = uint16(rng.Uint32()), uint16(rng.Uint32())
			}
		}
		wantAcc = acc
		bf16.Dpbf16ps(wantAcc[:], a[:], b[:])
		dpbf16ps(&acc, &a, &b)
		for j := range acc {
			g, w := math.Float32bits(acc[j]), math.Float32bits(wantAcc[j])
			if g != w {
				t.Fatalf("VDPBF16PS lane %d: acc %08x, a %04x %04x, b %04x %04x: got %08x, model %08x",
					j, accBits[j], a[2*j+1], a[2*j], b[2*j+1], b[2*j], g, w)
			}
		}
	}
}

// TestSgemmBF16BitForBit checks the whole bfloat16 path (the assembly
// packing and rounding, the generated kernel, edge tiles, transposes,
// both threads) bit for bit against the scalar model: C[i,j] is the chain of Dpbf16ps
// over the k pairs in order, from zero, for k within one cache block and
// beta == 0. (Below BF16MinDim SgemmBF16 is Sgemm: see
// TestSgemmBF16SmallIsFloat32.) {200, 33, 100} is computed transposed.
func TestSgemmBF16BitForBit(t *testing.T) {
	needBF16(t)
	rng := rand.New(rand.NewPCG(5, 6))
	for _, sz := range [][3]int{{32, 32, 32}, {33, 45, 47}, {50, 70, 129}, {100, 40, 300}, {200, 33, 100}, {200, 300, 768}} {
		for _, tt := range [][2]bool{{false, false}, {true, false}, {false, true}, {true, true}} {
			m, n, k := sz[0], sz[1], sz[2]
			a, b := randSlice(rng, m*k), randSlice(rng, k*n)
			lda, ldb := k, n
			if tt[0] {
				lda = m
			}
			if tt[1] {
				ldb = k
			}
			at := func(i, p int) float32 {
				if tt[0] {
					return a[p*lda+i]
				}
				return a[i*lda+p]
			}
			bt := func(p, j int) float32 {
				if tt[1] {
					return b[j*ldb+p]
				}
				return b[p*ldb+j]
			}
			for _, nt := range []int{1, 2} {
				prev := Threads()
				SetThreads(nt)
				c := make([]float32, m*n)
				SgemmBF16(tt[0], tt[1], m, n, k, 1, a, lda, b, ldb, 0, c, n)
				SetThreads(prev)
				var acc [1]float32
				var pa, pb [2]uint16
				for i := 0; i < m; i++ {
					for j := 0; j < n; j++ {
						acc[0] = 0
						for p := 0; p < k; p += 2 {
							pa[0], pb[0] = bf16.FromFloat32(at(i, p)), bf16.FromFloat32(bt(p, j))
							pa[1], pb[1] = 0, 0
							if p+1 < k {
								pa[1], pb[1] = bf16.FromFloat32(at(i, p+1)), bf16.FromFloat32(bt(p+1, j))
							}
							bf16.Dpbf16ps(acc[:], pa[:], pb[:])
						}
						if math.Float32bits(c[i*n+j]) != math.Float32bits(acc[0]) {
							t.Fatalf("m,n,k=%d,%d,%d trans=%v threads=%d: C[%d,%d] = %v, model %v", m, n, k, tt, nt, i, j, c[i*n+j], acc[0])
						}
					}
				}
			}
		}
	}
}

// TestPackPairsAssemblyBitForBit packs blocks of special and random values
// with the assembly routines (whole panels walked row pair by row pair,
// the ragged panel, the transposed layout) and with portable Go (the
// scalar model's rounding), for both panel widths, odd and even kc, ragged
// panels, offsets into the source and alpha, and compares every bit.
func TestPackPairsAssemblyBitForBit(t *testing.T) {
	needBF16(t)
	rng := rand.New(rand.NewPCG(21, 22))
	im := &bf16Impl
	for _, w := range []int{im.mr, im.nr} {
		asm := im.pairsA()
		if w == im.nr {
			asm = im.pairsB()
		}
		for _, xn := range []int{1, w - 1, w, w + 1, 3*w + 5, 4 * w} {
			for _, kc := range []int{1, 2, 3, 16, 17, 33, 64} {
				for _, trans := range []bool{false, true} {
					for _, alpha := range []float32{1, -0.75} {
						x0, p0 := rng.IntN(3), rng.IntN(3)
						rows, cols := p0+kc, x0+xn // stored as (p, x)
						if trans {
							rows, cols = x0+xn, p0+kc
						}
						ld := cols + rng.IntN(3)
						bits := specialBits(rng, rows*ld)
						src := make([]float32, rows*ld)
						for i, b := range bits {
							src[i] = math.Float32frombits(b)
						}
						kp := (kc + 1) / 2
						size := (xn + w - 1) / w * w * kp
						got, want := make([]float32, size+1), make([]float32, size+1)
						for i := range got {
							got[i], want[i] = 777, 777
						}
						packPairs(got, src, ld, trans, x0, xn, p0, kc, w, asm, alpha)
						packPairs(want, src, ld, trans, x0, xn, p0, kc, w, pairFuncs{}, alpha)
						for i := range got {
							if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
								t.Fatalf("w %d xn %d kc %d trans %v alpha %v: word %d = %08x, Go %08x",
									w, xn, kc, trans, alpha, i, math.Float32bits(got[i]), math.Float32bits(want[i]))
							}
						}
					}
				}
			}
		}
	}
}
