package tui

import (
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/mlptui/mlptui/trainer"
)

// editModel is the form that changes a live run's learning rate and
// dropout, checked by the same rule as the setup form (Config.Problems).
type editModel struct {
	st     *styles
	names  []string // the live fields
	inputs []textinput.Model
	focus  int
	errs   []string
	base   trainer.Config // the settings the edit starts from
	keys   editKeys
	width  int
	live   bool // a run is live: the edits go to it
}

// editKeys are the dialog's keys.
type editKeys struct{ Apply, Cancel, Next key.Binding }

func (k editKeys) ShortHelp() []key.Binding  { return []key.Binding{k.Apply, k.Cancel, k.Next} }
func (k editKeys) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// editDoneMsg closes the dialog: apply holds the changes to make (nil
// when cancelled).
type editDoneMsg struct{ apply map[string]float64 }

// liveFieldNames are the settings a run can change as it trains, the
// learning rate first.
func liveFieldNames() []string {
	var n []string
	for _, f := range trainer.Fields {
		if f.Live {
			n = append(n, f.Name)
		}
	}
	slices.SortStableFunc(n, func(a, b string) int {
		switch {
		case a == "lr":
			return -1
		case b == "lr":
			return 1
		}
		return 0
	})
	return n
}

// restartFieldNames are the hyperparameters that need a new run.
func restartFieldNames() []string {
	var n []string
	for _, f := range trainer.Fields {
		if f.Hyper && !f.Live {
			n = append(n, f.Name)
		}
	}
	return n
}

func newEdit(st *styles, base trainer.Config, live bool) *editModel {
	m := &editModel{st: st, names: liveFieldNames(), base: base, live: live, width: 80, keys: editKeys{
		Apply:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "apply")),
		Cancel: key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		Next:   key.NewBinding(key.WithKeys("tab", "down", "shift+tab", "up"), key.WithHelp("tab", "next field")),
	}}
	for _, name := range m.names {
		in := textinput.New()
		in.Prompt = ""
		in.CharLimit = 32
		in.SetValue(trainer.FieldByName(name).Get(&base))
		in.CursorEnd()
		m.inputs = append(m.inputs, in)
	}
	m.errs = make([]string, len(m.names))
	m.inputs[0].Focus()
	return m
}

// edits returns the values that changed, by field name, and whether all
// are valid.
func (m *editModel) edits() (map[string]float64, bool) {
	c := m.base
	ok := true
	for i, name := range m.names {
		m.errs[i] = ""
		if err := trainer.FieldByName(name).Set(&c, m.inputs[i].Value()); err != nil {
			m.errs[i], ok = err.Error(), false
		}
	}
	for _, p := range c.Problems() {
		for i, name := range m.names {
			if p.Field == name && m.errs[i] == "" {
				m.errs[i], ok = p.Problem, false
			}
		}
	}
	out := map[string]float64{}
	if c.LR != m.base.LR {
		out["lr"] = c.LR
	}
	if c.Dropout != m.base.Dropout {
		out["dropout"] = c.Dropout
	}
	return out, ok
}

// Init does nothing.
func (m *editModel) Init() tea.Cmd { return nil }

// SetSize sets the width of the box (its height is its own).
func (m *editModel) SetSize(w, _ int) { m.width = w }

// KeyMap is the dialog's keys.
func (m *editModel) KeyMap() help.KeyMap { return m.keys }

// Typing is true: every key goes to the fields.
func (m *editModel) Typing() bool { return true }

// Update handles a key: Enter on valid values, or esc, closes the dialog
// with an editDoneMsg.
func (m *editModel) Update(tmsg tea.Msg) (tea.Model, tea.Cmd) {
	msg, ok := tmsg.(tea.KeyMsg)
	if !ok {
		return m, nil
	}
	switch {
	case key.Matches(msg, m.keys.Cancel):
		return m, emit(editDoneMsg{})
	case key.Matches(msg, m.keys.Apply):
		e, ok := m.edits()
		if !ok {
			return m, nil
		}
		return m, emit(editDoneMsg{apply: e})
	case key.Matches(msg, m.keys.Next):
		m.inputs[m.focus].Blur()
		m.focus = (m.focus + 1) % len(m.inputs)
		m.inputs[m.focus].Focus()
		return m, nil
	}
	m.inputs[m.focus], _ = m.inputs[m.focus].Update(msg)
	m.edits()
	return m, nil
}

// View draws the form as a box as wide as SetSize said.
func (m *editModel) View() string {
	st, w, live := m.st, m.width, m.live
	var lines []string
	if live {
		lines = append(lines, st.bold.Render("Edit the run")+st.dim.Render(": applied from the next step and logged with it"))
	} else {
		lines = append(lines, st.bold.Render("Edit")+st.dim.Render(": no run is live; r starts one with these"))
	}
	for i, name := range m.names {
		mark := "  "
		if i == m.focus {
			mark = st.focus.Render("› ")
		}
		v := m.inputs[i].Value()
		if i == m.focus {
			v += "_"
		}
		line := mark + padRight(name, 9) + padRight(v, 14)
		if m.errs[i] != "" {
			line += st.bad.Render("✗ " + m.errs[i])
		}
		lines = append(lines, line)
	}
	for i := range lines {
		lines[i] = fitLine(lines[i], max(16, w-4))
	}
	// This one wraps.
	lines = append(lines, st.dim.Render("Need a restart (change them on the Setup screen, then r): "+strings.Join(restartFieldNames(), ", ")+"."))
	lines = append(lines, footerKeys(st, m.keys.ShortHelp(), nil, max(16, w-4)))
	box := lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).Padding(0, 1).Width(max(20, w-2))
	return box.Render(strings.Join(lines, "\n"))
}
