package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/mlptui/mlptui/internal/termsafe"
	"github.com/mlptui/mlptui/lab"
	"github.com/mlptui/mlptui/trainer"
)

// A sweep in the dashboard is lab's sweep executor (lab.Sweep.Run, the
// one `mlptui sweep` runs) in a goroutine: its events come to Update in
// batches as a run's do, a trial's run events go to the training screen
// as a single run's would, and the runs screen shows the leaderboard.

// liveSweep is the sweep under way, or the session's last one.
type liveSweep struct {
	sw    *lab.Sweep
	diffs []trainer.Difference
	ctl   *sweepControl
	dirs  map[int]string // run directory by trial number, as the events said
	shown int            // the trial the training screen shows
	ended int            // trials ended or skipped
	log   []string       // a line a trial, carried from trial to trial
	board time.Time      // when the leaderboard was last read
	done  bool
	ch    <-chan lab.SweepEvent
	// asked and shown number the leaderboard's reads: a read that comes
	// after a later one is stale.
	asked, applied int
}

// sweepControl steers the trial under way: its methods are the live
// run's controls; Stop stops the sweep (the trial saves, none other
// starts).
type sweepControl struct {
	sw     *lab.Sweep
	run    *trainer.Run
	rid    int // the run's id in the registry
	halted bool
}

func (c *sweepControl) Pause() {
	if c.run != nil {
		c.run.Pause()
	}
}

func (c *sweepControl) Resume() {
	if c.run != nil {
		c.run.Resume()
	}
}

func (c *sweepControl) SetLR(v float64) {
	if c.run != nil {
		c.run.SetLR(v)
	}
}

func (c *sweepControl) SetDropout(v float64) {
	if c.run != nil {
		c.run.SetDropout(v)
	}
}

func (c *sweepControl) Stop() {
	c.halted = true
	c.sw.Halt()
	if c.run != nil {
		c.run.Stop()
	}
}

type (
	// sweepStartedMsg: the sweep's goroutine runs; its events come on ch.
	sweepStartedMsg struct {
		ch     <-chan lab.SweepEvent
		cancel context.CancelFunc
	}
	// sweepEventsMsg brings the events a sweep produced since the last.
	sweepEventsMsg struct {
		id     int
		events []lab.SweepEvent
		closed bool
	}
	// sweepLoadedMsg brings a sweep read back from its plan (the runs
	// screen's s), or why it could not be.
	sweepLoadedMsg struct {
		sw    *lab.Sweep
		diffs []trainer.Difference
		err   error
	}
	// boardMsg brings the leaderboard of a sweep, read from disk.
	boardMsg struct {
		sweep *liveSweep
		seq   int
		board *sweepBoard
	}
)

// startSweep starts a planned sweep.
func (m *Model) startSweep(sw *lab.Sweep, diffs []trainer.Difference) tea.Cmd {
	m.sweep = &liveSweep{sw: sw, diffs: diffs, ctl: &sweepControl{sw: sw}, dirs: map[int]string{}}
	m.state = newRunState()
	m.state.trial = fmt.Sprintf("sweep %s: %d trials", sw.Name, len(sw.Plan))
	m.state.logf(m.now(), 0, false, "starting sweep %s: %d trials in %s", sw.Name, len(sw.Plan), sw.RunsDir)
	m.preds.reset()
	m.runs.board = nil
	m.screen = trainingScreen
	ctx := m.ctx
	return safe(0, func() tea.Msg {
		ctx, cancel := context.WithCancel(ctx)
		ch := make(chan lab.SweepEvent, 64)
		go func() {
			defer close(ch)
			if err := sw.Run(ctx, func(e lab.SweepEvent) { ch <- e }); err != nil {
				ch <- lab.SweepEvent{Kind: lab.TrialStartFailed, Err: err, Status: trainer.StatusFailed}
			}
		}()
		return sweepStartedMsg{ch: ch, cancel: cancel}
	})
}

func (m *Model) sweepStarted(msg sweepStartedMsg) tea.Cmd {
	id := m.reg.newID()
	m.live = &liveRun{id: id, ctl: m.sweep.ctl, cancel: msg.cancel}
	m.sweep.ch = msg.ch
	if m.quitting {
		m.stopRun("quit: stopping the sweep")
	}
	ch := msg.ch
	return tea.Batch(waitSweep(id, ch), boardCmd(m.sweep))
}

func waitSweep(id int, ch <-chan lab.SweepEvent) tea.Cmd {
	return waitBatch(id, ch, func(evs []lab.SweepEvent, closed bool) tea.Msg {
		return sweepEventsMsg{id: id, events: evs, closed: closed}
	})
}

