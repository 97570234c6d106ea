package main

import (
	"fmt"
	"log"
)

// This file writes kernels_arm64.s: the NEON (Advanced SIMD) micro-kernels
// and packing routines. NEON is part of every ARMv8-A CPU Go runs on, so
// nothing is detected at run time.
//
// Go's arm64 assembler has no mnemonic for the by-element forms of FMLA
// and FMUL (FMLA Vd.4S, Vn.4S, Vm.S[i]), which the micro-kernel is built
// on, so they are emitted as WORD directives with the instruction in a
// comment. The encoders (fmlaElem, fmulElem) are checked bit for bit
// against LLVM's assembler in arm64_test.go.

// neonKernel describes one NEON micro-kernel: an mr x (nv*4) tile of C kept
// in 128-bit registers. Each k step loads mr values of A (mr/4 registers)
// and nv vectors of B and does mr*nv FMLAs by element.
type neonKernel struct {
	name   string
	mr, nv int // rows of the tile (a multiple of 4), 4-float vectors per row
	unroll int // k-loop unrolling (a power of two)
}

// neonKernels is the set of generated NEON micro-kernels; the names are
// referenced by kernels_arm64.go.
var neonKernels = []neonKernel{
	{name: "kernNEON8x12", mr: 8, nv: 3, unroll: 4},
	{name: "kernNEON12x8", mr: 12, nv: 2, unroll: 4},
}

// neonPackWidths are the widths of the arm64 packing routines: every mr and
// nr of a NEON kernel.
var neonPackWidths = []int{8, 12}

// fmlaElem encodes FMLA Vd.4S, Vn.4S, Vm.S[idx] (Advanced SIMD vector x
// indexed element, single precision): Vd += Vn * Vm[idx].
func fmlaElem(d, n, m, idx int) uint32 { return elemOp(0x4f801000, d, n, m, idx) }

// fmulElem encodes FMUL Vd.4S, Vn.4S, Vm.S[idx]: Vd = Vn * Vm[idx].
func fmulElem(d, n, m, idx int) uint32 { return elemOp(0x4f809000, d, n, m, idx) }

// elemOp fills in the fields of a single-precision by-element instruction:
// Rd in bits 0-4, Rn in 5-9, Rm (all five bits, M:Rm) in 16-20, and the
// index H:L in bits 11 and 21.
func elemOp(base uint32, d, n, m, idx int) uint32 {
	if d < 0 || d > 31 || n < 0 || n > 31 || m < 0 || m > 31 || idx < 0 || idx > 3 {
		log.Fatalf("bad by-element operands V%d, V%d, V%d[%d]", d, n, m, idx)
	}
	return base | uint32(idx&1)<<21 | uint32(m)<<16 | uint32(idx>>1)<<11 | uint32(n)<<5 | uint32(d)
}

// vlist is the register list [Vfirst.S4, ..., Vfirst+n-1.S4].
func vlist(first, n int) string {
	s := "["
	for i := 0; i < n; i++ {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("V%d.S4", first+i)
	}
	return s + "]"
}

func (g *gen) fmla(d, n, m, idx int) {
	g.p("\tWORD $0x%08x // FMLA V%d.4S, V%d.4S, V%d.S[%d]", fmlaElem(d, n, m, idx), d, n, m, idx)
}

func (g *gen) fmul(d, n, m, idx int) {
	g.p("\tWORD $0x%08x // FMUL V%d.4S, V%d.4S, V%d.S[%d]", fmulElem(d, n, m, idx), d, n, m, idx)
}

