package main

import (
	"fmt"
	"os/exec"
	"regexp"
	"sort"
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
		// llvm-mc -triple=aarch64 -show-encoding, for v1, v2, v3:
		{"FCMGT4", 1, 2, 3, 0x6ea3e441},
		{"FCMEQ4", 0, 0, 0, 0x4e20e400},
		{"FCVTZS4", 0, 0, 0, 0x4ea1b800},
		{"SSHR31", 0, 0, 0, 0x4f210400},
		{"SHL23", 0, 0, 0, 0x4f375400},
		{"IADD4", 0, 0, 0, 0x4ea08400},
		{"AND16", 0, 0, 0, 0x4e201c00},
		{"ORR16", 0, 0, 0, 0x4ea01c00},
		{"BIC16", 0, 0, 0, 0x4e601c00},
		{"BIT16", 0, 0, 0, 0x6ea01c00},
		{"BIF16", 0, 0, 0, 0x6ee01c00},
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
	ops := make([]string, 0, len(armOpTable))
	for op := range armOpTable {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	for _, op := range ops {
		for d := 0; d < 32; d += 3 {
			for n := 0; n < 32; n += 5 {
				for m := 0; m < 32; m += 7 {
					fmt.Fprintln(&src, armAsm(op, d, n, m))
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
		s := armOps(u.body)
		if m := armOpLine.FindAllStringSubmatch(s, -1); len(m) > 0 {
			t.Errorf("%s: untranslated pseudo-instruction left: %q", u.name, m[0][0])
		}
		if strings.Contains(s, "4 V") {
			t.Errorf("%s: untranslated pseudo-instruction left:\n%s", u.name, s)
		}
	}
}