// sweepEvents applies a batch of the sweep's events; at its end, the
// runs screen shows the leaderboard.
func (m *Model) sweepEvents(msg sweepEventsMsg) tea.Cmd {
	if m.live == nil || msg.id != m.live.id || m.sweep == nil {
		return nil
	}
	sw := m.sweep
	var cmds []tea.Cmd
	reread := false
	for _, ev := range msg.events {
		cmd, r := m.sweepEvent(ev)
		cmds, reread = append(cmds, cmd), reread || r
	}
	if !msg.closed {
		if reread || m.screen == runsScreen && time.Since(sw.board) > time.Second {
			sw.board = time.Now()
			cmds = append(cmds, boardCmd(sw))
		}
		return tea.Batch(append(cmds, waitSweep(msg.id, sw.ch))...)
	}
	sw.done = true
	left := len(sw.sw.Plan) - sw.ended
	switch {
	case m.interrupted || sw.ctl.halted:
		m.state.logf(m.now(), m.state.last.Step, false, "sweep %s stopped: %d trials to go; Enter on the same form, or s on a trial in Runs, goes on", sw.sw.Name, left)
	default:
		m.state.logf(m.now(), m.state.last.Step, false, "sweep %s: %d trials ended", sw.sw.Name, sw.ended)
		if !m.quitting && m.restart == nil && m.screen == trainingScreen {
			m.screen = runsScreen // the leaderboard
		}
	}
	cmds = append(cmds, boardCmd(sw), m.liveEnded())
	if m.screen == runsScreen && !m.quitting {
		cmds = append(cmds, listRunsCmd(m.runsDir()))
	}
	return tea.Batch(cmds...)
}

// sweepEvent applies one event; reread says the leaderboard changed.
func (m *Model) sweepEvent(ev lab.SweepEvent) (_ tea.Cmd, reread bool) {
	sw, t := m.sweep, ev.Trial
	if t == nil { // the sweep itself failed (its runs directory, a lock)
		m.sweepLog(true, "sweep %s: %v", sw.sw.Name, ev.Err)
		return nil, false
	}
	head := t.Head(ev.Total)
	switch ev.Kind {
	case lab.TrialHeld:
		sw.ended++
		m.sweepLog(false, "%s: running in another process; skipped", head)
	case lab.TrialDoneBefore, lab.TrialElsewhere:
		sw.ended++
		sw.dirs[t.N] = ev.Record.Dir
		what := "finished before (" + string(ev.Record.Status) + ")"
		if ev.Kind == lab.TrialElsewhere {
			what = "running in another process"
		}
		m.sweepLog(false, "%s: %s, %s; skipped", head, what, runName(ev.Record.Dir))
	case lab.TrialResuming:
		sw.dirs[t.N] = ev.Record.Dir
		m.sweepLog(false, "%s: resuming %s (%s)", head, runName(ev.Record.Dir), ev.Record.Status)
	case lab.TrialCannotResume:
		m.sweepLog(true, "%s: cannot resume %s (%v); starting it again", head, runName(ev.Record.Dir), ev.Err)
	case lab.TrialStartFailed:
		sw.ended++
		m.sweepLog(true, "%s: %v", head, ev.Err)
	case lab.TrialTrain:
		return m.trialEvent(head, ev)
	case lab.TrialEnded:
		sw.ended++
		if c := sw.ctl; c.run != nil {
			m.reg.remove(c.rid)
			c.run = nil
		}
		m.sweepLog(ev.Status.Bad(), "%s: %s", head, endedText(ev))
		return nil, true
	}
	return nil, ev.Kind != lab.TrialResuming
}

// trialEvent applies an event of a trial's run: the first of a trial
// opens a new state for the training screen, which keeps the sweep's log.
func (m *Model) trialEvent(head string, ev lab.SweepEvent) (tea.Cmd, bool) {
	sw, t := m.sweep, ev.Trial
	reread := false
	if t.N != sw.shown {
		sw.shown = t.N
		s := newRunState()
		s.trial = fmt.Sprintf("sweep %s · %s", sw.sw.Name, head)
		for _, l := range sw.log {
			s.logf(m.now(), 0, false, "%s", l)
		}
		m.state = s
		m.preds.reset()
		c := sw.ctl
		c.run, c.rid = ev.Run, m.reg.add(ev.Run)
		if c.halted { // stopped between two trials
			ev.Run.Stop()
		}
	}
	if ev.Train.Kind == trainer.Started {
		sw.dirs[t.N] = ev.Train.Info.Dir
		reread = true
	}
	return m.runEvent(m.live.id, ev.Train), reread
}