// neonKernel writes one micro-kernel with the signature of kernelFunc:
//
//	func name(kc int, a, b, c *float32, ldc int, beta float32, flag int)
//
// Registers: R0 kc, R1 a, R2 b, R3 c, R4 ldc in bytes; V0.. A, then B, then
// beta; the accumulators fill the top of the register file.
func (g *gen) neonKernel(k neonKernel) {
	if k.mr%4 != 0 || k.nv < 1 || k.nv > 4 || k.mr/4 > 4 {
		log.Fatalf("%s: mr must be a multiple of 4 (at most 16), nv 1..4", k.name)
	}
	nr := 4 * k.nv
	na := k.mr / 4
	nacc := k.mr * k.nv
	aBase, bBase := 0, k.mr/4
	betaReg := bBase + k.nv
	accBase := 32 - nacc
	if accBase <= betaReg {
		log.Fatalf("%s: not enough registers", k.name)
	}
	acc := func(r, v int) int { return accBase + r*k.nv + v }

	g.p("// func %s(kc int, a, b, c *float32, ldc int, beta float32, flag int)", k.name)
	g.p("// %dx%d tile, NEON. flag == 0: C = A*B; flag != 0: C = A*B + beta*C.", k.mr, nr)
	g.p("TEXT ·%s(SB), NOSPLIT, $0-56", k.name)
	g.p("\tMOVD kc+0(FP), R0")
	g.p("\tMOVD a+8(FP), R1")
	g.p("\tMOVD b+16(FP), R2")
	g.p("\tMOVD c+24(FP), R3")
	g.p("\tMOVD ldc+32(FP), R4")
	g.p("\tLSL $2, R4")
	for i := accBase; i < 32; i++ {
		g.p("\tVEOR V%d.B16, V%d.B16, V%d.B16", i, i, i)
	}
	// Prefetch the C tile for writing: the first and last 8-byte-aligned
	// offsets of each row.
	g.p("\tMOVD R3, R6")
	for r := 0; r < k.mr; r++ {
		for off := 0; off < nr*4; off += 64 {
			g.p("\tPRFM %d(R6), PSTL1KEEP", off)
		}
		g.p("\tPRFM %d(R6), PSTL1KEEP", (nr*4-1)&^7)
		if r < k.mr-1 {
			g.p("\tADD R4, R6")
		}
	}
	body := func() {
		g.p("\tVLD1.P %d(R1), %s", k.mr*4, vlist(aBase, na))
		g.p("\tVLD1.P %d(R2), %s", nr*4, vlist(bBase, k.nv))
		for r := 0; r < k.mr; r++ {
			for v := 0; v < k.nv; v++ {
				g.fmla(acc(r, v), bBase+v, aBase+r/4, r%4)
			}
		}
	}
	g.p("\tLSR $%d, R0, R5", log2(k.unroll))
	g.p("\tCBZ R5, tail")
	g.p("loop:")
	for u := 0; u < k.unroll; u++ {
		body()
	}
	g.p("\tSUBS $1, R5")
	g.p("\tBNE loop")
	g.p("tail:")
	g.p("\tANDS $%d, R0", k.unroll-1)
	g.p("\tBEQ store")
	g.p("loop1:")
	body()
	g.p("\tSUBS $1, R0")
	g.p("\tBNE loop1")
	g.p("store:")
	g.p("\tMOVD flag+48(FP), R6")
	g.p("\tCBZ R6, store0")
	g.p("\tFMOVS beta+40(FP), F%d", betaReg)
	for r := 0; r < k.mr; r++ {
		g.p("\tVLD1 (R3), %s", vlist(bBase, k.nv))
		for v := 0; v < k.nv; v++ {
			g.fmla(acc(r, v), bBase+v, betaReg, 0)
		}
		g.p("\tVST1 %s, (R3)", vlist(acc(r, 0), k.nv))
		if r < k.mr-1 {
			g.p("\tADD R4, R3")
		}
	}
	g.p("\tRET")
	g.p("store0:")
	for r := 0; r < k.mr; r++ {
		g.p("\tVST1 %s, (R3)", vlist(acc(r, 0), k.nv))
		if r < k.mr-1 {
			g.p("\tADD R4, R3")
		}
	}
	g.p("\tRET")
	g.p("")
}

// neonPackCopy writes packCopyW (see packCopy in the amd64 generator for
// the contract): row by row through the source, W/4 vectors per panel.
func (g *gen) neonPackCopy(w int) {
	if w%4 != 0 || w > 16 {
		log.Fatalf("packCopy%d: width must be a multiple of 4, at most 16", w)
	}
	nv := w / 4
	g.p("// func packCopy%d(dst, src *float32, lds, rows, panels, pstride int, alpha float32)", w)
	g.p("TEXT ·packCopy%d(SB), NOSPLIT, $0-52", w)
	g.p("\tMOVD dst+0(FP), R0")
	g.p("\tMOVD src+8(FP), R1")
	g.p("\tMOVD lds+16(FP), R2")
	g.p("\tLSL $2, R2")
	g.p("\tMOVD rows+24(FP), R3")
	g.p("\tMOVD panels+32(FP), R4")
	g.p("\tMOVD pstride+40(FP), R5")
	g.p("\tLSL $2, R5")
	g.p("\tFMOVS alpha+48(FP), F31")
	g.p("\tCBZ R3, done")
	g.p("\tCBZ R4, done")
	g.p("row:")
	g.p("\tMOVD R1, R6")
	g.p("\tMOVD R0, R7")
	g.p("\tMOVD R4, R8")
	g.p("panel:")
	g.p("\tVLD1.P %d(R6), %s", w*4, vlist(0, nv))
	for v := 0; v < nv; v++ {
		g.fmul(v, v, 31, 0)
	}
	g.p("\tVST1 %s, (R7)", vlist(0, nv))
	g.p("\tADD R5, R7")
	g.p("\tSUBS $1, R8")
	g.p("\tBNE panel")
	g.p("\tADD R2, R1")
	g.p("\tADD $%d, R0", w*4)
	g.p("\tSUBS $1, R3")
	g.p("\tBNE row")
	g.p("done:")
	g.p("\tRET")
	g.p("")
}

// neonRowRegs hold the source row pointers of packTrans.
var neonRowRegs = []string{"R5", "R6", "R7", "R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15", "R19", "R20", "R21", "R22", "R23"}

