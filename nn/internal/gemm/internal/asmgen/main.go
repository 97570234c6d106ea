// Command asmgen writes the assembly of package gemm: for amd64 the
// AVX-512 and AVX2+FMA micro-kernels and the AVX packing routines, for
// arm64 (-arch arm64, see arm64.go) the NEON ones.
//
// It is a plain text generator (no dependencies) run by `go generate` in
// package gemm:
//
//	go run ./internal/asmgen -out kernels_amd64.s
//	go run ./internal/asmgen -arch arm64 -out kernels_arm64.s
//
// The register tiles are parameters (see the kernels table below), so other
// tile shapes can be generated and benchmarked by editing that table.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"os"
)

// kernel describes one micro-kernel: an mr x (nv*vector width) tile of C kept
// in registers, updated with one rank-1 product per k step.
type kernel struct {
	name   string
	isa    string // "avx512" (zmm, 32 registers) or "avx2" (ymm, 16 registers)
	mr, nv int    // rows of the tile, vectors per row
	unroll int    // k-loop unrolling
	embed  bool   // use embedded-broadcast FMAs (AVX-512 only)
	bf16   bool   // VDPBF16PS on bfloat16 pairs instead of VFMADD231PS (AVX-512 only; see bf16.go)
	pfB    int    // prefetch distance for B in bytes (0 = none)
}

// kernels is the set of generated micro-kernels. The names are referenced by
// kernels_amd64.go.
var kernels = []kernel{
	{name: "kernAVX512x12x32", isa: "avx512", mr: 12, nv: 2, unroll: 4},
	{name: "kernAVX512x14x32", isa: "avx512", mr: 14, nv: 2, unroll: 4},
	{name: "kernAVX512x8x48", isa: "avx512", mr: 8, nv: 3, unroll: 4},
	{name: "kernAVX512x6x64", isa: "avx512", mr: 6, nv: 4, unroll: 4},
	{name: "kernAVX512x12x32e", isa: "avx512", mr: 12, nv: 2, unroll: 4, embed: true},
	{name: "kernAVX2x6x16", isa: "avx2", mr: 6, nv: 2, unroll: 4},
	// kc counts bfloat16 pairs here: each 32-bit word of the packed panels
	// holds the values of k steps 2p and 2p+1.
	{name: "kernBF16x12x32", isa: "avx512", mr: 12, nv: 2, unroll: 4, bf16: true},
}

// Widths of the packing routines: every mr and nr used by a kernel.
var packWidths = []int{6, 8, 12, 14, 16, 32, 48, 64}

type gen struct{ bytes.Buffer }

func (g *gen) p(format string, args ...any) {
	fmt.Fprintf(&g.Buffer, format, args...)
	g.WriteByte('\n')
}

