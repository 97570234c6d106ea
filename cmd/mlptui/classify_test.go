package main

import (
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlptui/mlptui/lab"
	"github.com/mlptui/mlptui/trainer"
)

// writePNG writes a w×h picture filled with c plus a little noise.
func writePNG(t *testing.T, path string, w, h int, c color.RGBA, rng *rand.Rand) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			n := func(v uint8) uint8 { return uint8(min(255, max(0, int(v)+rng.IntN(41)-20))) }
			img.Set(x, y, color.RGBA{n(c.R), n(c.G), n(c.B), 255})
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

// imageFolder makes a train/test image folder of reddish and bluish 8×8
// pictures.
func imageFolder(t *testing.T) string {
	root := filepath.Join(t.TempDir(), "colours")
	rng := rand.New(rand.NewPCG(1, 2))
	cols := map[string]color.RGBA{"red": {200, 40, 40, 255}, "blue": {40, 40, 200, 255}}
	for class, c := range cols {
		for i := range 30 {
			part := "train"
			if i >= 24 {
				part = "test"
			}
			writePNG(t, filepath.Join(root, part, class, string(rune('a'+i%26))+string(rune('a'+i/26))+".png"), 8, 8, c, rng)
		}
	}
	return root
}

// TestClassifyImages trains on an image folder and classifies image files:
// good ones of another size are resized and answered, and every bad file
// gets its own one-line error naming it while the rest are classified.
func TestClassifyImages(t *testing.T) {
	root := imageFolder(t)
	runs := t.TempDir()
	code, out, errs := call(t, "train", "--dataset", root, "--runs", runs, "--hidden", "16", "--epochs", "30", "--batch", "8", "--lr", "0.01", "--json")
	if code != 0 {
		t.Fatalf("train: exit %d: %s", code, errs)
	}
	var s trainer.Summary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatal(err)
	}
	if s.TestAccuracy == nil || *s.TestAccuracy < 0.9 {
		t.Errorf("test accuracy %v on red against blue", s.TestAccuracy)
	}

	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(3, 4))
	red, blue := filepath.Join(dir, "red.png"), filepath.Join(dir, "blue.png")
	writePNG(t, red, 20, 12, color.RGBA{210, 30, 50, 255}, rng) // another size: resized
	writePNG(t, blue, 8, 8, color.RGBA{30, 50, 210, 255}, rng)
	good, err := os.ReadFile(blue)
	if err != nil {
		t.Fatal(err)
	}
	bad := map[string][]byte{
		"empty.png":     nil,
		"truncated.png": good[:len(good)/2],
		"corrupt.jpg":   append([]byte{0xff, 0xd8, 0xff, 0xe0}, make([]byte, 100)...),
		"notes.png":     []byte("this is a text file, not a picture\n"),
	}
	args := []string{"classify", "--run", s.Run, "--top", "2", red}
	for name, b := range bad {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, p)
	}
	missing := filepath.Join(dir, "missing.png")
	args = append(args, missing, blue)
	code, out, errs = call(t, args...)
	if code != 1 {
		t.Errorf("exit %d with bad files, want 1", code)
	}
	if !strings.Contains(out, red+"\tred\t") || !strings.Contains(out, blue+"\tblue\t") {
		t.Errorf("good files not classified right:\n%s", out)
	}
	lines := strings.Split(strings.TrimSpace(errs), "\n")
	if len(lines) != len(bad)+2 {
		t.Errorf("want one error line per bad file and a total, got:\n%s", errs)
	}
	for name := range bad {
		if !strings.Contains(errs, filepath.Join(dir, name)+":") {
			t.Errorf("no error line names %s:\n%s", name, errs)
		}
	}
	if !strings.Contains(errs, missing) || !strings.Contains(errs, "5 of 7 inputs could not be classified") {
		t.Errorf("stderr:\n%s", errs)
	}
	if strings.Contains(errs, "panic") || strings.Contains(errs, "goroutine ") {
		t.Errorf("stack trace:\n%s", errs)
	}

	// --json: one object per good input with the top-k list.
	code, out, errs = call(t, "classify", "--run", s.Run, "--json", "--top", "2", red, blue)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	dec := json.NewDecoder(strings.NewReader(out))
	for _, want := range []string{"red", "blue"} {
		var p lab.Prediction
		if err := dec.Decode(&p); err != nil {
			t.Fatal(err)
		}
		if p.Class != want || len(p.Top) != 2 || p.Top[0].Class != want || p.Probability != p.Top[0].Probability {
			t.Errorf("--json: %+v, want class %s with a top-2 list", p, want)
		}
	}

	// A model of another input shape is refused, both ways.
	code, _, errs = call(t, "classify", "--run", s.Run, "5.1,3.5,1.4,0.2")
	if code != 1 || !strings.Contains(errs, "5.1,3.5,1.4,0.2: not a file; this model classifies 8x8 images") {
		t.Errorf("image model given values: exit %d, %s", code, errs)
	}
	code, out, errs = call(t, append([]string{"train", "--json"}, quick(runs)...)...)
	if code != 0 {
		t.Fatal(errs)
	}
	var iris trainer.Summary
	json.Unmarshal([]byte(out), &iris)
	code, _, errs = call(t, "classify", "--run", iris.Run, blue)
	if code != 1 || !strings.Contains(errs, blue+": not a CSV table but image/png; this model takes 4 comma-separated values, or a CSV file of them") {
		t.Errorf("Iris model given an image: exit %d, %s", code, errs)
	}
}

