package tabular

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// How a table writes its numbers: a decimal mark ('.' or ',') for the
// whole table, and per number column, optionally, a thousands separator
// (1,234,567.5 or 1.234.567,5 or 1 234 567,5).

// numbers reads the numbers of a table with decimal mark dec ('.' or
// ','), and of a column whose digit groups are separated by sep (0: not
// grouped).
type numbers struct{ dec, sep rune }

// parse parses a finite number.
func (n numbers) parse(s string) (float64, bool) {
	v, err := n.float(s, 64)
	if err != nil || v-v != 0 {
		return 0, false
	}
	return v, true
}

// float is strconv.ParseFloat of a number as n writes it: plain, or with
// n's thousands separator in well-formed groups.
func (n numbers) float(s string, bits int) (float64, error) {
	v, err := parseFloat(s, n.dec, bits)
	if err != nil && n.sep != 0 {
		if plain, sep, ok := ungroup(s, n.dec); ok && sep == n.sep {
			return strconv.ParseFloat(plain, bits)
		}
	}
	return v, err
}

// grouped parses a finite number with thousands separators, and says
// which separator it has.
func (n numbers) grouped(s string) (float64, rune, bool) {
	plain, sep, ok := ungroup(s, n.dec)
	if !ok {
		return 0, 0, false
	}
	v, ok := parseNumber(plain, '.')
	return v, sep, ok
}

// parseNumber parses a finite number written with decimal mark dec.
func parseNumber(s string, dec rune) (float64, bool) { return numbers{dec: dec}.parse(s) }

// parseFloat is strconv.ParseFloat of a number written with decimal mark
// dec: with a comma, 27,5 is 27.5 and 27.5 is not a number.
func parseFloat(s string, dec rune, bits int) (float64, error) {
	if dec == ',' {
		if strings.ContainsRune(s, '.') {
			return 0, fmt.Errorf("%q: a point in a number with a decimal comma", s)
		}
		s = strings.Replace(s, ",", ".", 1)
	}
	return strconv.ParseFloat(s, bits)
}

// thousandsSeparators are the separators of digit groups a table may use
// beside each decimal mark: 1,234.5 or 1'234.5 or 1 234.5; 1.234,5 or
// 1 234,5 (a space, a no-break space or a narrow one, as French
// spreadsheets write it) or 1'234,5.
var thousandsSeparators = map[rune]string{
	'.': ",' \u00a0\u202f",
	',': ".' \u00a0\u202f",
}

// isThousands reports whether sep separates thousands beside decimal mark
// dec.
func isThousands(sep, dec rune) bool {
	return strings.ContainsRune(thousandsSeparators[dec], sep)
}

// ungroup returns s, a number with thousands separators, as a plain
// number with a decimal point, and its separator: an optional sign, a
// first group of one to three digits (not starting with 0), one or more
// groups of three digits each after the same separator, then optionally
// the decimal mark dec and digits. Anything else (1,23 or 01,234 or
// 1,234e5) is not ok.
func ungroup(s string, dec rune) (plain string, sep rune, ok bool) {
	var b strings.Builder
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		b.WriteByte(s[i])
		i++
	}
	first := digits(s[i:])
	if first < 1 || first > 3 || s[i] == '0' {
		return "", 0, false
	}
	b.WriteString(s[i : i+first])
	i += first
	groups := 0
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == dec {
			break
		}
		if !isThousands(r, dec) || (sep != 0 && r != sep) {
			return "", 0, false
		}
		sep = r
		i += size
		if digits(s[i:]) != 3 {
			return "", 0, false
		}
		b.WriteString(s[i : i+3])
		i += 3
		groups++
	}
	if groups == 0 {
		return "", 0, false
	}
	if i < len(s) {
		i += utf8.RuneLen(dec)
		n := digits(s[i:])
		if n == 0 || i+n != len(s) {
			return "", 0, false
		}
		b.WriteString("." + s[i:])
	}
	return b.String(), sep, true
}

// digits counts the ASCII digits s starts with.
func digits(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

// oneGroup reports whether s is an integer of one group of thousands,
// 1,234 or 1.234: with either mark, the decimal one or the separator.
func oneGroup(s string) bool {
	s = strings.TrimLeft(s, "+-")
	n := digits(s)
	return n >= 1 && n <= 3 && s[0] != '0' && len(s) == n+4 && (s[n] == ',' || s[n] == '.') && digits(s[n+1:]) == 3
}

// DetectDecimal picks the decimal mark of a table's cells: a comma when
// the delimiter is not one and some cell is a number that only a decimal
// comma reads (27,5 or 0,125 or 1.234,5 or 1.234.567), none one that only
// a decimal point reads (27.5 or 1,234.5 or 1,234,567); else a point.
// 1,234 and 1.234 read either way (a decimal or a thousands separator)
// and decide nothing, nor do integers.
func DetectDecimal(recs [][]string, delim rune) rune {
	if delim == ',' {
		return '.'
	}
	comma := false
	for _, rec := range recs {
		for _, v := range rec {
			if !strings.ContainsAny(v, ".,") || oneGroup(v) {
				continue
			}
			if _, ok := parseNumber(v, ','); ok {
				comma = true
				continue
			}
			if _, ok := parseNumber(v, '.'); ok {
				return '.'
			}
			if _, _, ok := (numbers{dec: ','}).grouped(v); ok {
				comma = true
				continue
			}
			if _, _, ok := (numbers{dec: '.'}).grouped(v); ok {
				return '.'
			}
		}
	}
	if comma {
		return ','
	}
	return '.'
}
