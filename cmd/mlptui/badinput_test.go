package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/mlptui/mlptui/trainer"
)

// writeFlatPNG writes a w×h PNG whose colour depends on v.
func writeFlatPNG(t *testing.T, path string, w, h int, v uint8) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{v, uint8(x * 16), uint8(y * 16), 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// pngHeaderOnly is the start of a PNG claiming w×h pixels: enough for its
// size to be read, not to decode it.
func pngHeaderOnly(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6
	chunk := append([]byte("IHDR"), ihdr...)
	binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	b.Write(chunk)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

// smallImageFolder makes a two-class folder of 8×8 PNGs.
func smallImageFolder(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "pics")
	for i := range 6 {
		writeFlatPNG(t, filepath.Join(dir, "dark", strings.Repeat("d", i+1)+".png"), 8, 8, 10)
		writeFlatPNG(t, filepath.Join(dir, "light", strings.Repeat("l", i+1)+".png"), 8, 8, 240)
	}
	return dir
}

// TestModelInputShapes checks that classify never applies a model to
// input of another kind, and that --max-pixels exists, is checked and is
// named when an image is too large.
func TestModelInputShapes(t *testing.T) {
	runs := t.TempDir()
	pics := smallImageFolder(t)
	code, out, errs := call(t, "train", "--json", "--runs", runs, "--dataset", pics, "--hidden", "8", "--epochs", "2")
	if code != 0 {
		t.Fatalf("training on images: exit %d: %s", code, errs)
	}
	var img trainer.Summary
	json.Unmarshal([]byte(out), &img)
	code, out, errs = call(t, append([]string{"train", "--json"}, quick(runs)...)...)
	if code != 0 {
		t.Fatalf("training on iris: exit %d: %s", code, errs)
	}
	var iris trainer.Summary
	json.Unmarshal([]byte(out), &iris)

	dir := t.TempDir()
	photo := filepath.Join(dir, "photo.png")
	writeFlatPNG(t, photo, 20, 10, 100)
	huge := filepath.Join(dir, "huge.png")
	os.WriteFile(huge, pngHeaderOnly(20000, 20000), 0o644)

	cases := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"classify", "--run", img.Run, photo}, 0, ""},
		{[]string{"classify", "--run", img.Run, "5.1,3.5"}, 1, "5.1,3.5: not a file; this model classifies 8x8 images"},
		{[]string{"classify", "--run", iris.Run, photo}, 1, photo + ": not a CSV table but image/png; this model takes 4 comma-separated values, or a CSV file of them"},
		{[]string{"classify", "--run", img.Run, huge}, 1, huge + ": bad image size: png image of 20000x20000 pixels is more than the limit of 67108864 (--max-pixels raises the limit)"},
		{[]string{"classify", "--run", img.Run, "--max-pixels", "100", photo}, 1, "png image of 20x10 pixels is more than the limit of 100 (--max-pixels raises the limit)"},
		{[]string{"classify", "--run", img.Run, "--max-pixels", "0", photo}, 2, "--max-pixels 0: want 1 or more"},
		{[]string{"train", "--runs", runs, "--dataset", pics, "--max-pixels", "10"}, 1, "8x8 pixels is more than the limit of 10 (--max-pixels raises the limit)"},
		{[]string{"train", "--runs", runs, "--dataset", pics, "--max-pixels", "-1"}, 2, "--max-pixels: -1"},
	}
	for _, c := range cases {
		code, _, errs := call(t, c.args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", c.args, code, errs, c.code, c.want)
		}
		if c.code == 1 && strings.Count(strings.TrimSpace(errs), "\n") > 1 {
			t.Errorf("%v: more than an error line and a summary: %q", c.args, errs)
		}
	}
}

