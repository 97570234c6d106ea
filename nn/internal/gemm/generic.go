package gemm

import (
	"runtime"
	"unsafe"
)

// genericImpl is the portable kernel: a 4×4 register tile in plain Go, or
// 2×4 where there are only 16 floating-point registers (amd64, 386).
var genericImpl = newGenericImpl(runtime.GOARCH)

func newGenericImpl(goarch string) impl {
	im := impl{name: "generic", mr: 4, nr: 4, mc: 256, kc: 256, nc: 1024, kern: kernGeneric4x4}
	if goarch == "amd64" || goarch == "386" {
		im.mr, im.kern = 2, kernGeneric2x4
	}
	return im
}

// kernGeneric4x4 is the portable 4×4 micro-kernel (see kernelFunc).
func kernGeneric4x4(kc int, a, b, c *float32, ldc int, beta float32, flag int) {
	as := unsafe.Slice(a, 4*kc)
	bs := unsafe.Slice(b, 4*kc)
	var c00, c01, c02, c03 float32
	var c10, c11, c12, c13 float32
	var c20, c21, c22, c23 float32
	var c30, c31, c32, c33 float32
	for len(as) >= 4 && len(bs) >= 4 {
		a0, a1, a2, a3 := as[0], as[1], as[2], as[3]
		b0, b1, b2, b3 := bs[0], bs[1], bs[2], bs[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		c20 += a2 * b0
		c21 += a2 * b1
		c22 += a2 * b2
		c23 += a2 * b3
		c30 += a3 * b0
		c31 += a3 * b1
		c32 += a3 * b2
		c33 += a3 * b3
		as = as[4:]
		bs = bs[4:]
	}
	cs := unsafe.Slice(c, 3*ldc+4)
	r0 := cs[0:4:4]
	r1 := cs[ldc : ldc+4 : ldc+4]
	r2 := cs[2*ldc : 2*ldc+4 : 2*ldc+4]
	r3 := cs[3*ldc : 3*ldc+4 : 3*ldc+4]
	if flag != 0 {
		c00 += beta * r0[0]
		c01 += beta * r0[1]
		c02 += beta * r0[2]
		c03 += beta * r0[3]
		c10 += beta * r1[0]
		c11 += beta * r1[1]
		c12 += beta * r1[2]
		c13 += beta * r1[3]
		c20 += beta * r2[0]
		c21 += beta * r2[1]
		c22 += beta * r2[2]
		c23 += beta * r2[3]
		c30 += beta * r3[0]
		c31 += beta * r3[1]
		c32 += beta * r3[2]
		c33 += beta * r3[3]
	}
	r0[0], r0[1], r0[2], r0[3] = c00, c01, c02, c03
	r1[0], r1[1], r1[2], r1[3] = c10, c11, c12, c13
	r2[0], r2[1], r2[2], r2[3] = c20, c21, c22, c23
	r3[0], r3[1], r3[2], r3[3] = c30, c31, c32, c33
}

// kernGeneric2x4 is the portable 2×4 micro-kernel (see kernelFunc), for
// machines with 16 floating-point registers (amd64), where the 16
// accumulators of the 4×4 kernel spill to the stack.
func kernGeneric2x4(kc int, a, b, c *float32, ldc int, beta float32, flag int) {
	as := unsafe.Slice(a, 2*kc)
	bs := unsafe.Slice(b, 4*kc)
	var c00, c01, c02, c03 float32
	var c10, c11, c12, c13 float32
	for len(as) >= 2 && len(bs) >= 4 {
		a0, a1 := as[0], as[1]
		b0, b1, b2, b3 := bs[0], bs[1], bs[2], bs[3]
		c00 += a0 * b0
		c01 += a0 * b1
		c02 += a0 * b2
		c03 += a0 * b3
		c10 += a1 * b0
		c11 += a1 * b1
		c12 += a1 * b2
		c13 += a1 * b3
		as = as[2:]
		bs = bs[4:]
	}
	cs := unsafe.Slice(c, ldc+4)
	r0 := cs[0:4:4]
	r1 := cs[ldc : ldc+4 : ldc+4]
	if flag != 0 {
		c00 += beta * r0[0]
		c01 += beta * r0[1]
		c02 += beta * r0[2]
		c03 += beta * r0[3]
		c10 += beta * r1[0]
		c11 += beta * r1[1]
		c12 += beta * r1[2]
		c13 += beta * r1[3]
	}
	r0[0], r0[1], r0[2], r0[3] = c00, c01, c02, c03
	r1[0], r1[1], r1[2], r1[3] = c10, c11, c12, c13
}