// neonPackTrans writes packTransW(dst, src *float32, lds, cols int, alpha
// float32): dst[p*W+r] = alpha*src[r*lds+p] for r < W, p < cols&^3 (the
// driver passes a multiple of 8). Each step reads 4 floats from each of
// the W rows (one post-incremented pointer per row) and transposes them in
// 4x4 blocks with ZIP1/ZIP2.
func (g *gen) neonPackTrans(w int) {
	if w%4 != 0 || w > len(neonRowRegs) {
		log.Fatalf("packTrans%d: width must be a multiple of 4, at most %d", w, len(neonRowRegs))
	}
	g.p("// func packTrans%d(dst, src *float32, lds, cols int, alpha float32)", w)
	g.p("TEXT ·packTrans%d(SB), NOSPLIT, $0-36", w)
	g.p("\tMOVD dst+0(FP), R0")
	g.p("\tMOVD src+8(FP), R1")
	g.p("\tMOVD lds+16(FP), R2")
	g.p("\tLSL $2, R2")
	g.p("\tMOVD cols+24(FP), R3")
	g.p("\tLSR $2, R3")
	g.p("\tFMOVS alpha+32(FP), F31")
	g.p("\tCBZ R3, done")
	g.p("\tMOVD R1, %s", neonRowRegs[0])
	for r := 1; r < w; r++ {
		g.p("\tADD R2, %s, %s", neonRowRegs[r-1], neonRowRegs[r])
	}
	g.p("loop:")
	for grp := 0; grp < w/4; grp++ {
		base := 12 * (grp % 2) // alternate register sets so groups overlap
		in := func(i int) int { return base + i }
		tmp := func(i int) int { return base + 4 + i }
		out := func(i int) int { return base + 8 + i }
		for i := 0; i < 4; i++ {
			g.p("\tVLD1.P 16(%s), [V%d.S4]", neonRowRegs[4*grp+i], in(i))
		}
		for i := 0; i < 4; i++ {
			g.fmul(in(i), in(i), 31, 0)
		}
		// VZIP1 Vm, Vn, Vd is Vd = zip1(Vn, Vm).
		zip := func(op string, n, m, d int) { g.p("\t%s V%d.S4, V%d.S4, V%d.S4", op, m, n, d) }
		zip("VZIP1", in(0), in(2), tmp(0)) // r0[0] r2[0] r0[1] r2[1]
		zip("VZIP2", in(0), in(2), tmp(1)) // r0[2] r2[2] r0[3] r2[3]
		zip("VZIP1", in(1), in(3), tmp(2)) // r1[0] r3[0] r1[1] r3[1]
		zip("VZIP2", in(1), in(3), tmp(3)) // r1[2] r3[2] r1[3] r3[3]
		zip("VZIP1", tmp(0), tmp(2), out(0))
		zip("VZIP2", tmp(0), tmp(2), out(1))
		zip("VZIP1", tmp(1), tmp(3), out(2))
		zip("VZIP2", tmp(1), tmp(3), out(3))
		for j := 0; j < 4; j++ { // out(j) = column p+j of rows 4grp..4grp+3
			g.p("\tFMOVQ F%d, %d(R0)", out(j), (j*w+4*grp)*4)
		}
	}
	g.p("\tADD $%d, R0", 4*w*4)
	g.p("\tSUBS $1, R3")
	g.p("\tBNE loop")
	g.p("done:")
	g.p("\tRET")
	g.p("")
}

// neonPrefetch writes prefetchRows(p *float32, ld, rows, bytes int), which
// prefetches rows rows of bytes bytes each, ld floats apart, into L2.
func (g *gen) neonPrefetch() {
	g.p("// func prefetchRows(p *float32, ld, rows, bytes int)")
	g.p("TEXT ·prefetchRows(SB), NOSPLIT, $0-32")
	g.p("\tMOVD p+0(FP), R0")
	g.p("\tMOVD ld+8(FP), R1")
	g.p("\tLSL $2, R1")
	g.p("\tMOVD rows+16(FP), R2")
	g.p("\tMOVD bytes+24(FP), R3")
	g.p("\tCMP $0, R2")
	g.p("\tBLE done")
	g.p("\tCMP $0, R3")
	g.p("\tBLE done")
	g.p("row:")
	g.p("\tMOVD R0, R4")
	g.p("\tMOVD R3, R5")
	g.p("line:")
	g.p("\tPRFM (R4), PLDL2KEEP")
	g.p("\tADD $64, R4")
	g.p("\tSUBS $64, R5")
	g.p("\tBGT line")
	g.p("\tADD R1, R0")
	g.p("\tSUBS $1, R2")
	g.p("\tBNE row")
	g.p("done:")
	g.p("\tRET")
	g.p("")
}

// genARM64 writes the whole of kernels_arm64.s.
func genARM64() []byte {
	var g gen
	g.header("go run ./internal/asmgen -arch arm64", "arm64 && !purego")
	for _, k := range neonKernels {
		g.neonKernel(k)
	}
	for _, w := range neonPackWidths {
		g.neonPackCopy(w)
		g.neonPackTrans(w)
	}
	g.neonPrefetch()
	return g.Bytes()
}
