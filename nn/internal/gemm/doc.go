// Package gemm is a float32 matrix multiply (SGEMM) for mlptui, in pure Go
// and Go assembly (no cgo).
//
// # What it computes
//
// [Sgemm] computes C = alpha*op(A)*op(B) + beta*C with BLAS semantics on
// row-major matrices, where op(X) is X or Xᵀ. op(A) is m×k, op(B) is k×n and
// C is m×n. beta == 0 means C is only written, never read, so NaNs already
// in C do not propagate. It is safe to call from several goroutines at once.
//
// # Blocking scheme
//
// The product is computed BLIS-style. With row-major C the micro-kernel keeps
// an mr×nr tile of C in vector registers, nr along the rows of C (vector
// loads of B) and mr broadcasts of A per k step. The loops are, from the
// outside in:
//
//	pc: k in blocks of KC            (beta is applied on the first block only)
//	ic: m in blocks of MC            pack A[ic:ic+MC, pc:pc+KC] into mr-row micro-panels (L3, scaled by alpha)
//	jc: n in blocks of NC            pack B[pc:pc+KC, jc:jc+NC] into nr-column micro-panels (L2)
//	ir: MC in steps of mr            the A micro-panel (mr×KC) stays in L1
//	jr: NC in steps of nr            the B micro-panels stream from L2
//	    micro-kernel: C[ir:ir+mr, jr:jr+nr] (+)= Ap·Bp
//
// The packing routines handle all four transpose combinations (a row-by-row
// copy for one layout, an 8×8 AVX or 4×4 NEON transpose for the other), so
// the kernels only ever see packed panels. While the kernels run on one B
// block, the source rows of the next one are prefetched a few at a time, so packing
// rarely waits on memory. Block sizes are balanced so that the last block in
// each dimension is not tiny. Tiles at the right and bottom edges are
// computed into a small buffer and added to C by scalar code. When n is much
// smaller than the tile width (n = 10 with nr = 32) and m is not, Cᵀ =
// op(B)ᵀ·op(A)ᵀ is computed instead, which fills the tiles better.
//
// Block sizes (avx512 and avx2): MC = 1536, KC = 384, NC = 384, so a packed
// B block (KC×NC, 576 KiB) sits in the 1 MiB L2, an A micro-panel (12×KC,
// 18 KiB) in the 32 KiB L1, and the packed A block in L3. Measured on an AMD
// EPYC (Zen 4), the results were flat within a few percent for KC 256..768
// and NC 192..512.
//
// # Kernels
//
//   - "avx512": 12×32 tile in 24 zmm accumulators (AVX-512F).
//   - "avx2": 6×16 tile in 12 ymm accumulators (AVX2 + FMA).
//   - "neon": 8×12 tile in 24 of the 32 128-bit registers of arm64, FMLA by
//     element (each k step loads 8 values of A into two registers and 3
//     vectors of B, then does 24 FMLAs); NEON packing (a 4×4 ZIP1/ZIP2
//     transpose for the transposed layout). Used on every arm64 CPU: NEON
//     is part of ARMv8-A. No arm64 machine was at hand: it is tested under
//     qemu-user and its speed is estimated in BENCHMARKS.md.
//   - "generic": 4×4 tile in portable Go (2×4 on amd64 and 386, which have
//     only 16 floating-point registers); used on other CPUs and
//     architectures and with the purego build tag.
//
// [SgemmBF16] has one more kernel, "avx512-bf16" (AVX512-BF16, chosen
// where the CPU has avx512_bf16): the 12×32 tile with VDPBF16PS (two k
// steps per instruction, so twice the float32 kernel's multiply-adds per
// cycle on Zen 4) on bfloat16 pairs, packed and rounded in assembly
// (VCVTNE2PS2BF16 + VPERMW for the copy layout, two source rows at a time
// across all the panels of a block; VCVTNEPS2BF16 and the 8×8 transpose
// for the other). Its KC counts k steps (768: 384 pairs, the same bytes
// as float32's 384). Packing weighs twice as much against this kernel, so
// a call is split among threads counting each part's packing too
// (impl.packCost). A product with m, n or k below [BF16MinDim] (32) is
// left to Sgemm in float32: such products are bound by packing and C.
//
// On Zen 4, which executes 512-bit instructions as two 256-bit halves, the
// avx2 kernel reaches about 92% of the avx512 one's peak (205 vs 224 GFLOP/s
// on two cores); the 14×32, 8×48, 6×64 and embedded-broadcast 12×32 AVX-512
// tiles (kept for BenchmarkKernelPeak/BenchmarkVariants) measured the same as
// 12×32 there. Measured results are in BENCHMARKS.md.
//
// The best kernel the CPU (and OS) supports is chosen at start-up with
// golang.org/x/sys/cpu. The environment variable MLPTUI_KERNEL=avx512|avx2|
// neon|generic overrides the choice at start-up (ignored if the CPU lacks it);
// [SetKernel] changes it at run time, [Kernel] reports it and [Kernels]
// lists what the CPU supports.
//
// # Threads
//
// A call is split into [SetThreads] parts (default runtime.GOMAXPROCS(0))
// along m or n, whichever gives the more even split in whole tiles; the parts
// run on the pool of package nn/internal/parallel (parallel.Each), which the
// element-wise work of a training step shares, plus the calling goroutine.
// Products with m*n*k below 64³ run on the calling goroutine only. Pack
// buffers belong to the parts of pooled call records, so a warm call makes
// no heap allocations.
//
// # Regenerating the assembly
//
// kernels_amd64.s and kernels_arm64.s are generated by the text generator in
// internal/asmgen (tile shapes are parameters in its kernels and neonKernels
// tables; it has no dependencies):
//
//	cd nn/internal/gemm && go generate
//
// Go's arm64 assembler has no mnemonic for FMLA and FMUL by element, so
// the generator writes them as WORD directives with the instruction in a
// comment; its tests check the encodings against llvm-mc.
//
// # Benchmarks
//
//	go test -run X -bench Sgemm ./nn/internal/gemm/                      # training-step shapes
//	MLPTUI_KERNEL=avx2 go test -run X -bench Sgemm ./nn/internal/gemm/   # force a kernel
//	go test -run X -bench 'KernelPeak|Gonum' ./nn/internal/gemm/         # ceiling, gonum
package gemm

//go:generate go run ./internal/asmgen -out kernels_amd64.s
//go:generate go run ./internal/asmgen -arch arm64 -out kernels_arm64.s
