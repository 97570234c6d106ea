package tui

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/mlptui/mlptui/internal/termsafe"
	"github.com/mlptui/mlptui/lab"
	"github.com/mlptui/mlptui/trainer"
)

// predictionsModel draws test samples with the model's top guesses, and
// the confusion matrix.
type predictionsModel struct {
	st        *styles
	keys      predictionKeys
	width     int
	height    int
	page      int
	confusion bool // show the confusion matrix instead of the samples
	// pictures caches drawn images by sample and scale: they never
	// change, only the guesses under them do.
	pictures map[[2]int][]string
	state    func() *runState // the run shown (nil: none)
}

func newPredictions(st *styles, state func() *runState) *predictionsModel {
	return &predictionsModel{st: st, keys: newPredictionKeys(), width: 80, height: 22, pictures: map[[2]int][]string{}, state: state}
}

// KeyMap is the keys that page and switch to the matrix.
func (m *predictionsModel) KeyMap() help.KeyMap { return m.keys }

// Typing is false: the screen has no text field.
func (m *predictionsModel) Typing() bool { return false }

// Init does nothing.
func (m *predictionsModel) Init() tea.Cmd { return nil }

// SetSize sets the area the screen draws in.
func (m *predictionsModel) SetSize(w, h int) { m.width, m.height = w, h }

// reset forgets the pictures of another run's samples.
func (m *predictionsModel) reset() {
	m.page = 0
	clear(m.pictures)
}

// Update pages through the samples and toggles the confusion matrix.
func (m *predictionsModel) Update(tmsg tea.Msg) (tea.Model, tea.Cmd) {
	msg, ok := tmsg.(tea.KeyMsg)
	if !ok {
		return m, nil
	}
	switch {
	case key.Matches(msg, m.keys.Confusion):
		m.confusion = !m.confusion
	case key.Matches(msg, m.keys.Page):
		if s := msg.String(); s == "left" || s == "h" {
			m.page--
		} else {
			m.page++
		}
	}
	return m, nil
}

// tile geometry: an image at a scale, or a table row.
type tileSize struct{ w, h, scale int }

func (m predictionsModel) tileSize(in *trainer.RunInfo, h int) tileSize {
	if len(in.InputShape) == 3 {
		iw, ih := in.InputShape[2], in.InputShape[1]
		for _, scale := range []int{1, 2, 4} {
			t := tileSize{w: max(iw/scale, 18), h: (ih/scale+1)/2 + 4, scale: scale}
			if t.h <= h || scale == 4 {
				return t
			}
		}
	}
	if len(in.Features) > 0 { // a table: a line per named feature
		w := 0
		for _, smp := range in.Samples {
			for j, v := range sampleValues(smp) {
				if j < len(in.Features) {
					w = max(w, len([]rune(in.Features[j]))+1+len([]rune(v)))
				}
			}
		}
		for _, c := range in.Classes {
			w = max(w, len([]rune(c))+6)
		}
		return tileSize{w: min(max(w, 18), 32), h: 5 + min(len(in.Features), maxFeatureLines)}
	}
	w := 4 * len(in.InputShape)
	if len(in.InputShape) == 1 {
		w = 5 * in.InputShape[0]
	}
	for _, c := range in.Classes {
		w = max(w, len([]rune(termsafe.String(c)))+6)
	}
	return tileSize{w: min(w, 40), h: 5}
}

// maxFeatureLines is how many features of a table row a tile lists.
const maxFeatureLines = 8

// sampleValues gives a table sample's values as text: its cells as
// written, or its numbers.
func sampleValues(smp trainer.Sample) []string {
	if smp.Cells != nil {
		out := make([]string, len(smp.Cells))
		for j, c := range smp.Cells {
			if out[j] = c; c == "" {
				out[j] = "·" // missing
			}
		}
		return out
	}
	vals := make([]string, len(smp.X))
	for j, v := range smp.X {
		vals[j] = fmt.Sprintf("%.3g", v)
		if !strings.ContainsAny(vals[j], ".e") {
			vals[j] += ".0"
		}
	}
	return vals
}

