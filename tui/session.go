package tui

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/mlptui/mlptui/export/onnx"
	"github.com/mlptui/mlptui/trainer"
)

// Everything that waits (training, disk, decoding) happens in these
// commands, never in Update. Each runs in its own goroutine and turns a
// panic into a panicMsg, so the dashboard can show it and save the run.

// frameInterval is the least time between two redraws driven by the
// run's events: about 15 a second. Key presses redraw at once.
const frameInterval = time.Second / 15

// maxBatch bounds the events handled in one message.
const maxBatch = 1024

type (
	// startedMsg reports a run started (or resumed), or why it could not.
	startedMsg struct {
		id     int
		run    *trainer.Run
		cancel context.CancelFunc
		err    error
	}
	// eventsMsg brings the events a run produced since the last one;
	// closed says the run has ended and sent its last event.
	eventsMsg struct {
		id     int
		events []trainer.Event
		closed bool
	}
	// historyMsg brings a resumed run's earlier epochs.
	historyMsg struct {
		id   int
		rows []trainer.EpochMetrics
	}
	runsMsg struct {
		runs []trainer.RunRecord
		err  error
	}
	inspectMsg struct {
		dir  string
		in   *trainer.Inspection
		rec  trainer.RunRecord
		rows []trainer.EpochMetrics
		err  error
	}
	compareMsg struct{ c *comparison }
	// exportMsg reports a run exported as ONNX: the file, or why not.
	exportMsg struct {
		path string
		err  error
	}
	// panicMsg reports a panic in a command; id is the run whose events
	// it was reading, or 0.
	panicMsg struct {
		id  int
		err error
	}
	// interruptMsg says the process got SIGINT or SIGTERM.
	interruptMsg struct{}
)

// safe runs f, turning a panic into a panicMsg with the stack.
func safe(id int, f func() tea.Msg) tea.Cmd {
	return func() (msg tea.Msg) {
		defer func() {
			if p := recover(); p != nil {
				msg = panicMsg{id: id, err: fmt.Errorf("internal error: %v\n%s", p, debug.Stack())}
			}
		}()
		return f()
	}
}

// registry keeps the runs the dashboard started, so that however the
// program ends, every run still going is stopped and saved.
type registry struct {
	mu   sync.Mutex
	next int
	runs map[int]*trainer.Run
}

func newRegistry() *registry { return &registry{runs: map[int]*trainer.Run{}} }

func (r *registry) add(run *trainer.Run) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.next++
	r.runs[r.next] = run
	return r.next
}

// newID is an id for a live thing that is not a run (a sweep).
func (r *registry) newID() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.next++
	return r.next
}

func (r *registry) remove(id int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.runs, id)
}

// stopAll stops every run still going and waits until each has saved.
// It returns the first error of a run that failed.
func (r *registry) stopAll() error {
	r.mu.Lock()
	runs := make([]*trainer.Run, 0, len(r.runs))
	for id, run := range r.runs {
		runs = append(runs, run)
		delete(r.runs, id)
	}
	r.mu.Unlock()
	var first error
	for _, run := range runs {
		run.Stop()
		if _, err := run.Wait(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// startCmd starts a run with cfg.
func startCmd(ctx context.Context, reg *registry, cfg trainer.Config, opt trainer.Options) tea.Cmd {
	return launchCmd(ctx, reg, func(ctx context.Context) (*trainer.Run, error) { return trainer.Start(ctx, cfg, opt) })
}

// resumeCmd resumes the run in dir; epochs > 0 sets its new total.
func resumeCmd(ctx context.Context, reg *registry, dir string, epochs int, opt trainer.Options) tea.Cmd {
	return launchCmd(ctx, reg, func(ctx context.Context) (*trainer.Run, error) { return trainer.Resume(ctx, dir, epochs, opt) })
}

func launchCmd(ctx context.Context, reg *registry, launch func(context.Context) (*trainer.Run, error)) tea.Cmd {
	return safe(0, func() tea.Msg {
		runCtx, cancel := context.WithCancel(ctx)
		run, err := launch(runCtx)
		if err != nil {
			cancel()
			return startedMsg{err: err}
		}
		return startedMsg{id: reg.add(run), run: run, cancel: cancel}
	})
}

// waitEvents waits for a run's next event, then gathers those that come
// within a frame (frameInterval) and brings them all at once; Update arms
// it again after each message: the realtime pattern. The channel is read
// all the time, so no backlog builds up however fast a run produces
// events, and the redraws they cause stay under about 15 a second.
func waitEvents(id int, ch <-chan trainer.Event) tea.Cmd {
	return waitBatch(id, ch, func(evs []trainer.Event, closed bool) tea.Msg {
		return eventsMsg{id: id, events: evs, closed: closed}
	})
}

// waitBatch is waitEvents for any channel of events: msg makes the
// message of a batch.
func waitBatch[E any](id int, ch <-chan E, msg func(batch []E, closed bool) tea.Msg) tea.Cmd {
	return safe(id, func() tea.Msg {
		ev, ok := <-ch
		if !ok {
			return msg(nil, true)
		}
		batch := []E{ev}
		frame := time.NewTimer(frameInterval)
		defer frame.Stop()
		for len(batch) < maxBatch {
			select {
			case ev, ok := <-ch:
				if !ok {
					return msg(batch, true)
				}
				batch = append(batch, ev)
			case <-frame.C:
				return msg(batch, false)
			}
		}
		return msg(batch, false)
	})
}

// historyCmd reads the metrics of a resumed run's earlier epochs.
func historyCmd(id int, dir string) tea.Cmd {
	return safe(0, func() tea.Msg {
		rows, err := trainer.ReadMetrics(dir)
		if err != nil {
			return nil // the curves start at the resume; nothing else is lost
		}
		return historyMsg{id: id, rows: rows}
	})
}

// listRunsCmd reads the saved runs under dir.
func listRunsCmd(dir string) tea.Cmd {
	return safe(0, func() tea.Msg {
		runs, err := trainer.ListRuns(dir)
		return runsMsg{runs: runs, err: err}
	})
}

// inspectCmd opens a saved run: its curves, and its model's predictions
// on the test set (which means loading the data set).
func inspectCmd(ctx context.Context, dir string, samples int) tea.Cmd {
	return safe(0, func() tea.Msg {
		msg := inspectMsg{dir: dir, rec: trainer.ReadRun(dir)}
		msg.rows, _ = trainer.ReadMetrics(dir)
		msg.in, msg.err = trainer.Inspect(ctx, dir, "", samples, nil)
		return msg
	})
}

// exportCmd writes a run's model as ONNX beside it (model.onnx).
func exportCmd(dir string) tea.Cmd {
	return safe(0, func() tea.Msg {
		path, err := onnx.ExportRun(dir, "")
		return exportMsg{path, err}
	})
}

// compareCmd reads the metrics of the runs to compare.
func compareCmd(rows []runRow) tea.Cmd {
	return safe(0, func() tea.Msg {
		c := &comparison{rows: rows, metrics: make([][]trainer.EpochMetrics, len(rows)), errs: make([]error, len(rows))}
		for i, r := range rows {
			c.metrics[i], c.errs[i] = trainer.ReadMetrics(r.Dir)
		}
		return compareMsg{c}
	})
}

// waitInterrupt reports the end of ctx: SIGINT or SIGTERM.
func waitInterrupt(ctx context.Context) tea.Cmd {
	return func() tea.Msg {
		<-ctx.Done()
		return interruptMsg{}
	}
}
