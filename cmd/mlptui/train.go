package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/mlptui/mlptui/datasets/tabular"
	"github.com/mlptui/mlptui/internal/termsafe"
	"github.com/mlptui/mlptui/lab"
	"github.com/mlptui/mlptui/trainer"
)

func runTrain(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "train", "mlptui train [flags]\n\nTrains a network headless: progress on stderr, a summary on stdout.\nFlags override the preset, before or after --preset.")
	var cf configFlags
	cf.register(fs)
	jsonOut := fs.Bool("json", false, "print the summary as one JSON object")
	resume := fs.String("resume", "", "continue the run in this `dir`ectory from its checkpoint (with --epochs: the new total)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	var run *trainer.Run
	if *resume != "" {
		for _, s := range cf.sets {
			if s.Field.Name != "epochs" && s.Field.Name != "data-dir" {
				return usagef("--resume takes only --epochs and --data-dir; the run's other settings are in its config.json (got --%s)", s.Field.Name)
			}
		}
		if err := checkRunDir("resume", *resume); err != nil {
			return err
		}
		c, _ := cf.config()
		epochs, opt := 0, trainer.Options{}
		if cf.has("epochs") {
			epochs = c.Epochs
		}
		if cf.has("data-dir") {
			opt.DataDir = c.DataDir
		}
		run, err = trainer.Resume(ctx, *resume, epochs, opt)
	} else {
		cfg, cerr := cf.config()
		if cerr != nil {
			return cerr
		}
		run, err = trainer.Start(ctx, cfg)
	}
	if err != nil {
		return err
	}
	p := newProgress(e)
	for ev := range run.Events() {
		p.event(ev)
	}
	sum, err := run.Wait()
	if err != nil {
		if ctx.Err() != nil { // before training began: nothing to save
			p.line("interrupted before training began; no run was saved")
		}
		var oe *tabular.OptionError
		if errors.As(err, &oe) && ctx.Err() == nil { // a table flag that does not fit the table
			return usagef("%v", err)
		}
		return interruptedOr(ctx, err)
	}
	if *jsonOut {
		enc := json.NewEncoder(e.stdout)
		if err := enc.Encode(sum); err != nil {
			return err
		}
	} else {
		printSummary(e.stdout, sum)
	}
	if sum.Status == trainer.StatusInterrupted {
		termsafe.Fprintf(e.stderr, "to go on: mlptui train --resume %s\n", sum.Run)
		return errInterrupted
	}
	if sum.Status == trainer.StatusDiverged {
		return fmt.Errorf("%s", sum.Message)
	}
	return nil
}

// progressPrinter writes training progress: on a terminal one live line
// rewritten in place (bar, epoch, loss, accuracy, ETA) and, kept above
// it, an epoch's line at most about once a second, at each improvement of
// the validation accuracy and at the last epoch; elsewhere plain lines,
// one per epoch, without carriage returns or colour.
type progressPrinter struct {
	w      io.Writer
	tty    bool
	width  int // the terminal's columns, or 0 if unknown
	info   *trainer.RunInfo
	live   bool // a live line is on screen
	epochs int
	// On a terminal: when an epoch's line was last kept, and the best
	// validation accuracy so far (if haveBest).
	now      func() time.Time // nil: time.Now
	kept     time.Time
	bestVal  float64
	haveBest bool
}

// keepEvery is how often, at most, an epoch's line is kept on a terminal
// when the validation accuracy does not improve.
const keepEvery = time.Second

func (p *progressPrinter) clearLive() {
	if p.live {
		fmt.Fprint(p.w, "\r\033[K")
		p.live = false
	}
}

// newProgress returns the progress printer of a command: on stderr, live
// when stderr is a terminal.
func newProgress(e *env) *progressPrinter {
	return &progressPrinter{w: e.stderr, tty: e.stderrTTY, width: e.stderrWidth}
}

// status shows a live line on a terminal in place of the last one, cut to
// the terminal's width: a line that wrapped would leave its first rows
// behind at each rewrite.
func (p *progressPrinter) status(format string, args ...any) {
	if !p.tty {
		return
	}
	p.clearLive()
	fmt.Fprint(p.w, fitWidth(termsafe.Sprintf(format, args...), p.width))
	p.live = true
}

func (p *progressPrinter) line(format string, args ...any) {
	p.clearLive()
	termsafe.Fprintf(p.w, format+"\n", args...)
}