// View draws the screen for a run's state.
func (m *predictionsModel) View() string {
	s := m.state()
	st, w, h := m.st, m.width, m.height
	if s == nil || s.info == nil {
		return lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center,
			st.dim.Render("No predictions yet: they appear when a run starts,\nor open a saved run on the Runs screen (p)."))
	}
	conf := confusionView(st, s.info.Classes, s.confusion, s.confusionOf)
	cw, chh := lipgloss.Width(conf), lipgloss.Height(conf)
	head := m.headLine(s)
	body := h - 1
	if m.confusion || len(s.info.Samples) == 0 {
		if conf == "" { // say why instead of a blank screen
			conf = st.dim.Render(fitLine(noConfusion(s), w))
		}
		return head + "\n" + conf
	}
	ts := m.tileSize(s.info, body)
	gap := 2
	cols := max(1, (w+gap)/(ts.w+gap))
	var tiles string
	switch {
	// A line under the tiles says the page.
	case conf != "" && w-cw-4 >= 2*ts.w+gap && chh <= body: // side by side
		cols = max(1, (w-cw-4+gap)/(ts.w+gap))
		tiles = m.grid(s, ts, cols, max(1, (body-1)/ts.h))
		return head + "\n" + lipgloss.JoinHorizontal(lipgloss.Top, tiles, "  ", conf)
	case conf != "" && body-chh-2 >= ts.h: // samples above the matrix
		tiles = m.grid(s, ts, cols, max(1, (body-chh-2)/ts.h))
		return head + "\n" + tiles + "\n" + conf
	}
	return head + "\n" + m.grid(s, ts, cols, max(1, (body-1)/ts.h))
}

func (m predictionsModel) headLine(s *runState) string {
	n := len(s.info.Samples)
	wrong := 0
	for i, smp := range s.info.Samples {
		if i < len(s.preds) && argmax(s.preds[i]) != smp.Label {
			wrong++
		}
	}
	when := "before training"
	if k := len(s.epochs); k > 0 {
		when = fmt.Sprintf("after epoch %d", s.epochs[k-1].Epoch)
	}
	if s.status == stateSaved || !s.live() && s.confusionOf == "test" {
		when = "of the saved model"
	}
	split, from := s.info.SamplesOf, s.info.SamplesFrom
	if split == "" { // a run from before the split was named
		split, from = trainer.SamplesTest, s.info.Test
	}
	of := ""
	if from > n {
		of = " of " + lab.Thousands(float64(from)) // some of the split
	}
	line := fmt.Sprintf("%d%s %s samples %s: %d wrong", n, of, split, when, wrong)
	if !m.confusion {
		line += m.st.dim.Render("  (c: confusion, ←/→: page)")
	} else {
		line += m.st.dim.Render("  (c: samples)")
	}
	return fitLine(line, m.width)
}

// grid draws one page of sample tiles, cols by rows.
func (m predictionsModel) grid(s *runState, ts tileSize, cols, rows int) string {
	per := cols * rows
	samples := s.info.Samples
	pages := max(1, (len(samples)+per-1)/per)
	page := ((m.page % pages) + pages) % pages
	var out []string
	for r := range rows {
		var row []string
		for c := range cols {
			i := page*per + r*cols + c
			if i >= len(samples) {
				break
			}
			row = append(row, lipgloss.NewStyle().Width(ts.w).MarginRight(2).Render(m.tile(s, i, ts)))
		}
		if len(row) == 0 {
			break
		}
		out = append(out, lipgloss.JoinHorizontal(lipgloss.Top, row...))
	}
	if pages > 1 {
		out = append(out, m.st.dim.Render(fmt.Sprintf("page %d/%d", page+1, pages)))
	}
	return strings.Join(out, "\n")
}

