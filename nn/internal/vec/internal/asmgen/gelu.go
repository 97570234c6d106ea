package main

import (
	"fmt"
	"strconv"
	"strings"
)

// geluProgram is vec's geluDeriv as vector operations, in its order, for
// every ISA's GELU kernel: one "op dst src1 [src2]" a line. Registers are
// r0..r14 (r0 holds x; r13 and r14 end as y and d); c<off> is the float32
// at byte offset off of vec's geluConsts; m1..m3 are masks. The ops:
//
//	add, sub, mul, div   dst = src1 op src2 (float32, no fusing)
//	and, or              dst = src1 op src2 (bits)
//	andn                 dst = src1 &^ src2
//	sra31                dst = src1 >> 31 (int32: the sign in every bit)
//	cvt                  dst = int32(src1), toward zero
//	iadd                 dst = src1 + src2 (int32)
//	shl23                dst = src1 << 23
//	gt                   mask dst = src1 > src2 (false for NaN)
//	nan                  mask dst = src1 is NaN
//	sel                  dst = src2 where mask src1
//	zero                 dst = +0 where mask src1
//
// renderGELU turns it into each ISA's instructions, so the kernels cannot
// drift apart from each other; TestGELUKernelsBitIdentical in package vec
// ties them to geluDeriv.
var geluProgram = func() string {
	var b strings.Builder
	b.WriteString(`
and r1 r0 c48 // |x|
mul r1 r1 c8 // z = |x|/√2
mul r1 r1 c12 // z/2
add r1 r1 c16 // 1 + z/2
div r2 c16 r1 // t
mul r3 r2 c56 // P(t), Horner
`)
	for k := range 8 { // P's coefficients 1 to 8: p = t·(p + c)
		fmt.Fprintf(&b, "add r3 r3 c%d\nmul r3 r3 r2\n", 60+4*k)
	}
	b.WriteString(`add r3 r3 c52 // P(t)
mul r4 r0 r0
mul r4 r4 c20 // -x²/2
`)
	b.WriteString(geluExp("r4", "r5", "r6", "r7", "r8"))    // r5 = e = exp(-x²/2)
	b.WriteString(geluExp("r3", "r9", "r10", "r11", "r12")) // r9 = exp(P(t))
	b.WriteString(`mul r10 r2 c12 // t/2
mul r11 r5 r9 // e·exp(P)
mul r10 r10 r11 // half = erfc(|x|/√2)/2
sub r11 c16 r10 // 1 - half
sra31 r12 r0 // x's sign, all bits
and r10 r10 r12 // half where x < 0
andn r11 r11 r12 // 1 - half where not
or r10 r10 r11 // Φ(x)
mul r13 r0 r10 // y = x·Φ(x)
mul r14 r5 c40 // e/√(2π)
mul r14 r0 r14 // x·φ(x)
add r14 r10 r14 // d = Φ(x) + x·φ(x)
gt m1 r0 c0 // x > 10
sel r13 m1 r0
sel r14 m1 c16
gt m2 c4 r0 // x < -10
zero r13 m2
zero r14 m2
nan m3 r0 // x is NaN (on NEON: is not NaN, see invertsNaN)
sel r13 m3 r0
sel r14 m3 r0
`)
	return b.String()
}()

// geluExp is vec's exp32 of in into out, with n, r and t for scratch.
func geluExp(in, out, n, r, t string) string {
	return strings.NewReplacer("{in}", in, "{out}", out, "{n}", n, "{r}", r, "{t}", t).Replace(`mul {n} {in} c24 // exp: a·log2e
add {n} {n} c28
sub {n} {n} c28 // n, rounded
mul {r} {n} c32
sub {r} {in} {r} // a - n·ln2hi
mul {t} {n} c36
sub {r} {r} {t} // r = a - n·ln2hi - n·ln2lo
mul {out} {r} c92 // r/7!
add {out} {out} c96
mul {out} {out} {r}
add {out} {out} c100
mul {out} {out} {r}
add {out} {out} c104
mul {out} {out} {r}
add {out} {out} c108
mul {out} {out} {r}
add {out} {out} c12 // + 1/2
mul {out} {out} {r}
add {out} {out} c16 // + 1
mul {out} {out} {r}
add {out} {out} c16 // + 1: e^r
cvt {t} {n}
iadd {t} {t} c44
shl23 {t} {t} // 2^n
mul {out} {out} {t} // e^a
`)
}

// geluISA renders geluProgram for one instruction set.
type geluISA struct {
	name string
	// constReg maps a constant's offset to the register it is kept in;
	// others are loaded where used.
	constReg map[int]string
	reg      func(i int) string // r<i>
	mask     func(i int) string // m<i>
	// load returns the lines that put constant off into a scratch
	// register, and its name; embed returns it as a memory operand of an
	// arithmetic op's second source instead, or "".
	load  func(off int) ([]string, string)
	embed func(off int) string
	// line renders one op on resolved operands (mask operands resolved too).
	line func(op string, d, a, b string, inverted bool) string
	// invertsNaN: the ISA's NaN test gives the mask of non-NaN lanes.
	invertsNaN bool
}

