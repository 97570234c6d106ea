package tui

import (
	"fmt"
	"slices"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/mlptui/mlptui/datasets"
	"github.com/mlptui/mlptui/internal/termsafe"
	"github.com/mlptui/mlptui/lab"
	"github.com/mlptui/mlptui/trainer"
)

// formField is one line of the setup form.
type formField struct {
	def   *trainer.Field
	input textinput.Model // text and number fields
	value string          // choice and bool fields
	err   string          // what is wrong with the value, if anything
}

func (f *formField) get() string {
	if f.def.Kind == trainer.ChoiceField || f.def.Kind == trainer.BoolField {
		return f.value
	}
	return f.input.Value()
}

func (f *formField) set(v string) {
	if f.def.Kind == trainer.ChoiceField || f.def.Kind == trainer.BoolField {
		f.value = v
		return
	}
	f.input.SetValue(v)
	f.input.CursorEnd()
}

// typing reports whether the field takes every printable key (so q and ?
// are letters there, not commands).
func (f *formField) typing() bool { return f.def.Kind == trainer.TextField }

// numberRune reports whether r can be part of a number field: digits,
// signs, exponents, list commas, the slash between a sweep's networks,
// and "none" for no hidden layer.
func numberRune(r rune) bool {
	return r >= '0' && r <= '9' || strings.ContainsRune(".,/+-eEnoN", r)
}

// setupModel is the form that sets up a run: every field of
// trainer.Fields, checked as it changes by Config.Problems.
type setupModel struct {
	st     *styles
	keys   setupKeys
	fields []formField
	focus  int
	offset int // first field shown when the form scrolls
	width  int
	height int
	note   string // the last thing to tell: a preset's description, why a start failed
	bad    bool   // note is an error
	// running holds the settings of the run under way, if one is live:
	// fields that differ from it say whether they apply live or need a
	// restart.
	running *trainer.Config
	// lists are the fields holding a list of values (a sweep), in the
	// order they became lists: the order of a sweep's flags, which names
	// the sweep and orders its trials as `mlptui sweep` does.
	lists []string
	// plan is the sweep the lists ask for (nil: a single run), and
	// planErr what is wrong with it.
	plan    *lab.Plan
	planErr error
}

// List is a setting of the form given as a list of values, as `mlptui
// sweep` takes it ("lr", "0.001,0.01"; "hidden", "64/128,64"): the form
// starts a sweep.
type List struct{ Field, Text string }

func newSetup(cfg trainer.Config, lists []List, st *styles) *setupModel {
	m := &setupModel{st: st, keys: newSetupKeys(), width: 80, height: 22}
	for i := range trainer.Fields {
		f := formField{def: &trainer.Fields[i]}
		if f.def.Kind == trainer.TextField || f.def.Kind == trainer.NumberField {
			f.input = textinput.New()
			f.input.Prompt = ""
			f.input.CharLimit = 4096
			f.input.KeyMap.Paste.SetEnabled(false)
			f.input.KeyMap.AcceptSuggestion.SetEnabled(false)
			f.input.KeyMap.NextSuggestion.SetEnabled(false)
			f.input.KeyMap.PrevSuggestion.SetEnabled(false)
		}
		m.fields = append(m.fields, f)
	}
	m.fill(&cfg)
	for _, l := range lists {
		if f := m.field(l.Field); f != nil {
			f.set(l.Text)
			m.lists = append(m.lists, l.Field)
		}
	}
	m.setFocus(0)
	m.check()
	if p, ok := trainer.Presets[cfg.Preset]; ok {
		m.note = "preset " + p.Name + ": " + p.Description
	}
	return m
}

// SetSize sets the area the form draws in.
func (m *setupModel) SetSize(w, h int) {
	m.width, m.height = w, h
	m.scroll()
}

// rows is the number of fields shown at once.
func (m *setupModel) rows() int { return m.rowsUnder(len(m.noteLines())) }

// rowsUnder is the number of fields shown under a note of that many lines.
func (m *setupModel) rowsUnder(noteLines int) int { return max(1, m.height-3-noteLines) }

