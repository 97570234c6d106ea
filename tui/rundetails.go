package tui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/mlptui/mlptui/internal/termsafe"
	"github.com/mlptui/mlptui/lab"
	"github.com/mlptui/mlptui/trainer"
)

// onHost names the host a run trained on ("" when its summary does not
// say: an older mlptui wrote it).
func onHost(host string) string {
	if host == "" {
		return ""
	}
	return ", on " + host
}

// bestVal is a summary's best validation accuracy and its epoch, or that
// there was none ("best val - at epoch 0" was shown of runs without a
// validation part).
func bestVal(s *trainer.Summary) string {
	if s.BestValAccuracy == nil {
		return "no validation"
	}
	return fmt.Sprintf("best val %s at epoch %d", lab.ShortPercent(*s.BestValAccuracy), s.BestValEpoch)
}

// runDetails is what Enter shows of a saved run on the runs screen: its
// figures, its settings (lr and dropout with their edits), its edits and
// its files. It reads the run's directory listing, nothing else.
func runDetails(rec trainer.RunRecord) []string {
	lines := []string{"Run " + rec.Dir + "  (" + string(rec.Status) + ")"}
	if rec.Err != nil {
		lines = append(lines, "  "+rec.Err.Error())
	}
	if s := rec.Summary; s != nil {
		opt := func(v *float64, f func(float64) string) string {
			if v == nil {
				return "-"
			}
			return f(*v)
		}
		loss := lab.Loss
		lines = append(lines, "Figures",
			fmt.Sprintf("  epochs %d (%s steps), %s, %s parameters", s.Epochs, lab.Thousands(float64(s.Steps)), s.Arch, lab.Thousands(float64(s.Params))),
			fmt.Sprintf("  %s · model of epoch %d: test %s, loss %s", bestVal(s), s.ModelEpoch, opt(s.TestAccuracy, lab.ShortPercent), opt(s.TestLoss, loss)),
			fmt.Sprintf("  last: train %s, loss %s · val %s, loss %s", opt(s.TrainAccuracy, lab.ShortPercent), opt(s.TrainLoss, loss), opt(s.ValAccuracy, lab.ShortPercent), opt(s.ValLoss, loss)),
			fmt.Sprintf("  %s of training, %s samples/s%s", lab.Clock(s.TrainSeconds), lab.Thousands(s.SamplesPerSecond), onHost(s.Host)))
		if s.Message != "" {
			lines = append(lines, "  "+s.Message)
		}
	}
	if c := rec.Config; c != nil {
		var edits []trainer.Edit
		if rec.Summary != nil {
			edits = rec.Summary.Edits
		}
		lines = append(lines, "Settings")
		var parts []string
		for i := range trainer.Fields {
			f := &trainer.Fields[i]
			if f.Name == "runs" {
				continue
			}
			v := f.Get(c)
			if v == "" || v == "0" && !f.Hyper || v == "false" {
				continue // unset: the default
			}
			if f.Live {
				v = trainer.EditedValue(f.Name, v, edits)
			}
			parts = append(parts, f.Name+" "+v)
		}
		lines = append(lines, wrapWords(parts, "  ", " · ", 76)...)
		if len(edits) > 0 {
			lines = append(lines, "Edits while it trained")
			for _, e := range edits {
				lines = append(lines, fmt.Sprintf("  %s %g → %g from step %d (epoch %d)", e.Field, e.Old, e.New, e.Step, e.Epoch))
			}
		}
	}
	if entries, err := os.ReadDir(rec.Dir); err == nil {
		var files []string
		for _, e := range entries {
			if info, err := e.Info(); err == nil && !e.IsDir() {
				files = append(files, fmt.Sprintf("%s %s", e.Name(), size(info.Size())))
			}
		}
		lines = append(lines, "Files in "+filepath.Base(rec.Dir))
		lines = append(lines, wrapWords(files, "  ", " · ", 76)...)
	}
	// Names, statuses and settings come from the run's files: shown
	// escaped, never as terminal controls.
	for i, l := range lines {
		lines[i] = termsafe.String(l)
	}
	return lines
}

// wrapWords joins parts with sep into lines of at most w cells, each
// starting with indent.
func wrapWords(parts []string, indent, sep string, w int) []string {
	var lines []string
	cur := ""
	for _, p := range parts {
		if cur != "" && len([]rune(cur+sep+p)) > w {
			lines = append(lines, indent+cur)
			cur = ""
		}
		if cur != "" {
			cur += sep
		}
		cur += p
	}
	if cur != "" {
		lines = append(lines, indent+cur)
	}
	return lines
}

// size formats a file size: 812 B, 4.1 kB, 1.3 MB.
func size(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1e6:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	}
	return strings.TrimSuffix(fmt.Sprintf("%.1f MB", float64(n)/1e6), ".0 MB")
}
