package main

import (
	"strings"
	"testing"
)

// TestBenchBadFlags: every bad bench flag is one line naming it, exit 2,
// before anything is measured.
func TestBenchBadFlags(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--step-dropout", "1"}, "--step-dropout 1: want a probability in [0, 1)"},
		{[]string{"--step-dropout", "-0.1"}, "--step-dropout -0.1: want a probability in [0, 1)"},
		{[]string{"--step-dropout", "NaN"}, "--step-dropout NaN: want a probability in [0, 1)"},
		{[]string{"--steps", "0"}, "--step-batch 1024 --steps 0: want positive sizes"},
		{[]string{"--network", "3072"}, "--network 3072: want at least an input and an output width"},
		{[]string{"--network", "3072-x-10"}, "--network 3072-x-10: want layer widths"},
		{[]string{"--batch", "0"}, "--batch 0: want batch sizes"},
		{[]string{"--precision", "fp16"}, "--precision fp16: want float32, bf16 or both"},
		{[]string{"--kernel", "sse"}, `--kernel sse: gemm: unknown kernel "sse"`},
	} {
		code, out, errs := call(t, append([]string{"bench"}, c.args...)...)
		if code != exitUsage || !strings.Contains(errs, c.want) || strings.Count(strings.TrimSpace(errs), "\n") != 0 || out != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 and one line with %q", c.args, code, out, errs, c.want)
		}
	}
}
