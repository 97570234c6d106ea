package tui

import (
	"fmt"
	"math"
	"path/filepath"
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/progress"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/mlptui/mlptui/internal/termsafe"
	"github.com/mlptui/mlptui/lab"
	"github.com/mlptui/mlptui/trainer"
)

// trainingModel draws the training screen: a header, the loss and
// accuracy charts, the epoch's progress and the event log, of the run
// state its state func gives (nil: none yet). Its keys act on the run,
// so it passes them to the dashboard as a trainingMsg.
type trainingModel struct {
	st     *styles
	keys   trainingKeys
	bar    progress.Model
	width  int
	height int
	state  func() *runState
}

func newTraining(st *styles, state func() *runState) *trainingModel {
	bar := progress.New(progress.WithSolidFill("39"), progress.WithColorProfile(st.profile), progress.WithoutPercentage())
	bar.EmptyColor = "238"
	return &trainingModel{st: st, keys: newTrainingKeys(), bar: bar, width: 80, height: 22, state: state}
}

// SetSize sets the area the screen draws in.
func (m *trainingModel) SetSize(w, h int) { m.width, m.height = w, h }

// KeyMap is the keys that steer the run.
func (m *trainingModel) KeyMap() help.KeyMap {
	s := m.state()
	return trainingKeyMap{m.keys, s != nil && s.live()}
}

// trainingKeyMap is the training screen's keys; the footer offers pause
// and stop only while a run is live (after the run ended space said "no
// run is live" under a footer offering "space pause"). The help lists
// them all.
type trainingKeyMap struct {
	keys trainingKeys
	live bool
}

// ShortHelp is the footer's keys.
func (k trainingKeyMap) ShortHelp() []key.Binding {
	if k.live {
		return k.keys.ShortHelp()
	}
	return []key.Binding{k.keys.Edit, k.keys.Restart}
}

// FullHelp is every key, for the help screen.
func (k trainingKeyMap) FullHelp() [][]key.Binding { return k.keys.FullHelp() }

// Typing is false: the screen has no text field.
func (m *trainingModel) Typing() bool { return false }

// Init does nothing.
func (m *trainingModel) Init() tea.Cmd { return nil }

// trainingAction is what a key of the training screen asks of the run.
type trainingAction int

// Training actions.
const (
	actPause   trainingAction = iota // pause, or continue a paused run
	actEdit                          // open the edit dialog
	actRestart                       // stop the run and start the form's settings
	actStop                          // stop and save
)

// trainingMsg brings a training screen's key to the dashboard.
type trainingMsg struct{ act trainingAction }

// Update turns the screen's keys into trainingMsgs.
func (m *trainingModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	k, ok := msg.(tea.KeyMsg)
	if !ok {
		return m, nil
	}
	for _, b := range []struct {
		b   key.Binding
		act trainingAction
	}{{m.keys.Pause, actPause}, {m.keys.Edit, actEdit}, {m.keys.Restart, actRestart}, {m.keys.Stop, actStop}} {
		if key.Matches(k, b.b) {
			return m, emit(trainingMsg{b.act})
		}
	}
	return m, nil
}

// stateSymbol is the symbol of a run's state (lab.Look); "" for a state
// it does not know.
func stateSymbol(s trainer.Status) string {
	sym, _ := lab.Look(s)
	return sym
}

// stateBadge is the run's state as a word with its symbol, coloured by
// its tone.
func stateBadge(st *styles, s trainer.Status) string {
	if s == stateStopping {
		return st.warn.Render("■ stopping, saving…")
	}
	sym, tone := lab.Look(s)
	style, ok := map[lab.Tone]lipgloss.Style{lab.ToneGood: st.good, lab.ToneWarn: st.warn, lab.ToneDim: st.dim,
		lab.ToneAccent: st.accent, lab.ToneBad: st.bad}[tone]
	if !ok {
		return termsafe.String(string(s)) // a status read from a summary.json
	}
	return style.Render(sym + " " + string(s))
}

// header is the run's identity and state in one line.
func header(st *styles, s *runState, w int) string {
	if s.info == nil {
		return fitLine(stateBadge(st, s.status), w)
	}
	in := s.info
	parts := []string{
		st.bold.Render(termsafe.String(trainer.DatasetLabel(in.Config.Dataset))),
		in.Arch,
		lab.Thousands(float64(in.Params)) + " params",
		stateBadge(st, s.status),
	}
	if !math.IsNaN(s.lr) {
		// The lr as it went (0.01→0.001@317, from the step each edit
		// applied from) and its schedule.
		lr := "lr " + trainer.EditedValue("lr", fmt.Sprint(in.Config.LR), s.edits)
		if sch := in.Config.Schedule; sch != "" && sch != trainer.Constant {
			lr += " " + sch
		}
		parts = append(parts, lr, "dropout "+trainer.EditedValue("dropout", fmt.Sprint(in.Config.Dropout), s.edits))
	}
	return fitLine(strings.Join(parts, st.faint.Render(" · ")), w)
}

