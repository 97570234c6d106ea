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
// fn holds the assembly routines (nil fields for Go): in the copy layout
// fn.panels packs the whole panels (walking each pair of source rows once)
// and fn.copy the ragged last one; in the transposed layout fn.trans packs
// full panels in multiples of 8 pairs.
func packPairs(dst, src []float32, ld int, trans bool, x0, xn, p0, kc, w int, fn pairFuncs, alpha float32) {
	kp := (kc + 1) / 2
	pairs := kc / 2
	if trans {
		for q := 0; q < xn; q += w {
			packPairsTrans(dst[q*kp:q*kp+w*kp], src, ld, x0+q, min(w, xn-q), p0, kc, w, fn.trans, alpha)
		}
		return
	}
	done := 0 // panels whose whole pairs are packed
	if fn.panels != nil && pairs > 0 && xn >= w {
		done = xn / w
		s := src[p0*ld+x0:]
		_ = s[(2*pairs-1)*ld+done*w-1]   // bounds of the assembly's reads
		_ = dst[(done-1)*w*kp+pairs*w-1] // and writes
		fn.panels(&dst[0], &s[0], ld, pairs, done, w*kp, alpha)
	}
	for q := 0; q < xn; q += w {
		cols := min(w, xn-q)
		d := dst[q*kp : q*kp+w*kp]
		first := 0 // the first pair left to Go
		switch {
		case q < done*w:
			first = pairs
		case fn.copy != nil && pairs > 0:
			first = pairs
			s := src[p0*ld+x0+q:]
			_ = s[(2*pairs-1)*ld+cols-1] // bounds of the assembly's reads
			fn.copy(&d[0], &s[0], ld, pairs, w, cols, 1<<(cols%16)-1, alpha)
		}
		for p := first; p < kp; p++ {
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
		if cols < w {
			for p := 0; p < kp; p++ {
				clear(d[p*w+cols : p*w+w])
			}
		}
	}
}

// packPairsTrans packs one panel d (w*kp words) of the transposed layout:
// the rows x0..x0+cols-1 of src, columns p0..p0+kc-1, as packPairs does.
func packPairsTrans(d, src []float32, ld, x0, cols, p0, kc, w int, transFn transFunc, alpha float32) {
	kp := (kc + 1) / 2
	p8 := 0
	if transFn != nil && cols == w {
		p8 = kc / 2 &^ 7
		if p8 > 0 {
			s := src[x0*ld+p0:]
			_ = s[(w-1)*ld+2*p8-1] // bounds of the assembly's reads
			transFn(&d[0], &s[0], ld, p8, alpha)
		}
	}
	for x := 0; x < cols; x++ {
		row := src[(x0+x)*ld+p0 : (x0+x)*ld+p0+kc]
		for p := p8; p < kc/2; p++ {
			d[p*w+x] = pair(alpha*row[2*p], alpha*row[2*p+1])
		}
		if kc&1 != 0 {
			d[(kp-1)*w+x] = pair(alpha*row[kc-1], 0)
		}
	}
	if cols < w {
		for p := 0; p < kp; p++ {
			clear(d[p*w+cols : p*w+w])
		}
	}
}

// pair is the 32-bit word (as a float32's bits) holding lo and hi rounded
// to bfloat16, lo in the low half.
func pair(lo, hi float32) float32 {
	return math.Float32frombits(uint32(bf16.FromFloat32(lo)) | uint32(bf16.FromFloat32(hi))<<16)
}