// setNote sets the line above the form (bad: a problem, drawn in red) and
// keeps the focused field in view, as the note may take more lines.
func (m *setupModel) setNote(note string, bad bool) {
	m.note, m.bad = termsafe.String(note), bad
	m.scroll()
}

// noteLines is the note as drawn: a problem wrapped over up to three lines,
// so that its end (often what to do) shows in a small terminal; anything
// else on one line.
func (m *setupModel) noteLines() []string {
	if !m.bad || m.width < 20 || len(m.note) <= m.width {
		return []string{m.note}
	}
	var lines []string
	for _, l := range strings.Split(lipgloss.NewStyle().Width(m.width).Render(m.note), "\n") {
		lines = append(lines, strings.TrimRight(l, " "))
	}
	return lines[:min(len(lines), 3)]
}

// scroll keeps the focused field in view.
func (m *setupModel) scroll() {
	rows := m.rows()
	if m.focus < m.offset {
		m.offset = m.focus
	}
	if m.focus >= m.offset+rows {
		m.offset = m.focus - rows + 1
	}
	m.offset = max(0, min(m.offset, len(m.fields)-rows))
}

// fill sets every field from c.
func (m *setupModel) fill(c *trainer.Config) {
	for i := range m.fields {
		m.fields[i].set(m.fields[i].def.Get(c))
	}
}

func (m *setupModel) field(name string) *formField {
	for i := range m.fields {
		if m.fields[i].def.Name == name {
			return &m.fields[i]
		}
	}
	return nil
}

func (m *setupModel) setFocus(i int) {
	i = max(0, min(len(m.fields)-1, i))
	if f := &m.fields[m.focus]; f.def.Kind == trainer.TextField || f.def.Kind == trainer.NumberField {
		f.input.Blur()
	}
	m.focus = i
	if f := &m.fields[i]; f.def.Kind == trainer.TextField || f.def.Kind == trainer.NumberField {
		f.input.Focus()
	}
	m.scroll()
}

// parse builds the configuration the form shows, noting on each field
// what is wrong with it: its text first, then Config.Problems.
func (m *setupModel) parse() (trainer.Config, int) {
	var c trainer.Config
	bad := 0
	for i := range m.fields {
		f := &m.fields[i]
		f.err = ""
		if f.def.Name == "preset" {
			c.Preset = f.get() // applying it would overwrite the other fields
			continue
		}
		v := f.get()
		if lab.IsList(f.def, v) { // a sweep: every value must be one, the first stands for them
			vals := lab.SplitValues(f.def, v)
			for _, x := range vals {
				if err := lab.Check(f.def, x); err != nil && f.err == "" {
					f.err = err.Error()
					bad++
				}
			}
			v = vals[0]
		}
		if err := f.def.Set(&c, v); err != nil && f.err == "" {
			f.err = err.Error()
			if !f.def.Sweep && strings.ContainsAny(v, ",/") && f.def.Kind != trainer.TextField {
				f.err = "cannot be swept (one value for all trials): " + f.err
			}
			bad++
		}
	}
	if f := m.field("dataset"); f != nil && f.err == "" && c.Dataset != "" {
		if p := trainer.DatasetProblem(c.Dataset); p != "" { // before Enter, not after
			f.err = p
			bad++
		}
	}
	for _, p := range c.Problems() {
		if f := m.field(p.Field); f != nil && f.err == "" {
			f.err = p.Problem
			bad++
		}
	}
	return c, bad
}

// check re-validates the form, and plans the sweep its lists ask for;
// it returns the number of bad fields.
func (m *setupModel) check() int {
	_, bad := m.parse()
	m.lists = slices.DeleteFunc(m.lists, func(n string) bool { return !lab.IsList(m.field(n).def, m.field(n).get()) })
	for i := range m.fields {
		if f := &m.fields[i]; lab.IsList(f.def, f.get()) && !slices.Contains(m.lists, f.def.Name) {
			m.lists = append(m.lists, f.def.Name)
		}
	}
	m.plan, m.planErr = nil, nil
	if len(m.lists) > 0 && bad == 0 {
		m.plan, m.planErr = lab.PlanSweep(m.settings(), lab.PlanOptions{Name: m.field("name").get()})
		if m.planErr != nil {
			bad++
		}
	}
	return bad
}