// tile draws one sample: its picture or feature values, its true class
// (✓ or ✗ for the top guess) and the three likeliest classes.
func (m predictionsModel) tile(s *runState, i int, ts tileSize) string {
	st := m.st
	smp := s.info.Samples[i]
	classes := s.info.Classes
	var lines []string
	if smp.Pix != nil {
		k := [2]int{i, ts.scale}
		pic, ok := m.pictures[k]
		if !ok {
			pic = picture(smp.Pix, s.info.InputShape, ts.scale, st.profile)
			m.pictures[k] = pic
		}
		lines = append(lines, pic...)
	}
	var p []float32
	if i < len(s.preds) {
		p = s.preds[i]
	}
	truth := className(classes, smp.Label)
	mark := st.dim.Render("· " + truth)
	if p != nil {
		if argmax(p) == smp.Label {
			mark = st.good.Render("✓ " + truth)
		} else {
			mark = st.bad.Render("✗ " + truth)
		}
	}
	lines = append(lines, fitLine(mark, ts.w))
	if names := s.info.Features; len(names) > 0 && smp.Pix == nil {
		vals := sampleValues(smp)
		for j, v := range vals {
			if j >= len(names) {
				break
			}
			if j == maxFeatureLines-1 && len(vals) > maxFeatureLines {
				lines = append(lines, st.dim.Render(fmt.Sprintf("… %d more", len(vals)-j)))
				break
			}
			lines = append(lines, fitLine(st.dim.Render(names[j])+" "+v, ts.w))
		}
	} else if smp.X != nil {
		lines = append(lines, fitLine(st.dim.Render(strings.Join(sampleValues(smp), " ")), ts.w))
	}
	for _, c := range lab.Top(p, 3) { // the ranking classify and the Predictor give
		line := fmt.Sprintf("%4.0f%% %s", 100*p[c], className(classes, c))
		if c == smp.Label {
			line = st.bold.Render(line)
		}
		lines = append(lines, fitLine(line, ts.w))
	}
	return strings.Join(lines, "\n")
}

// argmax is the predicted class: lab's ranking's first (-1 for none).
func argmax(p []float32) int {
	if t := lab.Top(p, 1); len(t) > 0 {
		return t[0]
	}
	return -1
}

func className(classes []string, i int) string {
	if i >= 0 && i < len(classes) {
		return termsafe.String(classes[i]) // from the data set or the model file
	}
	return fmt.Sprint(i)
}

// noConfusion says why there is no confusion matrix to show.
func noConfusion(s *runState) string {
	if len(s.epochs) > 0 && !s.hasVal() {
		return "No confusion matrix: this run has no validation part (--val-split); open the saved run (Runs, p) for its test set's."
	}
	return "No confusion matrix yet: it comes with the first epoch's validation."
}

// confusionView draws a confusion matrix (rows: true class, columns:
// predicted) with each class's accuracy; "" without one. The diagonal
// is green; off it, red marks where at least a tenth of a class goes.
func confusionView(st *styles, classes []string, conf [][]int, of string) string {
	if len(conf) == 0 {
		return ""
	}
	most := 0
	for _, row := range conf {
		for _, v := range row {
			most = max(most, v)
		}
	}
	cell := max(3, len(fmt.Sprint(most))+1)
	nameW := 4
	for _, c := range classes {
		nameW = max(nameW, min(12, len([]rune(termsafe.String(c)))))
	}
	idxW := len(fmt.Sprint(len(conf) - 1))
	lines := []string{st.bold.Render("Confusion matrix ("+of+")") + st.dim.Render("  rows: true, columns: predicted")}
	var hb strings.Builder
	hb.WriteString(strings.Repeat(" ", idxW+1+nameW))
	for j := range conf {
		fmt.Fprintf(&hb, "%*d", cell, j)
	}
	hb.WriteString("    acc     f1")
	rep := trainer.ClassReport(classes, conf)
	lines = append(lines, st.dim.Render(hb.String()))
	for i, row := range conf {
		var b strings.Builder
		fmt.Fprintf(&b, "%*d %s", idxW, i, padRight(className(classes, i), nameW))
		total := 0
		for _, v := range row {
			total += v
		}
		for j, v := range row {
			s := fmt.Sprintf("%*d", cell, v)
			switch {
			case i == j:
				s = st.good.Render(s)
			case v == 0:
				s = st.faint.Render(s)
			case 10*v >= total: // a confusion worth a look: 10 % of the class or more
				s = st.bad.Render(s)
			default:
				s = st.dim.Render(s)
			}
			b.WriteString(s)
		}
		acc := "      -"
		if total > 0 {
			acc = fmt.Sprintf(" %6s", lab.ShortPercent(float64(row[i])/float64(total)))
		}
		b.WriteString(acc)
		f1 := "      -"
		if total > 0 || i < len(rep.PerClass) && rep.PerClass[i].F1 > 0 {
			f1 = fmt.Sprintf(" %6.3f", rep.PerClass[i].F1)
		}
		b.WriteString(f1)
		lines = append(lines, b.String())
	}
	lines = append(lines, st.dim.Render(fmt.Sprintf("macro F1 %.3f · weighted F1 %.3f · balanced accuracy %s",
		rep.Macro.F1, rep.Weighted.F1, lab.ShortPercent(rep.BalancedAccuracy))))
	return strings.Join(lines, "\n")
}
