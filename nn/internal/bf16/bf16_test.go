package bf16

import (
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"testing"
)

// nearest is an independent reference for FromFloat32 on finite, normal
// inputs: of the two bfloat16 values around x (the truncation and the next
// one up in magnitude) the nearer in float64 arithmetic, the one with an
// even last bit on a tie. Past the largest finite bfloat16 the next value
// up is infinity, at distance 2^128 - x (IEEE's overflow rule).
func nearest(x float32) uint16 {
	bits := math.Float32bits(x)
	lo := uint16(bits >> 16)
	hi := lo + 1
	ax := math.Abs(float64(x))
	loV := math.Abs(float64(ToFloat32(lo)))
	hiV := math.Abs(float64(ToFloat32(hi)))
	if hi&0x7fff == 0x7f80 {
		hiV = math.Ldexp(1, 128)
	}
	dlo, dhi := ax-loV, hiV-ax
	switch {
	case dlo < dhi:
		return lo
	case dhi < dlo:
		return hi
	case lo&1 == 0:
		return lo
	}
	return hi
}

// TestFromFloat32Nearest checks rounding to nearest even against the
// reference for every bfloat16 high half with the low halves that matter
// (exact, just below, at and just above the tie, the largest) and random
// ones.
func TestFromFloat32Nearest(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	bad := 0
	for high := uint32(0); high < 1<<16; high++ {
		if e := high >> 7 & 0xff; e == 0 || e == 0xff {
			continue // zeros, denormals, infinities and NaNs: TestFromFloat32Special
		}
		for _, low := range []uint32{0, 1, 0x7fff, 0x8000, 0x8001, 0xffff, rng.Uint32() & 0xffff} {
			x := math.Float32frombits(high<<16 | low)
			if got, want := FromFloat32(x), nearest(x); got != want {
				bad++
				if bad < 5 {
					t.Errorf("FromFloat32(%#08x = %g) = %#04x, want %#04x", high<<16|low, x, got, want)
				}
			}
		}
	}
	if bad > 0 {
		t.Fatalf("%d wrong roundings", bad)
	}
}

func TestFromFloat32Special(t *testing.T) {
	for _, c := range []struct {
		in   uint32
		want uint16
		why  string
	}{
		{0x00000000, 0x0000, "+0"},
		{0x80000000, 0x8000, "-0"},
		{0x00000001, 0x0000, "smallest denormal: zero"},
		{0x807fffff, 0x8000, "largest negative denormal: -0"},
		{0x00800000, 0x0080, "smallest normal: exact"},
		{0x3f800000, 0x3f80, "1: exact"},
		{0x3f808000, 0x3f80, "tie, even below"},
		{0x3f818000, 0x3f82, "tie, even above"},
		{0x3f808001, 0x3f81, "just above the tie"},
		{0x7f7f7fff, 0x7f7f, "just below overflow"},
		{0x7f7f8000, 0x7f80, "tie at the largest finite: infinity"},
		{0x7f7fffff, 0x7f80, "largest float32: infinity"},
		{0xff7fffff, 0xff80, "most negative float32: -infinity"},
		{0x7f800000, 0x7f80, "+inf"},
		{0xff800000, 0xff80, "-inf"},
		{0x7fc00000, 0x7fc0, "quiet NaN"},
		{0x7f800001, 0x7fc0, "signalling NaN, payload in the low half: made quiet"},
		{0xff812345, 0xffc1, "negative signalling NaN: truncated, made quiet"},
	} {
		if got := FromFloat32(math.Float32frombits(c.in)); got != c.want {
			t.Errorf("%s: FromFloat32(%#08x) = %#04x, want %#04x", c.why, c.in, got, c.want)
		}
	}
}

func TestToFloat32RoundTrip(t *testing.T) {
	for h := uint32(0); h < 1<<16; h++ {
		if e := h >> 7 & 0xff; e == 0 || e == 0xff {
			continue
		}
		if got := FromFloat32(ToFloat32(uint16(h))); got != uint16(h) {
			t.Fatalf("FromFloat32(ToFloat32(%#04x)) = %#04x", h, got)
		}
	}
}

func TestCvtne2ps2bf16(t *testing.T) {
	src1 := []float32{1, 2, 3}
	src2 := []float32{-1, 0.5, 1.00390625} // 1+2^-8: a tie, rounds to 1
	dst := make([]uint16, 6)
	Cvtne2ps2bf16(dst, src1, src2)
	want := []uint16{0xbf80, 0x3f00, 0x3f80, 0x3f80, 0x4000, 0x4040}
	for i := range want {
		if dst[i] != want[i] {
			t.Errorf("dst[%d] = %#04x, want %#04x (src2 fills the low half)", i, dst[i], want[i])
		}
	}
}

