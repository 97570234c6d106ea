//go:build !(amd64 || arm64) || purego

package gemm

// asmImpls returns the assembly kernels this CPU supports: none without
// amd64 or arm64 assembly.
func asmImpls() []*impl { return nil }

// variants lists extra kernel shapes for benchmarks: none without assembly.
var variants = map[string]*impl{}

// bf16Impls returns the bfloat16 kernels of this build: none (amd64 only).
func bf16Impls() []*impl { return nil }