// petsRun writes dir/pets.csv, a table of cats and dogs with the class in
// its first column, trains on it (--label kind) and returns the table and
// the run directory.
func petsRun(t *testing.T, dir string) (table, run string) {
	t.Helper()
	table = filepath.Join(dir, "pets.csv")
	text := "kind,weight,height\n"
	for i := range 30 {
		text += fmt.Sprintf("cat,%d,%d\ndog,%d,%d\n", 3+i%4, 25+i%5, 20+i%7, 50+i%9)
	}
	if err := os.WriteFile(table, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := call(t, "train", "--dataset", table, "--label", "kind", "--runs", filepath.Join(dir, "runs"), "--epochs", "30", "--json")
	if code != 0 {
		t.Fatalf("train: exit %d: %s", code, errs)
	}
	var sum struct{ Run string }
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatal(err)
	}
	return table, sum.Run
}

// TestEvalOtherDataSet measures a table model on another labelled table
// (all its rows; a class missing there has no support) and an image model
// on its whole folder, and refuses data the model cannot take.
func TestEvalOtherDataSet(t *testing.T) {
	dir := t.TempDir()
	_, run := petsRun(t, dir)
	dogs := filepath.Join(dir, "dogs.csv")
	if err := os.WriteFile(dogs, []byte("kind,weight,height\ndog,22,52\ndog,25,55\ndog,21,57\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := call(t, "eval", "--run", run, "--dataset", dogs, "--json")
	var ev trainer.Evaluation
	if code != 0 || json.Unmarshal([]byte(out), &ev) != nil {
		t.Fatalf("exit %d: %s%s", code, out, errs)
	}
	if ev.Dataset != dogs || ev.Samples != 3 || ev.Accuracy != 1 || len(ev.PerClass) != 2 ||
		ev.PerClass[0].Support != 0 || ev.PerClass[1].Support != 3 {
		t.Errorf("evaluation %+v", ev)
	}
	emus := filepath.Join(dir, "emus.csv")
	if err := os.WriteFile(emus, []byte("kind,weight,height\nemu,40,170\ndog,22,52\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ dataset, want string }{
		{emus, `class "emu" is not one of the model's (cat, dog)`},
		{dir, "a folder of images, but " + run + "/model.safetensors takes 2 values, not images"},
		{filepath.Join(dir, "nope.csv"), "nope.csv: no such file or directory"},
	} {
		if code, _, errs := call(t, "eval", "--run", run, "--dataset", c.dataset); code != 1 || !strings.Contains(errs, c.want) {
			t.Errorf("--dataset %s: exit %d, %q; want %q", c.dataset, code, errs, c.want)
		}
	}
	// An image model on its whole folder: the train and test parts.
	folder := imageFolder(t)
	code, out, errs = call(t, "train", "--dataset", folder, "--runs", filepath.Join(dir, "img"), "--hidden", "16", "--epochs", "10", "--batch", "8", "--lr", "0.01", "--json")
	var sum struct{ Run string }
	if code != 0 || json.Unmarshal([]byte(out), &sum) != nil {
		t.Fatalf("train: exit %d: %s", code, errs)
	}
	code, out, errs = call(t, "eval", "--run", sum.Run, "--dataset", folder, "--json")
	if code != 0 || json.Unmarshal([]byte(out), &ev) != nil || ev.Samples != 60 || ev.Accuracy < 0.9 {
		t.Errorf("eval on the folder: exit %d, %+v %s", code, ev, errs)
	}
}

// TestClassifyTableFile trains on a table whose classes are in its first
// column (--label kind), then classifies the same file: every row is
// classified under its file:line, its label column skipped as in
// training, and a bad row gets its own line and exit 1.
func TestClassifyTableFile(t *testing.T) {
	dir := t.TempDir()
	table, run := petsRun(t, dir)
	bad := filepath.Join(dir, "bad.csv")
	code, out, errs := call(t, "classify", "--run", run, table)
	if code != 0 {
		t.Fatalf("classify: exit %d: %s", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	right := 0
	for i, l := range lines {
		f := strings.Split(l, "\t")
		if len(f) != 3 || f[0] != fmt.Sprintf("%s:%d", table, i+2) {
			t.Fatalf("line %d: %q", i, l)
		}
		if want := []string{"cat", "dog"}[i%2]; f[1] == want {
			right++
		}
	}
	if len(lines) != 60 || right < 57 {
		t.Errorf("%d rows classified, %d right; want 60, nearly all right", len(lines), right)
	}
	if err := os.WriteFile(bad, []byte("4,30\n5,x\n1,2,3,4\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs = call(t, "classify", "--run", run, bad)
	want := []string{bad + `:2: column 3 "height": "x" is not a number (nor a missing value)`,
		bad + `:3: 4 values, the model takes 2 (or 3 with the label column, column 1 "kind")`, "2 of 3 inputs could not be classified"}
	if code != 1 || strings.Count(out, "\n") != 1 || !strings.HasPrefix(out, bad+":1\tcat") {
		t.Errorf("exit %d, stdout %q", code, out)
	}
	for _, w := range want {
		if !strings.Contains(errs, w) {
			t.Errorf("stderr %q lacks %q", errs, w)
		}
	}
	// A file that is no such table (here 13 rows of one value): the first
	// rows are told one by one, the rest in one line, and all counted.
	if err := os.WriteFile(bad, []byte(strings.Repeat("7\n", 13)), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs = call(t, "classify", "--run", run, bad)
	lines = strings.Split(strings.TrimSpace(errs), "\n")
	if code != 1 || out != "" || len(lines) != lab.BadRowsShown+2 || !strings.HasSuffix(lines[lab.BadRowsShown], fmt.Sprintf("%s: %d more rows could not be read", bad, 13-lab.BadRowsShown)) ||
		!strings.HasSuffix(lines[lab.BadRowsShown+1], "13 of 13 inputs could not be classified") {
		t.Errorf("exit %d, stdout %q, stderr:\n%s", code, out, errs)
	}
}
