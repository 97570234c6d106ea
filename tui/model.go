package tui

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/mlptui/mlptui/internal/termsafe"
	"github.com/mlptui/mlptui/trainer"
)

// screen is one of the dashboard's screens, in tab order.
type screen int

const (
	setupScreen screen = iota
	trainingScreen
	networkScreen
	predictionsScreen
	runsScreen
	numScreens
)

var screenNames = [numScreens]string{"Setup", "Training", "Network", "Predictions", "Runs"}

// overlay is a dialog drawn over the screen, taking the keys.
type overlay int

const (
	noOverlay overlay = iota
	helpOverlay
	editOverlay
	quitOverlay
)

// Options configure the dashboard.
type Options struct {
	// Config fills the setup form.
	Config trainer.Config
	// Lists fill fields of the form with lists of values, in the order
	// of the flags that gave them (mlptui --lr 1e-3,1e-2): Enter starts
	// a sweep, as `mlptui sweep` with those flags would.
	Lists []List
	// Samples is how many samples, at most, the predictions screen shows:
	// validation ones while a run trains, test ones of a saved run (default 1000).
	Samples int
	// Trainer are the options of the runs the dashboard starts; its
	// Samples is set from Samples.
	Trainer trainer.Options
	// Now is the clock of the dashboard's own log lines (default
	// time.Now); tests inject one, and a trainer clock in Trainer.Now.
	Now func() time.Time
}

// control is what the dashboard does to a run: a *trainer.Run, or a fake
// in tests.
type control interface {
	Pause()
	Resume()
	Stop()
	SetLR(float64)
	SetDropout(float64)
}

// liveRun is the handle of the run under way.
type liveRun struct {
	id     int
	ctl    control
	events <-chan trainer.Event
	cancel context.CancelFunc
}

// Model is the dashboard: a bubbletea model with one sub-model per
// screen. Create it with New; Run runs it on the terminal.
type Model struct {
	ctx     context.Context
	opt     Options
	now     func() time.Time
	st      *styles
	keys    globalKeys
	width   int
	height  int
	screen  screen
	overlay overlay

	setup *setupModel
	train *trainingModel
	net   *networkModel
	preds *predictionsModel
	runs  *runsModel
	edit  *editModel

	reg   *registry
	live  *liveRun  // nil when no run is going
	state *runState // what the training and predictions screens show
	// restart starts what comes when the live run has ended.
	restart func() tea.Cmd
	// sweep is the sweep under way or the last one of the session (its
	// leaderboard), nil before the first.
	sweep *liveSweep
	// quitting: the program ends when the live run has saved.
	quitting    bool
	interrupted bool
	findingLR   bool              // a learning-rate range test from the form is under way
	ended       []trainer.Summary // the runs of this session that ended, for Result
	status      string            // a passing message for the footer
	statusBad   bool
	liveRefusal string // the status, while it is a refusal that lasts until the live run ends
}

// New returns the dashboard for opt. The colours follow lipgloss's
// profile (lipgloss.SetColorProfile in tests). Runs it starts end with
// ctx: cancelling it interrupts them (they save) and quits.
func New(ctx context.Context, opt Options) *Model {
	if opt.Samples <= 0 {
		opt.Samples = 1000
	}
	opt.Trainer.Samples = opt.Samples
	opt.Trainer.Boundary = true // drawn for data sets of two features
	if opt.Now == nil {
		opt.Now = time.Now
	}
	st := newStyles(lipgloss.ColorProfile())
	m := &Model{
		ctx: ctx, opt: opt, now: opt.Now, st: st, keys: newGlobalKeys(), width: 80, height: 24,
		setup: newSetup(opt.Config, opt.Lists, st), runs: newRuns(st), reg: newRegistry(),
	}
	state := func() *runState { return m.state }
	m.train, m.net, m.preds = newTraining(st, state), newNetwork(st, state), newPredictions(st, state)
	m.resize()
	return m
}

