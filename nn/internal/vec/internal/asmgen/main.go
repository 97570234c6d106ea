// Command asmgen writes the assembly of package vec: each update of
// vec.go once for AVX-512 (zmm registers, 16 floats) and once for AVX2
// (ymm registers, 8 floats), from one template per update, and with
// -arch arm64 once for NEON (4 floats, see arm64.go).
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
	{"gelu", "(y, d, x *float32, n int, c *[32]float32)", 40, geluBody},
}

// avx2Updates are written for AVX2 alone (see geluAVX2Body).
var avx2Updates = []update{
	{"gelu", "(y, d, x *float32, n int, c *[32]float32)", 40, geluAVX2Body()},
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

// geluBody is vec.GELU, geluDeriv's operations in its order: c is
// geluConsts, read by offset.
var geluBody = `
	MOVQ y+0(FP), DI
	MOVQ d+8(FP), DX
	MOVQ x+16(FP), SI
	MOVQ n+24(FP), CX
	MOVQ c+32(FP), AX
	VBROADCASTSS 0(AX), Z16 // 10
	VBROADCASTSS 4(AX), Z17 // -10
	VBROADCASTSS 8(AX), Z18 // 1/√2
	VBROADCASTSS 12(AX), Z19 // 0.5
	VBROADCASTSS 16(AX), Z20 // 1
	VBROADCASTSS 20(AX), Z21 // -0.5
	VBROADCASTSS 24(AX), Z22 // log2 e
	VBROADCASTSS 28(AX), Z23 // 1.5·2^23
	VBROADCASTSS 32(AX), Z24 // ln2hi
	VBROADCASTSS 36(AX), Z25 // ln2lo
	VBROADCASTSS 40(AX), Z26 // 1/√(2π)
	VBROADCASTSS 44(AX), Z27 // int 127
	VBROADCASTSS 48(AX), Z28 // 0x7fffffff
	VPXORD Z29, Z29, Z29 // 0
	VBROADCASTSS 52(AX), Z30 // P's constant term
	XORQ BX, BX

loop@:
	CMPQ BX, CX
	JGE done@
	VMOVUPS (SI)(BX*4), Z0 // x
	VPANDD Z28, Z0, Z1 // |x|
	VMULPS Z18, Z1, Z1 // z = |x|/√2
	VMULPS Z19, Z1, Z1 // z/2
	VADDPS Z20, Z1, Z1 // 1 + z/2
	VDIVPS Z1, Z20, Z2 // t
	VMULPS.BCST 56(AX), Z2, Z3 // P(t), Horner
` + horner() + `	VADDPS Z30, Z3, Z3 // P(t)
	VMULPS Z0, Z0, Z4
	VMULPS Z21, Z4, Z4 // -x²/2
` + exp32("Z4", "Z5", "Z6", "Z7", "Z8") + `	// Z5 = e = exp(-x²/2)
` + exp32("Z3", "Z9", "Z10", "Z11", "Z12") + `	// Z9 = exp(P(t))
	VMULPS Z19, Z2, Z10 // t/2
	VMULPS Z9, Z5, Z11 // e·exp(P)
	VMULPS Z11, Z10, Z10 // half = erfc(|x|/√2)/2
	VSUBPS Z10, Z20, Z11 // 1 - half
	VPSRAD $31, Z0, Z12 // x's sign, all bits
	VPANDD Z12, Z10, Z10 // half where x < 0
	VPANDND Z11, Z12, Z11 // 1 - half where not
	VPORD Z11, Z10, Z10 // Φ(x)
	VMULPS Z10, Z0, Z13 // y = x·Φ(x)
	VMULPS Z26, Z5, Z14 // e/√(2π)
	VMULPS Z14, Z0, Z14 // x·φ(x)
	VADDPS Z14, Z10, Z14 // d = Φ(x) + x·φ(x)
	VCMPPS $0x1e, Z16, Z0, K1 // x > 10
	VMOVAPS Z0, K1, Z13
	VMOVAPS Z20, K1, Z14
	VCMPPS $0x11, Z17, Z0, K2 // x < -10
	VMOVAPS Z29, K2, Z13
	VMOVAPS Z29, K2, Z14
	VCMPPS $3, Z0, Z0, K3 // x is NaN
	VMOVAPS Z0, K3, Z13
	VMOVAPS Z0, K3, Z14
	VMOVUPS Z13, (DI)(BX*4)
	VMOVUPS Z14, (DX)(BX*4)
	ADDQ $16, BX
	JMP loop@

done@:
	VZEROUPPER
	RET
`

// geluAVX2Body is geluBody for AVX2: the same operations in the same
// order, on 8 floats. AVX2 has 16 vector registers, no embedded broadcasts
// and no mask registers, so each constant is broadcast into Y15 where it
// is used (loads are cheap beside the divide), and the special cases are
// blends under a compare's all-ones lanes.
func geluAVX2Body() string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, "\t"+format+"\n", args...) }
	k := func(off int) string { w("VBROADCASTSS %d(AX), Y15", off); return "Y15" }
	w("MOVQ y+0(FP), DI")
	w("MOVQ d+8(FP), DX")
	w("MOVQ x+16(FP), SI")
	w("MOVQ n+24(FP), CX")
	w("MOVQ c+32(FP), AX")
	w("XORQ BX, BX")
	b.WriteString("\nloop@:\n")
	w("CMPQ BX, CX")
	w("JGE done@")
	w("VMOVUPS (SI)(BX*4), Y0 // x")
	w("VPAND %s, Y0, Y1 // |x|", k(48))
	w("VMULPS %s, Y1, Y1 // z = |x|/√2", k(8))
	w("VMULPS %s, Y1, Y1 // z/2", k(12))
	w("VADDPS %s, Y1, Y1 // 1 + z/2", k(16))
	w("VDIVPS Y1, %s, Y2 // t", k(16))
	w("VMULPS %s, Y2, Y3 // P(t), Horner", k(56))
	for i := range 8 {
		w("VADDPS %s, Y3, Y3", k(60+4*i))
		w("VMULPS Y2, Y3, Y3")
	}
	w("VADDPS %s, Y3, Y3 // P(t)", k(52))
	w("VMULPS Y0, Y0, Y4")
	w("VMULPS %s, Y4, Y4 // -x²/2", k(20))
	exp := func(in, out, n, r, t string) {
		w("VMULPS %s, %s, %s // exp: a·log2e", k(24), in, n)
		w("VADDPS %s, %s, %s", k(28), n, n)
		w("VSUBPS %s, %s, %s // n, rounded", k(28), n, n)
		w("VMULPS %s, %s, %s", k(32), n, r)
		w("VSUBPS %s, %s, %s // a - n·ln2hi", r, in, r)
		w("VMULPS %s, %s, %s", k(36), n, t)
		w("VSUBPS %s, %s, %s // r = a - n·ln2hi - n·ln2lo", t, r, r)
		w("VMULPS %s, %s, %s // r/7!", k(92), r, out)
		for _, off := range []int{96, 100, 104, 108} {
			w("VADDPS %s, %s, %s", k(off), out, out)
			w("VMULPS %s, %s, %s", r, out, out)
		}
		w("VADDPS %s, %s, %s // + 1/2", k(12), out, out)
		w("VMULPS %s, %s, %s", r, out, out)
		w("VADDPS %s, %s, %s // + 1", k(16), out, out)
		w("VMULPS %s, %s, %s", r, out, out)
		w("VADDPS %s, %s, %s // + 1: e^r", k(16), out, out)
		w("VCVTTPS2DQ %s, %s", n, t)
		w("VPADDD %s, %s, %s", k(44), t, t)
		w("VPSLLD $23, %s, %s // 2^n", t, t)
		w("VMULPS %s, %s, %s // e^a", t, out, out)
	}
	exp("Y4", "Y5", "Y6", "Y7", "Y8")    // Y5 = e = exp(-x²/2)
	exp("Y3", "Y9", "Y10", "Y11", "Y12") // Y9 = exp(P(t))
	w("VMULPS %s, Y2, Y10 // t/2", k(12))
	w("VMULPS Y9, Y5, Y11 // e·exp(P)")
	w("VMULPS Y11, Y10, Y10 // half = erfc(|x|/√2)/2")
	w("VSUBPS Y10, %s, Y11 // 1 - half", k(16))
	w("VPSRAD $31, Y0, Y12 // x's sign, all bits")
	w("VPAND Y12, Y10, Y10 // half where x < 0")
	w("VPANDN Y11, Y12, Y11 // 1 - half where not")
	w("VPOR Y11, Y10, Y10 // Φ(x)")
	w("VMULPS Y10, Y0, Y13 // y = x·Φ(x)")
	w("VMULPS %s, Y5, Y14 // e/√(2π)", k(40))
	w("VMULPS Y14, Y0, Y14 // x·φ(x)")
	w("VADDPS Y14, Y10, Y14 // d = Φ(x) + x·φ(x)")
	w("VCMPPS $0x1e, %s, Y0, Y1 // x > 10", k(0))
	w("VBLENDVPS Y1, Y0, Y13, Y13")
	w("VBLENDVPS Y1, %s, Y14, Y14", k(16))
	w("VCMPPS $0x11, %s, Y0, Y1 // x < -10", k(4))
	w("VPXOR Y2, Y2, Y2 // 0")
	w("VBLENDVPS Y1, Y2, Y13, Y13")
	w("VBLENDVPS Y1, Y2, Y14, Y14")
	w("VCMPPS $3, Y0, Y0, Y1 // x is NaN")
	w("VBLENDVPS Y1, Y0, Y13, Y13")
	w("VBLENDVPS Y1, Y0, Y14, Y14")
	w("VMOVUPS Y13, (DI)(BX*4)")
	w("VMOVUPS Y14, (DX)(BX*4)")
	w("ADDQ $8, BX")
	w("JMP loop@")
	b.WriteString("\ndone@:\n")
	w("VZEROUPPER")
	w("RET")
	return "\n" + b.String()
}

