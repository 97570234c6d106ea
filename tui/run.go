package tui

import (
	"context"
	"errors"
	"fmt"

	tea "github.com/charmbracelet/bubbletea"
)

// Run runs the dashboard on the terminal (the alternate screen) until the
// user quits or ctx ends (SIGINT, SIGTERM). When it returns, every run
// the dashboard started has stopped and saved, whatever happened, a
// panic included. interrupted reports an interrupt: ctx ended or ctrl+c.
func Run(ctx context.Context, opt Options) (interrupted bool, err error) {
	m := New(ctx, opt)
	// The signals are the caller's (ctx): bubbletea's own handler would
	// end the program before the run is saved.
	p := tea.NewProgram(m, tea.WithAltScreen(), tea.WithoutSignalHandler())
	_, err = p.Run()
	stopErr := m.reg.stopAll() // only after a crash is anything left
	switch {
	case errors.Is(err, tea.ErrProgramPanic):
		return m.interrupted, fmt.Errorf("the dashboard crashed (see the trace above); its run was stopped and saved")
	case err != nil:
		return m.interrupted, err
	}
	return m.interrupted, stopErr
}