func (p *progressPrinter) event(ev trainer.Event) {
	switch ev.Kind {
	case trainer.Loading:
		if ev.Done == 0 && ev.Total == 0 {
			p.line("%s", ev.Message)
			return
		}
		if !p.tty { // a download: one line at the end only
			if ev.Done == ev.Total {
				p.line("%s", ev.Message)
			}
			return
		}
		if ev.Total > 0 {
			p.status("%s %s", bar(float64(ev.Done)/float64(ev.Total)), ev.Message)
		} else {
			p.status("%s", ev.Message)
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
		p.line("run %s: %s, %s parameters; %d train%s / %d test; %d %s per epoch",
			ev.Info.Dir, ev.Info.Arch, lab.Thousands(float64(ev.Info.Params)), ev.Info.Train, val, ev.Info.Test, ev.Info.Batches, steps)
		if ev.Info.StartStep > 0 {
			p.line("resuming after epoch %d, step %d", ev.Info.StartEpoch, ev.Info.StartStep)
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
			p.line("epoch %d/%d  loss %s  acc %.4f%s  lr %.3g  %s samples/s",
				m.Epoch, p.epochs, lab.Loss(m.TrainLoss), m.TrainAcc, val, m.LR, lab.Thousands(m.SamplesPerSec))
			return
		}
		better := !math.IsNaN(m.ValAcc) && (!p.haveBest || m.ValAcc > p.bestVal)
		if better {
			p.bestVal, p.haveBest = m.ValAcc, true
		}
		now := time.Now()
		if p.now != nil {
			now = p.now()
		}
		if better || m.Epoch >= p.epochs || now.Sub(p.kept) >= keepEvery {
			p.kept = now
			mark := ""
			if better {
				mark = "  ★" // a new best validation accuracy: why this line was kept
			}
			p.line("%s", fitWidth(fmt.Sprintf("epoch %d/%d  loss %s  acc %.4f%s%s", m.Epoch, p.epochs, lab.Loss(m.TrainLoss), m.TrainAcc, val, mark), p.width))
		}
		p.liveLine(m.Epoch, float64(m.Epoch), m.TrainLoss, m.TrainAcc, m.SamplesPerSec)
	case trainer.Warning:
		p.line("warning: %s", ev.Message)
	case trainer.EditDone, trainer.Paused, trainer.Resumed, trainer.Checkpoint:
		if ev.Message != "" {
			p.line("%s", ev.Message)
		}
	case trainer.Finished:
		if ev.Summary != nil && ev.Summary.Status == trainer.StatusDiverged {
			p.clearLive() // train's error line says it
			break
		}
		p.line("%s", ev.Message)
	case trainer.Failed:
		p.clearLive()
	}
}

// liveLine shows the live line on a terminal: the bar of the whole run
// (done epochs, fractional), the epoch, the running loss and accuracy, and
// the time left.
func (p *progressPrinter) liveLine(epoch int, done, loss, acc, samplesPerSec float64) {
	if !p.tty || p.info == nil || p.epochs <= 0 {
		return
	}
	first := float64(p.info.StartEpoch)
	frac := (done - first) / math.Max(1, float64(p.epochs)-first)
	left := (float64(p.epochs) - done) * float64(p.info.Train) / samplesPerSec
	p.status("%s epoch %d/%d  loss %s  acc %.4f  ETA %s", bar(frac), epoch, p.epochs, lab.Loss(loss), acc, lab.Clock(left))
}

// fitWidth cuts s to a terminal's width (0: not cut), so that a kept line
// does not wrap.
func fitWidth(s string, width int) string {
	if r := []rune(s); width > 1 && len(r) >= width {
		return string(r[:width-1])
	}
	return s
}

// bar draws a fraction as "[=====     ]  50%".
func bar(frac float64) string {
	const width = 20
	frac = math.Max(0, math.Min(1, frac))
	n := int(frac * width)
	return fmt.Sprintf("[%s%s] %3.0f%%", strings.Repeat("=", n), strings.Repeat(" ", width-n), 100*frac)
}

func printSummary(w io.Writer, s *trainer.Summary) {
	termsafe.Fprintf(w, "run        %s\n", s.Run)
	termsafe.Fprintf(w, "status     %s after %d epochs (%d steps)\n", s.Status, s.Epochs, s.Steps)
	termsafe.Fprintf(w, "network    %s, %s parameters\n", s.Arch, lab.Thousands(float64(s.Params)))
	termsafe.Fprintf(w, "model      the weights of epoch %d\n", s.ModelEpoch)
	if s.TestAccuracy != nil {
		loss := "not finite" // a diverged run's kept model can overflow on the test set
		if s.TestLoss != nil {
			loss = lab.Loss(*s.TestLoss)
		}
		termsafe.Fprintf(w, "test       accuracy %.4f  loss %s\n", *s.TestAccuracy, loss)
	}
	if s.BestValAccuracy != nil {
		termsafe.Fprintf(w, "best val   accuracy %.4f at epoch %d\n", *s.BestValAccuracy, s.BestValEpoch)
	}
	termsafe.Fprintf(w, "time       %.2f s training, %s samples/s\n", s.TrainSeconds, lab.Thousands(s.SamplesPerSecond))
}
