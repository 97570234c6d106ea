package main

import (
	"bytes"
	"image/png"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mlptui/mlptui/trainer"
)

func TestPlotFiles(t *testing.T) {
	runs, dirs := runsFixture(t)
	out := t.TempDir()
	pngPath := filepath.Join(out, "curves.png")
	code, _, errs := call(t, append([]string{"plot", "-o", pngPath}, dirs...)...)
	if code != 0 {
		t.Fatalf("plot -o png: exit %d: %s", code, errs)
	}
	f, err := os.Open(pngPath)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatalf("%s is not a PNG: %v", pngPath, err)
	}
	if b := img.Bounds(); b.Dx() < 800 || b.Dy() < 400 {
		t.Errorf("PNG is %v", b)
	}
	// Not one colour: something was drawn.
	colours := map[[4]uint32]bool{}
	for y := 0; y < img.Bounds().Dy(); y += 7 {
		for x := 0; x < img.Bounds().Dx(); x += 7 {
			r, g, b, a := img.At(x, y).RGBA()
			colours[[4]uint32{r, g, b, a}] = true
		}
	}
	if len(colours) < 5 {
		t.Errorf("PNG has %d colours", len(colours))
	}

	svgPath := filepath.Join(out, "curves.SVG") // the extension in any case
	code, _, errs = call(t, append([]string{"plot", "-o", svgPath}, dirs...)...)
	if code != 0 {
		t.Fatalf("plot -o svg: exit %d: %s", code, errs)
	}
	svg, _ := os.ReadFile(svgPath)
	if !bytes.HasPrefix(svg, []byte("<?xml")) && !bytes.HasPrefix(svg, []byte("<svg")) {
		t.Errorf("SVG starts with %q", svg[:min(len(svg), 40)])
	}
	// The legend names each run and the setting in which they differ.
	for _, d := range dirs {
		if !bytes.Contains(svg, []byte(filepath.Base(d))) {
			t.Errorf("SVG legend lacks %s", filepath.Base(d))
		}
	}
	for _, want := range []string{"lr=0.001", "lr=0.01", "lr=0.03", "Loss", "Accuracy", "epoch", "training (solid)", "validation (dashed)"} {
		if !bytes.Contains(svg, []byte(want)) {
			t.Errorf("SVG lacks %q", want)
		}
	}
	if bytes.Contains(svg, []byte("name=")) {
		t.Error("the run names count as a difference")
	}
	// Written atomically: nothing else is left in the directory.
	ents, _ := os.ReadDir(out)
	if len(ents) != 2 {
		t.Errorf("%d files in the output directory, want 2", len(ents))
	}

	// One run alone: its main settings instead of differences.
	code, _, errs = call(t, "plot", "-o", filepath.Join(out, "one.png"), dirs[0])
	if code != 0 {
		t.Errorf("plot one run: exit %d: %s", code, errs)
	}
	_ = runs
}