func bf(f float32) uint16 { return FromFloat32(f) }

// TestDpbf16psCases pins the semantics: the odd pair first, one rounding
// per addition, denormals in and out as zero.
func TestDpbf16psCases(t *testing.T) {
	tiny := math.Float32frombits(0x00400000) // a float32 denormal
	for _, c := range []struct {
		why  string
		acc  float32
		a, b [2]uint16 // pairs (even, odd)
		want float32
	}{
		{"plain", 1, [2]uint16{bf(2), bf(3)}, [2]uint16{bf(4), bf(5)}, 1 + 15 + 8},
		// 2^-24 is half an ulp of 1: each addition alone ties back to 1
		// (even); adding the two products first would give 1+2^-23.
		{"one rounding per addition", 1, [2]uint16{bf(0x1p-12), bf(0x1p-12)}, [2]uint16{bf(0x1p-12), bf(0x1p-12)}, 1},
		// The odd product first: 1 + 2^24 ties back to 2^24 (even), then
		// -2^24 gives 0; the even one first would give 1 - 2^24 (exact),
		// then 1.
		{"odd pair first", 1, [2]uint16{bf(-0x1p12), bf(0x1p12)}, [2]uint16{bf(0x1p12), bf(0x1p12)}, 0},
		{"denormal accumulator read as zero", tiny, [2]uint16{bf(0), bf(0)}, [2]uint16{bf(0), bf(0)}, 0},
		{"denormal product written as zero", 0, [2]uint16{bf(0x1p-70), 0}, [2]uint16{bf(0x1p-70), 0}, 0},
		{"overflow to infinity", 0x1p127, [2]uint16{bf(0x1p64), 0}, [2]uint16{bf(0x1p64), 0}, float32(math.Inf(1))},
	} {
		acc := []float32{c.acc}
		Dpbf16ps(acc, c.a[:], c.b[:])
		if math.Float32bits(acc[0]) != math.Float32bits(c.want) {
			t.Errorf("%s: got %g (%#08x), want %g", c.why, acc[0], math.Float32bits(acc[0]), c.want)
		}
	}
	nan := []float32{1}
	Dpbf16ps(nan, []uint16{bf(1), 0x7fc0}, []uint16{bf(1), bf(1)})
	if !math.IsNaN(float64(nan[0])) {
		t.Errorf("a NaN operand gave %g", nan[0])
	}
}

// TestDpbf16psBound accumulates long dot products of bfloat16-rounded
// random numbers (16 lanes, 512 pairs per lane, 256 instructions) and
// compares with a float64 reference of the same rounded inputs. The
// products are exact, so the only errors are the 2 roundings per
// instruction and lane: |error| <= 2*256 * 2^-24 * sum|terms|.
func TestDpbf16psBound(t *testing.T) {
	const lanes, steps = 16, 256
	rng := rand.New(rand.NewPCG(3, 4))
	acc := make([]float32, lanes)
	ref := make([]float64, lanes)
	mag := make([]float64, lanes)
	a, b := make([]uint16, 2*lanes), make([]uint16, 2*lanes)
	for range steps {
		for i := range a {
			a[i] = bf(float32(rng.NormFloat64()))
			b[i] = bf(float32(rng.NormFloat64() * 10))
		}
		Dpbf16ps(acc, a, b)
		for j := range lanes {
			for _, i := range []int{2*j + 1, 2 * j} {
				p := float64(ToFloat32(a[i])) * float64(ToFloat32(b[i]))
				ref[j] += p
				mag[j] += math.Abs(p)
			}
		}
	}
	for j := range lanes {
		tol := 2 * steps * 0x1p-24 * mag[j]
		if d := math.Abs(float64(acc[j]) - ref[j]); d > tol {
			t.Errorf("lane %d: %g, float64 reference %g: error %g > bound %g", j, acc[j], ref[j], d, tol)
		}
	}
}

// TestStatus prints the one line about this CPU and checks it against
// /proc/cpuinfo where there is one.
func TestStatus(t *testing.T) {
	t.Log(Status())
	if runtime.GOOS != "linux" || (runtime.GOARCH != "amd64" && runtime.GOARCH != "386") {
		return
	}
	info, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		t.Skip(err)
	}
	if !strings.Contains(string(info), " avx512_bf16") && Supported() {
		t.Error("Supported() but /proc/cpuinfo lists no avx512_bf16")
	}
	if !Supported() && !strings.Contains(Status(), "lacks avx512_bf16") {
		t.Errorf("Status() = %q on a CPU without avx512_bf16", Status())
	}
}
