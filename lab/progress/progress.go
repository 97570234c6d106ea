// Package progress writes what a run is doing as a line terminal shows
// it: on a terminal one live line rewritten in place (a bar, the epoch,
// the loss and accuracy, the time left) with the epochs worth keeping above
// it; piped, plain lines. The headless commands (train, sweep, eval,
// lr-find, bench, data) all print their progress through it.
package progress

import (
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/mlptui/mlptui/internal/termsafe"
	"github.com/mlptui/mlptui/lab"
	"github.com/mlptui/mlptui/trainer"
)

// New returns a Printer writing to w; tty says w is a terminal, width
// its columns (0: unknown).
func New(w io.Writer, tty bool, width int) *Printer {
	return &Printer{w: w, tty: tty, width: width}
}

// A Printer writes training progress: on a terminal one live line
// rewritten in place (bar, epoch, loss, accuracy, ETA) and, kept above
// it, an epoch's line at most about once a second, at each improvement of
// the validation accuracy and at the last epoch; elsewhere plain lines,
// one per epoch, without carriage returns or colour.
type Printer struct {
	w      io.Writer
	tty    bool
	width  int // the terminal's columns, or 0 if unknown
	info   *trainer.RunInfo
	live   bool // a live line is on screen
	epochs int
	// On a terminal: when an epoch's line was last kept, and the best
	// epoch by validation so far (if haveBest), by the rule that picks the
	// run's model (trainer.BestEpoch).
	now      func() time.Time // nil: time.Now
	kept     time.Time
	best     trainer.EpochMetrics
	haveBest bool
}

// keepEvery is how often, at most, an epoch's line is kept on a terminal
// when the validation accuracy does not improve.
const keepEvery = time.Second

// ClearLive takes the live line off the screen, if one is there.
func (p *Printer) ClearLive() {
	if p.live {
		fmt.Fprint(p.w, "\r\033[K")
		p.live = false
	}
}

// Status shows a live line on a terminal in place of the last one, cut to
// the terminal's width: a line that wrapped would leave its first rows
// behind at each rewrite.
func (p *Printer) Status(format string, args ...any) {
	if !p.tty {
		return
	}
	p.ClearLive()
	fmt.Fprint(p.w, FitWidth(termsafe.Sprintf(format, args...), p.width))
	p.live = true
}

// Line writes a line that stays, in place of the live one.
func (p *Printer) Line(format string, args ...any) {
	p.ClearLive()
	termsafe.Fprintf(p.w, format+"\n", args...)
}