func (g *gen) kernel(k kernel) {
	vw, reg, nregs := 8, "Y", 16
	if k.isa == "avx512" {
		vw, reg, nregs = 16, "Z", 32
	}
	nr := k.nv * vw
	nacc := k.mr * k.nv
	bBase := nacc
	tBase := nacc + k.nv
	nt := nregs - tBase
	if nt < 1 && !k.embed {
		log.Fatalf("%s: not enough registers", k.name)
	}
	if k.embed && nt < 1 {
		log.Fatalf("%s: need a register for beta", k.name)
	}
	acc := func(r, v int) string { return fmt.Sprintf("%s%d", reg, r*k.nv+v) }
	breg := func(v int) string { return fmt.Sprintf("%s%d", reg, bBase+v) }
	treg := func(i int) string { return fmt.Sprintf("%s%d", reg, tBase+i%nt) }
	vb := vw * 4

	g.p("// func %s(kc int, a, b, c *float32, ldc int, beta float32, flag int)", k.name)
	g.p("// %dx%d tile, %s. flag == 0: C = A*B; flag != 0: C = A*B + beta*C.", k.mr, nr, k.isa)
	g.p("TEXT ·%s(SB), NOSPLIT, $0-56", k.name)
	g.p("\tMOVQ kc+0(FP), CX")
	g.p("\tMOVQ a+8(FP), AX")
	g.p("\tMOVQ b+16(FP), BX")
	g.p("\tMOVQ c+24(FP), DI")
	g.p("\tMOVQ ldc+32(FP), R8")
	g.p("\tSHLQ $2, R8")
	for i := 0; i < nacc; i++ {
		if k.isa == "avx512" {
			g.p("\tVPXORD %s%d, %s%d, %s%d", reg, i, reg, i, reg, i)
		} else {
			g.p("\tVXORPS %s%d, %s%d, %s%d", reg, i, reg, i, reg, i)
		}
	}
	// Prefetch the C tile.
	g.p("\tMOVQ DI, R9")
	for r := 0; r < k.mr; r++ {
		for off := 0; off < nr*4; off += 64 {
			g.p("\tPREFETCHT0 %d(R9)", off)
		}
		// Last byte of the row, in case it is not 64-byte aligned.
		g.p("\tPREFETCHT0 %d(R9)", nr*4-1)
		if r < k.mr-1 {
			g.p("\tADDQ R8, R9")
		}
	}
	body := func(u int) {
		for v := 0; v < k.nv; v++ {
			g.p("\tVMOVUPS %d(BX), %s", u*nr*4+v*vb, breg(v))
		}
		if k.pfB > 0 {
			for off := 0; off < nr*4; off += 64 {
				g.p("\tPREFETCHT0 %d(BX)", k.pfB+u*nr*4+off)
			}
		}
		for r := 0; r < k.mr; r++ {
			aoff := u*k.mr*4 + r*4
			if k.embed {
				for v := 0; v < k.nv; v++ {
					g.p("\tVFMADD231PS.BCST %d(AX), %s, %s", aoff, breg(v), acc(r, v))
				}
				continue
			}
			t := treg(r)
			g.p("\tVBROADCASTSS %d(AX), %s", aoff, t)
			for v := 0; v < k.nv; v++ {
				if k.bf16 {
					a, tt, b := r*k.nv+v, tBase+r%nt, bBase+v
					g.p("%s", byteLine(vdpbf16ps(a, tt, b), fmt.Sprintf("VDPBF16PS zmm%d, zmm%d, zmm%d", a, tt, b)))
					continue
				}
				g.p("\tVFMADD231PS %s, %s, %s", breg(v), t, acc(r, v))
			}
		}
	}
	g.p("\tMOVQ CX, DX")
	g.p("\tSHRQ $%d, DX", log2(k.unroll))
	g.p("\tJZ tail")
	g.p("loop:")
	for u := 0; u < k.unroll; u++ {
		body(u)
	}
	g.p("\tADDQ $%d, AX", k.unroll*k.mr*4)
	g.p("\tADDQ $%d, BX", k.unroll*nr*4)
	g.p("\tDECQ DX")
	g.p("\tJNZ loop")
	g.p("tail:")
	g.p("\tANDQ $%d, CX", k.unroll-1)
	g.p("\tJZ store")
	g.p("loop1:")
	body(0)
	g.p("\tADDQ $%d, AX", k.mr*4)
	g.p("\tADDQ $%d, BX", nr*4)
	g.p("\tDECQ CX")
	g.p("\tJNZ loop1")
	g.p("store:")
	beta := treg(0)
	g.p("\tMOVQ flag+48(FP), DX")
	g.p("\tTESTQ DX, DX")
	g.p("\tJZ store0")
	g.p("\tVBROADCASTSS beta+40(FP), %s", beta)
	for r := 0; r < k.mr; r++ {
		for v := 0; v < k.nv; v++ {
			g.p("\tVFMADD231PS %d(DI), %s, %s", v*vb, beta, acc(r, v))
			g.p("\tVMOVUPS %s, %d(DI)", acc(r, v), v*vb)
		}
		if r < k.mr-1 {
			g.p("\tADDQ R8, DI")
		}
	}
	g.p("\tVZEROUPPER")
	g.p("\tRET")
	g.p("store0:")
	for r := 0; r < k.mr; r++ {
		for v := 0; v < k.nv; v++ {
			g.p("\tVMOVUPS %s, %d(DI)", acc(r, v), v*vb)
		}
		if r < k.mr-1 {
			g.p("\tADDQ R8, DI")
		}
	}
	g.p("\tVZEROUPPER")
	g.p("\tRET")
	g.p("")
}

func log2(n int) int {
	s := 0
	for 1<<s < n {
		s++
	}
	if 1<<s != n {
		log.Fatalf("unroll %d is not a power of two", n)
	}
	return s
}

