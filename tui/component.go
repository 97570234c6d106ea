package tui

import (
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// A component is the shape of every screen of the dashboard, and of its
// dialogs: a bubbletea model drawn in the area SetSize gives it, with a
// key map that bubbles/help renders (the footer from ShortHelp, the help
// screen from FullHelp). What a screen asks of the dashboard (start a
// run, resume one, stop it) it returns as a command, emit(msg), whose
// message the dashboard's Update handles; a screen never touches a run
// itself. Those commands never wait: the dashboard runs them at once
// (Model.intent), so that the next key already finds what they opened.
// What waits (training, disk) is the dashboard's own command (session.go).
//
// A new screen implements component, gets a value in the screen list
// (screen, screenNames) and an entry in Model.component.
type component interface {
	tea.Model
	SetSize(w, h int)
	KeyMap() help.KeyMap
	// Typing reports whether the component takes every printable key
	// (a text field has the focus): q and the screen keys are letters.
	Typing() bool
}

// emit is a command that brings msg to the dashboard's Update.
func emit(msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }

// keyMap is a help.KeyMap of given bindings.
type keyMap struct {
	short []key.Binding
	full  [][]key.Binding
}

func (k keyMap) ShortHelp() []key.Binding  { return k.short }
func (k keyMap) FullHelp() [][]key.Binding { return k.full }

// newHelp is bubbles/help with the dashboard's styles.
func newHelp(st *styles) help.Model {
	h := help.New()
	h.ShortSeparator = " · "
	h.Styles = help.Styles{
		Ellipsis: st.faint, ShortKey: st.key, ShortDesc: st.dim, ShortSeparator: st.faint,
		FullKey: st.key, FullDesc: lipgloss.NewStyle(), FullSeparator: st.faint,
	}
	return h
}

// shortWord is a key's description as the footer gives it when the
// full ones do not fit: what comes before a bracket ("find lr (a range
// test)"), else the first word ("pause/resume", "stop and save").
func shortWord(desc string) string {
	if i := strings.Index(desc, " ("); i > 0 {
		return desc[:i]
	}
	if i := strings.IndexAny(desc, " /"); i > 0 {
		return desc[:i]
	}
	return desc
}

// footerKeys draws a screen's bindings and then the global ones as one
// line of at most w cells: with their descriptions if they fit, else with
// the global keys' shortened (shortWord), else with all shortened, else
// only the keys but for quit and help (which stay in sight). bubbles/help
// draws each of them.
func footerKeys(st *styles, screen, global []key.Binding, w int) string {
	h := newHelp(st)
	with := func(size int) []key.Binding {
		out := make([]key.Binding, 0, len(screen)+len(global))
		for i, b := range append(slices.Clip(screen), global...) {
			hb := b.Help()
			switch {
			case size == 3 && hb.Key != "q" && hb.Key != "?":
				hb.Desc = ""
			case size >= 2 || i >= len(screen) && size == 1 || hb.Key == "q":
				hb.Desc = shortWord(hb.Desc)
			}
			nb := b
			nb.SetHelp(hb.Key, hb.Desc)
			out = append(out, nb)
		}
		return out
	}
	sep := st.faint.Inline(true).Render(h.ShortSeparator)
	bare := " " + st.dim.Inline(true).Render("") // a key without its description
	for size := range 4 {
		l := strings.TrimSuffix(strings.ReplaceAll(h.ShortHelpView(with(size)), bare+sep, sep), bare)
		if lipgloss.Width(l) <= w || size == 3 {
			return fitLine(l, w)
		}
	}
	return ""
}

// helpSection is one screen's keys in the full help.
type helpSection struct {
	title string
	keys  help.KeyMap
}

// groupTitler is a key map whose FullHelp groups have titles of their
// own (the runs screen's table, and a run opened from it).
type groupTitler interface{ groupTitles() []string }

// helpView is the full help: the key map of every screen, each group
// drawn by bubbles/help under its title, in as many columns as fit.
func helpView(st *styles, sections []helpSection, w, h int) string {
	hm := newHelp(st)
	var blocks []string
	for _, sec := range sections {
		var titles []string
		if t, ok := sec.keys.(groupTitler); ok {
			titles = t.groupTitles()
		}
		for g, group := range sec.keys.FullHelp() {
			title := sec.title
			if g < len(titles) {
				title = titles[g]
			}
			blocks = append(blocks, st.bold.Render(title)+"\n"+hm.FullHelpView([][]key.Binding{group}))
		}
	}
	colW := 0
	for _, b := range blocks {
		colW = max(colW, lipgloss.Width(b))
	}
	// Each block, in order, goes under the shortest column so far: the
	// columns end about level, with no gaps under short blocks.
	cols := max(1, min(len(blocks), (w+3)/(colW+3)))
	stacks, heights := make([][]string, cols), make([]int, cols)
	for _, b := range blocks {
		c := 0
		for i := range heights {
			if heights[i] < heights[c] {
				c = i
			}
		}
		stacks[c] = append(stacks[c], b)
		heights[c] += lipgloss.Height(b)
	}
	var columns []string
	for _, st := range stacks {
		columns = append(columns, lipgloss.NewStyle().Width(colW+3).Render(strings.Join(st, "\n")))
	}
	intro := st.dim.Render("Any key closes this help. In the setup form's text fields, q is a letter.")
	out := fitLine(intro, w) + "\n" + lipgloss.JoinHorizontal(lipgloss.Top, columns...)
	return lipgloss.NewStyle().MaxWidth(w).MaxHeight(h).Render(out)
}
