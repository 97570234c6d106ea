package tui

import (
	"fmt"
	"math"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/mlptui/mlptui/trainer"
)

// networkModel draws the network screen: for each layer with parameters,
// histograms of its weights, its output (pre-activation), its
// activation's output and its gradients, from a recent training step, with
// the figures that diagnose training and the layer's warnings.
type networkModel struct {
	st     *styles
	keys   networkKeys
	width  int
	height int
	top    int              // the first layer shown
	state  func() *runState // the run shown (nil: none)
}

// networkKeys scroll through the layers.
type networkKeys struct {
	Scroll key.Binding
}

func newNetworkKeys() networkKeys {
	return networkKeys{
		Scroll: key.NewBinding(key.WithKeys("up", "down", "k", "j", "pgup", "pgdown", "home", "end"), key.WithHelp("↑/↓", "scroll layers")),
	}
}

func (k networkKeys) ShortHelp() []key.Binding  { return []key.Binding{k.Scroll} }
func (k networkKeys) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

func newNetwork(st *styles, state func() *runState) *networkModel {
	return &networkModel{st: st, keys: newNetworkKeys(), width: 80, height: 22, state: state}
}

// KeyMap is the keys that scroll.
func (m *networkModel) KeyMap() help.KeyMap { return m.keys }

// Typing is false: the screen has no text field.
func (m *networkModel) Typing() bool { return false }

// Init does nothing.
func (m *networkModel) Init() tea.Cmd { return nil }

// SetSize sets the area the screen draws in.
func (m *networkModel) SetSize(w, h int) { m.width, m.height = w, h }

// Update scrolls the layers.
func (m *networkModel) Update(tmsg tea.Msg) (tea.Model, tea.Cmd) {
	msg, ok := tmsg.(tea.KeyMsg)
	s := m.state()
	if !ok || !key.Matches(msg, m.keys.Scroll) || s == nil || s.layers == nil {
		return m, nil
	}
	layers := len(s.layers.Layers)
	switch msg.String() {
	case "up", "k":
		m.top--
	case "down", "j":
		m.top++
	case "pgup":
		m.top -= 5
	case "pgdown":
		m.top += 5
	case "home":
		m.top = 0
	case "end":
		m.top = layers
	}
	m.top = max(0, min(m.top, layers-1))
	return m, nil
}

// histogram panels of a layer, in the order drawn.
var panelNames = [4]string{"weights", "output", "activation", "gradient"}

// View draws the screen for the run shown.
func (m *networkModel) View() string {
	s, st, w, h := m.state(), m.st, m.width, m.height
	switch {
	case s == nil:
		return lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, st.dim.Render(
			"No run yet.\nStart one on the Setup screen: this screen shows\nwhat each of its layers does as it trains."))
	case s.layers == nil && s.live():
		return lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, st.dim.Render("Waiting for the first layer statistics…"))
	case s.layers == nil:
		return lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, st.dim.Render(
			"Layer statistics come from a run as it trains.\nA saved run's, epoch by epoch: mlptui plot --layers RUN"))
	}
	ns := s.layers
	n := len(ns.Layers)
	head := fmt.Sprintf("Layers at step %d (epoch %d), a batch of %d · lr %.3g", ns.Step, ns.Epoch, ns.Rows, ns.LR)
	if warn := len(ns.Warnings()); warn > 0 {
		head += st.bad.Render(fmt.Sprintf(" · %d warning", warn) + plural(warn))
	} else {
		head += st.good.Render(" · no warnings")
	}
	out := []string{fitLine(st.bold.Render(head), w)}
	avail := h - 2 // the head, and the line of where the view is
	// Each layer: its line of figures, its histograms (hr rows) and their
	// captions; as many rows as fit, 1 to 6, and scrolling when even one
	// each does not fit.
	hr := max(1, min(6, avail/max(1, n)-2))
	shown := max(1, min(n, avail/(hr+2)))
	top := min(m.top, n-shown)
	for _, l := range ns.Layers[top : top+shown] {
		out = append(out, m.layerView(l, ns.Rows, w, hr)...)
	}
	if shown < n {
		out = append(out, st.faint.Render(fitLine(fmt.Sprintf("layers %d-%d of %d · ↑/↓ scroll", top+1, top+shown, n), w)))
	} else {
		out = append(out, st.faint.Render(fitLine(thresholdsLine(), w)))
	}
	return lipgloss.NewStyle().MaxWidth(w).MaxHeight(h).Render(strings.Join(padLines(out, h), "\n"))
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// thresholdsLine says when a layer is flagged.
func thresholdsLine() string {
	return fmt.Sprintf("flagged: dead > %.0f%% · gradient RMS < %g of the largest or norm > %g · update ratio outside %g-%g (~1e-3 healthy)",
		100*trainer.DeadShare, trainer.VanishFactor, trainer.ExplodeNorm, trainer.UpdateRatioMin, trainer.UpdateRatioMax)
}