// component is a screen's model.
func (m *Model) component(s screen) component {
	switch s {
	case setupScreen:
		return m.setup
	case trainingScreen:
		return m.train
	case networkScreen:
		return m.net
	case predictionsScreen:
		return m.preds
	}
	return m.runs
}

// Interrupted reports whether the dashboard ended by an interrupt
// (SIGINT, SIGTERM or ctrl+c); its run was saved first.
func (m *Model) Interrupted() bool { return m.interrupted }

// Init waits for an interrupt.
func (m *Model) Init() tea.Cmd { return waitInterrupt(m.ctx) }

// resize gives each screen the area between the tab bar and the footer.
func (m *Model) resize() {
	w, h := m.width, max(1, m.height-2)
	for s := range numScreens {
		m.component(s).SetSize(w, h)
	}
	if m.edit != nil {
		m.edit.SetSize(w, h)
	}
}

// refuseLive says why an action waits for the live run to end; the
// message goes once the run has ended.
func (m *Model) refuseLive(msg string) {
	m.setStatus(true, "%s", msg)
	m.liveRefusal = m.status
}

func (m *Model) setStatus(bad bool, format string, args ...any) {
	m.status, m.statusBad = termsafe.Sprintf(format, args...), bad
}

// Update handles a message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		m.resize()
		return m, nil
	case tea.KeyMsg:
		if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && !msg.Paste {
			// Keys typed faster than the terminal is read (over ssh, or
			// tmux send-keys) arrive as one message: take them one by
			// one, as typed, so "qy" quits as q then y would.
			var cmds []tea.Cmd
			for _, r := range msg.Runes {
				cmds = append(cmds, m.key(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}, Alt: msg.Alt}))
			}
			return m, tea.Batch(cmds...)
		}
		return m, m.key(msg)
	case lrFoundMsg:
		m.lrFound(msg)
		return m, nil
	case formStartMsg:
		return m, m.startFromForm()
	case findLRMsg:
		return m, m.findLR()
	case trainingMsg:
		return m, m.trainingAction(msg.act)
	case runsAction:
		return m, m.runsAction(msg)
	case editDoneMsg:
		m.overlay = noOverlay
		m.applyEdits(msg.apply)
		return m, nil
	case startedMsg:
		return m, m.started(msg)
	case eventsMsg:
		return m, m.events(msg)
	case sweepStartedMsg:
		return m, m.sweepStarted(msg)
	case sweepEventsMsg:
		return m, m.sweepEvents(msg)
	case sweepLoadedMsg:
		return m, m.sweepLoaded(msg)
	case boardMsg:
		if m.sweep != nil && msg.sweep == m.sweep && msg.seq > m.sweep.applied {
			m.sweep.applied = msg.seq
			m.runs.board = msg.board
		}
		return m, nil
	case historyMsg:
		if m.live != nil && msg.id == m.live.id && m.state != nil {
			m.state.setHistory(msg.rows)
		}
		return m, nil
	case runsMsg:
		m.runs.setRuns(msg.runs, msg.err)
		return m, nil
	case inspectMsg:
		m.inspected(msg)
		return m, nil
	case compareMsg:
		m.runs.compare = msg.c
		m.status = ""
		return m, nil
	case exportMsg:
		if msg.err != nil {
			m.setStatus(true, "export: %v", msg.err)
		} else {
			m.setStatus(false, "exported %s", msg.path)
		}
		return m, nil
	case panicMsg:
		return m, m.panicked(msg)
	case interruptMsg:
		m.interrupted = true
		if m.live == nil {
			return m, tea.Quit
		}
		m.quitting = true // the run sees the same context end and saves
		m.setStatus(false, "interrupted: saving the run…")
		return m, nil
	}
	return m, nil
}

