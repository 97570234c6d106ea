package gemm

import (
	"os"
	"runtime"
	"testing"

	"golang.org/x/sys/cpu"
)

// TestKernelChosen says which kernel this build chose at start-up and
// checks it is the best the CPU has: neon on every arm64 CPU, avx512 or
// avx2 on amd64 by the CPU's features, generic under -tags purego and on
// other architectures.
func TestKernelChosen(t *testing.T) {
	if os.Getenv("MLPTUI_KERNEL") != "" {
		t.Skip("MLPTUI_KERNEL overrides the choice")
	}
	want := "generic"
	if !purego {
		switch runtime.GOARCH {
		case "arm64":
			want = "neon"
		case "amd64":
			switch {
			case cpu.X86.HasAVX512F && cpu.X86.HasAVX2 && cpu.X86.HasFMA:
				want = "avx512"
			case cpu.X86.HasAVX2 && cpu.X86.HasFMA:
				want = "avx2"
			}
		}
	}
	got := available[0].name
	t.Logf("GOARCH=%s purego=%v: kernel %q chosen (%d×%d tile), supported %v", runtime.GOARCH, purego, got, available[0].mr, available[0].nr, Kernels())
	if got != want {
		t.Errorf("chosen kernel %q, want %q", got, want)
	}
	if Kernel() != got {
		t.Errorf("Kernel() = %q, want the chosen %q", Kernel(), got)
	}
}
