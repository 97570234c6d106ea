package gemm

import "unsafe"

// kernelFunc computes the mr×nr product of a packed A micro-panel (kc×mr,
// k-major) and a packed B micro-panel (kc×nr, k-major) into the C tile at c
// (row stride ldc): C = AB if flag == 0, else C = AB + beta*C.
type kernelFunc func(kc int, a, b, c *float32, ldc int, beta float32, flag int)

// transFunc packs one full micro-panel of fixed width w from a matrix stored
// across the panel: dst[p*w+x] = alpha*src[x*lds+p] for x < w, p < n (n a
// multiple of 8).
type transFunc func(dst, src *float32, lds, n int, alpha float32)

// copyFunc packs panels full micro-panels of fixed width w from a matrix
// stored along the panels: dst[q*pstride+p*w+x] = alpha*src[p*lds+q*w+x]
// for p < rows, q < panels, x < w.
type copyFunc func(dst, src *float32, lds, rows, panels, pstride int, alpha float32)

// pairCopyFunc packs bfloat16 pairs from row pairs of a matrix stored
// along the panel: the word dst[p*w+x] holds alpha*src[2p*lds+x] (low half)
// and alpha*src[(2p+1)*lds+x] (high half) for p < pairs, x < cols; mask is
// 1<<(cols%16) - 1.
type pairCopyFunc func(dst, src *float32, lds, pairs, w, cols, mask int, alpha float32)

// pairPanelsFunc packs bfloat16 pairs into panels whole panels of its
// fixed width w from a matrix stored along the panels, a pair of source
// rows at a time across all of them: the word dst[q*pstride+p*w+x] holds
// alpha*src[2p*lds+q*w+x] (low half) and alpha*src[(2p+1)*lds+q*w+x] (high
// half) for p < pairs, q < panels, x < w.
type pairPanelsFunc func(dst, src *float32, lds, pairs, panels, pstride int, alpha float32)

// pairFuncs are the assembly routines packPairs may use for one operand
// (nil fields mean portable Go).
type pairFuncs struct {
	panels pairPanelsFunc // copy layout, whole panels
	copy   pairCopyFunc   // copy layout, one (ragged) panel
	trans  transFunc      // transposed layout, one full panel
}

// pairsA and pairsB are the bfloat16 packing routines for A (panels of
// width mr) and for B (width nr).
func (im *impl) pairsA() pairFuncs { return pairFuncs{im.pairPanelsA, im.pairCopy, im.transA} }
func (im *impl) pairsB() pairFuncs { return pairFuncs{im.pairPanelsB, im.pairCopy, im.transB} }

// impl is a micro-kernel with its packing routines and block sizes.
type impl struct {
	name       string
	mr, nr     int // register tile
	mc, kc, nc int // cache blocks (mc a multiple of mr, nc of nr, kc of 8)
	// packCost is the time to pack one row of A or column of B per k step,
	// in k steps of the kernel on one tile (for splitting a call among
	// threads; 0 ignores packing).
	packCost float64
	kern     kernelFunc
	// bf16 means kern takes bfloat16 pairs (see packPairs) and kc counts
	// pairs; copyA and copyB are then unused, transA and transB pack pairs
	// (dst[p*w+x] = pair x of src row x, p < n a multiple of 8) and
	// pairCopy (a ragged panel) and pairPanelsA and pairPanelsB (whole
	// panels of width mr and nr), if not nil, pack the copy layout.
	bf16                     bool
	pairCopy                 pairCopyFunc
	pairPanelsA, pairPanelsB pairPanelsFunc
	// Packing routines of width mr (A) and nr (B); nil means portable Go.
	copyA, copyB   copyFunc
	transA, transB transFunc
	// prefetch, if not nil, prefetches rows rows of bytes bytes, ld floats
	// apart: used to fetch the next B block while the kernel runs.
	prefetch func(p *float32, ld, rows, bytes int)
}

// buffers are the pack buffers of one goroutine.
type buffers struct {
	aRaw []float32
	bRaw []float32
	tile [tileMax]float32
}

// tileMax bounds mr*nr of every kernel.
const tileMax = 16 * 64

// aligned returns a 64-byte aligned slice of n floats, reusing raw if it is
// large enough.
func aligned(raw *[]float32, n int) []float32 {
	if cap(*raw) < n+16 {
		*raw = make([]float32, n+16)
	}
	r := (*raw)[:cap(*raw)]
	off := int(uintptr(unsafe.Pointer(&r[0]))&63) / 4
	if off != 0 {
		off = 16 - off
	}
	return r[off : off+n]
}