// key handles a key press: overlays first, then keys of every screen,
// then the screen's own.
func (m *Model) key(msg tea.KeyMsg) tea.Cmd {
	if key.Matches(msg, m.keys.Interrupt) {
		return m.interrupt()
	}
	if m.quitting {
		return nil // saving; the program ends when it is done
	}
	switch m.overlay {
	case helpOverlay:
		m.overlay = noOverlay
		return nil
	case quitOverlay:
		switch msg.String() {
		case "y", "Y", "enter", "q":
			m.overlay = noOverlay
			return m.stopAndQuit()
		case "n", "N", "esc":
			m.overlay = noOverlay
		}
		return nil
	case editOverlay:
		_, cmd := m.edit.Update(msg)
		return m.intent(cmd)
	}
	typing := m.component(m.screen).Typing()
	switch {
	case key.Matches(msg, m.keys.Next):
		return m.show((m.screen + 1) % numScreens)
	case key.Matches(msg, m.keys.Prev):
		return m.show((m.screen + numScreens - 1) % numScreens)
	case key.Matches(msg, m.keys.Help) && !msg.Paste:
		// From every field too: a ? typed into a data set's path would
		// only make it fail (a pasted one stays text).
		m.overlay = helpOverlay
		return nil
	case typing:
	case key.Matches(msg, m.keys.Quit):
		if m.live != nil {
			m.overlay = quitOverlay
			return nil
		}
		return tea.Quit
	}
	m.status = ""
	_, cmd := m.component(m.screen).Update(msg)
	return m.intent(cmd)
}

// intent handles at once the message of a component's command (emit),
// so that the next key already finds what it opened, and returns the
// dashboard's command for it.
func (m *Model) intent(cmd tea.Cmd) tea.Cmd {
	if cmd == nil {
		return nil
	}
	_, next := m.Update(cmd())
	return next
}

// show switches to a screen; the runs screen rereads the runs.
func (m *Model) show(s screen) tea.Cmd {
	m.screen = s
	if s == runsScreen {
		return listRunsCmd(m.runsDir())
	}
	return nil
}

func (m *Model) runsDir() string {
	c, _ := m.setup.config()
	if c.RunsDir == "" {
		return "runs"
	}
	return c.RunsDir
}

// trainingAction does what a key of the training screen asks.
func (m *Model) trainingAction(act trainingAction) tea.Cmd {
	switch act {
	case actPause:
		if m.live == nil {
			m.setStatus(true, "no run is live")
			return nil
		}
		switch m.state.status {
		case statePaused:
			m.live.ctl.Resume()
			m.state.status = stateRunning
		case stateRunning, stateLoading:
			m.live.ctl.Pause()
			m.setStatus(false, pausingNote)
		}
	case actEdit:
		base := m.setupConfig()
		if m.state != nil && m.state.info != nil {
			base = m.state.info.Config
			base.LR, base.Dropout = m.state.lr, m.state.dropout
		}
		m.edit = newEdit(m.st, base, m.live != nil)
		m.edit.SetSize(m.width, m.height-2)
		m.overlay = editOverlay
	case actRestart:
		cfg, ok := m.setup.config()
		if !ok {
			m.screen = setupScreen
			m.setup.setNote("fix the fields marked ✗, then Enter starts", true)
			return nil
		}
		if m.live == nil {
			return m.startForm(cfg)
		}
		m.restart = func() tea.Cmd { return m.startForm(cfg) }
		m.stopRun("restart: stopping this run first")
	case actStop:
		if m.live == nil {
			m.setStatus(true, "no run is live")
			return nil
		}
		m.stopRun("stop: saving the run")
	}
	return nil
}

// pausingNote is the footer's answer to space until the run has paused.
const pausingNote = "pausing after this step…"

// editSentNote is the footer's answer to an applied edit until the run
// says it took it.
const editSentNote = "edit sent: it applies at the next step"

// setupConfig is the form's configuration, valid or not.
func (m *Model) setupConfig() trainer.Config {
	c, _ := m.setup.config()
	return c
}

