// Package termsafe makes text that came from outside mlptui (a file, a
// folder name, a model's metadata, a run's summary) safe to print on a
// terminal or draw in the dashboard.
//
// A terminal acts on control characters: ESC starts a sequence that can
// clear the screen, move the cursor or set the window title, BEL rings,
// a C1 character such as U+009B is a CSI of its own, and a bidirectional
// override reorders what follows. [String] shows each of these escaped,
// the way Go writes it in a string literal (`\x1b`, `\u009b`, `\u202e`),
// so that what is printed is what the file holds, and inert. JSON output
// keeps the exact string: it does not go through this package.
package termsafe

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// String returns s with every control character escaped: C0 (U+0000 to
// U+001F, including tab and newline), DEL, C1 (U+0080 to U+009F), the
// bidirectional formatting characters (U+200E, U+200F, U+202A to U+202E,
// U+2066 to U+2069), the line and paragraph separators, and each byte
// that is not valid UTF-8 (as `\xff`). A string without any is returned
// as it is.
func String(s string) string {
	i := firstUnsafe(s)
	if i < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			writeByte(&b, s[i])
		case unsafeRune(r):
			if r < utf8.RuneSelf {
				writeByte(&b, byte(r))
			} else {
				b.WriteString(`\u`)
				h := strconv.FormatInt(int64(r), 16)
				b.WriteString(strings.Repeat("0", 4-len(h)))
				b.WriteString(h)
			}
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// Strings applies [String] to each element, into a new slice.
func Strings(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = String(s)
	}
	return out
}

// Safe reports whether s prints as it is: String(s) == s.
func Safe(s string) bool { return firstUnsafe(s) < 0 }

const hexDigits = "0123456789abcdef"

func writeByte(b *strings.Builder, c byte) {
	b.WriteString(`\x`)
	b.WriteByte(hexDigits[c>>4])
	b.WriteByte(hexDigits[c&15])
}

// firstUnsafe returns the index of the first byte of s that String
// escapes, or -1.
func firstUnsafe(s string) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == 0x7f {
				return i
			}
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && n == 1) || unsafeRune(r) {
			return i
		}
		i += n
	}
	return -1
}

// unsafeRune reports whether a terminal may act on r rather than show it.
func unsafeRune(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	case r == 0x2028, r == 0x2029:
		return true
	}
	return false
}

// Args returns args with each string, error and fmt.Stringer replaced by
// its text through [String]; numbers and other values are kept.
func Args(args []any) []any {
	out := make([]any, len(args))
	for i, a := range args {
		switch v := a.(type) {
		case string:
			out[i] = String(v)
		case error:
			out[i] = String(v.Error())
		case fmt.Stringer:
			out[i] = String(v.String())
		default:
			out[i] = a
		}
	}
	return out
}

// Fprintf is fmt.Fprintf with every string, error and Stringer argument
// passed through [String]; the format, which is the program's own text,
// is kept as it is (its tabs and newlines included).
func Fprintf(w io.Writer, format string, args ...any) (int, error) {
	return fmt.Fprintf(w, format, Args(args)...)
}

// Sprintf is fmt.Sprintf with its arguments made safe as by [Fprintf].
func Sprintf(format string, args ...any) string {
	return fmt.Sprintf(format, Args(args)...)
}
