package vec

import (
	"os"
	"runtime"
	"testing"

	"golang.org/x/sys/cpu"
)

// TestKernelChosen says which kernels this build chose at start-up and
// checks they are the best the CPU has: neon on every arm64 CPU, avx512 or
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
			case cpu.X86.HasAVX512F:
				want = "avx512"
			case cpu.X86.HasAVX2:
				want = "avx2"
			}
		}
	}
	t.Logf("GOARCH=%s purego=%v: kernels %q chosen, supported %v", runtime.GOARCH, purego, Kernel(), Kernels())
	if got := Kernel(); got != want {
		t.Errorf("chosen kernels %q, want %q", got, want)
	}
}
