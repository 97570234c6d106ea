package tui

import "testing"

func TestTruncate(t *testing.T) {
	cases := []struct {
		s          string
		w          int
		end, start string // truncate, truncateStart
	}{
		{"20261129-091759-iris-a", 30, "20261129-091759-iris-a", "20261129-091759-iris-a"},
		{"20261129-091759-iris-a", 22, "20261129-091759-iris-a", "20261129-091759-iris-a"},
		{"20261129-091759-iris-a", 12, "20261129-09…", "…1759-iris-a"},
		{"éèê", 2, "é…", "…ê"},
		{"abc", 1, "…", "…"},
		{"abc", 0, "", ""},
	}
	for _, c := range cases {
		if got := truncate(c.s, c.w); got != c.end {
			t.Errorf("truncate(%q, %d) = %q, want %q", c.s, c.w, got, c.end)
		}
		if got := truncateStart(c.s, c.w); got != c.start {
			t.Errorf("truncateStart(%q, %d) = %q, want %q", c.s, c.w, got, c.start)
		}
	}
}
