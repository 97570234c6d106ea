package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"
)

// helpSection is one screen's keys in the full help.
type helpSection struct {
	title string
	keys  []key.Binding
}

func (m *Model) helpSections() []helpSection {
	g, t, s, p, r := m.keys, m.train.keys, m.setup.keys, m.preds.keys, m.runs.keys
	return []helpSection{
		{"Everywhere", []key.Binding{g.Next, g.Prev, g.Help, g.Quit, g.Interrupt}},
		{"Training", []key.Binding{t.Pause, t.Edit, t.Restart, t.Stop}},
		{"Setup", []key.Binding{s.Up, s.Choose, s.Start, lrFindKey}},
		{"Predictions", []key.Binding{p.Page, p.Confusion}},
		{"Runs", []key.Binding{r.Move, r.Select, r.Compare, r.Open, r.Resume, r.Inspect, r.Export, r.Sort, r.Reload}},
	}
}

// helpView is the full help: every key by screen, in as many columns as
// fit.
func (m *Model) helpView(w, h int) string {
	st := m.st
	var blocks []string
	for _, sec := range m.helpSections() {
		lines := []string{st.bold.Render(sec.title)}
		for _, b := range sec.keys {
			hb := b.Help()
			lines = append(lines, st.key.Render(padRight(hb.Key, 10))+" "+hb.Desc)
		}
		blocks = append(blocks, strings.Join(lines, "\n"))
	}
	colW := 0
	for _, b := range blocks {
		colW = max(colW, lipgloss.Width(b))
	}
	cols := max(1, min(len(blocks), (w+3)/(colW+3)))
	var rows []string
	for i := 0; i < len(blocks); i += cols {
		var row []string
		for _, b := range blocks[i:min(len(blocks), i+cols)] {
			row = append(row, lipgloss.NewStyle().Width(colW+3).Render(b))
		}
		rows = append(rows, lipgloss.JoinHorizontal(lipgloss.Top, row...))
	}
	intro := st.dim.Render("Any key closes this help. In the setup form's text fields, q is a letter.")
	out := fitLine(intro, w) + "\n" + strings.Join(rows, "\n")
	return lipgloss.NewStyle().MaxWidth(w).MaxHeight(h).Render(out)
}