// blockSize splits n into the fewest blocks of at most max and returns the
// block size, rounded up to a multiple of unit (and at most max, which must
// be a multiple of unit).
func blockSize(n, maxb, unit int) int {
	nb := (n + maxb - 1) / maxb
	bs := (n + nb - 1) / nb
	bs = (bs + unit - 1) / unit * unit
	return min(bs, maxb)
}

// run computes the part C[i0:i1, j0:j1] of the problem.
func (im *impl) run(buf *buffers, pr *problem, i0, i1, j0, j1 int) {
	mr, nr := im.mr, im.nr
	k := pr.k
	kcb := blockSize(k, im.kc, 8)
	mcb := blockSize(i1-i0, im.mc, mr)
	ncb := blockSize(j1-j0, im.nc, nr)
	kpb := kcb // packed words per panel row of a full block
	if im.bf16 {
		kpb = kcb / 2
	}
	abuf := aligned(&buf.aRaw, mcb*kpb)
	bbuf := aligned(&buf.bRaw, ncb*kpb)
	c, ldc := pr.c, pr.ldc
	tile := &buf.tile
	for pc := 0; pc < k; pc += kcb {
		kc := min(kcb, k-pc)
		kp := kc // the kernel's steps: k steps or bfloat16 pairs
		if im.bf16 {
			kp = (kc + 1) / 2
		}
		beta := pr.beta
		if pc > 0 {
			beta = 1
		}
		flag := 0
		if beta != 0 {
			flag = 1
		}
		for ic := i0; ic < i1; ic += mcb {
			mc := min(mcb, i1-ic)
			// A[ic:ic+mc, pc:pc+kc]: stored transposed (x, p) at a[p*lda+x]
			// when transA, else at a[x*lda+p].
			if im.bf16 {
				packPairs(abuf, pr.a, pr.lda, !pr.transA, ic, mc, pc, kc, mr, im.pairsA(), pr.alpha)
			} else {
				pack(abuf, pr.a, pr.lda, !pr.transA, ic, mc, pc, kc, mr, im.copyA, im.transA, pr.alpha)
			}
			for jc := j0; jc < j1; jc += ncb {
				nc := min(ncb, j1-jc)
				// B[pc:pc+kc, jc:jc+nc]: (p, x) at b[x*ldb+p] when transB.
				if im.bf16 {
					packPairs(bbuf, pr.b, pr.ldb, pr.transB, jc, nc, pc, kc, nr, im.pairsB(), 1)
				} else {
					pack(bbuf, pr.b, pr.ldb, pr.transB, jc, nc, pc, kc, nr, im.copyB, im.transB, 1)
				}
				// The source region of the next B block, prefetched bit by bit
				// between kernel calls so its packing does not wait on memory.
				var pfBase *float32
				pfRows, pfBytes := 0, 0
				if im.prefetch != nil {
					pfBase, pfRows, pfBytes = nextB(pr, pc, jc, ic+mcb < i1, j0, j1, kcb, ncb)
				}
				nir := (mc + mr - 1) / mr
				for ir := 0; ir < mc; ir += mr {
					if pfRows > 0 {
						q := ir / mr
						r0, r1 := q*pfRows/nir, (q+1)*pfRows/nir
						if r1 > r0 {
							im.prefetch((*float32)(unsafe.Add(unsafe.Pointer(pfBase), r0*pr.ldb*4)), pr.ldb, r1-r0, pfBytes)
						}
					}
					rows := min(mr, mc-ir)
					ap := &abuf[ir*kp]
					crow := (ic+ir)*ldc + jc
					for jr := 0; jr < nc; jr += nr {
						cols := min(nr, nc-jr)
						bp := &bbuf[jr*kp]
						if rows == mr && cols == nr && !pr.transC {
							im.kern(kp, ap, bp, &c[crow+jr], ldc, beta, flag)
							continue
						}
						im.kern(kp, ap, bp, &tile[0], nr, 0, 0)
						if pr.transC {
							mergeTrans(tile[:], nr, rows, cols, c[(jc+jr)*ldc+ic+ir:], ldc, beta, flag)
							continue
						}
						mergeTile(tile[:], nr, rows, cols, c[crow+jr:], ldc, beta, flag)
					}
				}
			}
		}
	}
}

