package tui

import "github.com/charmbracelet/bubbles/key"

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

// setupKeys move through the form.
type setupKeys struct {
	Up, Down, Choose, Start key.Binding
}

func newSetupKeys() setupKeys {
	return setupKeys{
		Up:     key.NewBinding(key.WithKeys("up", "ctrl+p"), key.WithHelp("↑/↓", "field")),
		Down:   key.NewBinding(key.WithKeys("down", "ctrl+n")),
		Choose: key.NewBinding(key.WithKeys("left", "right"), key.WithHelp("←/→", "choose")),
		Start:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "start")),
	}
}

// predictionKeys page through the samples.
type predictionKeys struct {
	Page, Confusion key.Binding
}

func newPredictionKeys() predictionKeys {
	return predictionKeys{
		Page:      key.NewBinding(key.WithKeys("left", "right", "h", "l"), key.WithHelp("←/→", "page")),
		Confusion: key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "samples/confusion")),
	}
}

// runsKeys act on the saved runs.
type runsKeys struct {
	Move, Select, Open, Compare, Sort, Reload key.Binding
	Resume, Inspect, Export                   key.Binding
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
	}
}
