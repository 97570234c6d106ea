package tui

import (
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/mlptui/mlptui/trainer"
)

// lrFindKey runs the learning-rate range test (mlptui lr-find) for the
// setup form's network and fills the lr field with its suggestion. It is
// a control key, so it works in text fields too.
var lrFindKey = key.NewBinding(key.WithKeys("ctrl+l"), key.WithHelp("ctrl+l", "find the learning rate"))

// lrFoundMsg is the result of a range test started from the form.
type lrFoundMsg struct {
	f   *trainer.LRFinding
	err error
}

// findLR starts a range test of the form's settings, unless the form is
// not valid, a run is live (both would share the cores and the matrix
// multiply's threads) or a test is under way.
func (m *Model) findLR() tea.Cmd {
	cfg, ok := m.setup.config()
	switch {
	case m.findingLR:
		return nil
	case !ok:
		m.setup.setNote("the form has problems; fix them to find a learning rate", true)
		return nil
	case m.live != nil:
		m.setup.setNote("a run is training; stop it (s) to find a learning rate", true)
		return nil
	}
	m.findingLR = true
	m.setup.setNote("finding a learning rate: a range test of this network from 1e-7 to 10…", false)
	ctx := m.ctx
	return func() tea.Msg {
		f, err := trainer.FindLR(ctx, cfg, trainer.LRFindOptions{})
		return lrFoundMsg{f, err}
	}
}

// lrFound fills the lr field with the suggestion and says what was found.
func (m *Model) lrFound(msg lrFoundMsg) {
	m.findingLR = false
	switch {
	case msg.err != nil:
		m.setup.setNote("finding a learning rate: "+msg.err.Error(), true)
	case msg.f.Suggest == 0:
		m.setup.setNote("no learning rate found: the loss did not fall over 1e-7 to 10", true)
	default:
		m.setup.field("lr").set(fmt.Sprintf("%.2g", msg.f.Suggest))
		m.setup.check()
		m.setup.setNote(fmt.Sprintf("lr %.2g: %s (%d steps, %.1fs)",
			msg.f.Suggest, msg.f.Why(), msg.f.Steps, msg.f.LoadSeconds+msg.f.Seconds), false)
	}
}
