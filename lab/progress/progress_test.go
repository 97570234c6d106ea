package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/mlptui/mlptui/trainer"
)

// On a terminal a live progress line is rewritten in place and cut to the
// terminal's width (one that wrapped would leave rows behind); a plain
// line is whole; without a terminal there are no live lines.
func TestProgressLiveLineFits(t *testing.T) {
	var b bytes.Buffer
	p := &Printer{w: &b, tty: true, width: 40}
	p.Status("epoch %d/%d %s  loss %.4f", 3, 70, Bar(0.5), 1.2345)
	p.Status("epoch %d/%d %s  loss %.4f", 3, 70, Bar(0.6), 1.2)
	p.Line("epoch 3/70  loss 1.2000  acc 0.5000  val_loss 1.1000  val_acc 0.6000")
	out := b.String()
	parts := strings.Split(out, "\r\033[K")
	if len(parts) != 3 {
		t.Fatalf("output %q: want two live lines, each cleared before what follows", out)
	}
	for _, live := range parts[:2] {
		if n := len([]rune(live)); n != 39 {
			t.Errorf("live line %q is %d wide on a 40-column terminal, want 39", live, n)
		}
	}
	if want := "epoch 3/70  loss 1.2000  acc 0.5000  val_loss 1.1000  val_acc 0.6000\n"; !strings.HasSuffix(parts[2], want) {
		t.Errorf("the plain line after them is %q, want %q whole", parts[2], want)
	}
	b.Reset()
	p = &Printer{w: &b}
	p.Status("loading")
	if b.Len() != 0 {
		t.Errorf("a live line without a terminal: %q", b.String())
	}
}

// TestProgressOnTerminalKeepsFewLines: on a terminal, 200 fast epochs
// leave one live line and few kept ones (the first, each validation
// improvement, about one a second, the last), none wider than the
// terminal; piped, a line per epoch as before.
func TestProgressOnTerminalKeepsFewLines(t *testing.T) {
	info := &trainer.RunInfo{Dir: "runs/x", Arch: "4-1000-100-3", Train: 108, Val: 12, Test: 30, Batches: 1,
		Config: trainer.Config{Epochs: 200}}
	val := func(epoch int) float64 { // improves at epochs 1, 3 and 50 only
		switch {
		case epoch >= 50:
			return 1
		case epoch >= 3:
			return 0.9
		}
		return 0.5
	}
	feed := func(p *Printer, clock *time.Time) {
		p.Event(trainer.Event{Kind: trainer.Started, Info: info})
		for e := 1; e <= 200; e++ {
			*clock = clock.Add(10 * time.Millisecond) // 100 epochs a second
			p.Event(trainer.Event{Kind: trainer.Progress, Epoch: e, Batch: 0, Batches: 1, Loss: 0.5, Accuracy: 0.8, SamplesPerSec: 20000})
			p.Event(trainer.Event{Kind: trainer.EpochEnd, Epoch: e, Metrics: &trainer.EpochMetrics{Epoch: e, TrainLoss: 4.0 / float64(e),
				TrainAcc: 0.9, ValLoss: 0.1, ValAcc: val(e), LR: 0.01, SamplesPerSec: 20000}})
		}
	}
	var b strings.Builder
	clock := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
	p := &Printer{w: &b, tty: true, width: 80, now: func() time.Time { return clock }}
	feed(p, &clock)
	var kept []string
	for _, l := range strings.Split(b.String(), "\n") {
		if i := strings.LastIndex(l, "\r\033[K"); i >= 0 {
			l = l[i+len("\r\033[K"):]
		}
		if strings.HasPrefix(l, "epoch ") {
			kept = append(kept, l)
		}
		if n := len([]rune(l)); n >= 80 && !strings.HasPrefix(l, "run ") {
			t.Errorf("a line %d wide on an 80-column terminal: %q", n, l)
		}
	}
	var epochs []string
	for _, l := range kept {
		epochs = append(epochs, strings.Fields(l)[1])
	}
	// 1, 3 and 50 improve; a second after 50, 150; 200 is the last.
	if got := strings.Join(epochs, " "); got != "1/200 3/200 50/200 150/200 200/200" {
		t.Errorf("kept lines of epochs %s, want 1, 3, 50 (improvements), 150 (a second later) and 200:\n%s", got, strings.Join(kept, "\n"))
	}
	if len(kept) < 2 || !strings.HasSuffix(kept[1], "★") || strings.Contains(kept[len(kept)-1], "★") {
		t.Errorf("improvements are not marked, or a line that is none is:\n%s", strings.Join(kept, "\n"))
	}
	if !strings.Contains(b.String(), "ETA ") || !strings.Contains(b.String(), "[====") {
		t.Errorf("no live line with a bar and an ETA")
	}

	b.Reset()
	p = &Printer{w: &b}
	feed(p, &clock)
	if n := strings.Count(b.String(), "\nepoch "); n != 200 || strings.Contains(b.String(), "\r") {
		t.Errorf("piped: %d epoch lines, want 200, and no carriage return", n)
	}
}