// applyEdits sends live edits to the run and keeps them in the form.
func (m *Model) applyEdits(e map[string]float64) {
	if len(e) == 0 {
		return
	}
	lr, dropout := m.setup.field("lr").get(), m.setup.field("dropout").get()
	if v, ok := e["lr"]; ok {
		lr = fmt.Sprint(v)
		if m.live != nil {
			m.live.ctl.SetLR(v)
		}
	}
	if v, ok := e["dropout"]; ok {
		dropout = fmt.Sprint(v)
		if m.live != nil {
			m.live.ctl.SetDropout(v)
		}
	}
	m.setup.setLive(lr, dropout)
	if m.live != nil {
		m.setStatus(false, editSentNote)
	} else {
		m.setStatus(false, "edit kept in the form: r starts a run with it")
	}
}

func (m *Model) stopRun(why string) {
	m.live.ctl.Stop()
	m.state.status = stateStopping
	m.state.logf(m.now(), m.state.last.Step, false, "%s", why)
}

func (m *Model) stopAndQuit() tea.Cmd {
	if m.live == nil {
		return tea.Quit
	}
	m.quitting = true
	m.stopRun("quit: stopping and saving the run")
	return nil
}

// interrupt is ctrl+c: the run is interrupted (it saves, without the
// test evaluation of a stop) and the program ends.
func (m *Model) interrupt() tea.Cmd {
	m.interrupted = true
	if m.live == nil {
		return tea.Quit
	}
	m.quitting = true
	m.live.cancel()
	m.state.status = stateStopping
	m.setStatus(false, "interrupted: saving the run…")
	return nil
}

func (m *Model) startFromForm() tea.Cmd {
	cfg, ok := m.setup.config()
	if !ok {
		return nil
	}
	if m.live != nil {
		m.restart = func() tea.Cmd { return m.startForm(cfg) }
		m.stopRun("restart: stopping this run first")
		m.screen = trainingScreen
		return nil
	}
	return m.startForm(cfg)
}

// startForm starts what the form asks: a sweep if it holds lists, else
// a run of cfg.
func (m *Model) startForm(cfg trainer.Config) tea.Cmd {
	if p := m.setup.sweep(); p != nil {
		return m.startSweep(p.Sweep, p.Diffs)
	}
	return m.start(cfg)
}

func (m *Model) start(cfg trainer.Config) tea.Cmd {
	m.sweep = nil
	m.runs.board = nil
	m.state = newRunState()
	m.state.logf(m.now(), 0, false, "starting a run on %s", cfg.Dataset)
	m.preds.reset()
	m.screen = trainingScreen
	return startCmd(m.ctx, m.reg, cfg, m.opt.Trainer)
}

func (m *Model) runsAction(a runsAction) tea.Cmd {
	switch a.kind {
	case runsReload:
		return listRunsCmd(m.runsDir())
	case runsCompare:
		m.setStatus(false, "reading the runs' metrics…")
		return compareCmd(a.rows)
	case runsExport:
		m.setStatus(false, "exporting %s…", runName(a.dir))
		return exportCmd(a.dir)
	}
	if m.live != nil {
		m.refuseLive("a run is live: stop it (s on the Training screen) first")
		return nil
	}
	switch a.kind {
	case runsResume:
		m.state = newRunState()
		m.state.logf(m.now(), 0, false, "resuming %s", a.dir)
		m.preds.reset()
		m.screen = trainingScreen
		return resumeCmd(m.ctx, m.reg, a.dir, a.epochs, m.opt.Trainer)
	case runsResumeSweep:
		m.setStatus(false, "reading the sweep's plan…")
		return loadSweepCmd(a.dir)
	case runsInspect:
		m.setStatus(false, "opening %s: loading its data and model…", runName(a.dir))
		return inspectCmd(m.ctx, a.dir, m.opt.Samples)
	}
	return nil
}

func (m *Model) started(msg startedMsg) tea.Cmd {
	if msg.err != nil {
		m.state.status = trainer.StatusFailed
		m.state.logf(m.now(), 0, true, "could not start: %v", msg.err)
		m.screen = setupScreen
		m.setup.setNote(msg.err.Error(), true)
		m.restart = nil
		if m.quitting {
			return tea.Quit
		}
		return nil
	}
	m.live = &liveRun{id: msg.id, ctl: msg.run, events: msg.run.Events(), cancel: msg.cancel}
	if m.quitting { // quit came while the run was starting
		m.stopRun("quit: stopping and saving the run")
	}
	return waitEvents(msg.id, m.live.events)
}

