package termsafe

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"setosa", "setosa"},
		{"chat noir é 猫", "chat noir é 猫"},
		{"a\x1b]0;TITLE\ab", `a\x1b]0;TITLE\x07b`},
		{"x\x1b[2Jy", `x\x1b[2Jy`},
		{"tab\tnew\nline\r", `tab\x09new\x0aline\x0d`},
		{"nul\x00del\x7f", `nul\x00del\x7f`},
		{"c1 \u009b2J", `c1 \u009b2J`},
		{"bidi \u202eevil", `bidi \u202eevil`},
		{"iso \u2066x\u2069", `iso \u2066x\u2069`},
		{"sep\u2028", `sep\u2028`},
		{"bad \xff\xfe utf8", `bad \xff\xfe utf8`},
		{"cut \xe2\x82", `cut \xe2\x82`},
		{`back\slash`, `back\slash`},
	}
	for _, tt := range tests {
		if got := String(tt.in); got != tt.want {
			t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if Safe(tt.in) != (tt.in == tt.want) {
			t.Errorf("Safe(%q) = %v, want %v", tt.in, Safe(tt.in), tt.in == tt.want)
		}
	}
}

// checkInert fails unless String(in) is valid UTF-8 without a character
// a terminal acts on, and Safe agrees with it.
func checkInert(t *testing.T, in string) {
	t.Helper()
	out := String(in)
	if !utf8.ValidString(out) {
		t.Fatalf("String(%q) = %q: not valid UTF-8", in, out)
	}
	for _, r := range out {
		if unsafeRune(r) {
			t.Fatalf("String(%q) = %q holds %U", in, out, r)
		}
	}
	if Safe(in) != (out == in) {
		t.Fatalf("Safe(%q) = %v but String gives %q", in, Safe(in), out)
	}
}

// TestEveryByteAndRune: no output of String holds a character a terminal
// acts on, for every single byte and for every rune up to U+FFFF.
func TestEveryByteAndRune(t *testing.T) {
	for c := 0; c < 256; c++ {
		checkInert(t, string([]byte{byte(c)}))
	}
	for r := rune(0); r < 0x10000; r++ {
		checkInert(t, string(r))
	}
}

func FuzzString(f *testing.F) {
	f.Add("a\x1b]0;T\a")
	f.Add("\xc2\x9b\xff")
	f.Fuzz(checkInert)
}

func TestFprintf(t *testing.T) {
	var b strings.Builder
	Fprintf(&b, "%s\t%v %d %q\n", "a\x1b[2Jb", errors.New("e\a"), 7, "q")
	if got, want := b.String(), "a\\x1b[2Jb\te\\x07 7 \"q\"\n"; got != want {
		t.Errorf("Fprintf wrote %q, want %q", got, want)
	}
	if got := Sprintf("%s", stringer("x\u009by")); got != `x\u009by` {
		t.Errorf("Sprintf of a Stringer: %q", got)
	}
}

type stringer string

func (s stringer) String() string { return string(s) }
