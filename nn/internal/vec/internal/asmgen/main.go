// Command asmgen writes the assembly of package vec: each update of
// vec.go once for AVX-512 (zmm registers, 16 floats) and once for AVX2
// (ymm registers, 8 floats), from one template per update, and with
// -arch arm64 once for NEON (4 floats, see arm64.go); and GELU for all
// three from one program of vector operations (geluProgram, gelu.go).
//
// It is run by `go generate` in package vec:
//
//	go run ./internal/asmgen -out kernels_amd64.s
//	go run ./internal/asmgen -arch arm64 -out kernels_arm64.s
//
// The templates do the portable code's operations in the same order, with
// no fused multiply-add, so that every path gives the same bits.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"os"
	"regexp"
	"strings"
)

// An update is one routine: its Go signature (for the comment), its
// argument frame size and its body. In a body, V0..V15 stand for the vector
// registers, $W for the floats per vector and @ for a label suffix.
type update struct {
	name, args string
	frame      int
	body       string
}

var updates = []update{
	{"adam", "(p, grad, m, v *float32, n int, a *Adam)", 48, `
	MOVQ p+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ m+16(FP), R8
	MOVQ v+24(FP), R9
	MOVQ n+32(FP), CX
	MOVQ a+40(FP), AX
	VBROADCASTSS 0(AX), V10 // B1
	VBROADCASTSS 4(AX), V11 // B2
	VBROADCASTSS 8(AX), V12 // C1
	VBROADCASTSS 12(AX), V13 // C2
	VBROADCASTSS 16(AX), V14 // Step
	VBROADCASTSS 20(AX), V15 // ISB2
	VBROADCASTSS 24(AX), V6 // Eps
	XORQ BX, BX

loop@:
	CMPQ BX, CX
	JGE done@
	VMOVUPS (SI)(BX*4), V0 // g
	VMULPS (R8)(BX*4), V10, V1 // B1·m
	VMULPS V0, V12, V2 // C1·g
	VADDPS V2, V1, V1 // m
	VMULPS (R9)(BX*4), V11, V3 // B2·v
	VMULPS V0, V13, V4 // C2·g
	VMULPS V0, V4, V4 // C2·g·g
	VADDPS V4, V3, V3 // v
	VMOVUPS V1, (R8)(BX*4)
	VMOVUPS V3, (R9)(BX*4)
	VSQRTPS V3, V5
	VMULPS V15, V5, V5 // sqrt(v)·ISB2
	VADDPS V6, V5, V5 // + Eps
	VMULPS V1, V14, V7 // Step·m
	VDIVPS V5, V7, V7 // Step·m / (sqrt(v)·ISB2 + Eps)
	VMOVUPS (DI)(BX*4), V0
	VSUBPS V7, V0, V0
	VMOVUPS V0, (DI)(BX*4)
	ADDQ $W, BX
	JMP loop@

done@:
	VZEROUPPER
	RET
`},
	{"sgd", "(p, grad *float32, n int, s *SGD)", 32, `
	MOVQ p+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ s+24(FP), AX
	VBROADCASTSS 0(AX), V10 // LR
	XORQ BX, BX

loop@:
	CMPQ BX, CX
	JGE done@
	VMULPS (SI)(BX*4), V10, V1 // LR·g
	VMOVUPS (DI)(BX*4), V0
	VSUBPS V1, V0, V0
	VMOVUPS V0, (DI)(BX*4)
	ADDQ $W, BX
	JMP loop@

done@:
	VZEROUPPER
	RET
`},
	{"sgdMomentum", "(p, grad, vel *float32, n int, s *SGD)", 40, momentum("")},
	{"sgdNesterov", "(p, grad, vel *float32, n int, s *SGD)", 40, momentum(`
	VMULPS V1, V11, V1 // Mu·b
	VADDPS V1, V0, V1 // g + Mu·b`)},
}

// avx512Updates are written for AVX-512 alone: they use its mask
// registers, its 32 vector registers and embedded broadcasts, with Z and K
// registers named as they are.
var avx512Updates = []update{
	{"gelu", "(y, d, x *float32, n int, c *[32]float32)", 40, x86GELU(true)},
}

// avx2Updates are written for AVX2 alone (see x86GELU).
var avx2Updates = []update{
	{"gelu", "(y, d, x *float32, n int, c *[32]float32)", 40, x86GELU(false)},
}

// momentum is the body of SGD with momentum; nesterov, if not empty, turns
// the step b into g + Mu·b.
func momentum(nesterov string) string {
	return `
	MOVQ p+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ vel+16(FP), R8
	MOVQ n+24(FP), CX
	MOVQ s+32(FP), AX
	VBROADCASTSS 0(AX), V10 // LR
	VBROADCASTSS 4(AX), V11 // Mu
	XORQ BX, BX

loop@:
	CMPQ BX, CX
	JGE done@
	VMOVUPS (SI)(BX*4), V0 // g
	VMULPS (R8)(BX*4), V11, V1 // Mu·vel
	VADDPS V0, V1, V1 // b = Mu·vel + g
	VMOVUPS V1, (R8)(BX*4)` + nesterov + `
	VMULPS V1, V10, V1 // LR·step
	VMOVUPS (DI)(BX*4), V2
	VSUBPS V1, V2, V2
	VMOVUPS V2, (DI)(BX*4)
	ADDQ $W, BX
	JMP loop@

done@:
	VZEROUPPER
	RET
`
}