// renderGELU returns the loop body's instructions for geluProgram.
func renderGELU(isa *geluISA) string {
	var out strings.Builder
	inverted := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(geluProgram), "\n") {
		comment := ""
		if i := strings.Index(l, "//"); i >= 0 {
			l, comment = strings.TrimSpace(l[:i]), " //"+l[i+2:]
		}
		f := strings.Fields(l)
		op, args := f[0], f[1:]
		var pre []string
		scratchUsed := false
		operand := func(i int, embeddable bool) string {
			if i >= len(args) {
				return ""
			}
			s := args[i]
			n, err := strconv.Atoi(s[1:])
			if err != nil {
				panic("asmgen: bad GELU operand " + s)
			}
			switch s[0] {
			case 'r':
				return isa.reg(n)
			case 'm':
				return isa.mask(n)
			}
			if r, ok := isa.constReg[n]; ok {
				return r
			}
			if embeddable {
				if m := isa.embed(n); m != "" {
					return m
				}
			}
			if scratchUsed {
				panic("asmgen: two loaded constants in one GELU op: " + l)
			}
			scratchUsed = true
			lines, r := isa.load(n)
			pre = append(pre, lines...)
			return r
		}
		d := operand(0, false)
		a := operand(1, false)
		b := operand(2, op == "add" || op == "mul")
		if op == "nan" && isa.invertsNaN {
			inverted[args[0]] = true
		}
		inv := op == "sel" && inverted[args[1]]
		for _, p := range pre {
			out.WriteString("\t" + p + "\n")
		}
		out.WriteString("\t" + isa.line(op, d, a, b, inv) + comment + "\n")
	}
	return out.String()
}

// x86Line renders an op for AVX-512 (k: masks are K registers) or AVX2
// (masks are vectors), in Go's operand order (sources reversed, then the
// destination).
func x86Line(avx512 bool) func(op, d, a, b string, _ bool) string {
	suf := "" // the integer and bitwise ops' element size suffix
	if avx512 {
		suf = "D"
	}
	return func(op, d, a, b string, _ bool) string {
		switch op {
		case "add", "sub", "mul", "div":
			bcst := ""
			if strings.Contains(b, "(") {
				bcst = ".BCST"
			}
			return fmt.Sprintf("V%sPS%s %s, %s, %s", strings.ToUpper(op), bcst, b, a, d)
		case "and", "or":
			return fmt.Sprintf("VP%s%s %s, %s, %s", strings.ToUpper(op), suf, b, a, d)
		case "andn": // VPANDN: dst = ^src1 & src2
			return fmt.Sprintf("VPANDN%s %s, %s, %s", suf, a, b, d)
		case "sra31":
			return fmt.Sprintf("VPSRAD $31, %s, %s", a, d)
		case "shl23":
			return fmt.Sprintf("VPSLLD $23, %s, %s", a, d)
		case "cvt":
			return fmt.Sprintf("VCVTTPS2DQ %s, %s", a, d)
		case "iadd":
			return fmt.Sprintf("VPADDD %s, %s, %s", b, a, d)
		case "gt":
			return fmt.Sprintf("VCMPPS $0x1e, %s, %s, %s", b, a, d) // GT_OQ
		case "nan":
			return fmt.Sprintf("VCMPPS $3, %s, %s, %s", a, a, d) // UNORD_Q
		case "sel":
			if avx512 {
				return fmt.Sprintf("VMOVAPS %s, %s, %s", b, a, d)
			}
			return fmt.Sprintf("VBLENDVPS %s, %s, %s, %s", a, b, d, d)
		case "zero":
			if avx512 {
				return fmt.Sprintf("VMOVAPS Z29, %s, %s", a, d) // Z29 is zero
			}
			return fmt.Sprintf("VANDNPS %s, %s, %s", d, a, d)
		}
		panic("asmgen: unknown GELU op " + op)
	}
}

// armLine renders an op for NEON with the pseudo-instructions of arm64.go.
func armLine(op, d, a, b string, inverted bool) string {
	ops := map[string]string{"add": "FADD4", "sub": "FSUB4", "mul": "FMUL4", "div": "FDIV4",
		"and": "AND16", "or": "ORR16", "andn": "BIC16", "iadd": "IADD4", "gt": "FCMGT4"}
	if o, ok := ops[op]; ok {
		return fmt.Sprintf("%s %s, %s, %s", o, d, a, b)
	}
	switch op {
	case "sra31":
		return fmt.Sprintf("SSHR31 %s, %s", d, a)
	case "shl23":
		return fmt.Sprintf("SHL23 %s, %s", d, a)
	case "cvt":
		return fmt.Sprintf("FCVTZS4 %s, %s", d, a)
	case "nan": // FCMEQ: the lanes that are not NaN (see invertsNaN)
		return fmt.Sprintf("FCMEQ4 %s, %s, %s", d, a, a)
	case "sel":
		if inverted {
			return fmt.Sprintf("BIF16 %s, %s, %s", d, b, a)
		}
		return fmt.Sprintf("BIT16 %s, %s, %s", d, b, a)
	case "zero":
		return fmt.Sprintf("BIC16 %s, %s, %s", d, d, a)
	}
	panic("asmgen: unknown GELU op " + op)
}
