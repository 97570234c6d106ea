package lab

import "github.com/mlptui/mlptui/trainer"

// Tone is the colour class a front end gives a status: the dashboard maps
// each to a style.
type Tone int

// Tones.
const (
	ToneNone   Tone = iota // a status this package does not know: drawn plain
	ToneGood               // running, done
	ToneWarn               // paused, stopping
	ToneDim                // starting, loading
	ToneAccent             // stopped, interrupted, saved
	ToneBad                // diverged, failed, crashed, damaged
)

// Dashboard states of a live or opened run, besides the trainer's
// statuses.
const (
	StateStarting trainer.Status = "starting"
	StateLoading  trainer.Status = "loading"
	StatePaused   trainer.Status = "paused"
	StateStopping trainer.Status = "stopping"
	StateSaved    trainer.Status = "saved" // a saved run opened from the runs screen
)

// Look is how a status is drawn: its symbol (● running, ‖ paused, ■
// stopping or stopped, … loading, ✓ done, ✗ failed) and its tone; "" and
// ToneNone for a status it does not know.
func Look(s trainer.Status) (symbol string, tone Tone) {
	switch s {
	case trainer.StatusRunning:
		return "●", ToneGood
	case StatePaused:
		return "‖", ToneWarn
	case StateStopping:
		return "■", ToneWarn
	case trainer.StatusStopped, trainer.StatusInterrupted, StateSaved:
		return "■", ToneAccent
	case StateLoading, StateStarting:
		return "…", ToneDim
	case trainer.StatusDone:
		return "✓", ToneGood
	case trainer.StatusDiverged, trainer.StatusFailed, trainer.StatusCrashed, trainer.StatusDamaged:
		return "✗", ToneBad
	}
	return "", ToneNone
}