// x86GELU is vec.GELU for AVX-512 (16 floats, geluProgram's constants at
// offsets 0-52 in Z16-Z28 and Z30, Z29 zero, the others embedded
// broadcasts) or AVX2 (8 floats in Y registers, 16 of them: each constant
// broadcast into Y15 where it is used; masks in Y1, free by then).
func x86GELU(avx512 bool) string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, "\t"+format+"\n", args...) }
	w("MOVQ y+0(FP), DI")
	w("MOVQ d+8(FP), DX")
	w("MOVQ x+16(FP), SI")
	w("MOVQ n+24(FP), CX")
	w("MOVQ c+32(FP), AX")
	isa := &geluISA{line: x86Line(avx512), constReg: map[int]string{}}
	reg, width := "Y", 8
	if avx512 {
		reg, width = "Z", 16
		for off := 0; off <= 52; off += 4 {
			r := 16 + off/4
			if off == 52 {
				r = 30
			}
			isa.constReg[off] = fmt.Sprintf("Z%d", r)
			w("VBROADCASTSS %d(AX), Z%d // geluConsts[%d]", off, r, off/4)
		}
		w("VPXORD Z29, Z29, Z29 // 0")
		isa.mask = func(i int) string { return fmt.Sprintf("K%d", i) }
		isa.embed = func(off int) string { return fmt.Sprintf("%d(AX)", off) }
	} else {
		isa.mask = func(int) string { return "Y1" }
		isa.embed = func(int) string { return "" }
	}
	isa.reg = func(i int) string { return fmt.Sprintf("%s%d", reg, i) }
	isa.load = func(off int) ([]string, string) {
		return []string{fmt.Sprintf("VBROADCASTSS %d(AX), %s15", off, reg)}, reg + "15"
	}
	w("XORQ BX, BX")
	b.WriteString("\nloop@:\n")
	w("CMPQ BX, CX")
	w("JGE done@")
	w("VMOVUPS (SI)(BX*4), %s0 // x", reg)
	b.WriteString(renderGELU(isa))
	w("VMOVUPS %s13, (DI)(BX*4)", reg)
	w("VMOVUPS %s14, (DX)(BX*4)", reg)
	w("ADDQ $%d, BX", width)
	w("JMP loop@")
	b.WriteString("\ndone@:\n")
	w("VZEROUPPER")
	w("RET")
	return "\n" + b.String()
}

// isas are the instruction sets each update is written for: the suffix of
// the routine's name, the vector register letter and the floats per vector.
var isas = []struct {
	suffix, reg string
	width       int
}{
	{"AVX512", "Z", 16},
	{"AVX2", "Y", 8},
}

var vreg = regexp.MustCompile(`\bV(1[0-5]|[0-9])\b`)

func main() {
	out := flag.String("out", "kernels_amd64.s", "file to write")
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
	var b bytes.Buffer
	b.WriteString(`// Code generated by go run ./internal/asmgen; DO NOT EDIT.

// The updates of vec.go, 16 (AVX-512) or 8 (AVX2) parameters at a time,
// and GELU of gelu.go (both), with the same operations in the same
// order as the portable code and no fused multiply-add, so the results
// are the same bits.

//go:build amd64 && !purego

#include "textflag.h"
`)
	for _, u := range updates {
		for _, isa := range isas {
			name := u.name + isa.suffix
			body := vreg.ReplaceAllString(u.body, isa.reg+"$1")
			body = strings.ReplaceAll(body, "$W", fmt.Sprintf("$%d", isa.width))
			body = strings.ReplaceAll(body, "@", name)
			fmt.Fprintf(&b, "\n// func %s%s\nTEXT ·%s(SB), NOSPLIT, $0-%d%s", name, u.args, name, u.frame, body)
		}
	}
	for _, u := range avx512Updates {
		name := u.name + "AVX512"
		body := strings.ReplaceAll(u.body, "@", name)
		fmt.Fprintf(&b, "\n// func %s%s\nTEXT ·%s(SB), NOSPLIT, $0-%d%s", name, u.args, name, u.frame, body)
	}
	for _, u := range avx2Updates {
		name := u.name + "AVX2"
		body := strings.ReplaceAll(u.body, "@", name)
		fmt.Fprintf(&b, "\n// func %s%s\nTEXT ·%s(SB), NOSPLIT, $0-%d%s", name, u.args, name, u.frame, body)
	}
	if err := os.WriteFile(*out, b.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}