// The run's first line on an 80-column terminal: it was 86 wide and
// wrapped mid-word ("120 tr" / "ain"); on a terminal it is two lines
// that fit, piped one line as before.
func TestProgressStartLineFits(t *testing.T) {
	info := &trainer.RunInfo{Dir: "/tmp/c14/runs/20261202-180256-iris", Arch: "4-1000-100-3", Params: 105403,
		Train: 120, Test: 30, Batches: 1, Config: trainer.Defaults()}
	for _, c := range []struct {
		tty   bool
		lines int
	}{{true, 2}, {false, 1}} {
		var b bytes.Buffer
		p := &Printer{w: &b, tty: c.tty, width: 80}
		p.Event(trainer.Event{Kind: trainer.Started, Info: info})
		lines := strings.Split(strings.TrimSuffix(strings.ReplaceAll(b.String(), "\r\033[K", ""), "\n"), "\n")
		if len(lines) != c.lines || !strings.Contains(b.String(), "120 train / 30 test; 1 step per epoch") {
			t.Errorf("tty %v: %q, want %d lines with the whole figures", c.tty, lines, c.lines)
		}
		for _, l := range lines {
			if n := len([]rune(l)); c.tty && n >= 80 {
				t.Errorf("%q is %d wide on an 80-column terminal", l, n)
			}
		}
	}
}

// ★ marks the epochs that became the run's model: a later epoch of the
// same validation accuracy with a lower loss is one (the model moves to
// it), an equal one is not.
func TestProgressStarFollowsTheModel(t *testing.T) {
	info := &trainer.RunInfo{Dir: "runs/x", Arch: "4-8-3", Train: 100, Val: 20, Test: 30, Batches: 1, Config: trainer.Defaults()}
	info.Config.Epochs = 5
	var b strings.Builder
	p := &Printer{w: &b, tty: true, width: 100, now: func() time.Time { return time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC) }}
	p.Event(trainer.Event{Kind: trainer.Started, Info: info})
	for e, c := range []struct{ acc, loss float64 }{{0.9, 0.5}, {1, 0.3}, {1, 0.35}, {1, 0.1}, {1, 0.1}} {
		p.Event(trainer.Event{Kind: trainer.EpochEnd, Epoch: e + 1, Metrics: &trainer.EpochMetrics{Epoch: e + 1, TrainLoss: 0.2,
			TrainAcc: 0.9, ValLoss: c.loss, ValAcc: c.acc, LR: 0.01, SamplesPerSec: 20000}})
	}
	var starred []string
	for _, l := range strings.Split(b.String(), "\n") {
		if i := strings.LastIndex(l, "\r\033[K"); i >= 0 {
			l = l[i+len("\r\033[K"):]
		}
		if strings.HasPrefix(l, "epoch ") && strings.HasSuffix(l, "★") {
			starred = append(starred, strings.Fields(l)[1])
		}
	}
	if got := strings.Join(starred, " "); got != "1/5 2/5 4/5" {
		t.Errorf("★ on epochs %s, want 1/5 2/5 4/5 (epoch 4: same accuracy as 2, lower loss):\n%s", got, b.String())
	}
}