// settings are the form's fields as a sweep takes its flags: every field
// but the name (which names the sweep), the lists last in the order they
// became lists.
func (m *setupModel) settings() lab.Settings {
	var s lab.Settings
	for i := range m.fields {
		if f := &m.fields[i]; f.def.Name != "name" && !slices.Contains(m.lists, f.def.Name) {
			s = append(s, lab.Setting{Field: f.def, Value: f.get()})
		}
	}
	for _, n := range m.lists {
		s = append(s, lab.Setting{Field: m.field(n).def, Value: m.field(n).get()})
	}
	return s
}

// sweep is the sweep the form starts, if it holds lists and is valid.
func (m *setupModel) sweep() *lab.Plan {
	if m.check() > 0 {
		return nil
	}
	return m.plan
}

// planText says what Enter starts: "a 4-trial sweep iris-lr-dropout
// (lr × dropout)", the lists in the order they name the sweep.
func planText(p *lab.Plan, lists []string) string {
	return fmt.Sprintf("a %d-trial sweep %s (%s)", len(p.Sweep.Plan), p.Sweep.Name, strings.Join(lists, " × "))
}

// config returns the form's configuration (a sweep's first trial's,
// but for the name), and whether it is valid.
func (m *setupModel) config() (trainer.Config, bool) {
	c, _ := m.parse()
	return c, m.check() == 0
}

// edited reports whether a hyperparameter differs from what the preset
// sets.
func (m *setupModel) edited() bool {
	c, _ := m.parse()
	p := c
	if ApplyPreset(&p, c.Preset) != nil {
		return true
	}
	for _, f := range trainer.Fields {
		if f.Hyper && f.Get(&c) != f.Get(&p) {
			return true
		}
	}
	return false
}

// WatchEpochs is how many epochs the dashboard gives the iris preset: its
// 500 take about a second, too short to watch a run learn, pause it or
// edit it; 3000 take a few seconds.
const WatchEpochs = 3000

// WatchPlaygroundEpochs is how many epochs the dashboard gives a
// playground set's preset: its 300 are over in a fraction of a second;
// 5000 take several, to watch the boundary form.
const WatchPlaygroundEpochs = 5000

// DashboardEpochs is how many epochs the dashboard gives a preset, if
// not the preset's own: WatchEpochs for iris, WatchPlaygroundEpochs for
// the playground sets' presets.
func DashboardEpochs(preset string) (int, bool) {
	if preset == "iris" {
		return WatchEpochs, true
	}
	if p, ok := trainer.Presets[preset]; ok && datasets.IsPlayground(p.Dataset) && p.Name == p.Dataset {
		return WatchPlaygroundEpochs, true
	}
	return 0, false
}

// ApplyPreset applies the named preset to c as the dashboard does: as
// trainer's Config.ApplyPreset, but with DashboardEpochs.
func ApplyPreset(c *trainer.Config, name string) error {
	if err := c.ApplyPreset(name); err != nil {
		return err
	}
	if n, ok := DashboardEpochs(name); ok {
		c.Epochs = n
	}
	return nil
}

// applyPreset refills the hyperparameters from a preset.
func (m *setupModel) applyPreset(name string) {
	c, _ := m.parse()
	if err := ApplyPreset(&c, name); err != nil {
		m.setNote(err.Error(), true)
		return
	}
	m.fill(&c)
	m.setNote("preset "+name+": "+trainer.Presets[name].Description, false)
}

// setLive shows edits made on the training screen in the form, so that
// a restart keeps them.
func (m *setupModel) setLive(lr, dropout string) {
	m.field("lr").set(lr)
	m.field("dropout").set(dropout)
	m.check()
}

// Typing reports whether the focused field takes every printable key.
func (m *setupModel) Typing() bool { return m.fields[m.focus].typing() }

// KeyMap is the form's keys.
func (m *setupModel) KeyMap() help.KeyMap { return m.keys }

// Init does nothing: the form waits for keys.
func (m *setupModel) Init() tea.Cmd { return nil }