// nextB returns the source region of the B block after the one at (pc,
// jc) of a block row; moreRows says another block row of A follows at
// this pc, which takes B's blocks again from j0. The region is rows rows
// of bytes bytes at base, pr.ldb floats apart; rows is 0 after the last
// block.
func nextB(pr *problem, pc, jc int, moreRows bool, j0, j1, kcb, ncb int) (base *float32, rows, bytes int) {
	npc, njc := pc, jc+ncb
	if njc >= j1 {
		npc, njc = pc+kcb, j0
		if moreRows {
			npc = pc
		}
	}
	if npc >= pr.k {
		return nil, 0, 0
	}
	nkc, nnc := min(kcb, pr.k-npc), min(ncb, j1-njc)
	if pr.transB {
		return &pr.b[njc*pr.ldb+npc], nnc, nkc * 4
	}
	return &pr.b[npc*pr.ldb+njc], nkc, nnc * 4
}

// mergeTile adds the rows×cols tile t (row stride nr) into c (row stride
// ldc): c = t (+ beta*c if flag != 0).
func mergeTile(t []float32, nr, rows, cols int, c []float32, ldc int, beta float32, flag int) {
	for i := 0; i < rows; i++ {
		ti := t[i*nr : i*nr+cols]
		cr := c[i*ldc : i*ldc+cols]
		if flag == 0 {
			copy(cr, ti)
			continue
		}
		for j, v := range ti {
			cr[j] = v + beta*cr[j]
		}
	}
}

// mergeTrans adds the rows×cols tile t (row stride nr) transposed into c:
// c[j*ldc+i] = t[i*nr+j] (+ beta*c[j*ldc+i] if flag != 0).
func mergeTrans(t []float32, nr, rows, cols int, c []float32, ldc int, beta float32, flag int) {
	for j := 0; j < cols; j++ {
		cr := c[j*ldc : j*ldc+rows]
		if flag == 0 {
			for i := range cr {
				cr[i] = t[i*nr+j]
			}
			continue
		}
		for i := range cr {
			cr[i] = t[i*nr+j] + beta*cr[i]
		}
	}
}

// pack packs the block X[x0:x0+xn, p0:p0+kc] of a matrix stored in src with
// leading dimension ld into micro-panels of width w: panel q holds
// dst[q*w*kc + p*w + x] = alpha*X[x0+q*w+x, p0+p], zero-padded to width w.
// When trans, X[x, p] is at src[x*ld+p]; else at src[p*ld+x].
func pack(dst, src []float32, ld int, trans bool, x0, xn, p0, kc, w int, copyFn copyFunc, transFn transFunc, alpha float32) {
	if !trans {
		// Copy layout: whole panels row by row, then the ragged one.
		full := 0
		if copyFn != nil {
			full = xn / w
			if full > 0 {
				_ = dst[full*w*kc-1]              // bounds of the assembly's writes
				_ = src[(p0+kc-1)*ld+x0+full*w-1] // and reads
				copyFn(&dst[0], &src[p0*ld+x0], ld, kc, full, w*kc, alpha)
			}
		}
		for q := full * w; q < xn; q += w {
			copyGo(dst[q*kc:q*kc+w*kc], src[p0*ld+x0+q:], ld, w, min(w, xn-q), kc, alpha)
		}
		return
	}
	for q := 0; q < xn; q += w {
		cols := min(w, xn-q)
		d := dst[q*kc : q*kc+w*kc]
		s := src[(x0+q)*ld+p0:]
		kc8 := 0
		if cols == w && transFn != nil {
			kc8 = kc &^ 7
			if kc8 > 0 {
				_ = s[(w-1)*ld+kc8-1] // bounds of the assembly's reads
				transFn(&d[0], &s[0], ld, kc8, alpha)
			}
		}
		if kc8 < kc {
			transGo(d, s, ld, w, cols, kc8, kc, alpha)
		}
	}
}

// transGo does d[p*w+x] = alpha*s[x*ld+p] for x < cols, p in [p0, p1), and
// zeroes d[p*w+x] for x in [cols, w).
func transGo(d, s []float32, ld, w, cols, p0, p1 int, alpha float32) {
	for x := 0; x < cols; x++ {
		row := s[x*ld+p0 : x*ld+p1]
		dd := d[p0*w+x:]
		if alpha == 1 {
			for p, v := range row {
				dd[p*w] = v
			}
			continue
		}
		for p, v := range row {
			dd[p*w] = alpha * v
		}
	}
	if cols < w {
		for p := p0; p < p1; p++ {
			clear(d[p*w+cols : p*w+w])
		}
	}
}

// copyGo does d[p*w+x] = alpha*s[p*ld+x] for x < cols, p < kc, and zeroes
// d[p*w+x] for x in [cols, w).
func copyGo(d, s []float32, ld, w, cols, kc int, alpha float32) {
	for p := 0; p < kc; p++ {
		row := s[p*ld : p*ld+cols]
		dd := d[p*w : p*w+w]
		for x, v := range row {
			dd[x] = alpha * v
		}
		clear(dd[cols:])
	}
}
