//go:build amd64 && !purego

package vec

import "golang.org/x/sys/cpu"

// adamAVX512 and adamAVX2 are Adam.Update over n elements, n a multiple of
// 16 and 8 respectively (kernels_amd64.s).
//
//go:noescape
func adamAVX512(p, grad, m, v *float32, n int, a *Adam)

//go:noescape
func adamAVX2(p, grad, m, v *float32, n int, a *Adam)

// sgd*AVX512 and sgd*AVX2 are SGD.Update over n elements, n a multiple of
// 16 and 8: without momentum, with it, and with Nesterov's.
//
//go:noescape
func sgdAVX512(p, grad *float32, n int, s *SGD)

//go:noescape
func sgdMomentumAVX512(p, grad, vel *float32, n int, s *SGD)

//go:noescape
func sgdNesterovAVX512(p, grad, vel *float32, n int, s *SGD)

//go:noescape
func sgdAVX2(p, grad *float32, n int, s *SGD)

//go:noescape
func sgdMomentumAVX2(p, grad, vel *float32, n int, s *SGD)

//go:noescape
func sgdNesterovAVX2(p, grad, vel *float32, n int, s *SGD)

// geluAVX512 and geluAVX2 are GELU over n elements, n a multiple of 16
// and 8.
//
//go:noescape
func geluAVX512(y, d, x *float32, n int, c *[32]float32)

//go:noescape
func geluAVX2(y, d, x *float32, n int, c *[32]float32)

// asmKernels returns the assembly kernels this CPU (and OS) supports, best
// first. x/sys/cpu only reports AVX and AVX-512 when the OS saves their
// registers.
func asmKernels() []*kernel {
	var s []*kernel
	if cpu.X86.HasAVX512F {
		s = append(s, &kernel{name: "avx512", width: 16, adam: adamAVX512,
			sgd: sgdAVX512, momentum: sgdMomentumAVX512, nesterov: sgdNesterovAVX512, gelu: geluAVX512})
	}
	if cpu.X86.HasAVX2 {
		s = append(s, &kernel{name: "avx2", width: 8, adam: adamAVX2,
			sgd: sgdAVX2, momentum: sgdMomentumAVX2, nesterov: sgdNesterovAVX2, gelu: geluAVX2})
	}
	return s
}