// layerView is one layer: a line of figures, then its four histograms
// side by side (hr rows) with a caption under each.
func (m *networkModel) layerView(l trainer.LayerStats, rows, w, hr int) []string {
	st := m.st
	name := l.Name
	if l.Block > 0 {
		name += fmt.Sprintf(" (block %d)", l.Block)
	}
	kind := l.Kind
	if l.ActKind != "" {
		kind += "→" + l.ActKind
	}
	figs := []string{st.bold.Render(name), fmt.Sprintf("%d units %s", l.Units, kind)}
	if !math.IsNaN(l.Dead) {
		figs = append(figs, "dead "+pct(l.Dead))
	}
	figs = append(figs, "‖∇‖ "+short(l.GradNorm), "update "+short(l.UpdateRatio))
	line := strings.Join(figs, "  ")
	if l.Flags != 0 {
		line += "  " + st.bad.Render("⚠ "+l.Flags.String())
	}
	out := []string{fitLine(line, w)}
	dists := [4]trainer.Dist{l.Weights, l.Out, l.Act, l.Grad}
	pw := max(8, (w-3)/4)
	cols := make([][]string, 0, 4)
	for i, d := range dists {
		cols = append(cols, m.panel(panelNames[i], d, pw, hr, l.Flags != 0 && (i == 2 && l.Flags&trainer.FlagDead != 0 || i == 3 && l.Flags&(trainer.FlagExploding|trainer.FlagVanishing) != 0)))
	}
	for r := range hr + 1 {
		parts := make([]string, len(cols))
		for i, c := range cols {
			parts[i] = c[r]
		}
		out = append(out, fitLine(strings.Join(parts, " "), w))
	}
	return out
}

// panel is one histogram, hr rows of bars pw wide, and its caption.
func (m *networkModel) panel(title string, d trainer.Dist, pw, hr int, bad bool) []string {
	st := m.st
	out := make([]string, 0, hr+1)
	if d.N == 0 {
		for range hr {
			out = append(out, strings.Repeat(" ", pw))
		}
		return append(out, padCells(st.faint.Render(title+" —"), pw))
	}
	bars := histBars(d.Hist, pw, hr)
	style := st.train
	if bad {
		style = st.bad
	}
	for _, b := range bars {
		out = append(out, style.Render(b))
	}
	cap := fmt.Sprintf("%s μ%s σ%s", title[:min(len(title), 3)], short(d.Mean), short(d.Std))
	if pw >= 30 {
		cap = fmt.Sprintf("%s μ %s σ %s [%s, %s]", title, short(d.Mean), short(d.Std), short(d.Lo), short(d.Hi))
	} else if pw >= 22 {
		cap = fmt.Sprintf("%s μ%s σ%s", title, short(d.Mean), short(d.Std))
	}
	return append(out, padCells(st.dim.Render(fitLine(cap, pw)), pw))
}

// histBars draws counts as hr rows of vertical bars w columns wide, in
// eighths of a cell, the tallest bar filling them all; the bins are
// spread over the columns.
func histBars(hist []int, w, hr int) []string {
	cols := make([]float64, w)
	most := 0.0
	for c := range cols {
		lo, hi := c*len(hist)/w, max(c*len(hist)/w+1, (c+1)*len(hist)/w)
		for _, v := range hist[lo:min(hi, len(hist))] {
			cols[c] += float64(v)
		}
		cols[c] /= float64(hi - lo)
		most = max(most, cols[c])
	}
	const eighths = " ▁▂▃▄▅▆▇█"
	blocks := []rune(eighths)
	lines := make([]string, hr)
	for r := range hr {
		var b strings.Builder
		for _, v := range cols {
			// The height of this bar in eighths, less the rows below r.
			e := 0
			if most > 0 {
				e = int(math.Round(v / most * float64(8*hr)))
				if v > 0 && e == 0 {
					e = 1 // a bin with anything in it shows
				}
			}
			e -= 8 * (hr - 1 - r)
			b.WriteRune(blocks[max(0, min(8, e))])
		}
		lines[r] = b.String()
	}
	return lines
}

// short formats a figure in a few characters: 0.031, 2.9e-03, 1.2e+07.
func short(v float64) string {
	switch a := math.Abs(v); {
	case math.IsNaN(v):
		return "—"
	case v == 0:
		return "0"
	case a >= 1e4 || a < 1e-2:
		// 1.2e-5, not 1.2e-05: a cell saved on every figure
		m, e, _ := strings.Cut(fmt.Sprintf("%.1e", v), "e")
		sign, digits := e[:1], strings.TrimLeft(e[1:], "0")
		if sign == "+" {
			sign = ""
		}
		return m + "e" + sign + digits
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.3g", v)
}

func pct(v float64) string { return fmt.Sprintf("%.0f%%", 100*v) }

// padCells pads s, which may hold colour codes, with spaces to w cells.
func padCells(s string, w int) string {
	if g := w - lipgloss.Width(s); g > 0 {
		return s + strings.Repeat(" ", g)
	}
	return s
}
