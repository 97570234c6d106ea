package tui

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/mlptui/mlptui/internal/termsafe"
	"github.com/mlptui/mlptui/lab"
	"github.com/mlptui/mlptui/trainer"
)

// runRow is one saved run in the table: a run as lab lists it.
type runRow struct {
	*lab.Entry
	selected bool
}

func newRunRow(rec trainer.RunRecord) runRow { return runRow{Entry: &lab.Entry{RunRecord: rec}} }

func (r *runRow) sweep() string {
	if r.Config == nil {
		return ""
	}
	return r.Config.Sweep
}

// defaultSort is the column the table starts sorted by: the
// leaderboard's order, best validation accuracy first.
var defaultSort = slices.IndexFunc(lab.RunColumns, func(c lab.RunColumn) bool { return c.Name == "best-val-acc" })

// runsActionKind says what the runs screen asks of the dashboard.
type runsActionKind int

// What the runs screen asks.
const (
	runsReload      runsActionKind = iota // read the runs again
	runsCompare                           // overlay the curves of rows
	runsExport                            // export dir's model as ONNX
	runsResume                            // resume the run in dir
	runsInspect                           // open dir's predictions
	runsResumeSweep                       // resume the sweep of the run in dir
)

// runsAction is the message of the runs screen to the dashboard.
type runsAction struct {
	kind   runsActionKind
	dir    string
	epochs int // resume: the new total, or 0 for the run's own
	rows   []runRow
}

// runsModel is the table of saved runs: sortable, best validation
// accuracy first, a sweep's trials together, best first; several can be selected
// to compare their curves, and one opened to resume or inspect it.
type runsModel struct {
	st      *styles
	keys    runsKeys
	width   int
	height  int
	rows    []runRow
	cursor  int
	offset  int
	sortBy  int // index in lab.RunColumns
	err     error
	loaded  bool
	menu    bool // the cursor's run is open: its details, then r, p or e
	details []string
	prompt  bool // asking for the epochs to resume to
	epochs  textinput.Model
	compare *comparison
	note    string
	board   *sweepBoard // the session's sweep's leaderboard, nil without one
}

func newRuns(st *styles) *runsModel {
	in := textinput.New()
	in.Prompt = ""
	in.CharLimit = 7
	return &runsModel{st: st, keys: newRunsKeys(), width: 80, height: 22, epochs: in, sortBy: defaultSort}
}

// Init does nothing: the dashboard reads the runs when the screen opens.
func (m *runsModel) Init() tea.Cmd { return nil }

// KeyMap is the table's keys, or an opened run's.
func (m *runsModel) KeyMap() help.KeyMap {
	if m.menu {
		open := m.keys.openKeys(m.cursor < len(m.rows) && m.rows[m.cursor].sweep() != "")
		return keyMap{short: open, full: m.keys.FullHelp()}
	}
	return m.keys
}

// SetSize sets the area the screen draws in.
func (m *runsModel) SetSize(w, h int) {
	m.width, m.height = w, h
	m.scroll()
}

// setRuns replaces the table's runs, keeping selections and the cursor's
// run where they still exist.
func (m *runsModel) setRuns(recs []trainer.RunRecord, err error) {
	selected := map[string]bool{}
	for _, r := range m.rows {
		if r.selected {
			selected[r.Dir] = true
		}
	}
	cur := ""
	if m.cursor < len(m.rows) {
		cur = m.rows[m.cursor].Dir
	}
	m.err, m.loaded = err, true
	m.rows = m.rows[:0]
	for _, rec := range recs {
		r := newRunRow(rec)
		r.selected = selected[rec.Dir]
		m.rows = append(m.rows, r)
	}
	m.sortRows()
	m.cursor = 0
	for i := range m.rows {
		if m.rows[i].Dir == cur {
			m.cursor = i
		}
	}
	m.scroll()
}