// packCopy writes
//
//	packCopyW(dst, src *float32, lds, rows, panels, pstride int, alpha float32)
//
// which packs panels full micro-panels of width W from a matrix whose rows
// run along the panels: for p < rows and q < panels,
// dst[q*pstride + p*W + x] = alpha*src[p*lds + q*W + x] (pstride in floats).
// It walks the source row by row, so each source row is read sequentially
// (hardware prefetch, one TLB entry) rather than in W-wide strips.
func (g *gen) packCopy(w int) {
	g.p("// func packCopy%d(dst, src *float32, lds, rows, panels, pstride int, alpha float32)", w)
	g.p("TEXT ·packCopy%d(SB), NOSPLIT, $0-52", w)
	g.p("\tMOVQ dst+0(FP), DI")
	g.p("\tMOVQ src+8(FP), SI")
	g.p("\tMOVQ lds+16(FP), R8")
	g.p("\tSHLQ $2, R8")
	g.p("\tMOVQ rows+24(FP), CX")
	g.p("\tMOVQ panels+32(FP), BX")
	g.p("\tMOVQ pstride+40(FP), R9")
	g.p("\tSHLQ $2, R9")
	g.p("\tVBROADCASTSS alpha+48(FP), Y15")

	g.p("\tTESTQ CX, CX")
	g.p("\tJZ done")
	g.p("\tTESTQ BX, BX")
	g.p("\tJZ done")
	g.p("row:")
	g.p("\tMOVQ SI, R10")
	g.p("\tMOVQ DI, R11")
	g.p("\tMOVQ BX, DX")
	g.p("panel:")
	off, i := 0, 0
	for rem := w; rem > 0; i++ {
		switch {
		case rem >= 8:
			g.p("\tVMULPS %d(R10), Y15, Y%d", off*4, i%15)
			g.p("\tVMOVUPS Y%d, %d(R11)", i%15, off*4)
			off, rem = off+8, rem-8
		case rem >= 4:
			g.p("\tVMULPS %d(R10), X15, X%d", off*4, i%15)
			g.p("\tVMOVUPS X%d, %d(R11)", i%15, off*4)
			off, rem = off+4, rem-4
		case rem >= 2:
			g.p("\tVMOVQ %d(R10), X%d", off*4, i%15)
			g.p("\tVMULPS X15, X%d, X%d", i%15, i%15)
			g.p("\tVMOVQ X%d, %d(R11)", i%15, off*4)
			off, rem = off+2, rem-2
		default:
			g.p("\tVMOVSS %d(R10), X%d", off*4, i%15)
			g.p("\tVMULSS X15, X%d, X%d", i%15, i%15)
			g.p("\tVMOVSS X%d, %d(R11)", i%15, off*4)
			off, rem = off+1, rem-1
		}
	}
	g.p("\tADDQ $%d, R10", w*4)
	g.p("\tADDQ R9, R11")
	g.p("\tDECQ DX")
	g.p("\tJNZ panel")
	g.p("\tADDQ R8, SI")
	g.p("\tADDQ $%d, DI", w*4)
	g.p("\tDECQ CX")
	g.p("\tJNZ row")
	g.p("done:")
	g.p("\tVZEROUPPER")
	g.p("\tRET")
	g.p("")
}

// packTrans writes packTransW(dst, src *float32, lds, cols int, alpha float32):
// dst[p*W+r] = alpha*src[r*lds+p] for r < W, p < cols&^7.
func (g *gen) packTrans(w int) { g.packTransX(w, false) }