// horner is the loop over P(t)'s coefficients 1 to 8 (offsets 60-88 of
// geluConsts): p = t·(p + c).
func horner() string {
	var b strings.Builder
	for k := range 8 {
		fmt.Fprintf(&b, "\tVADDPS.BCST %d(AX), Z3, Z3\n\tVMULPS Z2, Z3, Z3\n", 60+4*k)
	}
	return b.String()
}

// exp32 is vec's exp32 of register in into out, with n, r and t for
// scratch: Taylor coefficients 1/7!..1/3! at offsets 92-108 of geluConsts.
func exp32(in, out, n, r, t string) string {
	return strings.NewReplacer("{in}", in, "{out}", out, "{n}", n, "{r}", r, "{t}", t).Replace(`	VMULPS Z22, {in}, {n} // exp: a·log2e
	VADDPS Z23, {n}, {n}
	VSUBPS Z23, {n}, {n} // n, rounded
	VMULPS Z24, {n}, {r}
	VSUBPS {r}, {in}, {r} // a - n·ln2hi
	VMULPS Z25, {n}, {t}
	VSUBPS {t}, {r}, {r} // r = a - n·ln2hi - n·ln2lo
	VMULPS.BCST 92(AX), {r}, {out} // r/7!
	VADDPS.BCST 96(AX), {out}, {out}
	VMULPS {r}, {out}, {out}
	VADDPS.BCST 100(AX), {out}, {out}
	VMULPS {r}, {out}, {out}
	VADDPS.BCST 104(AX), {out}, {out}
	VMULPS {r}, {out}, {out}
	VADDPS.BCST 108(AX), {out}, {out}
	VMULPS {r}, {out}, {out}
	VADDPS Z19, {out}, {out} // + 1/2
	VMULPS {r}, {out}, {out}
	VADDPS Z20, {out}, {out} // + 1
	VMULPS {r}, {out}, {out}
	VADDPS Z20, {out}, {out} // + 1: e^r
	VCVTTPS2DQ {n}, {t}
	VPADDD Z27, {t}, {t}
	VPSLLD $23, {t}, {t} // 2^n
	VMULPS {t}, {out}, {out} // e^a
`)
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