// setLiveEpochs keeps the row of the live run in dir current as it
// trains: its epochs done (the list is read from disk when the screen
// opens, and a running run's summary.json lags).
func (m *runsModel) setLiveEpochs(dir string, epochs int) {
	for i := range m.rows {
		if r := &m.rows[i]; r.Dir == dir && r.Summary != nil {
			s := *r.Summary
			s.Epochs = epochs
			r.Summary = &s
		}
	}
}

// sortRows orders the runs by the sort column (lab.SortRuns, as `mlptui
// runs --sort` does), and puts the runs of a sweep together, best first
// (the leaderboard's order), where the sweep's first run by that column
// stands.
func (m *runsModel) sortRows() {
	entries := make([]*lab.Entry, len(m.rows))
	selected := map[*lab.Entry]bool{}
	for i, r := range m.rows {
		entries[i], selected[r.Entry] = r.Entry, r.selected
	}
	lab.SortRuns(entries, &lab.RunColumns[m.sortBy])
	out := make([]runRow, 0, len(entries))
	done := map[string]bool{}
	for i, e := range entries {
		sw := ""
		if e.Config != nil {
			sw = e.Config.Sweep
		}
		if sw == "" {
			out = append(out, runRow{e, selected[e]})
			continue
		}
		if done[sw] {
			continue
		}
		done[sw] = true
		var trials []*lab.Entry
		for _, t := range entries[i:] {
			if t.Config != nil && t.Config.Sweep == sw {
				trials = append(trials, t)
			}
		}
		lab.SortRuns(trials, &lab.RunColumns[defaultSort])
		for _, t := range trials {
			out = append(out, runRow{t, selected[t]})
		}
	}
	m.rows = out
}

func (m *runsModel) visible() int { return max(1, m.height-4-len(m.boardLines())) }

// boardLines are the sweep's leaderboard above the table, and a blank
// line; at most half the screen.
func (m *runsModel) boardLines() []string {
	if m.board == nil {
		return nil
	}
	l := append(m.board.lines(m.st, m.width), "")
	return l[:min(len(l), m.height/2)]
}

func (m *runsModel) scroll() {
	n := m.visible()
	m.cursor = max(0, min(m.cursor, len(m.rows)-1))
	if m.cursor < m.offset {
		m.offset = m.cursor
	}
	if m.cursor >= m.offset+n {
		m.offset = m.cursor - n + 1
	}
	m.offset = max(0, min(m.offset, len(m.rows)-n))
}

func (m *runsModel) selectedRows() []runRow {
	var out []runRow
	for _, r := range m.rows {
		if r.selected {
			out = append(out, r)
		}
	}
	return out
}

// Typing reports whether the screen takes every key (the epochs prompt).
func (m *runsModel) Typing() bool { return m.prompt }

// Update handles a key; what it asks of the dashboard comes as a
// runsAction.
func (m *runsModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return m, nil
	}
	if a := m.key(k); a != nil {
		return m, emit(*a)
	}
	return m, nil
}

