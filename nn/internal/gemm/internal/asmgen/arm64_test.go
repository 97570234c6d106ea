package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestElemEncodings checks the by-element encoders against encodings
// printed by LLVM's assembler (llvm-mc -triple=aarch64 -show-encoding).
func TestElemEncodings(t *testing.T) {
	cases := []struct {
		name    string
		got     uint32
		want    uint32
		asmText string
	}{
		{"fmla", fmlaElem(0, 1, 2, 0), 0x4f821020, "fmla v0.4s, v1.4s, v2.s[0]"},
		{"fmla", fmlaElem(31, 17, 1, 3), 0x4fa11a3f, "fmla v31.4s, v17.4s, v1.s[3]"},
		{"fmul", fmulElem(3, 4, 31, 0), 0x4f9f9083, "fmul v3.4s, v4.4s, v31.s[0]"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s: encoded %#08x, want %#08x", c.asmText, c.got, c.want)
		}
	}
}

// TestElemEncodingsLLVM assembles every register and index combination the
// generator can use with llvm-mc, when it is installed, and compares.
func TestElemEncodingsLLVM(t *testing.T) {
	mc, err := exec.LookPath("llvm-mc")
	if err != nil {
		t.Skip("llvm-mc not installed: encodings checked against the fixed table only")
	}
	var src strings.Builder
	var want []uint32
	for d := 0; d < 32; d += 3 {
		for n := 0; n < 32; n += 5 {
			for m := 0; m < 32; m += 7 {
				for idx := 0; idx < 4; idx++ {
					fmt.Fprintf(&src, "fmla v%d.4s, v%d.4s, v%d.s[%d]\n", d, n, m, idx)
					want = append(want, fmlaElem(d, n, m, idx))
					fmt.Fprintf(&src, "fmul v%d.4s, v%d.4s, v%d.s[%d]\n", d, n, m, idx)
					want = append(want, fmulElem(d, n, m, idx))
				}
			}
		}
	}
	cmd := exec.Command(mc, "-triple=aarch64", "-show-encoding")
	cmd.Stdin = strings.NewReader(src.String())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("llvm-mc: %v\n%s", err, out)
	}
	re := regexp.MustCompile(`encoding: \[0x(..),0x(..),0x(..),0x(..)\]`)
	ms := re.FindAllStringSubmatch(string(out), -1)
	if len(ms) != len(want) {
		t.Fatalf("llvm-mc printed %d encodings, want %d", len(ms), len(want))
	}
	lines := strings.Split(src.String(), "\n")
	for i, m := range ms {
		var w uint32
		for b := 4; b >= 1; b-- { // little-endian bytes
			v, _ := strconv.ParseUint(m[b], 16, 8)
			w = w<<8 | uint32(v)
		}
		if w != want[i] {
			t.Errorf("%s: encoded %#08x, llvm-mc %#08x", lines[i], want[i], w)
		}
	}
}

// TestARM64Fresh checks that kernels_arm64.s is what the generator writes.
func TestARM64Fresh(t *testing.T) {
	have, err := os.ReadFile("../../kernels_arm64.s")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(have, genARM64()) {
		t.Error("kernels_arm64.s is stale: run go generate in nn/internal/gemm")
	}
}