// Event shows a run's event: loading, the run's start, the live line,
// an epoch's line, edits, the end.
func (p *Printer) Event(ev trainer.Event) {
	switch ev.Kind {
	case trainer.Loading:
		if ev.Done == 0 && ev.Total == 0 {
			p.Line("%s", ev.Message)
			return
		}
		if !p.tty { // a download: one line at the end only
			if ev.Done == ev.Total {
				p.Line("%s", ev.Message)
			}
			return
		}
		if ev.Total > 0 {
			p.Status("%s %s", Bar(float64(ev.Done)/float64(ev.Total)), ev.Message)
		} else {
			p.Status("%s", ev.Message)
		}
	case trainer.Started:
		p.info = ev.Info
		p.epochs = ev.Info.Config.Epochs
		val := ""
		if ev.Info.Val > 0 {
			val = fmt.Sprintf(" / %d val", ev.Info.Val)
		}
		steps := "steps"
		if ev.Info.Batches == 1 {
			steps = "step"
		}
		head := fmt.Sprintf("run %s:", ev.Info.Dir)
		rest := fmt.Sprintf("%s, %s parameters; %d train%s / %d test; %d %s per epoch",
			ev.Info.Arch, lab.Thousands(float64(ev.Info.Params)), ev.Info.Train, val, ev.Info.Test, ev.Info.Batches, steps)
		if n := len([]rune(head + " " + rest)); p.tty && p.width > 1 && n >= p.width {
			p.Line("%s", head) // two lines rather than one the terminal wraps mid-word
			p.Line("  %s", FitWidth(rest, p.width-2))
		} else {
			p.Line("%s %s", head, rest)
		}
		if ev.Info.StartStep > 0 {
			p.Line("resuming after epoch %d, step %d", ev.Info.StartEpoch, ev.Info.StartStep)
		}
	case trainer.Progress:
		if !p.tty || p.info == nil {
			return
		}
		frac := float64(ev.Batch) / float64(ev.Batches)
		p.liveLine(ev.Epoch, float64(ev.Epoch-1)+frac, ev.Loss, ev.Accuracy, ev.SamplesPerSec)
	case trainer.EpochEnd:
		m := ev.Metrics
		val := ""
		if !math.IsNaN(m.ValAcc) {
			val = fmt.Sprintf("  val_loss %s  val_acc %.4f", lab.Loss(m.ValLoss), m.ValAcc)
		}
		if !p.tty {
			p.Line("epoch %d/%d  loss %s  acc %.4f%s  lr %.3g  %s samples/s",
				m.Epoch, p.epochs, lab.Loss(m.TrainLoss), m.TrainAcc, val, m.LR, lab.Thousands(m.SamplesPerSec))
			return
		}
		better := trainer.BestEpoch([]trainer.EpochMetrics{*m}) == 0
		if p.haveBest { // a later epoch wins only if strictly better: higher accuracy, or equal with a lower loss
			better = trainer.BestEpoch([]trainer.EpochMetrics{p.best, *m}) == 1
		}
		if better {
			p.best, p.haveBest = *m, true
		}
		now := time.Now()
		if p.now != nil {
			now = p.now()
		}
		if better || m.Epoch >= p.epochs || now.Sub(p.kept) >= keepEvery {
			p.kept = now
			mark := ""
			if better {
				mark = "  ★" // a new best epoch by validation (the model now): why this line was kept
			}
			p.Line("%s", FitWidth(fmt.Sprintf("epoch %d/%d  loss %s  acc %.4f%s%s", m.Epoch, p.epochs, lab.Loss(m.TrainLoss), m.TrainAcc, val, mark), p.width))
		}
		p.liveLine(m.Epoch, float64(m.Epoch), m.TrainLoss, m.TrainAcc, m.SamplesPerSec)
	case trainer.Warning:
		p.Line("warning: %s", ev.Message)
	case trainer.EditDone, trainer.Paused, trainer.Resumed, trainer.Checkpoint:
		if ev.Message != "" {
			p.Line("%s", ev.Message)
		}
	case trainer.Finished:
		if ev.Summary != nil && ev.Summary.Status == trainer.StatusDiverged {
			p.ClearLive() // train's error line says it
			break
		}
		p.Line("%s", ev.Message)
	case trainer.Failed:
		p.ClearLive()
	}
}

// liveLine shows the live line on a terminal: the bar of the whole run
// (done epochs, fractional), the epoch, the running loss and accuracy, and
// the time left.
func (p *Printer) liveLine(epoch int, done, loss, acc, samplesPerSec float64) {
	if !p.tty || p.info == nil || p.epochs <= 0 {
		return
	}
	first := float64(p.info.StartEpoch)
	frac := (done - first) / math.Max(1, float64(p.epochs)-first)
	left := (float64(p.epochs) - done) * float64(p.info.Train) / samplesPerSec
	p.Status("%s epoch %d/%d  loss %s  acc %.4f  ETA %s", Bar(frac), epoch, p.epochs, lab.Loss(loss), acc, lab.Clock(left))
}

// FitWidth cuts s to a terminal's width (0: not cut), so that a kept line
// does not wrap.
func FitWidth(s string, width int) string {
	if r := []rune(s); width > 1 && len(r) >= width {
		return string(r[:width-1])
	}
	return s
}

// Bar draws a fraction as "[=====     ]  50%".
func Bar(frac float64) string {
	const width = 20
	frac = math.Max(0, math.Min(1, frac))
	n := int(frac * width)
	return fmt.Sprintf("[%s%s] %3.0f%%", strings.Repeat("=", n), strings.Repeat(" ", width-n), 100*frac)
}