func (m *runsModel) key(msg tea.KeyMsg) *runsAction {
	m.note = ""
	if m.prompt {
		switch msg.String() {
		case "esc":
			m.prompt = false
		case "enter":
			n, err := strconv.Atoi(strings.TrimSpace(m.epochs.Value()))
			if err != nil || n <= 0 {
				m.note = "epochs: want a whole number > 0"
				return nil
			}
			m.prompt = false
			return &runsAction{kind: runsResume, dir: m.rows[m.cursor].Dir, epochs: n}
		default:
			m.epochs, _ = m.epochs.Update(msg)
		}
		return nil
	}
	if m.compare != nil {
		switch msg.String() {
		case "esc", "c":
			m.compare = nil
		case "m":
			m.compare.loss = !m.compare.loss
		}
		return nil
	}
	if m.menu {
		m.menu = false
		if len(m.rows) == 0 {
			return nil
		}
		r := &m.rows[m.cursor]
		switch {
		case key.Matches(msg, m.keys.Resume):
			if r.Config == nil || r.Summary == nil {
				m.note = "this run cannot be resumed: " + termsafe.String(fmt.Sprint(r.Err))
				return nil
			}
			if r.Summary.Epochs < r.Config.Epochs {
				return &runsAction{kind: runsResume, dir: r.Dir}
			}
			m.prompt = true
			m.epochs.SetValue(strconv.Itoa(2 * max(1, r.Config.Epochs)))
			m.epochs.CursorEnd()
			m.epochs.Focus()
		case key.Matches(msg, m.keys.Inspect):
			return &runsAction{kind: runsInspect, dir: r.Dir}
		case key.Matches(msg, m.keys.Export):
			return &runsAction{kind: runsExport, dir: r.Dir}
		case key.Matches(msg, m.keys.Sweep) && r.sweep() != "":
			return &runsAction{kind: runsResumeSweep, dir: r.Dir}
		}
		return nil
	}
	switch {
	case msg.String() == "up" || msg.String() == "k":
		m.cursor--
	case msg.String() == "down" || msg.String() == "j":
		m.cursor++
	case msg.String() == "pgup":
		m.cursor -= m.visible()
	case msg.String() == "pgdown":
		m.cursor += m.visible()
	case msg.String() == "home":
		m.cursor = 0
	case msg.String() == "end":
		m.cursor = len(m.rows) - 1
	case key.Matches(msg, m.keys.Select):
		if m.cursor < len(m.rows) {
			m.rows[m.cursor].selected = !m.rows[m.cursor].selected
			m.cursor++
		}
	case key.Matches(msg, m.keys.Open):
		if len(m.rows) > 0 && m.cursor < len(m.rows) {
			m.menu = true
			m.details = runDetails(m.rows[m.cursor].RunRecord)
		}
	case key.Matches(msg, m.keys.Sort):
		m.sortBy = (m.sortBy + 1) % len(lab.RunColumns)
		m.sortRows()
	case key.Matches(msg, m.keys.Reload):
		return &runsAction{kind: runsReload}
	case key.Matches(msg, m.keys.Compare):
		sel := m.selectedRows()
		if len(sel) == 0 && m.cursor < len(m.rows) {
			sel = []runRow{m.rows[m.cursor]}
		}
		if len(sel) > 0 {
			return &runsAction{kind: runsCompare, rows: sel}
		}
	}
	m.scroll()
	return nil
}

// columns are the table's columns: lab's run columns, as `mlptui runs`
// prints them, and the sweep where a run of one is listed.
func (m *runsModel) columns() []*lab.RunColumn {
	var cols []*lab.RunColumn
	for i := range lab.RunColumns {
		cols = append(cols, &lab.RunColumns[i])
	}
	for i := range m.rows {
		if m.rows[i].sweep() != "" {
			return append(cols, &lab.SweepColumn)
		}
	}
	return cols
}

