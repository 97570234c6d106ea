package tui

import (
	"strings"
)

// truncate cuts s to at most w cells, marking the cut with "…".
func truncate(s string, w int) string {
	if w <= 0 {
		return ""
	}
	r := []rune(s)
	if len(r) <= w {
		return s
	}
	if w == 1 {
		return "…"
	}
	return string(r[:w-1]) + "…"
}

// truncateStart cuts s to w runes by its start: "…91759-iris-a".
func truncateStart(s string, w int) string {
	r := []rune(s)
	if w <= 0 || len(r) <= w {
		return truncate(s, w)
	}
	return "…" + string(r[len(r)-w+1:])
}

// padRight pads or cuts s (plain text) to exactly w cells.
func padRight(s string, w int) string {
	s = truncate(s, w)
	if n := len([]rune(s)); n < w {
		s += strings.Repeat(" ", w-n)
	}
	return s
}
