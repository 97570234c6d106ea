package tui

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/mlptui/mlptui/internal/termsafe"
	"github.com/mlptui/mlptui/lab"
	"github.com/mlptui/mlptui/trainer"
)

// runRow is one saved run in the table.
type runRow struct {
	rec      trainer.RunRecord
	bestVal  float64 // NaN if unknown
	testAcc  float64 // NaN if unknown
	selected bool
}

func newRunRow(rec trainer.RunRecord) runRow {
	r := runRow{rec: rec, bestVal: math.NaN(), testAcc: math.NaN()}
	if s := rec.Summary; s != nil {
		if s.BestValAccuracy != nil {
			r.bestVal = *s.BestValAccuracy
		}
		if s.TestAccuracy != nil {
			r.testAcc = *s.TestAccuracy
		}
	}
	return r
}

func (r *runRow) sweep() string {
	if r.rec.Config == nil {
		return ""
	}
	return r.rec.Config.Sweep
}

// sortKey orders runs; better first.
type sortKey struct {
	name string
	less func(a, b *runRow) bool
}

// descNaNLast orders by a value, highest first, unknown values last.
func descNaNLast(a, b float64) bool {
	if math.IsNaN(b) {
		return !math.IsNaN(a)
	}
	return a > b
}

var sortKeys = []sortKey{
	{"best val acc", bestFirst}, // the leaderboard's order: ties to the lower validation loss
	{"test acc", func(a, b *runRow) bool { return descNaNLast(a.testAcc, b.testAcc) }},
	{"newest", func(a, b *runRow) bool { return a.rec.Dir > b.rec.Dir }},
	{"data set", func(a, b *runRow) bool { return runCell(a, "dataset") < runCell(b, "dataset") }},
	{"lr", func(a, b *runRow) bool { return runLR(a) > runLR(b) }},
}

func runLR(r *runRow) float64 {
	if r.rec.Config == nil {
		return math.Inf(-1)
	}
	return r.rec.Config.LR
}

// runsAction is what the runs screen asks the dashboard to do.
type runsAction struct {
	kind   string // "resume", "inspect", "export", "compare", "reload"
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
	sortBy  int
	err     error
	loaded  bool
	menu    bool // the cursor's run is open: its details, then r, p or e
	details []string
	prompt  bool // asking for the epochs to resume to
	epochs  textinput.Model
	compare *comparison
	note    string
}

func newRuns(st *styles) runsModel {
	in := textinput.New()
	in.Prompt = ""
	in.CharLimit = 7
	return runsModel{st: st, keys: newRunsKeys(), width: 80, height: 22, epochs: in}
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
			selected[r.rec.Dir] = true
		}
	}
	cur := ""
	if m.cursor < len(m.rows) {
		cur = m.rows[m.cursor].rec.Dir
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
		if m.rows[i].rec.Dir == cur {
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
		if r := &m.rows[i]; r.rec.Dir == dir && r.rec.Summary != nil {
			s := *r.rec.Summary
			s.Epochs = epochs
			r.rec.Summary = &s
		}
	}
}

// bestFirst orders the trials of a sweep: best validation accuracy
// first, then the lower validation loss, unknown values last.
func bestFirst(a, b *runRow) bool {
	return trainer.BestFirst(a.rec.Summary, b.rec.Summary) < 0
}

// sortRows orders the runs by the sort key, and puts the runs of a sweep
// together, best first, where the sweep's first run by that key stands.
func (m *runsModel) sortRows() {
	k := sortKeys[m.sortBy]
	sort.SliceStable(m.rows, func(i, j int) bool { return k.less(&m.rows[i], &m.rows[j]) })
	out := make([]runRow, 0, len(m.rows))
	done := map[string]bool{}
	for i := range m.rows {
		sw := m.rows[i].sweep()
		if sw == "" {
			out = append(out, m.rows[i])
			continue
		}
		if done[sw] {
			continue
		}
		done[sw] = true
		group := len(out)
		for j := i; j < len(m.rows); j++ {
			if m.rows[j].sweep() == sw {
				out = append(out, m.rows[j])
			}
		}
		trials := out[group:]
		sort.SliceStable(trials, func(a, b int) bool { return bestFirst(&trials[a], &trials[b]) })
	}
	m.rows = out
}

func (m *runsModel) visible() int { return max(1, m.height-4) }

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

// typing reports whether the screen takes every key (the epochs prompt).
func (m *runsModel) typing() bool { return m.prompt }

