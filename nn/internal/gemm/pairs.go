package gemm

import (
	"math"

	"github.com/mlptui/mlptui/nn/internal/bf16"
)

// packPairs packs the block X[x0:x0+xn, p0:p0+kc] like pack, but into
// bfloat16 pairs for VDPBF16PS: with kp = ceil(kc/2), panel q holds, in
// the 32-bit word dst[q*w*kp + p*w + x], alpha*X[x0+q*w+x, p0+2p] rounded
// to bfloat16 (nearest even, as VCVTNE2PS2BF16 rounds) in its low half and
// alpha*X[x0+q*w+x, p0+2p+1] in its high half. Words beyond xn, and the
// high half of the last pair when kc is odd, are zero.
// When trans, X[x, p] is at src[x*ld+p]; else at src[p*ld+x].
//
// copyFn (the copy layout) and transFn (the transposed one, full panels
// and multiples of 8 pairs) are assembly routines, or nil for Go.
func packPairs(dst, src []float32, ld int, trans bool, x0, xn, p0, kc, w int, copyFn pairCopyFunc, transFn transFunc, alpha float32) {
	kp := (kc + 1) / 2
	for q := 0; q < xn; q += w {
		cols := min(w, xn-q)
		d := dst[q*kp : q*kp+w*kp]
		if trans {
			p8 := 0
			if transFn != nil && cols == w {
				p8 = kc / 2 &^ 7
				if p8 > 0 {
					s := src[(x0+q)*ld+p0:]
					_ = s[(w-1)*ld+2*p8-1] // bounds of the assembly's reads
					transFn(&d[0], &s[0], ld, p8, alpha)
				}
			}
			for x := 0; x < cols; x++ {
				row := src[(x0+q+x)*ld+p0 : (x0+q+x)*ld+p0+kc]
				for p := p8; p < kc/2; p++ {
					d[p*w+x] = pair(alpha*row[2*p], alpha*row[2*p+1])
				}
				if kc&1 != 0 {
					d[(kp-1)*w+x] = pair(alpha*row[kc-1], 0)
				}
			}
		} else {
			full := 0
			if copyFn != nil && kc >= 2 {
				full = kc / 2
				s := src[p0*ld+x0+q:]
				_ = s[(2*full-1)*ld+cols-1] // bounds of the assembly's reads
				copyFn(&d[0], &s[0], ld, full, w, cols, 1<<(cols%16)-1, alpha)
			}
			for p := full; p < kp; p++ {
				r0 := src[(p0+2*p)*ld+x0+q : (p0+2*p)*ld+x0+q+cols]
				dd := d[p*w : p*w+cols]
				if 2*p+1 == kc {
					for x, v := range r0 {
						dd[x] = pair(alpha*v, 0)
					}
					continue
				}
				r1 := src[(p0+2*p+1)*ld+x0+q : (p0+2*p+1)*ld+x0+q+cols]
				r1 = r1[:len(r0)]
				for x, v := range r0 {
					dd[x] = pair(alpha*v, alpha*r1[x])
				}
			}
		}
		if cols < w {
			for p := 0; p < kp; p++ {
				clear(d[p*w+cols : p*w+w])
			}
		}
	}
}

// pair is the 32-bit word (as a float32's bits) holding lo and hi rounded
// to bfloat16, lo in the low half.
func pair(lo, hi float32) float32 {
	return math.Float32frombits(uint32(bf16.FromFloat32(lo)) | uint32(bf16.FromFloat32(hi))<<16)
}
