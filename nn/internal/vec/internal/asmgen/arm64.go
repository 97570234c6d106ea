package main

import (
	"bytes"
	"fmt"
	"log"
	"regexp"
	"strconv"
	"strings"
)

// The arm64 (NEON) updates and GELU, 4 floats per 128-bit register. Go's arm64
// assembler has no mnemonics for the vector FADD, FSUB, FMUL, FDIV and
// FSQRT, so the templates write them as pseudo-instructions
//
//	FMUL4 Vd, Vn, Vm   // Vd = Vn·Vm (likewise FADD4, FSUB4 Vd = Vn-Vm, FDIV4 Vd = Vn/Vm)
//	FSQRT4 Vd, Vn
//
// which armOps turns into WORD directives (the encodings are checked
// against LLVM's assembler in arm64_test.go). AArch64's Advanced SIMD
// arithmetic is IEEE 754 (no flush to zero unless FPCR asks for it, and Go
// leaves it clear), so the results are the bits of the portable code.

var armUpdates = []update{
	{"adam", "(p, grad, m, v *float32, n int, a *Adam)", 48, `
	MOVD p+0(FP), R0
	MOVD grad+8(FP), R1
	MOVD m+16(FP), R2
	MOVD v+24(FP), R3
	MOVD n+32(FP), R4
	MOVD a+40(FP), R5
	VLD1R.P 4(R5), [V10.S4] // B1
	VLD1R.P 4(R5), [V11.S4] // B2
	VLD1R.P 4(R5), [V12.S4] // C1
	VLD1R.P 4(R5), [V13.S4] // C2
	VLD1R.P 4(R5), [V14.S4] // Step
	VLD1R.P 4(R5), [V15.S4] // ISB2
	VLD1R (R5), [V6.S4] // Eps
	LSR $2, R4
	CBZ R4, done@

loop@:
	VLD1.P 16(R1), [V0.S4] // g
	VLD1 (R2), [V1.S4]
	FMUL4 V1, V10, V1 // B1·m
	FMUL4 V2, V12, V0 // C1·g
	FADD4 V1, V1, V2 // m
	VLD1 (R3), [V3.S4]
	FMUL4 V3, V11, V3 // B2·v
	FMUL4 V4, V13, V0 // C2·g
	FMUL4 V4, V4, V0 // C2·g·g
	FADD4 V3, V3, V4 // v
	VST1.P [V1.S4], 16(R2)
	VST1.P [V3.S4], 16(R3)
	FSQRT4 V5, V3
	FMUL4 V5, V5, V15 // sqrt(v)·ISB2
	FADD4 V5, V5, V6 // + Eps
	FMUL4 V7, V14, V1 // Step·m
	FDIV4 V7, V7, V5 // Step·m / (sqrt(v)·ISB2 + Eps)
	VLD1 (R0), [V0.S4]
	FSUB4 V0, V0, V7
	VST1.P [V0.S4], 16(R0)
	SUBS $1, R4
	BNE loop@

done@:
	RET
`},
	{"sgd", "(p, grad *float32, n int, s *SGD)", 32, `
	MOVD p+0(FP), R0
	MOVD grad+8(FP), R1
	MOVD n+16(FP), R4
	MOVD s+24(FP), R5
	VLD1R (R5), [V10.S4] // LR
	LSR $2, R4
	CBZ R4, done@

loop@:
	VLD1.P 16(R1), [V1.S4] // g
	FMUL4 V1, V10, V1 // LR·g
	VLD1 (R0), [V0.S4]
	FSUB4 V0, V0, V1
	VST1.P [V0.S4], 16(R0)
	SUBS $1, R4
	BNE loop@

done@:
	RET
`},
	{"gelu", "(y, d, x *float32, n int, c *[32]float32)", 40, armGELU()},
	{"sgdMomentum", "(p, grad, vel *float32, n int, s *SGD)", 40, armMomentum("")},
	{"sgdNesterov", "(p, grad, vel *float32, n int, s *SGD)", 40, armMomentum(`
	FMUL4 V1, V11, V1 // Mu·b
	FADD4 V1, V0, V1 // g + Mu·b`)},
}

