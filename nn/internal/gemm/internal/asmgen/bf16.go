package main

import (
	"fmt"
	"strings"
)

// Go's assembler (as of Go 1.26) has no mnemonics for the AVX512-BF16
// instructions, so the bfloat16 kernel spells them as BYTE sequences built
// here from their EVEX encodings (Intel SDM vol. 2, §2.7 and the
// instructions' pages), register operands only:
//
//	VDPBF16PS      zmm1, zmm2, zmm3   EVEX.512.F3.0F38.W0 52 /r
//	VCVTNE2PS2BF16 zmm1, zmm2, zmm3   EVEX.512.F2.0F38.W0 72 /r
//	VCVTNEPS2BF16  ymm1, zmm2         EVEX.512.F3.0F38.W0 72 /r
//
// in Intel operand order (destination first; zmm2 is EVEX.vvvv, zmm3 is
// ModRM.rm). The tests check the bytes against GNU as when it is installed,
// and package gemm's tests run them against the scalar model in
// nn/internal/bf16 bit for bit.

// Prefix bytes (EVEX.pp) and opcodes.
const (
	ppF3 = 2
	ppF2 = 3

	opDPBF16PS = 0x52
	opCVTNE    = 0x72
)

// evexRRR encodes a 512-bit EVEX instruction of map 0F38 with W0, no
// masking and no broadcast, whose operands are all registers: dst in
// ModRM.reg, src1 in vvvv (unused: 0 gives 1111b, as required), src2 in
// ModRM.rm. Registers are 0..31 (zmm0..zmm31).
func evexRRR(pp, op byte, dst, src1, src2 int) []byte {
	for _, r := range []int{dst, src1, src2} {
		if r < 0 || r > 31 {
			panic(fmt.Sprintf("asmgen: register %d out of range", r))
		}
	}
	inv := func(r, bit int) byte { return byte(^(r >> bit) & 1) }
	p0 := inv(dst, 3)<<7 | inv(src2, 4)<<6 | inv(src2, 3)<<5 | inv(dst, 4)<<4 | 0x2 // mm = 0F38
	p1 := byte(0)<<7 | byte(^src1&0xf)<<3 | 1<<2 | pp                               // W0, vvvv, pp
	p2 := byte(0)<<7 | 2<<5 | 0<<4 | inv(src1, 4)<<3 | 0                            // z=0, L'L=512, b=0, V', k0
	modrm := byte(0xc0) | byte(dst&7)<<3 | byte(src2&7)
	return []byte{0x62, p0, p1, p2, op, modrm}
}

// vdpbf16ps returns VDPBF16PS zmm(dst), zmm(src1), zmm(src2): dst's float32
// lanes accumulate the products of the bfloat16 pairs of src1 and src2.
func vdpbf16ps(dst, src1, src2 int) []byte { return evexRRR(ppF3, opDPBF16PS, dst, src1, src2) }

// vcvtne2ps2bf16 returns VCVTNE2PS2BF16 zmm(dst), zmm(src1), zmm(src2):
// src2 rounded into dst's low 16 words, src1 into the high 16.
func vcvtne2ps2bf16(dst, src1, src2 int) []byte {
	return evexRRR(ppF2, opCVTNE, dst, src1, src2)
}

// vcvtneps2bf16 returns VCVTNEPS2BF16 ymm(dst), zmm(src).
func vcvtneps2bf16(dst, src int) []byte { return evexRRR(ppF3, opCVTNE, dst, 0, src) }

// byteLine is the Go assembler line that emits b, with the instruction in
// Intel syntax as a comment.
func byteLine(b []byte, comment string) string {
	parts := make([]string, len(b))
	for i, x := range b {
		parts[i] = fmt.Sprintf("BYTE $0x%02x", x)
	}
	return "\t" + strings.Join(parts, "; ") + " // " + comment
}