// packTransX writes packTransW, or with bf (AVX512-BF16) packTransBF16xW:
//
//	packTransBF16xW(dst, src *float32, lds, pairs int, alpha float32)
//
// which packs bfloat16 pairs (see packPairs in package gemm): for x < W and
// p < pairs (a multiple of 8), the 32-bit word dst[p*W+x] holds
// alpha*src[x*lds+2p] rounded to bfloat16 in its low half and
// alpha*src[x*lds+2p+1] in its high half. Each row's 16 floats become 8
// words by VCVTNEPS2BF16, then the words are transposed as floats are.
func (g *gen) packTransX(w int, bf bool) {
	name, step := "packTrans", 32
	if bf {
		name, step = "packTransBF16x", 64
	}
	load := func(addr string, j int) {
		if !bf {
			g.p("\tVMULPS %s, Y15, Y%d", addr, j)
			return
		}
		g.p("\tVMULPS %s, Z15, Z%d", addr, j)
		g.p("%s", byteLine(vcvtneps2bf16(j, j), fmt.Sprintf("VCVTNEPS2BF16 ymm%d, zmm%d", j, j)))
	}
	cols := "cols"
	if bf {
		cols = "pairs"
	}
	g.p("// func %s%d(dst, src *float32, lds, %s int, alpha float32)", name, w, cols)
	g.p("TEXT ·%s%d(SB), NOSPLIT, $0-36", name, w)
	g.p("\tMOVQ dst+0(FP), DI")
	g.p("\tMOVQ src+8(FP), SI")
	g.p("\tMOVQ lds+16(FP), R8")
	g.p("\tSHLQ $2, R8")
	g.p("\tLEAQ (R8)(R8*2), R9")
	g.p("\tMOVQ %s+24(FP), CX", cols)
	g.p("\tSHRQ $3, CX")
	if bf {
		g.p("\tVBROADCASTSS alpha+32(FP), Z15")
	} else {
		g.p("\tVBROADCASTSS alpha+32(FP), Y15")
	}
	g.p("\tTESTQ CX, CX")
	g.p("\tJZ done")
	g.p("loop:")
	g.p("\tMOVQ SI, R10")
	// row address of row j (relative to the group's base register R10/R11)
	rowAddr := func(j int) string {
		base := "R10"
		if j >= 4 {
			base = "R11"
			j -= 4
		}
		switch j {
		case 0:
			return "(" + base + ")"
		case 1:
			return "(" + base + ")(R8*1)"
		case 2:
			return "(" + base + ")(R8*2)"
		default:
			return "(" + base + ")(R9*1)"
		}
	}
	out := func(q, row int) string { return fmt.Sprintf("%d(DI)", (q*w+row)*4) }
	row := 0
	for rem := w; rem > 0; {
		g.p("\tLEAQ (R10)(R8*4), R11")
		switch {
		case rem >= 8:
			for j := 0; j < 8; j++ {
				load(rowAddr(j), j)
			}
			// t0..t3 in Y8..Y11 from rows 0..3
			g.p("\tVUNPCKLPS Y1, Y0, Y8")
			g.p("\tVUNPCKHPS Y1, Y0, Y9")
			g.p("\tVUNPCKLPS Y3, Y2, Y10")
			g.p("\tVUNPCKHPS Y3, Y2, Y11")
			g.p("\tVSHUFPS $0x44, Y10, Y8, Y0")
			g.p("\tVSHUFPS $0xEE, Y10, Y8, Y1")
			g.p("\tVSHUFPS $0x44, Y11, Y9, Y2")
			g.p("\tVSHUFPS $0xEE, Y11, Y9, Y3")
			g.p("\tVUNPCKLPS Y5, Y4, Y8")
			g.p("\tVUNPCKHPS Y5, Y4, Y9")
			g.p("\tVUNPCKLPS Y7, Y6, Y10")
			g.p("\tVUNPCKHPS Y7, Y6, Y11")
			g.p("\tVSHUFPS $0x44, Y10, Y8, Y4")
			g.p("\tVSHUFPS $0xEE, Y10, Y8, Y5")
			g.p("\tVSHUFPS $0x44, Y11, Y9, Y6")
			g.p("\tVSHUFPS $0xEE, Y11, Y9, Y7")
			for q := 0; q < 4; q++ {
				g.p("\tVPERM2F128 $0x20, Y%d, Y%d, Y%d", q+4, q, 8+q)
				g.p("\tVMOVUPS Y%d, %s", 8+q, out(q, row))
				g.p("\tVPERM2F128 $0x31, Y%d, Y%d, Y%d", q+4, q, 12+q%3)
				g.p("\tVMOVUPS Y%d, %s", 12+q%3, out(q+4, row))
			}
			row, rem = row+8, rem-8
			if rem > 0 {
				g.p("\tLEAQ (R11)(R8*4), R10")
			}
		case rem >= 4:
			for j := 0; j < 4; j++ {
				load(rowAddr(j), j)
			}
			g.p("\tVUNPCKLPS Y1, Y0, Y8")
			g.p("\tVUNPCKHPS Y1, Y0, Y9")
			g.p("\tVUNPCKLPS Y3, Y2, Y10")
			g.p("\tVUNPCKHPS Y3, Y2, Y11")
			g.p("\tVSHUFPS $0x44, Y10, Y8, Y0")
			g.p("\tVSHUFPS $0xEE, Y10, Y8, Y1")
			g.p("\tVSHUFPS $0x44, Y11, Y9, Y2")
			g.p("\tVSHUFPS $0xEE, Y11, Y9, Y3")
			for q := 0; q < 4; q++ {
				g.p("\tVMOVUPS X%d, %s", q, out(q, row))
				g.p("\tVEXTRACTF128 $1, Y%d, %s", q, out(q+4, row))
			}
			row, rem = row+4, rem-4
			if rem > 0 {
				g.p("\tMOVQ R11, R10")
			}
		case rem >= 2:
			for j := 0; j < 2; j++ {
				load(rowAddr(j), j)
			}
			// Y8 = a0 b0 a1 b1 | a4 b4 a5 b5 ; Y9 = a2 b2 a3 b3 | a6 b6 a7 b7
			g.p("\tVUNPCKLPS Y1, Y0, Y8")
			g.p("\tVUNPCKHPS Y1, Y0, Y9")
			g.p("\tVEXTRACTF128 $1, Y8, X10")
			g.p("\tVEXTRACTF128 $1, Y9, X11")
			g.p("\tVMOVLPS X8, %s", out(0, row))
			g.p("\tVMOVHPS X8, %s", out(1, row))
			g.p("\tVMOVLPS X9, %s", out(2, row))
			g.p("\tVMOVHPS X9, %s", out(3, row))
			g.p("\tVMOVLPS X10, %s", out(4, row))
			g.p("\tVMOVHPS X10, %s", out(5, row))
			g.p("\tVMOVLPS X11, %s", out(6, row))
			g.p("\tVMOVHPS X11, %s", out(7, row))
			row, rem = row+2, rem-2
			if rem > 0 {
				g.p("\tLEAQ (R10)(R8*2), R10")
			}
		default:
			load("(R10)", 0)
			g.p("\tVEXTRACTF128 $1, Y0, X1")
			for q := 0; q < 4; q++ {
				g.p("\tVEXTRACTPS $%d, X0, %s", q, out(q, row))
				g.p("\tVEXTRACTPS $%d, X1, %s", q, out(q+4, row))
			}
			row, rem = row+1, rem-1
			if rem > 0 {
				g.p("\tADDQ R8, R10")
			}
		}
	}
	g.p("\tADDQ $%d, SI", step)
	g.p("\tADDQ $%d, DI", 8*w*4)
	g.p("\tDECQ CX")
	g.p("\tJNZ loop")
	g.p("done:")
	g.p("\tVZEROUPPER")
	g.p("\tRET")
	g.p("")
}