// sweepLog adds a line to the sweep's log, which every trial's state
// shows.
func (m *Model) sweepLog(bad bool, format string, args ...any) {
	line := termsafe.Sprintf(format, args...)
	m.sweep.log = append(m.sweep.log, line)
	if m.state != nil {
		m.state.logf(m.now(), m.state.last.Step, bad, "%s", line)
	}
}

// endedText says how a trial ended: "done after 30 epochs: best val
// 96.67%, test 100.00%, 0.42s".
func endedText(ev lab.SweepEvent) string {
	sum := ev.Summary
	switch {
	case ev.Early:
		return "interrupted before training began"
	case ev.Err != nil:
		return "failed: " + lab.OneLine(ev.Err.Error())
	case sum.Status == trainer.StatusInterrupted || sum.Status == trainer.StatusStopped:
		return fmt.Sprintf("%s after epoch %d, saved", sum.Status, sum.Epochs)
	}
	return fmt.Sprintf("%s after %d epochs: best val %s, test %s, %s", sum.Status, sum.Epochs,
		lab.PercentOf(sum.BestValAccuracy), lab.PercentOf(sum.TestAccuracy), lab.Seconds(sum.TrainSeconds))
}

// sweepBoard is a sweep's leaderboard as the runs screen shows it.
type sweepBoard struct {
	title string
	cols  []lab.Column
	rows  [][]string // the header first
}

// boardCmd reads the sweep's leaderboard (lab.Leaderboard, as `mlptui
// sweep` prints it) from the trials' run directories.
func boardCmd(sw *liveSweep) tea.Cmd {
	// A copy of the plan with the directories the events gave: the
	// sweep's goroutine writes its own trials' fields.
	plan := make([]*lab.Trial, len(sw.sw.Plan))
	for i, t := range sw.sw.Plan {
		plan[i] = &lab.Trial{N: t.N, Config: t.Config, Desc: t.Desc, Values: t.Values, Dir: sw.dirs[t.N]}
	}
	title := fmt.Sprintf("Sweep %s: %d of %d trials ended", sw.sw.Name, sw.ended, len(plan))
	if !sw.done && sw.shown > 0 {
		title += fmt.Sprintf(", trial %d under way", sw.shown)
	}
	diffs := sw.diffs
	sw.asked++
	seq := sw.asked
	return safe(0, func() tea.Msg {
		cols := lab.BoardColumns(diffs)
		head := make([]string, len(cols))
		for i, c := range cols {
			head[i] = c.Head
		}
		b := &sweepBoard{title: title, cols: cols, rows: [][]string{head}}
		for _, e := range lab.Leaderboard(plan, diffs) {
			b.rows = append(b.rows, termsafe.Strings(lab.BoardRow(e)))
		}
		return boardMsg{sweep: sw, seq: seq, board: b}
	})
}

// lines draws the leaderboard in w cells: the columns that fit
// (lab.FitColumns, as the command line fits it).
func (b *sweepBoard) lines(st *styles, w int) []string {
	keep := lab.FitColumns(b.rows, func(i int) int { return b.cols[i].Prio }, w-2)
	rows := make([][]string, len(b.rows))
	for i, r := range b.rows {
		for _, k := range keep {
			rows[i] = append(rows[i], r[k])
		}
	}
	var sb strings.Builder
	lab.WriteTable(&sb, rows, func(i int) bool { return b.cols[keep[i]].Right })
	out := []string{fitLine(st.bold.Render(b.title), w)}
	for i, l := range strings.Split(strings.TrimSuffix(sb.String(), "\n"), "\n") {
		if i == 0 {
			l = st.dim.Render(l)
		}
		out = append(out, fitLine("  "+l, w))
	}
	return out
}

// loadSweepCmd reads back the sweep of the run in dir from its plan.
func loadSweepCmd(dir string) tea.Cmd {
	return safe(0, func() tea.Msg {
		c, err := trainer.ReadConfig(dir)
		if err != nil {
			return sweepLoadedMsg{err: err}
		}
		sw, diffs, err := lab.LoadSweep(c.RunsDir, c.Sweep)
		return sweepLoadedMsg{sw: sw, diffs: diffs, err: err}
	})
}

func (m *Model) sweepLoaded(msg sweepLoadedMsg) tea.Cmd {
	switch {
	case msg.err != nil:
		m.setStatus(true, "%v", msg.err)
		return nil
	case m.live != nil:
		m.refuseLive("a run is live: stop it (s on the Training screen) first")
		return nil
	}
	m.status = ""
	return m.startSweep(msg.sw, msg.diffs)
}