// bf16Helpers writes small functions that run one instruction each on
// vectors in memory, for the tests of package gemm against the scalar
// model:
//
//	func dpbf16ps(acc *[16]float32, a, b *[32]uint16)
//	func cvtne2ps2bf16(dst *[32]uint16, src1, src2 *[16]float32)
//	func cvtneps2bf16(dst *[16]uint16, src *[16]float32)
func (g *gen) bf16Helpers() {
	g.p("// func dpbf16ps(acc *[16]float32, a, b *[32]uint16)")
	g.p("TEXT ·dpbf16ps(SB), NOSPLIT, $0-24")
	g.p("\tMOVQ acc+0(FP), AX")
	g.p("\tMOVQ a+8(FP), BX")
	g.p("\tMOVQ b+16(FP), CX")
	g.p("\tVMOVUPS (AX), Z17")
	g.p("\tVMOVUPS (BX), Z2")
	g.p("\tVMOVUPS (CX), Z25")
	g.p("%s", byteLine(vdpbf16ps(17, 2, 25), "VDPBF16PS zmm17, zmm2, zmm25"))
	g.p("\tVMOVUPS Z17, (AX)")
	g.p("\tVZEROUPPER")
	g.p("\tRET")
	g.p("")
	g.p("// func cvtne2ps2bf16(dst *[32]uint16, src1, src2 *[16]float32)")
	g.p("TEXT ·cvtne2ps2bf16(SB), NOSPLIT, $0-24")
	g.p("\tMOVQ dst+0(FP), AX")
	g.p("\tMOVQ src1+8(FP), BX")
	g.p("\tMOVQ src2+16(FP), CX")
	g.p("\tVMOVUPS (BX), Z20")
	g.p("\tVMOVUPS (CX), Z9")
	g.p("%s", byteLine(vcvtne2ps2bf16(30, 20, 9), "VCVTNE2PS2BF16 zmm30, zmm20, zmm9"))
	g.p("\tVMOVUPS Z30, (AX)")
	g.p("\tVZEROUPPER")
	g.p("\tRET")
	g.p("")
	g.p("// func cvtneps2bf16(dst *[16]uint16, src *[16]float32)")
	g.p("TEXT ·cvtneps2bf16(SB), NOSPLIT, $0-16")
	g.p("\tMOVQ dst+0(FP), AX")
	g.p("\tMOVQ src+8(FP), BX")
	g.p("\tVMOVUPS (BX), Z12")
	g.p("%s", byteLine(vcvtneps2bf16(3, 12), "VCVTNEPS2BF16 ymm3, zmm12"))
	g.p("\tVMOVUPS Y3, (AX)")
	g.p("\tVZEROUPPER")
	g.p("\tRET")
	g.p("")
}

// bf16PackWidths are the panel widths of the bfloat16 kernels (mr, nr).
var bf16PackWidths = []int{12, 32}

// pairCopy writes
//
//	pairCopy(dst, src *float32, lds, pairs, w, cols, mask int, alpha float32)
//
// which packs bfloat16 pairs from two source rows at a time (the copy
// layout of packPairs in package gemm): for p < pairs and x < cols, the
// 32-bit word dst[p*w+x] holds alpha*src[2p*lds+x] rounded to bfloat16 in
// its low half and alpha*src[(2p+1)*lds+x] in its high half. Sixteen
// columns at a time: VCVTNE2PS2BF16 rounds both rows into one register
// (row 2p low, row 2p+1 high) and VPERMW interleaves them; the last
// cols%16 columns are loaded and stored under mask (= 1<<(cols%16) - 1),
// so no byte outside the rows or the panel is touched.
func (g *gen) pairCopy() {
	g.p("// Word indices for VPERMW: word 2i from word i (row 2p), word 2i+1 from")
	g.p("// word 16+i (row 2p+1).")
	for j := 0; j < 16; j++ {
		g.p("DATA ·bf16Interleave+%d(SB)/4, $0x%08x", 4*j, j|(16+j)<<16)
	}
	g.p("GLOBL ·bf16Interleave(SB), RODATA|NOPTR, $64")
	g.p("")
	g.p("// func pairCopy(dst, src *float32, lds, pairs, w, cols, mask int, alpha float32)")
	g.p("TEXT ·pairCopy(SB), NOSPLIT, $0-60")
	g.p("\tMOVQ dst+0(FP), DI")
	g.p("\tMOVQ src+8(FP), SI")
	g.p("\tMOVQ lds+16(FP), R8")
	g.p("\tSHLQ $2, R8")
	g.p("\tMOVQ pairs+24(FP), CX")
	g.p("\tMOVQ w+32(FP), R9")
	g.p("\tSHLQ $2, R9")
	g.p("\tMOVQ cols+40(FP), DX")
	g.p("\tSHRQ $4, DX")
	g.p("\tMOVQ mask+48(FP), AX")
	g.p("\tKMOVW AX, K1")
	g.p("\tVBROADCASTSS alpha+56(FP), Z15")
	g.p("\tVMOVDQU32 ·bf16Interleave(SB), Z14")
	g.p("\tTESTQ CX, CX")
	g.p("\tJZ done")
	g.p("rows:")
	g.p("\tMOVQ SI, R10")
	g.p("\tLEAQ (SI)(R8*1), R11")
	g.p("\tMOVQ DI, R12")
	g.p("\tMOVQ DX, R13")
	g.p("\tTESTQ R13, R13")
	g.p("\tJZ tail")
	g.p("chunk:")
	g.p("\tVMULPS (R10), Z15, Z0")
	g.p("\tVMULPS (R11), Z15, Z1")
	g.p("%s", byteLine(vcvtne2ps2bf16(2, 1, 0), "VCVTNE2PS2BF16 zmm2, zmm1, zmm0"))
	g.p("\tVPERMW Z2, Z14, Z3")
	g.p("\tVMOVDQU32 Z3, (R12)")
	g.p("\tADDQ $64, R10")
	g.p("\tADDQ $64, R11")
	g.p("\tADDQ $64, R12")
	g.p("\tDECQ R13")
	g.p("\tJNZ chunk")
	g.p("tail:")
	g.p("\tKORTESTW K1, K1")
	g.p("\tJZ next")
	g.p("\tVMOVUPS.Z (R10), K1, Z0")
	g.p("\tVMOVUPS.Z (R11), K1, Z1")
	g.p("\tVMULPS Z0, Z15, Z0")
	g.p("\tVMULPS Z1, Z15, Z1")
	g.p("%s", byteLine(vcvtne2ps2bf16(2, 1, 0), "VCVTNE2PS2BF16 zmm2, zmm1, zmm0"))
	g.p("\tVPERMW Z2, Z14, Z3")
	g.p("\tVMOVDQU32 Z3, K1, (R12)")
	g.p("next:")
	g.p("\tLEAQ (SI)(R8*2), SI")
	g.p("\tADDQ R9, DI")
	g.p("\tDECQ CX")
	g.p("\tJNZ rows")
	g.p("done:")
	g.p("\tVZEROUPPER")
	g.p("\tRET")
	g.p("")
}