// Update handles a key; the action, if any, is for the dashboard.
func (m runsModel) Update(msg tea.KeyMsg) (runsModel, *runsAction) {
	m.note = ""
	if m.prompt {
		switch msg.String() {
		case "esc":
			m.prompt = false
		case "enter":
			n, err := strconv.Atoi(strings.TrimSpace(m.epochs.Value()))
			if err != nil || n <= 0 {
				m.note = "epochs: want a whole number > 0"
				return m, nil
			}
			m.prompt = false
			return m, &runsAction{kind: "resume", dir: m.rows[m.cursor].rec.Dir, epochs: n}
		default:
			m.epochs, _ = m.epochs.Update(msg)
		}
		return m, nil
	}
	if m.compare != nil {
		switch msg.String() {
		case "esc", "c":
			m.compare = nil
		case "m":
			m.compare.loss = !m.compare.loss
		}
		return m, nil
	}
	if m.menu {
		m.menu = false
		if len(m.rows) == 0 {
			return m, nil
		}
		r := &m.rows[m.cursor]
		switch {
		case key.Matches(msg, m.keys.Resume):
			if r.rec.Config == nil || r.rec.Summary == nil {
				m.note = "this run cannot be resumed: " + termsafe.String(fmt.Sprint(r.rec.Err))
				return m, nil
			}
			if r.rec.Summary.Epochs < r.rec.Config.Epochs {
				return m, &runsAction{kind: "resume", dir: r.rec.Dir}
			}
			m.prompt = true
			m.epochs.SetValue(strconv.Itoa(2 * max(1, r.rec.Config.Epochs)))
			m.epochs.CursorEnd()
			m.epochs.Focus()
		case key.Matches(msg, m.keys.Inspect):
			return m, &runsAction{kind: "inspect", dir: r.rec.Dir}
		case key.Matches(msg, m.keys.Export):
			return m, &runsAction{kind: "export", dir: r.rec.Dir}
		}
		return m, nil
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
			m.details = runDetails(m.rows[m.cursor].rec)
		}
	case key.Matches(msg, m.keys.Sort):
		m.sortBy = (m.sortBy + 1) % len(sortKeys)
		m.sortRows()
	case key.Matches(msg, m.keys.Reload):
		return m, &runsAction{kind: "reload"}
	case key.Matches(msg, m.keys.Compare):
		sel := m.selectedRows()
		if len(sel) == 0 && m.cursor < len(m.rows) {
			sel = []runRow{m.rows[m.cursor]}
		}
		if len(sel) > 0 {
			return m, &runsAction{kind: "compare", rows: sel}
		}
	}
	m.scroll()
	return m, nil
}

// column of the table.
type runColumn struct {
	name  string
	width int
	prio  int // lower columns go first when the terminal is narrow
	right bool
	// keepEnd cuts a long cell at its start: a run's name ends in what
	// tells runs apart (the time, the data set, the name given).
	keepEnd bool
}

var runColumns = []runColumn{
	{"name", 26, 9, false, true},
	{"dataset", 9, 7, false, false},
	{"hidden", 11, 8, false, false},
	{"lr", 8, 6, true, false},
	{"epochs", 6, 5, true, false},
	{"best val", 8, 9, true, false},
	{"test", 7, 8, true, false},
	{"time", 7, 4, true, false},
	{"status", 11, 3, false, false},
	{"sweep", 12, 2, false, false},
}

// runCell is the text of one cell of the table.
func runCell(r *runRow, col string) string {
	c, s := r.rec.Config, r.rec.Summary
	switch col {
	case "name":
		return runName(r.rec.Dir)
	case "status":
		return termsafe.String(string(r.rec.Status))
	case "state": // the status column narrowed to its symbol
		if sym := stateSymbol(r.rec.Status); sym != "" {
			return sym
		}
		return "?"
	case "best val":
		return lab.ShortPercent(r.bestVal)
	case "test":
		return lab.ShortPercent(r.testAcc)
	case "time":
		if s == nil {
			return "-"
		}
		return lab.Clock(s.TrainSeconds)
	case "epochs":
		if s == nil {
			return "-"
		}
		return strconv.Itoa(s.Epochs)
	}
	if c == nil {
		return "?"
	}
	switch col {
	case "dataset":
		return termsafe.String(trainer.DatasetLabel(c.Dataset))
	case "hidden":
		return trainer.FieldByName("hidden").Get(c)
	case "lr":
		if s != nil && len(s.Edits) > 0 {
			if v, ok := s.SettingsAtEnd["lr"]; ok && v != c.LR {
				return "→" + strconv.FormatFloat(v, 'g', 3, 64) // edited: the value at the end
			}
		}
		return strconv.FormatFloat(c.LR, 'g', 3, 64)
	case "sweep":
		return c.Sweep
	}
	return ""
}