// View draws the screen for the run's state.
func (m *trainingModel) View() string {
	st, w, h, s := m.st, m.width, m.height, m.state()
	if s == nil {
		return lipgloss.Place(w, h, lipgloss.Center, lipgloss.Center, st.dim.Render(
			"No run yet.\nSet one up on the Setup screen and press Enter,\nor open a saved run on the Runs screen (tab)."))
	}
	out := []string{header(st, s, w)}
	logN := max(2, min(10, (h-16)/4+2))
	if h < 12 || w < 40 {
		logN = max(0, h-4)
	}
	chartH := h - 2 - logN
	if s.trial != "" { // a sweep's trial: which, above its run's header
		out = append([]string{fitLine(st.accent.Render(termsafe.String(s.trial)), w)}, out...)
		chartH--
	}
	if s.status == stateLoading || s.status == stateStarting {
		out = append(out, m.loadingView(s, w, chartH))
	} else if chartH >= 6 && w >= 40 {
		lr := ""
		if chartH >= 10 {
			lr = m.lrLine(s, w)
		}
		if lr == "" {
			out = append(out, m.chartsWithBoundary(s, w, chartH))
		} else {
			out = append(out, m.chartsWithBoundary(s, w, chartH-1), lr)
		}
	} else {
		out = append(out, m.stats(s, w))
	}
	out = append(out, m.progressLine(s, w))
	out = append(out, logView(st, s.log, w, logN))
	return lipgloss.NewStyle().MaxWidth(w).MaxHeight(h).Render(strings.Join(out, "\n"))
}

func (m trainingModel) loadingView(s *runState, w, h int) string {
	lines := []string{"", m.st.dim.Render(fitLine(s.loading, w))}
	if s.loadFrac >= 0 {
		m.bar.Width = min(60, w)
		lines = append(lines, m.bar.ViewAs(s.loadFrac)+fmt.Sprintf(" %3.0f%%", 100*s.loadFrac))
	}
	return strings.Join(padLines(lines, h), "\n")
}

// charts draws loss and accuracy side by side, or one above the other on
// a narrow terminal, each with its last and best values under it.
func (m trainingModel) charts(s *runState, w, h int) string {
	x1 := s.shownSteps()
	per := s.stepsPerEpoch()
	xLabel := func(x float64) string { return fmt.Sprintf("epoch %g", math.Round(x/per)) }
	var marks []float64
	for _, e := range s.edits {
		marks = append(marks, float64(e.Step))
	}
	// A column of many epochs keeps the loss's extremes and the validation
	// accuracy's best; the training accuracy keeps its extremes too (its
	// highest alone showed a noisy run near 100 % all along while its last
	// value was 97.5 %, and hid the first epochs' low values).
	lossSeries, accSeries := []series{{"train", &s.trainLoss}}, []series{{"train", &s.trainAcc}}
	if s.hasVal() { // the legend names no val curve that a run without validation never draws
		lossSeries, accSeries = append(lossSeries, series{"val", &s.valLoss}), append(accSeries, series{"val", &s.valAcc})
	}
	loss := chart{title: "Loss", x0: 0, x1: x1, xLabel: xLabel, logY: true, merge: mergeExtremes, marks: marks, series: lossSeries}
	acc := chart{title: "Accuracy", x0: 0, x1: x1, xLabel: xLabel, percent: true, merge: mergeMax, marks: marks, series: accSeries,
		merges: []merging{mergeExtremes}}
	if w >= 70 {
		cw := (w - 2) / 2
		lossStat, accStat := m.statLine(s, "loss", true, cw), m.statLine(s, "acc", false, cw)
		left := loss.render(cw, h-1, m.st) + "\n" + fitLine(lossStat, cw)
		right := acc.render(cw, h-1, m.st) + "\n" + fitLine(accStat, cw)
		return lipgloss.JoinHorizontal(lipgloss.Top,
			lipgloss.NewStyle().Width(cw+2).Render(left), lipgloss.NewStyle().Width(cw).Render(right))
	}
	lossStat, accStat := m.statLine(s, "loss", true, w), m.statLine(s, "acc", false, w)
	ch := h / 2
	return strings.Join([]string{
		loss.render(w, ch-1, m.st), fitLine(lossStat, w),
		acc.render(w, h-ch-1, m.st), fitLine(accStat, w),
	}, "\n")
}