// pairPanels writes
//
//	pairPanelsW(dst, src *float32, lds, pairs, panels, pstride int, alpha float32)
//
// the copy layout of packPairs for whole panels of width W: for p < pairs,
// q < panels and x < W, the word dst[q*pstride+p*W+x] holds
// alpha*src[2p*lds+q*W+x] rounded to bfloat16 in its low half and
// alpha*src[(2p+1)*lds+q*W+x] in its high half. Unlike pairCopy (one panel
// at a time, down the rows) it walks each pair of source rows once, across
// all the panels, so the reads are sequential: a panel-by-panel walk
// touches a new page on every row of a wide matrix. Sixteen columns at a
// time as in pairCopy; when W is not a multiple of 16, the last W%16
// columns of each panel are loaded and stored under a mask, so no byte
// outside the panels is read or written.
func (g *gen) pairPanels(w int) {
	full, rem := w/16, w%16
	g.p("// func pairPanels%d(dst, src *float32, lds, pairs, panels, pstride int, alpha float32)", w)
	g.p("TEXT ·pairPanels%d(SB), NOSPLIT, $0-52", w)
	g.p("\tMOVQ dst+0(FP), DI")
	g.p("\tMOVQ src+8(FP), SI")
	g.p("\tMOVQ lds+16(FP), R8")
	g.p("\tSHLQ $2, R8")
	g.p("\tMOVQ pairs+24(FP), CX")
	g.p("\tMOVQ panels+32(FP), DX")
	g.p("\tMOVQ pstride+40(FP), R9")
	g.p("\tSHLQ $2, R9")
	g.p("\tVBROADCASTSS alpha+48(FP), Z15")
	g.p("\tVMOVDQU32 ·bf16Interleave(SB), Z14")
	if rem != 0 {
		g.p("\tMOVQ $%d, AX", 1<<rem-1)
		g.p("\tKMOVW AX, K1")
	}
	g.p("\tTESTQ CX, CX")
	g.p("\tJZ done")
	g.p("\tTESTQ DX, DX")
	g.p("\tJZ done")
	g.p("rows:")
	g.p("\tMOVQ SI, R10")
	g.p("\tLEAQ (SI)(R8*1), R11")
	g.p("\tMOVQ DI, R12")
	g.p("\tMOVQ DX, R13")
	g.p("panel:")
	for c := 0; c < full; c++ {
		g.p("\tVMULPS %d(R10), Z15, Z0", 64*c)
		g.p("\tVMULPS %d(R11), Z15, Z1", 64*c)
		g.p("%s", byteLine(vcvtne2ps2bf16(2, 1, 0), "VCVTNE2PS2BF16 zmm2, zmm1, zmm0"))
		g.p("\tVPERMW Z2, Z14, Z3")
		g.p("\tVMOVDQU32 Z3, %d(R12)", 64*c)
	}
	if rem != 0 {
		g.p("\tVMOVUPS.Z %d(R10), K1, Z0", 64*full)
		g.p("\tVMOVUPS.Z %d(R11), K1, Z1", 64*full)
		g.p("\tVMULPS Z0, Z15, Z0")
		g.p("\tVMULPS Z1, Z15, Z1")
		g.p("%s", byteLine(vcvtne2ps2bf16(2, 1, 0), "VCVTNE2PS2BF16 zmm2, zmm1, zmm0"))
		g.p("\tVPERMW Z2, Z14, Z3")
		g.p("\tVMOVDQU32 Z3, K1, %d(R12)", 64*full)
	}
	g.p("\tADDQ $%d, R10", 4*w)
	g.p("\tADDQ $%d, R11", 4*w)
	g.p("\tADDQ R9, R12")
	g.p("\tDECQ R13")
	g.p("\tJNZ panel")
	g.p("\tLEAQ (SI)(R8*2), SI")
	g.p("\tADDQ $%d, DI", 4*w)
	g.p("\tDECQ CX")
	g.p("\tJNZ rows")
	g.p("done:")
	g.p("\tVZEROUPPER")
	g.p("\tRET")
	g.p("")
}
