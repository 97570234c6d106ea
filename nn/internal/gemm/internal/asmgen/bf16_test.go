package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestEVEXAgainstGNUAs assembles the three instructions with GNU as, for
// every register in each operand position, and compares its bytes with
// the encoder's. It is skipped where as and objcopy are not installed.
func TestEVEXAgainstGNUAs(t *testing.T) {
	as, err1 := exec.LookPath("as")
	objcopy, err2 := exec.LookPath("objcopy")
	if err1 != nil || err2 != nil {
		t.Skip("GNU as/objcopy not installed")
	}
	var src strings.Builder
	var want []byte
	for r := 0; r < 32; r++ {
		o1, o2, o3 := r, (r+7)%32, (r+19)%32
		// AT&T order is reversed: sources first, destination last.
		fmt.Fprintf(&src, "vdpbf16ps %%zmm%d, %%zmm%d, %%zmm%d\n", o3, o2, o1)
		want = append(want, vdpbf16ps(o1, o2, o3)...)
		fmt.Fprintf(&src, "vcvtne2ps2bf16 %%zmm%d, %%zmm%d, %%zmm%d\n", o3, o2, o1)
		want = append(want, vcvtne2ps2bf16(o1, o2, o3)...)
		fmt.Fprintf(&src, "vcvtneps2bf16 %%zmm%d, %%ymm%d\n", o2, o1)
		want = append(want, vcvtneps2bf16(o1, o2)...)
	}
	dir := t.TempDir()
	s, o, bin := filepath.Join(dir, "x.s"), filepath.Join(dir, "x.o"), filepath.Join(dir, "x.bin")
	if err := os.WriteFile(s, []byte(src.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(as, "-o", o, s).CombinedOutput(); err != nil {
		t.Skipf("as cannot assemble AVX512-BF16: %v %s", err, out)
	}
	if out, err := exec.Command(objcopy, "-O", "binary", "-j", ".text", o, bin).CombinedOutput(); err != nil {
		t.Fatalf("objcopy: %v %s", err, out)
	}
	got, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		for i := 0; i+6 <= len(want) && i+6 <= len(got); i += 6 {
			if !bytes.Equal(got[i:i+6], want[i:i+6]) {
				t.Fatalf("instruction %d: GNU as % x, encoder % x", i/6, got[i:i+6], want[i:i+6])
			}
		}
		t.Fatalf("lengths: GNU as %d bytes, encoder %d", len(got), len(want))
	}
}

// TestEVEXKnown checks encodings read from objdump (binutils 2.40), so the
// encoder is tested where GNU as is missing too.
func TestEVEXKnown(t *testing.T) {
	for _, c := range []struct {
		got  []byte
		want string
	}{
		{vdpbf16ps(17, 2, 25), "62 82 6e 48 52 c9"},
		{vcvtne2ps2bf16(30, 20, 9), "62 42 5f 40 72 f1"},
		{vcvtneps2bf16(3, 12), "62 d2 7e 48 72 dc"},
		{vdpbf16ps(0, 30, 31), "62 92 0e 40 52 c7"},
		{vdpbf16ps(31, 0, 0), "62 62 7e 48 52 f8"},
	} {
		if got := fmt.Sprintf("% x", c.got); got != c.want {
			t.Errorf("encoded %s, want %s", got, c.want)
		}
	}
}