func TestPlotTerminal(t *testing.T) {
	_, dirs := runsFixture(t)
	code, out, errs := call(t, append([]string{"plot", "--width", "90"}, dirs[:2]...)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"Loss by epoch", "Accuracy (%) by epoch", "AA aa  A  " + filepath.Base(dirs[0]) + "   lr=0.01",
		"BB bb  B  " + filepath.Base(dirs[1]) + "   lr=0.001", "upper case: training  lower case: validation"} {
		if !strings.Contains(out, want) {
			t.Errorf("terminal plot lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\033") {
		t.Error("escape codes when stdout is not a terminal")
	}
	for _, l := range strings.Split(out, "\n") {
		if n := len([]rune(l)); n > 90 {
			t.Errorf("line of %d columns, want at most 90: %q", n, l)
		}
	}
}

// Runs of the same settings are said to be so in the legend (their
// curves coincide: the same seed gives the same run).
func TestPlotSameSettings(t *testing.T) {
	runs := t.TempDir()
	a, b := trainQuick(t, runs, "--name", "a"), trainQuick(t, runs, "--name", "b")
	code, out, errs := call(t, "plot", a, b)
	if code != 0 || strings.Count(out, "same settings") != 2 {
		t.Errorf("exit %d, stderr %q; legend:\n%s", code, errs, out)
	}
}

func TestCompareBadInput(t *testing.T) {
	runs, dirs := runsFixture(t)
	damagedCfg := filepath.Join(t.TempDir(), "bad-config")
	os.MkdirAll(damagedCfg, 0o755)
	os.WriteFile(filepath.Join(damagedCfg, trainer.ConfigFile), []byte("{"), 0o644)
	noEpochs := filepath.Join(t.TempDir(), "no-epochs")
	os.MkdirAll(noEpochs, 0o755)
	b, _ := os.ReadFile(filepath.Join(dirs[0], trainer.ConfigFile))
	os.WriteFile(filepath.Join(noEpochs, trainer.ConfigFile), b, 0o644)
	os.WriteFile(filepath.Join(noEpochs, trainer.MetricsFile), []byte("epoch,step,seconds,lr,train_loss,train_acc,val_loss,val_acc\n"), 0o644)
	badMetrics := filepath.Join(t.TempDir(), "bad-metrics")
	os.MkdirAll(badMetrics, 0o755)
	os.WriteFile(filepath.Join(badMetrics, trainer.ConfigFile), b, 0o644)
	os.WriteFile(filepath.Join(badMetrics, trainer.MetricsFile), []byte("epoch,step\n1,2\n"), 0o644)
	// Metrics out of range (an accuracy of 1e308: drawn in percent, an
	// infinite point) and in range but huge (a loss of 1e308).
	hostile := func(name, rows string) string {
		d := filepath.Join(t.TempDir(), name)
		os.MkdirAll(d, 0o755)
		os.WriteFile(filepath.Join(d, trainer.ConfigFile), b, 0o644)
		os.WriteFile(filepath.Join(d, trainer.MetricsFile), []byte("epoch,step,seconds,lr,train_loss,train_acc,val_loss,val_acc\n"+rows), 0o644)
		return d
	}
	hugeAcc := hostile("huge-acc", "1,1,0.1,0.001,1,0.5,,\n2,2,0.2,0.001,0.5,1e308,,\n")
	hugeLoss := hostile("huge-loss", "1,1,0.1,0.001,1e308,0.5,+Inf,0.5\n2,2,0.2,0.001,1e-300,0.6,1e308,0.7\n")
	lrs := make([]string, 101)
	for i := range lrs {
		lrs[i] = strconv.FormatFloat(1e-4*float64(i+1), 'g', -1, 64)
	}
	drops := make([]string, 100)
	for i := range drops {
		drops[i] = strconv.FormatFloat(float64(i)/200, 'g', -1, 64)
	}
	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"runs", "--runs", runs, "--sort", "bogus"}, 2, "--sort bogus: unknown column; want one of name, dataset, hidden, dropout, lr, batch, epochs, best-val-acc, test-acc, train-time, status"},
		{[]string{"runs", "--runs", runs, "--sort", ""}, 2, "--sort : unknown column"},
		{[]string{"runs", "--runs", runs, "--json", "--csv"}, 2, "--json and --csv: choose one"},
		{[]string{"runs", "--runs", runs, "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"plot"}, 2, "no run directory given"},
		{[]string{"plot", "-o", "x.jpg", dirs[0]}, 2, `-o x.jpg: unknown image format ".jpg"; want a file ending in .png or .svg`},
		{[]string{"plot", "-o", "plot", dirs[0]}, 2, `-o plot: unknown image format ""`},
		{[]string{"plot", "-o", "x.pdf", "/no/such/run"}, 2, "-o x.pdf"},
		{[]string{"plot", "--width", "-3", dirs[0]}, 2, "--width -3"},
		{[]string{"plot", "--bogus", dirs[0]}, 2, "unknown flag --bogus"},
		{[]string{"plot", dirs[0], "/no/such/run"}, 1, "/no/such/run: no such file or directory"},
		{[]string{"plot", filepath.Join(dirs[0], trainer.SummaryFile)}, 1, "summary.json: not a run directory"},
		{[]string{"plot", damagedCfg}, 1, filepath.Join(damagedCfg, trainer.ConfigFile)},
		{[]string{"plot", dirs[0], noEpochs}, 1, noEpochs + ": no epoch finished yet"},
		{[]string{"plot", badMetrics}, 1, filepath.Join(badMetrics, trainer.MetricsFile)},
		{[]string{"plot", "-o", "/no/such/dir/x.png", dirs[0]}, 1, "/no/such/dir/x.png"},
		{[]string{"plot", hugeAcc}, 1, filepath.Join(hugeAcc, trainer.MetricsFile) + ":3: train_acc 1e+308 out of range"},
		{[]string{"plot", "-o", filepath.Join(t.TempDir(), "x.png"), hugeAcc}, 1, filepath.Join(hugeAcc, trainer.MetricsFile) + ":3: train_acc 1e+308 out of range"},
		{[]string{"plot", hugeLoss}, 0, ""},
		{[]string{"plot", "--width", "100", hugeLoss, dirs[0]}, 0, ""},
		{[]string{"plot", "-o", filepath.Join(t.TempDir(), "x.png"), hugeLoss}, 0, ""},
		{[]string{"plot", "-o", filepath.Join(t.TempDir(), "x.svg"), hugeLoss, dirs[0]}, 0, ""},
		{[]string{"sweep", "--runs", runs, "--lr", "1e-3,abc"}, 2, `"abc" is not a number`},
		{[]string{"sweep", "--runs", runs, "--lr", "1e-3,"}, 2, `"" is not a number`},
		{[]string{"sweep", "--runs", runs, "--dropout", "0,1.5"}, 2, "--dropout: 1.5; want a probability"},
		{[]string{"sweep", "--runs", runs, "--hidden", "64,32/x"}, 2, `"x" is not a list of layer sizes`},
		{[]string{"sweep", "--runs", runs, "--hidden", "64/0"}, 2, "--hidden: layer 1 has 0 units"},
		{[]string{"sweep", "--runs", runs, "--epochs", "5,0"}, 2, "--epochs: 0"},
		{[]string{"sweep", "--runs", runs, "--optimizer", "adam,rmsprop"}, 2, `--optimizer: "rmsprop"`},
		{[]string{"sweep", "--runs", runs, "--val-split", "0.1,0.2"}, 2, `"0.1,0.2" is not a number (--val-split is one value for all trials: it cannot be swept)`},
		{[]string{"sweep", "--runs", runs, "--trials", "-1"}, 2, "--trials -1"},
		{[]string{"sweep", "--runs", runs, "--trials", "x"}, 2, `--trials x: "x" is not a number`},
		{[]string{"sweep", "--runs", runs, "--name", "a/b"}, 2, `--name "a/b"`},
		{[]string{"sweep", "--runs", runs, "--name", ".hidden"}, 2, `--name ".hidden"`},
		{[]string{"sweep", "--runs", runs, "--lr", strings.Join(lrs, ","), "--dropout", strings.Join(drops, ",")}, 2, "a grid of 10100 trials is too many; give --trials N"},
		{[]string{"sweep", "--runs", runs, "extra"}, 2, `unexpected argument "extra"`},
		{[]string{"sweep", "--runs", "/dev/null/runs", "--epochs", "1"}, 1, "/dev/null/runs"},
	}
	for _, c := range cases {
		code, out, errs := call(t, c.args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", c.args, code, errs, c.code, c.want)
		}
		if c.code == 1 && strings.Count(strings.TrimSpace(errs), "\n") > 0 && !strings.HasPrefix(c.args[0], "sweep") {
			t.Errorf("%v: more than one line on stderr: %q", c.args, errs)
		}
		if c.code != 0 && c.args[0] == "plot" && out != "" {
			t.Errorf("%v: printed %q", c.args, out)
		}
		if strings.Contains(errs, "goroutine ") || strings.Contains(errs, "panic") {
			t.Errorf("%v: stack trace on stderr", c.args)
		}
	}
	// A refused plot leaves no file behind.
	if _, err := os.Stat("x.jpg"); err == nil {
		t.Error("plot -o x.jpg wrote a file")
	}
}