// statLine is a metric's last train and validation values and the best
// validation value with its epoch.
//
// On a narrow chart the line is shorter: "train 0.057 val 0.069 best
// 0.045 @312", at the narrowest "0.0573 0.0689 best 0.0450 @312".
func (m trainingModel) statLine(s *runState, metric string, lower bool, w int) string {
	st := m.st
	var train, val float64
	var get func(*trainer.EpochMetrics) float64
	if metric == "loss" {
		train, val = s.trainLoss.last(), s.valLoss.last()
		get = func(e *trainer.EpochMetrics) float64 { return e.ValLoss }
	} else {
		train, val = s.trainAcc.last(), s.valAcc.last()
		get = func(e *trainer.EpochMetrics) float64 { return e.ValAcc }
	}
	// A live run shows its latest steps; an ended one its last epoch, as
	// metrics.csv and summary.json have it.
	if n := len(s.epochs); !s.live() && n > 0 {
		if e := s.epochs[n-1]; metric == "loss" {
			train = e.TrainLoss
		} else {
			train = e.TrainAcc
		}
	}
	f, f3 := lab.Num, lab.Num3
	if !lower {
		f, f3 = lab.ShortPercent, lab.ShortPercent
	}
	v, ep, ok := s.best(get, lower)
	// From the longest form to the shortest: the first that fits. The
	// words train and val stay as long as they can: without colour they
	// are all that tells the two numbers apart.
	forms := []string{
		st.train.Render("train "+f(train)) + "  " + st.val.Render("val "+f(val)),
		st.train.Render("train "+f(train)) + " " + st.val.Render("val "+f(val)),
		st.train.Render("train "+f3(train)) + " " + st.val.Render("val "+f3(val)),
		st.train.Render(f(train)) + " " + st.val.Render(f(val)),
	}
	if ok {
		forms[0] += st.dim.Render(fmt.Sprintf("  best val %s @ epoch %d", f(v), ep))
		forms[1] += st.dim.Render(fmt.Sprintf(" best %s @%d", f(v), ep))
		forms[2] += st.dim.Render(fmt.Sprintf(" best %s @%d", f3(v), ep))
		forms[3] += st.dim.Render(fmt.Sprintf(" best %s @%d", f(v), ep))
	}
	for _, l := range forms[:3] {
		if lipgloss.Width(l) <= w {
			return l
		}
	}
	return forms[3]
}

// stats is the metrics as text, for a terminal too small for charts.
func (m trainingModel) stats(s *runState, w int) string {
	return fitLine("loss  "+m.statLine(s, "loss", true, w-6), w) + "\n" + fitLine("acc   "+m.statLine(s, "acc", false, w-6), w)
}

// progressLine is the run's progress bar (the epochs done, with the
// share of the one under way, beside "epoch N/M" as the headless line
// has it), throughput and time left.
func (m trainingModel) progressLine(s *runState, w int) string {
	st := m.st
	if s.info == nil {
		return ""
	}
	ev := s.last
	ep := ev.Epoch
	epochs := s.info.Config.Epochs
	frac := 0.0
	if epochs > 0 {
		frac = min(1, s.epochsDone()/float64(epochs))
	}
	if !s.live() {
		// An ended run's bar is the share of its epochs done: a run that
		// diverged or stopped early is not shown 100 % done.
		ep = len(s.epochs)
		if s.summary != nil {
			ep = s.summary.Epochs
		}
		frac = 1
		if epochs > 0 {
			frac = min(1, float64(ep)/float64(epochs))
		}
	}
	left := fmt.Sprintf("epoch %d/%d ", max(ep, 1), epochs)
	right := fmt.Sprintf(" %3.0f%%  %s samples/s", 100*frac, lab.Thousands(ev.SamplesPerSec))
	if s.live() {
		right += "  ETA " + lab.Clock(s.eta())
	} else if s.summary != nil {
		right += "  trained " + lab.Clock(s.summary.TrainSeconds)
	}
	if !math.IsNaN(s.testAcc) {
		right += "  test " + st.bold.Render(lab.ShortPercent(s.testAcc))
	}
	bw := w - lipgloss.Width(left) - lipgloss.Width(right)
	if bw < 5 {
		return fitLine(left+right, w)
	}
	m.bar.Width = min(bw, 60)
	return fitLine(left+m.bar.ViewAs(frac)+right, w)
}

// logView draws the last n lines of the event log.
func logView(st *styles, log []logLine, w, n int) string {
	if n <= 0 {
		return ""
	}
	lines := make([]string, 0, n)
	for _, l := range log[max(0, len(log)-n):] {
		text := l.text
		if l.bad {
			text = st.bad.Render(text)
		}
		stamp := st.faint.Render(fmt.Sprintf("%s  step %d  ", l.time.Format("15:04:05"), l.step))
		lines = append(lines, fitLine(stamp+text, w))
	}
	return strings.Join(padLines(lines, n), "\n")
}

// runName is a run directory's base name.
func runName(dir string) string { return termsafe.String(filepath.Base(dir)) }