// Messages of the setup form to the dashboard.
type (
	// formStartMsg: Enter, on a valid form: start its run or sweep.
	formStartMsg struct{}
	// findLRMsg: run the learning-rate range test of the form's network.
	findLRMsg struct{}
)

// Update handles a key: Enter on a valid form brings the dashboard a
// formStartMsg.
func (m *setupModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return m, nil
	}
	return m, m.key(k)
}

func (m *setupModel) key(msg tea.KeyMsg) tea.Cmd {
	f := &m.fields[m.focus]
	switch {
	case key.Matches(msg, m.keys.FindLR):
		return emit(findLRMsg{})
	case key.Matches(msg, m.keys.Up):
		m.setFocus(m.focus - 1)
		return nil
	case key.Matches(msg, m.keys.Down):
		m.setFocus(m.focus + 1)
		return nil
	case key.Matches(msg, m.keys.Start):
		if _, ok := m.config(); ok {
			return emit(formStartMsg{})
		}
		for i := range m.fields {
			if m.fields[i].err != "" {
				m.setFocus(i)
				break
			}
		}
		if m.planErr != nil {
			m.setNote("sweep: "+m.planErr.Error(), true)
		} else {
			m.setNote("fix the fields marked ✗ first", true)
		}
		return nil
	}
	switch f.def.Kind {
	case trainer.ChoiceField, trainer.BoolField:
		if key.Matches(msg, m.keys.Choose) || msg.String() == " " {
			choices := f.def.Choices
			if f.def.Kind == trainer.BoolField {
				choices = []string{"false", "true"}
			}
			i := slices.Index(choices, f.value)
			if msg.String() == "left" {
				i--
			} else {
				i++
			}
			v := choices[(i+len(choices))%len(choices)]
			if f.def.Name == "preset" {
				m.applyPreset(v)
			}
			f.set(v)
		}
	default:
		if msg.Type == tea.KeyRunes && f.def.Kind == trainer.NumberField && !msg.Paste {
			for _, r := range msg.Runes {
				if !numberRune(r) {
					return nil
				}
			}
		}
		if f.def.Name != "dataset" {
			f.input, _ = f.input.Update(msg)
			break
		}
		// The preset follows the data set while no hyperparameter has been
		// changed by hand.
		old := f.get()
		follow := !m.edited() && m.field("preset").get() == trainer.DefaultPreset(old)
		f.input, _ = f.input.Update(msg)
		if now := f.get(); now != old && follow {
			if p := trainer.DefaultPreset(now); p != m.field("preset").get() {
				m.applyPreset(p)
				m.field("preset").set(p)
			}
		}
	}
	m.check()
	return nil
}

// View draws the form.
func (m *setupModel) View() string {
	st := m.st
	w, h := m.width, m.height
	var lines []string
	head := "New run: edit the settings, Enter starts."
	if m.plan != nil {
		head = "New sweep: a list in a field (lr 1e-3,1e-2) sweeps it; Enter starts."
	}
	if m.running != nil {
		head = "A run is live: lr and dropout change it now (e); other fields need a restart (r)."
	}
	lines = append(lines, fitLine(st.bold.Render(head), w))
	noteStyle := st.dim
	if m.bad {
		noteStyle = st.bad
	}
	note := m.noteLines()
	for _, l := range note {
		lines = append(lines, fitLine(noteStyle.Render(l), w))
	}
	rows, offset := m.rowsUnder(len(note)), m.offset
	const labelW = 12
	formW := w
	side := ""
	if w >= 120 { // a large terminal: the presets beside the form
		formW = min(w-50, 100)
		side = m.presetsView(46)
	}
	valueW := min(34, max(8, (formW-labelW-4)/3))
	var form []string
	for i := offset; i < min(len(m.fields), offset+rows); i++ {
		form = append(form, fitLine(m.fieldLine(i, labelW, valueW), formW))
	}
	if side != "" {
		form = strings.Split(lipgloss.JoinHorizontal(lipgloss.Top,
			lipgloss.NewStyle().Width(formW+4).Render(strings.Join(form, "\n")), side), "\n")
	}
	lines = append(lines, form[:min(len(form), rows)]...)
	for len(lines) < h-2 {
		lines = append(lines, "")
	}
	f := &m.fields[m.focus]
	usage := f.def.Name + ": " + f.def.Usage
	if f.def.Kind == trainer.ChoiceField || f.def.Kind == trainer.BoolField {
		usage += "  (←/→ to choose)"
	}
	lines = append(lines, fitLine(st.dim.Render(usage), w))
	bad := 0
	for i := range m.fields {
		if m.fields[i].err != "" {
			bad++
		}
	}
	status := st.good.Render("ready: Enter starts")
	switch {
	case bad > 0:
		status = st.bad.Render(fmt.Sprintf("%d field(s) to fix", bad))
	case m.planErr != nil:
		status = st.bad.Render("sweep: " + m.planErr.Error())
	case m.plan != nil:
		status = st.good.Render("ready: Enter starts " + planText(m.plan, m.lists))
	}
	if len(m.fields) > rows {
		status += st.dim.Render(fmt.Sprintf("  fields %d-%d of %d", offset+1, min(len(m.fields), offset+rows), len(m.fields)))
	}
	lines = append(lines, fitLine(status, w))
	return strings.Join(lines[:min(len(lines), h)], "\n")
}