// TestProcessesNeverShareARunDirectory starts mlptui processes at the same
// moment, training into one runs directory under one name: each must get
// a run directory of its own.
func TestProcessesNeverShareARunDirectory(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	runs := t.TempDir()
	const n = 4
	outs := make([]bytes.Buffer, n)
	var wg sync.WaitGroup
	for i := range n {
		cmd := exec.Command(os.Args[0], "train", "--json", "--runs", runs, "--name", "same", "--hidden", "4", "--epochs", "2")
		cmd.Env = append(os.Environ(), "MLPTUI_BE_MAIN=1")
		cmd.Stdout = &outs[i]
		var errb bytes.Buffer
		cmd.Stderr = &errb
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := cmd.Run(); err != nil {
				t.Errorf("process %d: %v: %s", i, err, errb.String())
			}
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for i := range n {
		var s trainer.Summary
		if err := json.Unmarshal(outs[i].Bytes(), &s); err != nil {
			t.Fatalf("process %d: %v: %q", i, err, outs[i].String())
		}
		if seen[s.Run] {
			t.Errorf("two processes trained into %s", s.Run)
		}
		seen[s.Run] = true
		if got, err := trainer.ReadSummary(s.Run); err != nil || got.Status != trainer.StatusDone || got.PID == 0 {
			t.Errorf("%s: %+v, %v", s.Run, got, err)
		}
	}
	if entries, _ := os.ReadDir(runs); len(entries) != n {
		t.Errorf("%d run directories for %d processes", len(entries), n)
	}
}

// TestDataErrorsNameTheFile: errors from CIFAR-10 batches and a missing
// run name the file or flag at fault, once.
func TestDataErrorsNameTheFile(t *testing.T) {
	dataDir := t.TempDir()
	bin := filepath.Join(dataDir, "cifar-10-batches-bin")
	os.Mkdir(bin, 0o755)
	record := make([]byte, 3073)
	for _, f := range []string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"} {
		os.WriteFile(filepath.Join(bin, f), record, 0o644)
	}
	cut := filepath.Join(bin, "data_batch_3.bin")
	os.WriteFile(cut, record[:3000], 0o644)
	runs := t.TempDir()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"train", "--runs", runs, "--dataset", "cifar10", "--data-dir", dataDir}, "mlptui train: --dataset cifar10: " + cut + ": size 3000 is not a multiple of 3073"},
		{[]string{"classify", "--run", "/no/such/run", "1,2,3,4"}, "mlptui classify: --run /no/such/run: no such file or directory"},
	}
	for _, c := range cases {
		code, _, errs := call(t, c.args...)
		lines := strings.Split(strings.TrimSpace(errs), "\n")
		last := lines[len(lines)-1]
		if code != 1 || !strings.HasPrefix(last, c.want) || strings.Count(errs, "mlptui ") != 1 {
			t.Errorf("%v: exit %d, stderr %q; want exit 1 and one error line starting %q", c.args, code, errs, c.want)
		}
	}
}

// TestInterruptedRunResumes interrupts a real process with each signal
// and resumes the saved run: nothing may be lost, and the resumed run
// carries on from the saved epoch.
func TestInterruptedRunResumes(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	for _, sig := range []os.Signal{os.Interrupt, syscall.SIGTERM} {
		runs := t.TempDir()
		code, _, _ := interruptAt(t, sig, epochLine(3), "train", "--runs", runs, "--epochs", "100000", "--hidden", "16", "--batch", "8")
		if code != 130 {
			t.Fatalf("%v: exit %d, want 130", sig, code)
		}
		ents, _ := os.ReadDir(runs)
		if len(ents) != 1 {
			t.Fatalf("%v: %d run directories", sig, len(ents))
		}
		dir := filepath.Join(runs, ents[0].Name())
		s, err := trainer.ReadSummary(dir)
		if err != nil || s.Status != trainer.StatusInterrupted || s.Epochs < 2 {
			t.Fatalf("%v: summary %+v, %v", sig, s, err)
		}
		want := s.Epochs + 2
		code, out, errs := call(t, "train", "--resume", dir, "--epochs", strconv.Itoa(want), "--json")
		if code != 0 {
			t.Fatalf("%v: resume: exit %d: %s", sig, code, errs)
		}
		var after trainer.Summary
		if err := json.Unmarshal([]byte(out), &after); err != nil || after.Status != trainer.StatusDone || after.Epochs != want || after.Steps <= s.Steps {
			t.Errorf("%v: resumed run %+v (%v), want done at epoch %d after step %d", sig, after, err, want, s.Steps)
		}
		rows, err := trainer.ReadMetrics(dir)
		if err != nil || len(rows) != want {
			t.Errorf("%v: %d metrics rows (%v), want %d", sig, len(rows), err, want)
		}
	}
}