// events applies a batch of the live run's events, and arms the next
// wait, or ends the run when its events are over.
func (m *Model) events(msg eventsMsg) tea.Cmd {
	if m.live == nil || msg.id != m.live.id {
		return nil
	}
	var cmds []tea.Cmd
	for _, ev := range msg.events {
		cmds = append(cmds, m.runEvent(msg.id, ev))
	}
	if !msg.closed {
		return tea.Batch(append(cmds, waitEvents(msg.id, m.live.events))...)
	}
	return tea.Batch(append(cmds, m.liveEnded())...)
}

// runEvent applies one event of the live run (or of a sweep's trial).
func (m *Model) runEvent(id int, ev trainer.Event) tea.Cmd {
	m.state.apply(ev)
	if ev.Kind == trainer.EpochEnd && m.state.info != nil {
		m.runs.setLiveEpochs(m.state.info.Dir, ev.Epoch) // the runs screen's row stays current
	}
	if (ev.Kind == trainer.Finished || ev.Kind == trainer.Failed) && ev.Summary != nil {
		m.ended = append(m.ended, *ev.Summary)
	}
	switch ev.Kind {
	case trainer.Started:
		cfg := ev.Info.Config
		m.setup.running = &cfg
		if ev.Info.StartStep > 0 {
			if m.sweep == nil { // a sweep's form keeps its lists
				m.setup.fill(&cfg)
				m.setup.check()
			}
			return historyCmd(id, ev.Info.Dir)
		}
	case trainer.Paused:
		if m.status == pausingNote {
			m.status = "" // the header says it now; the footer shows the keys again
		}
	case trainer.EditDone:
		if m.status == editSentNote {
			m.status = "" // the log says it applied (it stayed after the run ended)
		}
	case trainer.Failed:
		if m.state.info == nil && m.sweep == nil { // the data could not be loaded: back to the form
			m.screen = setupScreen
			m.setup.setNote(ev.Err.Error(), true)
		}
	}
	return nil
}

// liveEnded is the end of the live run or sweep: its last event read.
func (m *Model) liveEnded() tea.Cmd {
	m.live.cancel()
	m.reg.remove(m.live.id)
	m.live = nil
	if m.status == m.liveRefusal { // no run is live now: the refusal is no longer true
		m.status, m.liveRefusal = "", ""
	}
	m.setup.running = nil
	if m.state != nil && m.state.live() { // the channel closed without a last event
		m.state.status = trainer.StatusFailed
	}
	if m.quitting {
		return tea.Quit
	}
	if m.restart != nil {
		next := m.restart
		m.restart = nil
		return next()
	}
	if m.screen == runsScreen {
		return listRunsCmd(m.runsDir())
	}
	return nil
}

// inspected shows a saved run on the training and predictions screens.
func (m *Model) inspected(msg inspectMsg) {
	if msg.err != nil {
		m.setStatus(true, "%v", msg.err)
		return
	}
	if m.live != nil {
		m.refuseLive("a run is live: stop it first")
		return
	}
	s := newRunState()
	s.status = stateSaved
	if msg.rec.Summary != nil {
		s.finish(msg.rec.Summary)
	}
	info := msg.in.Info
	s.info = &info
	s.lr, s.dropout = info.Config.LR, info.Config.Dropout
	if sum := msg.rec.Summary; sum != nil {
		s.edits = sum.Edits
		if v, ok := sum.SettingsAtEnd["lr"]; ok {
			s.lr, s.dropout = v, sum.SettingsAtEnd["dropout"]
		}
	}
	for _, r := range msg.rows {
		s.addEpoch(r)
	}
	s.preds = msg.in.Predictions
	s.confusion, s.confusionOf, s.testAcc = msg.in.Confusion, "test", msg.in.Accuracy
	s.logf(m.now(), 0, false, "opened %s (%s)", msg.dir, msg.rec.Status)
	m.state = s
	m.preds.reset()
	m.screen = predictionsScreen
	m.status = ""
}

