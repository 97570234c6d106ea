//go:build !amd64 || purego

package vec

// asmKernels returns the assembly kernels this CPU supports: none without
// amd64 assembly.
func asmKernels() []*kernel { return nil }
