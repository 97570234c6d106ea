package gemm

// sharedPack is one operand of a parallel call packed once for all its
// parts: when the call is split along m, every part needs all of B (along
// n, all of A), and without it each part would pack the same blocks again.
// The parts pack it together, each a share of every block's micro-panels,
// and then compute from it.
//
// The blocks are those run walks: kcb deep (the whole depth k in blocks of
// blockSize(k, kc, 8)) and xb wide (blockSize of the operand's whole free
// dimension), slot (pc/kcb)*nx + x/xb of blockWords words each.
type sharedPack struct {
	raw        []float32
	buf        []float32
	forA       bool // A (else B)
	kcb, xb    int  // block depth (k steps) and width
	nx         int  // blocks across the free dimension
	blockWords int  // words per slot
}

// shareMin is the number of packed elements a shared operand must save
// (parts-1 packs of it) to be worth the extra round among the parts.
const shareMin = 1 << 18

// shareable reports whether the operand every part of a call split along
// n (A) or along m (B) would pack is large enough to pack once.
func shareable(pr *problem, alongN bool, parts int) bool {
	x := pr.n // B is k×n
	if alongN {
		x = pr.m
	}
	return float64(parts-1)*float64(x)*float64(pr.k) >= shareMin
}

// setup lays out s for operand A (forA) or B of pr with im's blocks.
func (s *sharedPack) setup(im *impl, pr *problem, forA bool) {
	s.forA = forA
	s.kcb = blockSize(pr.k, im.kc, 8)
	kpb := s.kcb
	if im.bf16 {
		kpb = s.kcb / 2
	}
	x, maxb, w := pr.n, im.nc, im.nr
	if forA {
		x, maxb, w = pr.m, im.mc, im.mr
	}
	s.xb = blockSize(x, maxb, w)
	s.nx = (x + s.xb - 1) / s.xb
	s.blockWords = (s.xb*kpb + 15) &^ 15 // keep every slot 64-byte aligned
	s.buf = aligned(&s.raw, (pr.k+s.kcb-1)/s.kcb*s.nx*s.blockWords)
}

// block returns the slot of the block at depth pc and offset x.
func (s *sharedPack) block(pc, x int) []float32 {
	b := pc/s.kcb*s.nx + x/s.xb
	return s.buf[b*s.blockWords : (b+1)*s.blockWords]
}

// pack packs part p of parts of every block: the micro-panels
// split(xn, w, parts, p) of each, where packA or packB put them.
func (s *sharedPack) pack(im *impl, pr *problem, p, parts int) {
	x, w := pr.n, im.nr
	if s.forA {
		x, w = pr.m, im.mr
	}
	for pc := 0; pc < pr.k; pc += s.kcb {
		kc := min(s.kcb, pr.k-pc)
		kp := kc
		if im.bf16 {
			kp = (kc + 1) / 2
		}
		for x0 := 0; x0 < x; x0 += s.xb {
			xn := min(s.xb, x-x0)
			lo, hi := split(xn, w, parts, p)
			if lo >= hi {
				continue
			}
			dst := s.block(pc, x0)[lo*kp:]
			if s.forA {
				im.packA(dst, pr, x0+lo, hi-lo, pc, kc)
			} else {
				im.packB(dst, pr, x0+lo, hi-lo, pc, kc)
			}
		}
	}
}

// packA packs the block A[x0:x0+xn, pc:pc+kc] into micro-panels of width
// mr at dst (scaled by alpha).
func (im *impl) packA(dst []float32, pr *problem, x0, xn, pc, kc int) {
	if im.bf16 {
		packPairs(dst, pr.a, pr.lda, !pr.transA, x0, xn, pc, kc, im.mr, pairFuncs{im.pairPanelsA, im.pairCopy, im.transA}, pr.alpha)
		return
	}
	pack(dst, pr.a, pr.lda, !pr.transA, x0, xn, pc, kc, im.mr, im.copyA, im.transA, pr.alpha)
}

// packB packs the block B[pc:pc+kc, x0:x0+xn] into micro-panels of width
// nr at dst.
func (im *impl) packB(dst []float32, pr *problem, x0, xn, pc, kc int) {
	if im.bf16 {
		packPairs(dst, pr.b, pr.ldb, pr.transB, x0, xn, pc, kc, im.nr, pairFuncs{im.pairPanelsB, im.pairCopy, im.transB}, 1)
		return
	}
	pack(dst, pr.b, pr.ldb, pr.transB, x0, xn, pc, kc, im.nr, im.copyB, im.transB, 1)
}