func (m *Model) panicked(msg panicMsg) tea.Cmd {
	first, _, _ := strings.Cut(msg.err.Error(), "\n")
	m.setStatus(true, "%s", first)
	if m.state != nil {
		m.state.logf(m.now(), m.state.last.Step, true, "%s", first)
	}
	if m.live == nil || msg.id != m.live.id {
		return nil
	}
	// The run's events can no longer be read: stop it; it saves, and the
	// registry waits for it when the program ends.
	m.live.ctl.Stop()
	m.live = nil
	m.setup.running = nil
	m.state.status = trainer.StatusFailed
	if m.quitting {
		return tea.Quit
	}
	return nil
}

// View draws the dashboard: the tab bar, the screen and a footer.
func (m *Model) View() string {
	w, h := m.width, m.height
	bodyH := max(1, h-2)
	var body string
	switch {
	case m.overlay == helpOverlay:
		body = helpView(m.st, m.helpSections(), w, bodyH)
	default:
		body = m.component(m.screen).View()
	}
	lines := strings.Split(body, "\n")
	switch m.overlay {
	case editOverlay:
		lines = overlayBottom(lines, m.edit.View(), bodyH)
	case quitOverlay:
		box := lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).Padding(0, 1).Render(
			m.st.bold.Render("A run is training.") + " Stop it, save it and quit? " + m.st.key.Render("y") + "/" + m.st.key.Render("n"))
		lines = overlayBottom(lines, box, bodyH)
	}
	lines = padLines(lines, bodyH)[:bodyH]
	for i, l := range lines {
		lines[i] = fitLine(l, w)
	}
	return m.tabBar() + "\n" + strings.Join(lines, "\n") + "\n" + m.footer()
}

// overlayBottom puts a box over the last lines of a screen.
func overlayBottom(lines []string, box string, h int) []string {
	b := strings.Split(box, "\n")
	lines = padLines(lines, h)[:h]
	keep := max(0, h-len(b))
	return append(lines[:keep:keep], b...)
}

// tabBar names the screens, the current one marked, and the run's state.
func (m *Model) tabBar() string {
	st := m.st
	parts := []string{st.title.Render("mlptui")}
	for i, name := range screenNames {
		if screen(i) == m.screen {
			parts = append(parts, st.activeTab.Render("["+name+"]"))
		} else {
			parts = append(parts, st.tab.Render(" "+name+" "))
		}
	}
	bar := strings.Join(parts, " ")
	if m.state != nil {
		right := stateBadge(st, m.state.status)
		if gap := m.width - lipgloss.Width(bar) - lipgloss.Width(right); gap >= 2 {
			bar += strings.Repeat(" ", gap) + right
		}
	}
	return fitLine(bar, m.width)
}

// footer shows a passing message, or the keys of the screen.
func (m *Model) footer() string {
	st := m.st
	if m.quitting {
		return fitLine(st.warn.Render("saving the run, then quitting…"), m.width)
	}
	if m.status != "" {
		s := st.dim
		if m.statusBad {
			s = st.bad
		}
		return fitLine(s.Render(m.status), m.width)
	}
	// The screen's keys, then quit (not while typing: q is a letter),
	// then the keys of every screen; shortened to fit (footerKeys).
	c := m.component(m.screen)
	keys := slices.Clip(c.KeyMap().ShortHelp())
	if !c.Typing() {
		keys = append(keys, m.keys.Quit)
	}
	return footerKeys(st, keys, m.keys.ShortHelp(), m.width)
}

// helpSections are the key maps of the help screen.
func (m *Model) helpSections() []helpSection {
	secs := []helpSection{{"Everywhere", m.keys}}
	for s := range numScreens {
		secs = append(secs, helpSection{screenNames[s], m.component(s).KeyMap()})
	}
	return secs
}
