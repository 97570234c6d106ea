package imagefolder

import "math"

// taps are the source indices and weights that make each output pixel
// along one axis: output o is the sum over k < cnt[o] of
// w[o*n+k] * src[start[o]+k].
type taps struct {
	start, cnt []int
	w          []float32
	n          int
}

// axisTaps returns the filter for resampling in pixels to out pixels:
// area averaging when shrinking (each output pixel is the mean of the
// source area it covers, fractional pixels weighted by their overlap),
// bilinear interpolation between pixel centres when growing, identity
// when the sizes agree.
func axisTaps(in, out int) taps {
	t := taps{start: make([]int, out), cnt: make([]int, out)}
	switch {
	case in == out:
		t.n = 1
		t.w = make([]float32, out)
		for o := range out {
			t.start[o], t.cnt[o] = o, 1
			t.w[o] = 1
		}
	case in > out: // shrink: box filter over [o*s, (o+1)*s)
		s := float64(in) / float64(out)
		t.n = int(math.Ceil(s)) + 1
		t.w = make([]float32, out*t.n)
		for o := range out {
			lo, hi := float64(o)*s, float64(o+1)*s
			first := int(math.Floor(lo))
			t.start[o] = first
			for k := range t.n {
				i := first + k
				if i >= in {
					break
				}
				ov := math.Min(hi, float64(i+1)) - math.Max(lo, float64(i))
				if ov > 0 {
					t.w[o*t.n+k] = float32(ov / s)
				}
			}
			t.cnt[o] = min(t.n, in-first)
		}
	default: // grow: bilinear, pixel centres aligned
		t.n = 2
		t.w = make([]float32, out*2)
		s := float64(in) / float64(out)
		for o := range out {
			x := (float64(o)+0.5)*s - 0.5
			i0 := int(math.Floor(x))
			f := x - float64(i0)
			if i0 < 0 {
				i0, f = 0, 0
			}
			if i0 >= in-1 {
				i0, f = in-2, 1
			}
			t.start[o], t.cnt[o] = i0, 2
			t.w[2*o] = float32(1 - f)
			t.w[2*o+1] = float32(f)
		}
	}
	return t
}

// resize resamples c planes of h0×w0 bytes in src into c planes of h×w
// bytes in dst, separably (rows, then columns). Same-size input is copied
// exactly.
func resize(dst, src []byte, c, h0, w0, h, w int) {
	if h0 == h && w0 == w {
		copy(dst[:c*h*w], src)
		return
	}
	// Bilinear growth needs two source pixels: a 1-pixel axis is replicated.
	tx, ty := axisTaps(w0, w), axisTaps(h0, h)
	if w0 == 1 && w > 1 {
		tx = replicate(w)
	}
	if h0 == 1 && h > 1 {
		ty = replicate(h)
	}
	tmp := make([]float32, h0*w) // one plane after the horizontal pass
	for ch := range c {
		sp := src[ch*h0*w0 : (ch+1)*h0*w0]
		for y := range h0 {
			row := sp[y*w0 : (y+1)*w0]
			out := tmp[y*w : (y+1)*w]
			for o := range w {
				var s float32
				ws := tx.w[o*tx.n : o*tx.n+tx.cnt[o]]
				src := row[tx.start[o] : tx.start[o]+tx.cnt[o]]
				for k, wt := range ws {
					s += wt * float32(src[k])
				}
				out[o] = s
			}
		}
		dp := dst[ch*h*w : (ch+1)*h*w]
		for o := range h {
			out := dp[o*w : (o+1)*w]
			ws := ty.w[o*ty.n : o*ty.n+ty.cnt[o]]
			base := ty.start[o]
			for x := range w {
				var s float32
				for k, wt := range ws {
					s += wt * tmp[(base+k)*w+x]
				}
				out[x] = clampByte(s)
			}
		}
	}
}

// replicate is the filter that stretches a single pixel to out pixels.
func replicate(out int) taps {
	t := taps{start: make([]int, out), cnt: make([]int, out), w: make([]float32, out), n: 1}
	for o := range out {
		t.w[o], t.cnt[o] = 1, 1
	}
	return t
}

func clampByte(v float32) byte {
	v += 0.5
	switch {
	case v <= 0:
		return 0
	case v >= 255:
		return 255
	}
	return byte(v)
}