// armGELU is vec.GELU on NEON: geluProgram with its constants at offsets
// 0-52 in V16-V29, the others loaded into V15 where used (through R7,
// post-incremented when the next one follows), masks in V1.
func armGELU() string {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, "\t"+format+"\n", args...) }
	w("MOVD y+0(FP), R0")
	w("MOVD d+8(FP), R1")
	w("MOVD x+16(FP), R2")
	w("MOVD n+24(FP), R4")
	w("MOVD c+32(FP), R5")
	w("MOVD R5, R6")
	isa := &geluISA{line: armLine, invertsNaN: true, constReg: map[int]string{},
		reg:   func(i int) string { return fmt.Sprintf("V%d", i) },
		mask:  func(int) string { return "V1" },
		embed: func(int) string { return "" },
	}
	for off := 0; off <= 52; off += 4 {
		isa.constReg[off] = fmt.Sprintf("V%d", 16+off/4)
		w("VLD1R.P 4(R6), [V%d.S4] // geluConsts[%d]", 16+off/4, off/4)
	}
	next := -1 // the offset R7 points at, if known
	isa.load = func(off int) ([]string, string) {
		var l []string
		if off != next {
			l = append(l, fmt.Sprintf("ADD $%d, R5, R7", off))
		}
		next = off + 4
		return append(l, "VLD1R.P 4(R7), [V15.S4]"), "V15"
	}
	w("LSR $2, R4")
	w("CBZ R4, done@")
	b.WriteString("\nloop@:\n")
	w("VLD1.P 16(R2), [V0.S4] // x")
	b.WriteString(renderGELU(isa))
	w("VST1.P [V13.S4], 16(R0)")
	w("VST1.P [V14.S4], 16(R1)")
	w("SUBS $1, R4")
	w("BNE loop@")
	b.WriteString("\ndone@:\n")
	w("RET")
	return "\n" + b.String()
}

// armMomentum is the body of SGD with momentum; nesterov, if not empty,
// turns the step b into g + Mu·b.
func armMomentum(nesterov string) string {
	return `
	MOVD p+0(FP), R0
	MOVD grad+8(FP), R1
	MOVD vel+16(FP), R2
	MOVD n+24(FP), R4
	MOVD s+32(FP), R5
	VLD1R.P 4(R5), [V10.S4] // LR
	VLD1R (R5), [V11.S4] // Mu
	LSR $2, R4
	CBZ R4, done@

loop@:
	VLD1.P 16(R1), [V0.S4] // g
	VLD1 (R2), [V1.S4]
	FMUL4 V1, V11, V1 // Mu·vel
	FADD4 V1, V1, V0 // b = Mu·vel + g
	VST1.P [V1.S4], 16(R2)` + nesterov + `
	FMUL4 V1, V10, V1 // LR·step
	VLD1 (R0), [V2.S4]
	FSUB4 V2, V2, V1
	VST1.P [V2.S4], 16(R0)
	SUBS $1, R4
	BNE loop@

done@:
	RET
`
}

// armOp is a pseudo-instruction of the templates: its encoding with
// Rd in bits 0-4, Rn in 5-9 and Rm in 16-20, and how LLVM spells it (for
// the comment and for arm64_test.go).
type armOp struct {
	base uint32
	asm  string // LLVM's mnemonic
	arr  string // arrangement: "4s" or "16b"
	two  bool   // Vd, Vn only (no Vm)
	imm  string // an immediate operand, such as "#31"
}

