package figure

import (
	"bytes"
	"encoding/xml"
	imgpng "image/png"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"gonum.org/v1/plot/plotter"

	"github.com/mlptui/mlptui/trainer"
)

// The terminal plot's charts fit the width they are given, whatever the
// number of epochs (the x axis's last label is centred on its tick).
func TestTerminalFitsWidth(t *testing.T) {
	for _, epochs := range []int{5, 200, 3000, 12345} {
		r := &Run{dir: "runs/x", label: "A"}
		for e := 1; e <= epochs; e++ {
			f := float64(e) / float64(epochs)
			r.metrics = append(r.metrics, trainer.EpochMetrics{Epoch: e, TrainLoss: 2 - f, TrainAcc: f, ValLoss: 2.1 - f, ValAcc: f * 0.9})
		}
		for _, width := range []int{30, 41, 70, 80, 123} {
			for _, colour := range []bool{false, true} {
				out := Terminal([]*Run{r}, width, colour)
				charts := out[:strings.LastIndex(out, "\n\n")] // the legend below is prose
				for i, l := range strings.Split(charts, "\n") {
					if n := ansi.StringWidth(l); n > width {
						t.Errorf("%d epochs, width %d, colour %v: line %d is %d wide: %q", epochs, width, colour, i+1, n, ansi.Strip(l))
					}
				}
			}
		}
	}
}

func TestNiceTicks(t *testing.T) {
	cases := []struct {
		lo, hi float64
		whole  bool
		labels string
	}{
		{0, 1, false, "0.0 0.2 0.4 0.6 0.8 1.0"},
		{1, 100, true, "20 40 60 80 100"},
		{1, 3, true, "1 2 3"}, // whole numbers: no ticks between epochs
		{0.3, 0.32, false, "0.300 0.305 0.310 0.315 0.320"},
	}
	for _, c := range cases {
		var got []string
		for _, tk := range (niceTicks{whole: c.whole}).Ticks(c.lo, c.hi) {
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
		}
		if s := strings.Join(got, " "); s != c.labels {
			t.Errorf("niceTicks(%v, %v, whole %v) = %q, want %q", c.lo, c.hi, c.whole, s, c.labels)
		}
	}
}

func TestLogTicks(t *testing.T) {
	cases := []struct {
		lo, hi float64 // the losses, not their logs
		labels string
	}{
		{0.01, 1, "0.01 0.02 0.05 0.1 0.2 0.5 1"},
		{1e-5, 10, "1e-05 0.0001 0.001 0.01 0.1 1 10"}, // over three decades: the powers only
		{0.3, 0.7, "0.5"},
	}
	for _, c := range cases {
		var got []string
		for _, tk := range (logTicks{}).Ticks(math.Log10(c.lo), math.Log10(c.hi)) {
			if tk.Label != "" {
				got = append(got, tk.Label)
			}
		}
		if s := strings.Join(got, " "); s != c.labels {
			t.Errorf("logTicks(%v, %v) = %q, want %q", c.lo, c.hi, s, c.labels)
		}
	}
	if ts := (logTicks{}).Ticks(1, 1); ts != nil {
		t.Errorf("an empty range has ticks %v", ts)
	}
}

func TestResample(t *testing.T) {
	xy := plotter.XYs{{X: 2, Y: 1}, {X: 4, Y: 3}}
	got := resample(xy, 100, 5, 5) // epochs 1 to 5
	want := []float64{math.NaN(), 100, 200, 300, math.NaN()}
	for i := range want {
		if !(got[i] == want[i] || math.IsNaN(got[i]) && math.IsNaN(want[i])) {
			t.Errorf("resample = %v, want %v", got, want)
			break
		}
	}
}

func TestEpochTicks(t *testing.T) {
	for xmax, want := range map[int]int{1: 2, 5: 5, 9: 9, 11: 6, 13: 5, 101: 5, 12: 5} {
		if got := epochTicks(xmax); got != want {
			t.Errorf("epochTicks(%d) = %d, want %d", xmax, got, want)
		}
	}
}

// TestWriteFileRoundTrip: the PNG decodes at the figure's size, the SVG is
// well-formed XML, and a file that cannot be written leaves nothing.
func TestWriteFileRoundTrip(t *testing.T) {
	r := &Run{dir: "runs/x", label: "A", desc: "lr=0.1"}
	for e := 1; e <= 20; e++ {
		r.metrics = append(r.metrics, trainer.EpochMetrics{Epoch: e, TrainLoss: 3 / float64(e*e), TrainAcc: 0.5, ValLoss: math.NaN(), ValAcc: math.NaN()})
	}
	dir := t.TempDir()
	png := filepath.Join(dir, "c.png")
	if err := WriteFile(png, "png", []*Run{r}); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(png)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cfg, err := imgpng.DecodeConfig(f)
	if err != nil || cfg.Width != 1800 {
		t.Errorf("the PNG: %v, %d wide (900 points at 144 dpi: 1800)", err, cfg.Width)
	}
	svg := filepath.Join(dir, "c.svg")
	if err := WriteFile(svg, "svg", []*Run{r}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(svg)
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		if _, err := d.Token(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("the SVG: %v", err)
		}
	}
	if !bytes.Contains(b, []byte("(log scale)")) {
		t.Error("a loss falling 300x is not on a log scale")
	}
	if err := WriteFile(filepath.Join(dir, "no", "c.png"), "png", []*Run{r}); err == nil {
		t.Error("writing into a missing directory: no error")
	}
}