// prefetch writes prefetchRows(p *float32, ld, rows, bytes int), which
// prefetches rows rows of bytes bytes each, ld floats apart.
func (g *gen) prefetch(name, instr string) {
	g.p("// func %s(p *float32, ld, rows, bytes int)", name)
	g.p("TEXT ·%s(SB), NOSPLIT, $0-32", name)
	g.p("\tMOVQ p+0(FP), SI")
	g.p("\tMOVQ ld+8(FP), R8")
	g.p("\tSHLQ $2, R8")
	g.p("\tMOVQ rows+16(FP), CX")
	g.p("\tMOVQ bytes+24(FP), DX")
	g.p("\tTESTQ CX, CX")
	g.p("\tJLE done")
	g.p("\tTESTQ DX, DX")
	g.p("\tJLE done")
	g.p("row:")
	g.p("\tMOVQ SI, R10")
	g.p("\tMOVQ DX, R11")
	g.p("line:")
	g.p("\t%s (R10)", instr)
	g.p("\tADDQ $64, R10")
	g.p("\tSUBQ $64, R11")
	g.p("\tJG line")
	g.p("\tADDQ R8, SI")
	g.p("\tDECQ CX")
	g.p("\tJNZ row")
	g.p("done:")
	g.p("\tRET")
	g.p("")
}

// header writes the generated-code line, the build constraint and the
// include every assembly file starts with.
func (g *gen) header(command, build string) {
	g.p("// Code generated by %s; DO NOT EDIT.", command)
	g.p("")
	g.p("//go:build %s", build)
	g.p("")
	g.p("#include \"textflag.h\"")
	g.p("")
}

func main() {
	out := flag.String("out", "kernels_amd64.s", "output file")
	arch := flag.String("arch", "amd64", "amd64 or arm64")
	flag.Parse()
	switch *arch {
	case "amd64":
	case "arm64":
		if err := os.WriteFile(*out, genARM64(), 0o644); err != nil {
			log.Fatal(err)
		}
		return
	default:
		log.Fatalf("unknown -arch %q (want amd64 or arm64)", *arch)
	}
	var g gen
	g.header("go run ./internal/asmgen", "amd64 && !purego")
	for _, k := range kernels {
		g.kernel(k)
	}
	for _, w := range packWidths {
		g.packCopy(w)
		g.packTrans(w)
	}
	g.prefetch("prefetchRows", "PREFETCHT1")
	g.bf16Helpers()
	g.pairCopy()
	for _, w := range bf16PackWidths {
		g.packTransX(w, true)
	}
	for _, w := range bf16PackWidths {
		g.pairPanels(w)
	}
	if err := os.WriteFile(*out, g.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}
