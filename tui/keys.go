package tui

import (
	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
)

// Every key's text is written once, in its binding: the footer
// (ShortHelp) and the help screen (FullHelp) are both drawn from these
// key maps by bubbles/help. The footer shortens a description (shortWord)
// when the full ones do not fit.

// globalKeys work on every screen (q not while typing in a text field of
// the setup form).
type globalKeys struct {
	Next, Prev, Help, Quit, Interrupt key.Binding
}

func newGlobalKeys() globalKeys {
	return globalKeys{
		Next:      key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next screen")),
		Prev:      key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous screen")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Quit:      key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit (saves the run)")),
		Interrupt: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "interrupt, save, quit")),
	}
}

// ShortHelp: the keys every footer ends with.
func (k globalKeys) ShortHelp() []key.Binding { return []key.Binding{k.Next, k.Help} }

// FullHelp: the help screen's "Everywhere" section.
func (k globalKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Next, k.Prev, k.Help, k.Quit, k.Interrupt}}
}

// trainingKeys steer the run on the training screen.
type trainingKeys struct {
	Pause, Edit, Restart, Stop key.Binding
}

func newTrainingKeys() trainingKeys {
	return trainingKeys{
		Pause:   key.NewBinding(key.WithKeys(" "), key.WithHelp("space", "pause/resume")),
		Edit:    key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "edit lr, dropout")),
		Restart: key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "restart with edits")),
		Stop:    key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "stop and save")),
	}
}

func (k trainingKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.Pause, k.Edit, k.Restart, k.Stop}
}

func (k trainingKeys) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// setupKeys move through the form.
type setupKeys struct {
	Up, Down, Choose, Start, FindLR key.Binding
}

func newSetupKeys() setupKeys {
	return setupKeys{
		Up:     key.NewBinding(key.WithKeys("up", "ctrl+p"), key.WithHelp("↑/↓", "field")),
		Down:   key.NewBinding(key.WithKeys("down", "ctrl+n")),
		Choose: key.NewBinding(key.WithKeys("left", "right"), key.WithHelp("←/→", "choose")),
		Start:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "start run or sweep")),
		// A control key, so it works in text fields too: the
		// learning-rate range test (mlptui lr-find) of the form's network
		// fills the lr field with its suggestion.
		FindLR: key.NewBinding(key.WithKeys("ctrl+l"), key.WithHelp("ctrl+l", "find lr (a range test)")),
	}
}

func (k setupKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.Up, k.Choose, k.Start, k.FindLR}
}

func (k setupKeys) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// predictionKeys page through the samples.
type predictionKeys struct {
	Page, Confusion key.Binding
}

func newPredictionKeys() predictionKeys {
	return predictionKeys{
		Page:      key.NewBinding(key.WithKeys("left", "right", "h", "l"), key.WithHelp("←/→", "page")),
		Confusion: key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "matrix/samples")),
	}
}

func (k predictionKeys) ShortHelp() []key.Binding { return []key.Binding{k.Page, k.Confusion} }

func (k predictionKeys) FullHelp() [][]key.Binding { return [][]key.Binding{k.ShortHelp()} }

// runsKeys act on the saved runs.
type runsKeys struct {
	Move, Select, Open, Compare, Sort, Reload key.Binding
	Resume, Inspect, Export, Sweep            key.Binding
}

func newRunsKeys() runsKeys {
	return runsKeys{
		Move:    key.NewBinding(key.WithKeys("up", "down", "k", "j", "pgup", "pgdown", "home", "end"), key.WithHelp("↑/↓", "move")),
		Select:  key.NewBinding(key.WithKeys(" ", "x"), key.WithHelp("space", "select")),
		Open:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open")),
		Compare: key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "compare selected")),
		Sort:    key.NewBinding(key.WithKeys("o"), key.WithHelp("o", "sort by")),
		Reload:  key.NewBinding(key.WithKeys("g"), key.WithHelp("g", "reload")),
		Resume:  key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "resume training")),
		Inspect: key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "predictions")),
		Export:  key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "export ONNX")),
		Sweep:   key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "resume sweep (trials left)")),
	}
}

func (k runsKeys) ShortHelp() []key.Binding {
	return []key.Binding{k.Select, k.Compare, k.Open, k.Sort}
}

func (k runsKeys) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Move, k.Select, k.Compare, k.Open, k.Sort, k.Reload}, k.openKeys(true)}
}

func (k runsKeys) groupTitles() []string { return []string{"Runs", "A run opened (enter)"} }

// openKeys are the keys of an opened run (runsKeys' menu), in its
// footer.
func (k runsKeys) openKeys(sweep bool) []key.Binding {
	out := []key.Binding{k.Resume, k.Inspect, k.Export}
	if sweep {
		out = append(out, k.Sweep)
	}
	return out
}

// The key maps are what bubbles/help renders.
var (
	_ help.KeyMap = globalKeys{}
	_ help.KeyMap = trainingKeys{}
	_ help.KeyMap = setupKeys{}
	_ help.KeyMap = predictionKeys{}
	_ help.KeyMap = runsKeys{}
)
