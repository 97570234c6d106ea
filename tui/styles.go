package tui

import (
	"github.com/charmbracelet/lipgloss"
	"github.com/guptarohit/asciigraph"
	"github.com/muesli/termenv"
)

// styles are the dashboard's looks for one colour profile. Under the
// Ascii profile (NO_COLOR, or a terminal without colour) every style
// renders plain text, and charts and pictures draw without colour codes.
type styles struct {
	profile termenv.Profile

	title, tab, activeTab   lipgloss.Style
	bold, dim, faint, key   lipgloss.Style
	good, bad, warn, accent lipgloss.Style
	focus, selected         lipgloss.Style
	train, val              lipgloss.Style
	cursor                  lipgloss.Style
}

// curveColors colour the curves of a chart: train and validation, or
// the runs of the overlay, one each; basicColors are the same for
// terminals of 16 colours.
var (
	curveColors = []asciigraph.AnsiColor{asciigraph.DodgerBlue, asciigraph.Orange, asciigraph.LimeGreen,
		asciigraph.HotPink, asciigraph.Gold, asciigraph.Turquoise}
	basicColors = []asciigraph.AnsiColor{asciigraph.Blue, asciigraph.Yellow, asciigraph.Lime,
		asciigraph.Fuchsia, asciigraph.Red, asciigraph.Aqua}
)

func newStyles(p termenv.Profile) *styles {
	s := lipgloss.NewStyle
	st := &styles{
		profile:   p,
		title:     s().Bold(true).Foreground(lipgloss.Color("212")),
		tab:       s().Foreground(lipgloss.Color("245")),
		activeTab: s().Bold(true).Underline(true).Foreground(lipgloss.Color("231")),
		bold:      s().Bold(true),
		dim:       s().Foreground(lipgloss.Color("245")),
		faint:     s().Foreground(lipgloss.Color("240")),
		key:       s().Bold(true).Foreground(lipgloss.Color("111")),
		good:      s().Foreground(lipgloss.Color("78")),
		bad:       s().Foreground(lipgloss.Color("203")),
		warn:      s().Foreground(lipgloss.Color("214")),
		accent:    s().Foreground(lipgloss.Color("212")),
		focus:     s().Bold(true).Foreground(lipgloss.Color("212")),
		selected:  s().Background(lipgloss.Color("237")),
		train:     s().Foreground(lipgloss.Color("39")),
		val:       s().Foreground(lipgloss.Color("214")),
		cursor:    s().Reverse(true),
	}
	return st
}

// curveColor is the colour of the i-th curve of a chart, or Default
// without colour.
func (s *styles) curveColor(i int) asciigraph.AnsiColor {
	switch s.profile {
	case termenv.Ascii:
		return asciigraph.Default
	case termenv.ANSI:
		return basicColors[i%len(basicColors)]
	}
	return curveColors[i%len(curveColors)]
}

// colour reports whether the profile shows colours at all.
func (s *styles) colour() bool { return s.profile != termenv.Ascii }
