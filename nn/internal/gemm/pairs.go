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
func packPairs(dst, src []float32, ld int, trans bool, x0, xn, p0, kc, w int, alpha float32) {
	kp := (kc + 1) / 2
	for q := 0; q < xn; q += w {
		cols := min(w, xn-q)
		d := dst[q*kp : q*kp+w*kp]
		if trans {
			for x := 0; x < cols; x++ {
				row := src[(x0+q+x)*ld+p0 : (x0+q+x)*ld+p0+kc]
				for p := 0; p < kc/2; p++ {
					d[p*w+x] = pair(alpha*row[2*p], alpha*row[2*p+1])
				}
				if kc&1 != 0 {
					d[(kp-1)*w+x] = pair(alpha*row[kc-1], 0)
				}
			}
		} else {
			for p := 0; p < kp; p++ {
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