// presetsView lists the presets with what they are for, w cells wide.
func (m *setupModel) presetsView(w int) string {
	st := m.st
	lines := []string{st.bold.Render("Presets") + st.dim.Render(" (the preset field, ←/→)")}
	cur := m.field("preset").get()
	for _, name := range trainer.PresetNames() {
		p := trainer.Presets[name]
		title := "  " + name
		if name == cur {
			title = st.focus.Render("› " + name)
		}
		lines = append(lines, title)
		desc := lipgloss.NewStyle().Width(w - 4).Render(p.Description)
		for _, l := range strings.Split(desc, "\n") {
			lines = append(lines, st.dim.Render("    "+l))
		}
	}
	return strings.Join(lines, "\n")
}

// fieldLine draws one field: a focus mark, the name, the value and what
// is wrong with it or whether it needs a restart.
func (m *setupModel) fieldLine(i, labelW, valueW int) string {
	st := m.st
	f := &m.fields[i]
	focused := i == m.focus
	mark, label := "  ", padRight(f.def.Name, labelW)
	if focused {
		mark, label = st.focus.Render("› "), st.focus.Render(label)
	}
	var value string
	switch f.def.Kind {
	case trainer.ChoiceField, trainer.BoolField:
		value = padRight("‹ "+f.value+" ›", valueW+2)
		if !focused {
			value = padRight("  "+f.value, valueW+2)
		}
	default:
		value = "  " + m.inputView(f, focused, valueW)
	}
	line := mark + label + " " + value
	switch {
	case f.err != "":
		line += " " + st.bad.Render("✗ "+f.err)
	case lab.IsList(f.def, f.get()):
		line += " " + st.good.Render(fmt.Sprintf("sweep: %d values", len(lab.SplitValues(f.def, f.get()))))
	case m.running != nil && f.def.Name != "preset":
		if run := f.def.Get(m.running); run != f.get() {
			if f.def.Live {
				line += " " + st.good.Render("live: e applies it now (run has "+run+")")
			} else {
				line += " " + st.warn.Render("restart (r) to use (run has "+run+")")
			}
		}
	}
	return line
}

// inputView draws a text field's value in w cells, with the cursor when
// focused, scrolled to keep the cursor in view.
func (m *setupModel) inputView(f *formField, focused bool, w int) string {
	r := []rune(f.input.Value())
	if !focused {
		return padRight(string(r), w)
	}
	pos := min(f.input.Position(), len(r))
	start := max(0, pos-w+2)
	r = r[start:]
	pos -= start
	if len(r) > w-1 {
		r = r[:w-1]
	}
	before, at, after := string(r[:min(pos, len(r))]), " ", ""
	if pos < len(r) {
		at, after = string(r[pos]), string(r[pos+1:])
	}
	cur := m.st.cursor.Render(at)
	if !m.st.colour() {
		cur = "_"
		if at != " " {
			cur = "|" + at
		}
	}
	text := before + cur + after
	return text + strings.Repeat(" ", max(0, w-lipgloss.Width(text)))
}