// armOpTable lists the pseudo-instructions: floating-point arithmetic and
// compares on .4S, FCVTZS (to int32, toward zero), the integer add and
// shifts GELU's exp32 and sign mask need, and the bitwise selects on .16B
// (BIT: insert Vn where Vm is set; BIF: where it is clear).
var armOpTable = map[string]armOp{
	"FADD4":   {0x4e20d400, "fadd", "4s", false, ""},
	"FSUB4":   {0x4ea0d400, "fsub", "4s", false, ""},
	"FMUL4":   {0x6e20dc00, "fmul", "4s", false, ""},
	"FDIV4":   {0x6e20fc00, "fdiv", "4s", false, ""},
	"FSQRT4":  {0x6ea1f800, "fsqrt", "4s", true, ""},
	"FCMGT4":  {0x6ea0e400, "fcmgt", "4s", false, ""},
	"FCMEQ4":  {0x4e20e400, "fcmeq", "4s", false, ""},
	"FCVTZS4": {0x4ea1b800, "fcvtzs", "4s", true, ""},
	"IADD4":   {0x4ea08400, "add", "4s", false, ""},
	"SSHR31":  {0x4f210400, "sshr", "4s", true, "#31"},
	"SHL23":   {0x4f375400, "shl", "4s", true, "#23"},
	"AND16":   {0x4e201c00, "and", "16b", false, ""},
	"ORR16":   {0x4ea01c00, "orr", "16b", false, ""},
	"BIC16":   {0x4e601c00, "bic", "16b", false, ""},
	"BIT16":   {0x6ea01c00, "bit", "16b", false, ""},
	"BIF16":   {0x6ee01c00, "bif", "16b", false, ""},
}

// armEncode encodes op Vd, Vn[, Vm] (m is ignored by two-operand ops).
func armEncode(op string, d, n, m int) uint32 {
	o, ok := armOpTable[op]
	if !ok || d < 0 || d > 31 || n < 0 || n > 31 || m < 0 || m > 31 {
		log.Fatalf("bad instruction %s V%d, V%d, V%d", op, d, n, m)
	}
	if o.two {
		m = 0
	}
	return o.base | uint32(m)<<16 | uint32(n)<<5 | uint32(d)
}

// armAsm is op Vd, Vn[, Vm] as LLVM writes it.
func armAsm(op string, d, n, m int) string {
	o := armOpTable[op]
	s := fmt.Sprintf("%s v%d.%s, v%d.%s", o.asm, d, o.arr, n, o.arr)
	if !o.two {
		s += fmt.Sprintf(", v%d.%s", m, o.arr)
	}
	if o.imm != "" {
		s += ", " + o.imm
	}
	return s
}

var armOpLine = regexp.MustCompile(`(?m)^\t([A-Z][A-Z0-9]*) V(\d+), V(\d+)(?:, V(\d+))?(.*)$`)

// armOps replaces the pseudo-instructions of a template by WORD directives
// that keep the instruction in a comment.
func armOps(body string) string {
	return armOpLine.ReplaceAllStringFunc(body, func(line string) string {
		s := armOpLine.FindStringSubmatch(line)
		op := s[1]
		if _, ok := armOpTable[op]; !ok {
			return line
		}
		reg := func(x string) int {
			if x == "" {
				return 0
			}
			v, _ := strconv.Atoi(x)
			return v
		}
		d, n, m := reg(s[2]), reg(s[3]), reg(s[4])
		comment := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s[5]), "//"))
		if comment != "" {
			comment = " (" + comment + ")"
		}
		return fmt.Sprintf("\tWORD $0x%08x // %s%s", armEncode(op, d, n, m), armAsm(op, d, n, m), comment)
	})
}

// genARM64 writes the whole of kernels_arm64.s.
func genARM64() []byte {
	var b bytes.Buffer
	b.WriteString(`// Code generated by go run ./internal/asmgen -arch arm64; DO NOT EDIT.

// The updates of vec.go, 4 parameters at a time in NEON registers, with
// the same operations in the same order as the portable code and no fused
// multiply-add, so the results are the same bits.

//go:build arm64 && !purego

#include "textflag.h"
`)
	for _, u := range armUpdates {
		name := u.name + "NEON"
		body := armOps(u.body)
		body = strings.ReplaceAll(body, "@", name)
		fmt.Fprintf(&b, "\n// func %s%s\nTEXT ·%s(SB), NOSPLIT, $0-%d%s", name, u.args, name, u.frame, body)
	}
	return b.Bytes()
}
