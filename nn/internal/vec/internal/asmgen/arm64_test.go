package main

import (
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestARMEncodings checks the vector encodings against ones printed by
// LLVM's assembler (llvm-mc -triple=aarch64 -show-encoding).
func TestARMEncodings(t *testing.T) {
	for _, c := range []struct {
		op      string
		d, n, m int
		want    uint32
	}{
		{"FMUL4", 3, 4, 5, 0x6e25dc83},
		{"FADD4", 3, 4, 5, 0x4e25d483},
		{"FSUB4", 3, 4, 5, 0x4ea5d483},
		{"FDIV4", 3, 4, 5, 0x6e25fc83},
		{"FSQRT4", 3, 4, 0, 0x6ea1f883},
	} {
		if got := armEncode(c.op, c.d, c.n, c.m); got != c.want {
			t.Errorf("%s V%d, V%d, V%d: %#08x, want %#08x", c.op, c.d, c.n, c.m, got, c.want)
		}
	}
}

// TestARMEncodingsLLVM assembles many operand combinations with llvm-mc,
// when it is installed, and compares.
func TestARMEncodingsLLVM(t *testing.T) {
	mc, err := exec.LookPath("llvm-mc")
	if err != nil {
		t.Skip("llvm-mc not installed: encodings checked against the fixed table only")
	}
	var src strings.Builder
	var want []uint32
	for _, op := range []string{"FADD4", "FSUB4", "FMUL4", "FDIV4", "FSQRT4"} {
		for d := 0; d < 32; d += 3 {
			for n := 0; n < 32; n += 5 {
				for m := 0; m < 32; m += 7 {
					ins := strings.ToLower(strings.TrimSuffix(op, "4"))
					if op == "FSQRT4" {
						fmt.Fprintf(&src, "%s v%d.4s, v%d.4s\n", ins, d, n)
					} else {
						fmt.Fprintf(&src, "%s v%d.4s, v%d.4s, v%d.4s\n", ins, d, n, m)
					}
					want = append(want, armEncode(op, d, n, m))
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
	ms := regexp.MustCompile(`encoding: \[0x(..),0x(..),0x(..),0x(..)\]`).FindAllStringSubmatch(string(out), -1)
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

// TestARMOps: every pseudo-instruction of the templates is translated.
func TestARMOps(t *testing.T) {
	for _, u := range armUpdates {
		if s := armOps(u.body); strings.Contains(s, "4 V") {
			t.Errorf("%s: untranslated pseudo-instruction left:\n%s", u.name, s)
		}
	}
}
