//go:build !(amd64 || arm64) || purego

package vec

// asmKernels returns the assembly kernels this CPU supports: none without
// amd64 or arm64 assembly.
func asmKernels() []*kernel { return nil }
