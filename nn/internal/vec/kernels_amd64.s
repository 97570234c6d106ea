// Code written by hand: the Adam and SGD updates of vec.go, 16 (AVX-512)
// or 8 (AVX2) parameters at a time, with the same operations in the same
// order as the portable code and no fused multiply-add, so the results are
// the same bits.

//go:build amd64 && !purego

#include "textflag.h"

// func adamAVX512(p, grad, m, v *float32, n int, a *Adam)
TEXT ·adamAVX512(SB), NOSPLIT, $0-48
	MOVQ p+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ m+16(FP), R8
	MOVQ v+24(FP), R9
	MOVQ n+32(FP), CX
	MOVQ a+40(FP), AX
	VBROADCASTSS 0(AX), Z10 // B1
	VBROADCASTSS 4(AX), Z11 // B2
	VBROADCASTSS 8(AX), Z12 // C1
	VBROADCASTSS 12(AX), Z13 // C2
	VBROADCASTSS 16(AX), Z14 // Step
	VBROADCASTSS 20(AX), Z15 // ISB2
	VBROADCASTSS 24(AX), Z6 // Eps
	XORQ BX, BX

loop512:
	CMPQ BX, CX
	JGE done512
	VMOVUPS (SI)(BX*4), Z0 // g
	VMULPS (R8)(BX*4), Z10, Z1 // B1·m
	VMULPS Z0, Z12, Z2 // C1·g
	VADDPS Z2, Z1, Z1 // m
	VMULPS (R9)(BX*4), Z11, Z3 // B2·v
	VMULPS Z0, Z13, Z4 // C2·g
	VMULPS Z0, Z4, Z4 // C2·g·g
	VADDPS Z4, Z3, Z3 // v
	VMOVUPS Z1, (R8)(BX*4)
	VMOVUPS Z3, (R9)(BX*4)
	VSQRTPS Z3, Z5
	VMULPS Z15, Z5, Z5 // sqrt(v)·ISB2
	VADDPS Z6, Z5, Z5 // + Eps
	VMULPS Z1, Z14, Z7 // Step·m
	VDIVPS Z5, Z7, Z7 // Step·m / (sqrt(v)·ISB2 + Eps)
	VMOVUPS (DI)(BX*4), Z0
	VSUBPS Z7, Z0, Z0
	VMOVUPS Z0, (DI)(BX*4)
	ADDQ $16, BX
	JMP loop512

done512:
	VZEROUPPER
	RET

// func adamAVX2(p, grad, m, v *float32, n int, a *Adam)
TEXT ·adamAVX2(SB), NOSPLIT, $0-48
	MOVQ p+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ m+16(FP), R8
	MOVQ v+24(FP), R9
	MOVQ n+32(FP), CX
	MOVQ a+40(FP), AX
	VBROADCASTSS 0(AX), Y10 // B1
	VBROADCASTSS 4(AX), Y11 // B2
	VBROADCASTSS 8(AX), Y12 // C1
	VBROADCASTSS 12(AX), Y13 // C2
	VBROADCASTSS 16(AX), Y14 // Step
	VBROADCASTSS 20(AX), Y15 // ISB2
	VBROADCASTSS 24(AX), Y6 // Eps
	XORQ BX, BX

loop256:
	CMPQ BX, CX
	JGE done256
	VMOVUPS (SI)(BX*4), Y0 // g
	VMULPS (R8)(BX*4), Y10, Y1 // B1·m
	VMULPS Y0, Y12, Y2 // C1·g
	VADDPS Y2, Y1, Y1 // m
	VMULPS (R9)(BX*4), Y11, Y3 // B2·v
	VMULPS Y0, Y13, Y4 // C2·g
	VMULPS Y0, Y4, Y4 // C2·g·g
	VADDPS Y4, Y3, Y3 // v
	VMOVUPS Y1, (R8)(BX*4)
	VMOVUPS Y3, (R9)(BX*4)
	VSQRTPS Y3, Y5
	VMULPS Y15, Y5, Y5 // sqrt(v)·ISB2
	VADDPS Y6, Y5, Y5 // + Eps
	VMULPS Y1, Y14, Y7 // Step·m
	VDIVPS Y5, Y7, Y7 // Step·m / (sqrt(v)·ISB2 + Eps)
	VMOVUPS (DI)(BX*4), Y0
	VSUBPS Y7, Y0, Y0
	VMOVUPS Y0, (DI)(BX*4)
	ADDQ $8, BX
	JMP loop256

done256:
	VZEROUPPER
	RET

// func sgdAVX512(p, grad *float32, n int, s *SGD)
TEXT ·sgdAVX512(SB), NOSPLIT, $0-32
	MOVQ p+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ s+24(FP), AX
	VBROADCASTSS 0(AX), Z10 // LR
	XORQ BX, BX

loopp512:
	CMPQ BX, CX
	JGE donep512
	VMULPS (SI)(BX*4), Z10, Z1 // LR·g
	VMOVUPS (DI)(BX*4), Z0
	VSUBPS Z1, Z0, Z0
	VMOVUPS Z0, (DI)(BX*4)
	ADDQ $16, BX
	JMP loopp512

donep512:
	VZEROUPPER
	RET

