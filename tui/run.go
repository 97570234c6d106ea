package tui

import (
	"context"
	"errors"
	"fmt"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/mlptui/mlptui/trainer"
)

// Result is how a dashboard session ended.
type Result struct {
	// Interrupted reports an interrupt: ctx ended or ctrl+c.
	Interrupted bool
	// Runs are the summaries of the runs the session started, as they
	// ended, in order; a run that failed before it had a directory has
	// none.
	Runs []trainer.Summary
}

// Run runs the dashboard on the terminal (the alternate screen) until the
// user quits or ctx ends (SIGINT, SIGTERM). When it returns, every run
// the dashboard started has stopped and saved, whatever happened, a
// panic included.
func Run(ctx context.Context, opt Options) (Result, error) {
	m := New(ctx, opt)
	// The signals are the caller's (ctx): bubbletea's own handler would
	// end the program before the run is saved.
	p := tea.NewProgram(m, tea.WithAltScreen(), tea.WithoutSignalHandler())
	_, err := p.Run()
	stopErr := m.reg.stopAll() // only after a crash is anything left
	res := Result{Interrupted: m.interrupted, Runs: m.ended}
	switch {
	case errors.Is(err, tea.ErrProgramPanic):
		return res, fmt.Errorf("the dashboard crashed (see the trace above); its run was stopped and saved")
	case err != nil:
		return res, err
	}
	return res, stopErr
}