// table lays the runs out in w cells: a header row and a row a run, the
// columns kept (lab.FitColumns) and the cells fitted. When the table is
// too wide, the run names are cut at their start (what tells runs apart,
// the time, the data set, a sweep's trial, is at their end) down to 20
// cells and the status narrows to its symbol (✓ done, ■ stopped, ✗
// failed, ● running) before columns go, the lowest priority first.
func (m *runsModel) table(w int) (cols []*lab.RunColumn, rows [][]string) {
	cols = m.columns()
	head := make([]string, len(cols))
	for i, c := range cols {
		head[i] = c.Head()
	}
	rows = [][]string{head}
	for i := range m.rows {
		cells := make([]string, len(cols))
		for j, c := range cols {
			cells[j] = termsafe.String(c.Cell(m.rows[i].Entry))
		}
		rows = append(rows, cells)
	}
	width := func() int {
		n := 2 * (len(cols) - 1)
		for j := range cols {
			cw := 0
			for _, r := range rows {
				cw = max(cw, utf8.RuneCountInString(r[j]))
			}
			n += cw
		}
		return n
	}
	if over := width() - w; over > 0 {
		nameW := 0
		for _, r := range rows[1:] {
			nameW = max(nameW, utf8.RuneCountInString(r[0]))
		}
		for _, r := range rows[1:] {
			r[0] = truncateStart(r[0], max(20, nameW-over))
		}
	}
	if width() > w {
		for j, c := range cols {
			if c.Name != "status" {
				continue
			}
			rows[0][j] = ""
			for i, r := range rows[1:] {
				if r[j] = stateSymbol(m.rows[i].Status); r[j] == "" {
					r[j] = "?"
				}
			}
		}
	}
	keep := lab.FitColumns(rows, func(j int) int { return cols[j].Prio }, w)
	kc := make([]*lab.RunColumn, len(keep))
	for i, k := range keep {
		kc[i] = cols[k]
	}
	for i, r := range rows {
		cells := make([]string, len(keep))
		for j, k := range keep {
			cells[j] = r[k]
		}
		rows[i] = cells
	}
	return kc, rows
}

// View draws the table, or the comparison of the selected runs.
func (m *runsModel) View() string {
	st, w, h := m.st, m.width, m.height
	if m.compare != nil {
		return m.compare.view(st, w, h)
	}
	if m.menu && m.cursor < len(m.rows) { // the open run's details
		lines := make([]string, 0, h)
		for _, l := range m.details {
			if !strings.HasPrefix(l, " ") {
				l = st.bold.Render(l)
			}
			lines = append(lines, fitLine(l, w))
		}
		lines = padLines(lines[:min(len(lines), h-1)], h-1)
		r := &m.rows[m.cursor]
		foot := st.bold.Render("open "+runName(r.Dir)) + st.dim.Render(": the keys below; any other key goes back")
		return strings.Join(append(lines, fitLine(foot, w)), "\n")
	}
	lines := []string{fitLine(st.bold.Render(fmt.Sprintf("Saved runs (%d)", len(m.rows)))+
		st.dim.Render("  sorted by "+lab.RunColumns[m.sortBy].Head()+" (o), a sweep's trials together"), w)}
	lines = append(m.boardLines(), lines...)
	if m.err != nil {
		lines = append(lines, st.bad.Render(fitLine(m.err.Error(), w)))
	} else if !m.loaded {
		lines = append(lines, st.dim.Render("reading…"))
	} else if len(m.rows) == 0 {
		lines = append(lines, st.dim.Render("No saved runs yet: start one on the Setup screen."))
	}
	if len(m.rows) > 0 {
		cols, rows := m.table(w - 2)
		var b strings.Builder
		lab.WriteTable(&b, rows, func(j int) bool { return cols[j].Right })
		text := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
		lines = append(lines, st.dim.Render(fitLine("  "+text[0], w)))
		for i := m.offset; i < min(len(m.rows), m.offset+m.visible()); i++ {
			mark, line := " ", text[i+1]
			if m.rows[i].selected {
				mark = "*" // selected (✓ is a done run's status)
			}
			if i == m.cursor {
				mark, line = st.focus.Render("›"+mark), st.focus.Render(line)
			} else {
				mark = " " + mark
			}
			lines = append(lines, fitLine(mark+line, w))
		}
	}
	for len(lines) < h-1 {
		lines = append(lines, "")
	}
	var foot string
	switch {
	case m.prompt:
		foot = "resume " + runName(m.rows[m.cursor].Dir) + " to how many epochs in all? " + m.epochs.Value() + "_" + st.dim.Render("  enter: go, esc: cancel")
	case m.note != "":
		foot = st.bad.Render(m.note)
	case len(m.rows) > 0:
		foot = st.dim.Render(fmt.Sprintf("%d selected", len(m.selectedRows())))
	}
	lines = append(lines[:min(len(lines), h-1)], fitLine(foot, w))
	return strings.Join(lines, "\n")
}