// func sgdMomentumAVX512(p, grad, vel *float32, n int, s *SGD)
TEXT ·sgdMomentumAVX512(SB), NOSPLIT, $0-40
	MOVQ p+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ vel+16(FP), R8
	MOVQ n+24(FP), CX
	MOVQ s+32(FP), AX
	VBROADCASTSS 0(AX), Z10 // LR
	VBROADCASTSS 4(AX), Z11 // Mu
	XORQ BX, BX

loopm512:
	CMPQ BX, CX
	JGE donem512
	VMOVUPS (SI)(BX*4), Z0 // g
	VMULPS (R8)(BX*4), Z11, Z1 // Mu·vel
	VADDPS Z0, Z1, Z1 // b = Mu·vel + g
	VMOVUPS Z1, (R8)(BX*4)
	VMULPS Z1, Z10, Z1 // LR·step
	VMOVUPS (DI)(BX*4), Z2
	VSUBPS Z1, Z2, Z2
	VMOVUPS Z2, (DI)(BX*4)
	ADDQ $16, BX
	JMP loopm512

donem512:
	VZEROUPPER
	RET

// func sgdNesterovAVX512(p, grad, vel *float32, n int, s *SGD)
TEXT ·sgdNesterovAVX512(SB), NOSPLIT, $0-40
	MOVQ p+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ vel+16(FP), R8
	MOVQ n+24(FP), CX
	MOVQ s+32(FP), AX
	VBROADCASTSS 0(AX), Z10 // LR
	VBROADCASTSS 4(AX), Z11 // Mu
	XORQ BX, BX

loopn512:
	CMPQ BX, CX
	JGE donen512
	VMOVUPS (SI)(BX*4), Z0 // g
	VMULPS (R8)(BX*4), Z11, Z1 // Mu·vel
	VADDPS Z0, Z1, Z1 // b = Mu·vel + g
	VMOVUPS Z1, (R8)(BX*4)
	VMULPS Z1, Z11, Z1 // Mu·b
	VADDPS Z1, Z0, Z1 // g + Mu·b
	VMULPS Z1, Z10, Z1 // LR·step
	VMOVUPS (DI)(BX*4), Z2
	VSUBPS Z1, Z2, Z2
	VMOVUPS Z2, (DI)(BX*4)
	ADDQ $16, BX
	JMP loopn512

donen512:
	VZEROUPPER
	RET

// func sgdAVX2(p, grad *float32, n int, s *SGD)
TEXT ·sgdAVX2(SB), NOSPLIT, $0-32
	MOVQ p+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ n+16(FP), CX
	MOVQ s+24(FP), AX
	VBROADCASTSS 0(AX), Y10 // LR
	XORQ BX, BX

loopp256:
	CMPQ BX, CX
	JGE donep256
	VMULPS (SI)(BX*4), Y10, Y1 // LR·g
	VMOVUPS (DI)(BX*4), Y0
	VSUBPS Y1, Y0, Y0
	VMOVUPS Y0, (DI)(BX*4)
	ADDQ $8, BX
	JMP loopp256

donep256:
	VZEROUPPER
	RET

// func sgdMomentumAVX2(p, grad, vel *float32, n int, s *SGD)
TEXT ·sgdMomentumAVX2(SB), NOSPLIT, $0-40
	MOVQ p+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ vel+16(FP), R8
	MOVQ n+24(FP), CX
	MOVQ s+32(FP), AX
	VBROADCASTSS 0(AX), Y10 // LR
	VBROADCASTSS 4(AX), Y11 // Mu
	XORQ BX, BX

loopm256:
	CMPQ BX, CX
	JGE donem256
	VMOVUPS (SI)(BX*4), Y0 // g
	VMULPS (R8)(BX*4), Y11, Y1 // Mu·vel
	VADDPS Y0, Y1, Y1 // b = Mu·vel + g
	VMOVUPS Y1, (R8)(BX*4)
	VMULPS Y1, Y10, Y1 // LR·step
	VMOVUPS (DI)(BX*4), Y2
	VSUBPS Y1, Y2, Y2
	VMOVUPS Y2, (DI)(BX*4)
	ADDQ $8, BX
	JMP loopm256

donem256:
	VZEROUPPER
	RET

// func sgdNesterovAVX2(p, grad, vel *float32, n int, s *SGD)
TEXT ·sgdNesterovAVX2(SB), NOSPLIT, $0-40
	MOVQ p+0(FP), DI
	MOVQ grad+8(FP), SI
	MOVQ vel+16(FP), R8
	MOVQ n+24(FP), CX
	MOVQ s+32(FP), AX
	VBROADCASTSS 0(AX), Y10 // LR
	VBROADCASTSS 4(AX), Y11 // Mu
	XORQ BX, BX

loopn256:
	CMPQ BX, CX
	JGE donen256
	VMOVUPS (SI)(BX*4), Y0 // g
	VMULPS (R8)(BX*4), Y11, Y1 // Mu·vel
	VADDPS Y0, Y1, Y1 // b = Mu·vel + g
	VMOVUPS Y1, (R8)(BX*4)
	VMULPS Y1, Y11, Y1 // Mu·b
	VADDPS Y1, Y0, Y1 // g + Mu·b
	VMULPS Y1, Y10, Y1 // LR·step
	VMOVUPS (DI)(BX*4), Y2
	VSUBPS Y1, Y2, Y2
	VMOVUPS Y2, (DI)(BX*4)
	ADDQ $8, BX
	JMP loopn256

donen256:
	VZEROUPPER
	RET