// columns returns the columns that fit in w cells: the name column
// narrows first, then the least useful columns go.
func (m *runsModel) columns(w int) []runColumn {
	hasSweep := false
	for i := range m.rows {
		hasSweep = hasSweep || m.rows[i].sweep() != ""
	}
	var cols []runColumn
	for _, c := range runColumns {
		if c.name != "sweep" || hasSweep {
			cols = append(cols, c)
		}
	}
	for {
		total := 2
		for _, c := range cols {
			total += c.width + 1
		}
		if total <= w || len(cols) == 1 {
			return cols
		}
		if cols[0].width > 20 {
			cols[0].width = max(20, cols[0].width-(total-w))
			continue
		}
		low := 1
		for i := 2; i < len(cols); i++ {
			if cols[i].prio < cols[low].prio {
				low = i
			}
		}
		if cols[low].name == "status" {
			// The status narrows to its symbol (✓ done, ■ stopped, ✗
			// failed, ● running), which goes only after most columns.
			cols[low] = runColumn{name: "state", width: 1, prio: 7}
			continue
		}
		cols = append(cols[:low], cols[low+1:]...)
	}
}

// View draws the table, or the comparison of the selected runs.
func (m runsModel) View() string {
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
		foot := st.bold.Render("open "+runName(m.rows[m.cursor].rec.Dir)+": ") + "r resume training · p predictions · e export ONNX · any other key: back"
		return strings.Join(append(lines, fitLine(foot, w)), "\n")
	}
	lines := []string{fitLine(st.bold.Render(fmt.Sprintf("Saved runs (%d)", len(m.rows)))+
		st.dim.Render("  sorted by "+sortKeys[m.sortBy].name+"; a sweep's trials together, best first"), w)}
	if m.err != nil {
		lines = append(lines, st.bad.Render(fitLine(m.err.Error(), w)))
	} else if !m.loaded {
		lines = append(lines, st.dim.Render("reading…"))
	} else if len(m.rows) == 0 {
		lines = append(lines, st.dim.Render("No saved runs yet: start one on the Setup screen."))
	}
	cols := m.columns(w)
	cell := func(c runColumn, s string) string {
		if c.keepEnd {
			s = truncateStart(s, c.width)
		}
		if c.right {
			return fmt.Sprintf("%*s", c.width, truncate(s, c.width))
		}
		return padRight(s, c.width)
	}
	if len(m.rows) > 0 {
		var hb strings.Builder
		hb.WriteString("  ")
		for _, c := range cols {
			name := c.name
			if name == "state" {
				name = "" // a column of symbols
			}
			hb.WriteString(cell(c, name) + " ")
		}
		lines = append(lines, st.dim.Render(fitLine(hb.String(), w)))
	}
	n := m.visible()
	for i := m.offset; i < min(len(m.rows), m.offset+n); i++ {
		r := &m.rows[i]
		var b strings.Builder
		for _, c := range cols {
			b.WriteString(cell(c, runCell(r, c.name)) + " ")
		}
		mark, text := " ", b.String()
		if r.selected {
			mark = "*" // selected (✓ is a done run's status)
		}
		if i == m.cursor {
			mark, text = st.focus.Render("›"+mark), st.focus.Render(text)
		} else {
			mark = " " + mark
		}
		lines = append(lines, fitLine(mark+text, w))
	}
	for len(lines) < h-1 {
		lines = append(lines, "")
	}
	var foot string
	switch {
	case m.prompt:
		foot = "resume " + runName(m.rows[m.cursor].rec.Dir) + " to how many epochs in all? " + m.epochs.Value() + "_" + st.dim.Render("  enter: go, esc: cancel")
	case m.note != "":
		foot = st.bad.Render(m.note)
	case len(m.rows) > 0:
		foot = st.dim.Render(fmt.Sprintf("%d selected", len(m.selectedRows())))
	}
	lines = append(lines[:min(len(lines), h-1)], fitLine(foot, w))
	return strings.Join(lines, "\n")
}
