// Command onnxcheck checks mlptui's ONNX export against real ONNX clients:
// it exports a run (mlptui export), has onnx.checker check the file (when a
// python with the onnx package is found), feeds the same inputs to ONNX
// Runtime (onnxruntime-node, through ort.js beside this file) and to
// `mlptui classify --json`, and compares the probabilities.
//
//	onnxcheck --mlptui BIN --node-modules DIR --run RUN INPUT...
//
// INPUT is a CSV file of rows for a table model (every row is compared) or
// image files and folders (walked) for an image model. Images are decoded
// once, by mlptui's own decoder, and those pixels go to ONNX Runtime, so
// both see the same input (decoders differ: that is the input contract).
// It prints one line per run and exits 1 when a probability differs by
// more than --tol or a top-1 class differs.
//
//	onnxcheck -make-images DIR    writes a tiny image folder to train on
//	onnxcheck -make-table FILE    writes a tiny CSV table to train on
//	onnxcheck -make-mixed FILE    a table of every column kind with gaps,
//	                              and FILE's name with -new: rows with gaps
//	                              and categories training did not see
package main

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/binary"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"google.golang.org/protobuf/proto"

	"github.com/mlptui/mlptui/datasets"
	"github.com/mlptui/mlptui/datasets/imagefolder"
	"github.com/mlptui/mlptui/datasets/tabular"
	"github.com/mlptui/mlptui/export/onnx"
	"github.com/mlptui/mlptui/export/onnx/onnxpb"
	"github.com/mlptui/mlptui/nn"
	"github.com/mlptui/mlptui/trainer"
)

func main() {
	bin := flag.String("mlptui", "mlptui", "the mlptui `binary` to check")
	modules := flag.String("node-modules", "", "the `dir`ectory holding node_modules/onnxruntime-node")
	run := flag.String("run", "", "the run `dir`ectory to export and check")
	tol := flag.Float64("tol", 1e-5, "the largest absolute difference of a probability allowed")
	python := flag.String("python", "", "a python with the onnx package, for onnx.checker (default: the first of python3 on PATH and /usr/bin/python3 that imports onnx)")
	readme := flag.String("readme", "", "the README whose Node program (its ```js block) to run on a table model's rows too")
	makeImages := flag.String("make-images", "", "write a tiny image folder to `dir` and exit")
	makeTable := flag.String("make-table", "", "write a tiny CSV table to `file` and exit")
	makeMixed := flag.String("make-mixed", "", "write a tiny CSV table of every column kind, with gaps, to `file`, and rows to classify (unseen categories, gaps) beside it, and exit")
	flag.Parse()
	var err error
	switch {
	case *makeImages != "":
		err = writeImages(*makeImages)
	case *makeTable != "":
		err = writeTable(*makeTable)
	case *makeMixed != "":
		err = writeMixed(*makeMixed)
	case *run == "" || *modules == "" || flag.NArg() == 0:
		fmt.Fprintln(os.Stderr, "usage: onnxcheck --mlptui BIN --node-modules DIR --run RUN INPUT...")
		os.Exit(2)
	default:
		err = check(*bin, *modules, *run, *python, *readme, *tol, flag.Args())
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "onnxcheck:", err)
		os.Exit(1)
	}
}

// check runs the whole comparison for one run.
func check(bin, modules, run, python, readme string, tol float64, inputs []string) error {
	m, err := nn.LoadModel(filepath.Join(run, trainer.ModelFile))
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "onnxcheck-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	model := filepath.Join(tmp, "model.onnx")
	if out, err := exec.Command(bin, "export", "--run", run, "-o", model).CombinedOutput(); err != nil {
		return fmt.Errorf("mlptui export: %v: %s", err, bytes.TrimSpace(out))
	}
	checked, err := onnxChecker(python, model)
	if err != nil {
		return err
	}

	// The samples: their names as classify prints them, and their raw input.
	var names []string
	var x []float32
	var cells [][]string // a table's rows, for the README's Node program
	shape := m.InputShape
	cols, missing, err := tableContract(model)
	switch {
	case err != nil:
		return err
	case cols != nil:
		shape = []int{len(cols)}
		names, x, cells, err = contractRows(m, cols, missing, inputs)
	case len(m.InputShape) == 1:
		names, x, err = tableRows(m, run, inputs)
	default:
		names, x, err = imagePixels(m, inputs)
	}
	if err != nil {
		return err
	}
	if len(names) == 0 {
		return errors.New("no samples in the inputs")
	}
	want, err := classify(bin, run, m, names, inputs)
	if err != nil {
		return err
	}
	got, err := ortRun(modules, model, tmp, x, append([]int{len(names)}, shape...), len(m.Classes))
	if err != nil {
		return err
	}
	k := len(m.Classes)
	worst, agree := 0.0, 0
	for i, name := range names {
		w, ok := want[name]
		if !ok {
			return fmt.Errorf("classify printed nothing for %s", name)
		}
		g := got[i*k : (i+1)*k]
		for c := range k {
			worst = max(worst, math.Abs(float64(g[c])-float64(w[c])))
		}
		if a, b := nn.Argmax(g), nn.Argmax(w); a == b {
			agree++
		} else {
			fmt.Printf("  %s: top class %s in ONNX Runtime (%.9g; classify %.9g), %s in classify (%.9g; ONNX Runtime %.9g)\n",
				name, m.Classes[a], g[a], w[a], m.Classes[b], w[b], g[b])
		}
	}
	fmt.Printf("%s: %s, %d samples: max |onnxruntime - classify| = %.2g, top-1 agrees on %d/%d, onnx.checker %s\n",
		filepath.Base(run), m.Net.Arch, len(names), worst, agree, len(names), checked)
	if worst > tol || agree != len(names) {
		return fmt.Errorf("%s: ONNX Runtime disagrees with classify (tolerance %g)", run, tol)
	}
	if readme == "" || cells == nil {
		return nil
	}
	return readmeProgram(readme, modules, model, tmp, cols, missing, names, cells, want, tol)
}

// readmeProgram runs the README's Node program (its one ```js block) on
// the table's rows, with the columns and missing values of the file's
// metadata in columns.json, and compares what it prints with classify.
func readmeProgram(readme, modules, model, tmp string, cols []onnx.Column, missing []string, names []string, cells [][]string, want map[string][]float32, tol float64) error {
	b, err := os.ReadFile(readme)
	if err != nil {
		return err
	}
	_, rest, ok := strings.Cut(string(b), "```js\n")
	code, _, ok2 := strings.Cut(rest, "```")
	if !ok || !ok2 {
		return fmt.Errorf("%s: no ```js block, the Node program", readme)
	}
	script, contract := filepath.Join(tmp, "predict.js"), filepath.Join(tmp, "columns.json")
	cj, _ := json.Marshal(map[string]any{"columns": cols, "missing_values": missing})
	if err := os.WriteFile(script, []byte(code), 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(contract, cj, 0o644); err != nil {
		return err
	}
	args := []string{script, model, contract}
	for _, c := range cells {
		row := strings.Join(c, ",")
		if strings.Count(row, ",") != len(c)-1 {
			return fmt.Errorf("row %q has a cell with a comma, which the README's program does not split", row)
		}
		args = append(args, row)
	}
	cmd := exec.Command("node", args...)
	cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(modules, "node_modules"))
	out, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("node predict.js (README): %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(names) {
		return fmt.Errorf("README's program printed %d lines for %d rows", len(lines), len(names))
	}
	worst := 0.0
	for i, line := range lines {
		var r struct {
			Probabilities []float64 `json:"probabilities"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil || len(r.Probabilities) != len(want[names[i]]) {
			return fmt.Errorf("README's program printed %q", line)
		}
		for c, v := range r.Probabilities {
			worst = max(worst, math.Abs(v-float64(want[names[i]][c])))
		}
		if nn.Argmax(float32s(r.Probabilities)) != nn.Argmax(want[names[i]]) {
			return fmt.Errorf("%s: README's program and classify differ in the top class", names[i])
		}
	}
	fmt.Printf("  README's Node program on the same %d rows: max |program - classify| = %.2g\n", len(names), worst)
	if worst > tol {
		return fmt.Errorf("README's Node program disagrees with classify (tolerance %g)", tol)
	}
	return nil
}

func float32s(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

// onnxChecker runs onnx.checker.check_model on the file with the first
// python that has the onnx package; it says "passed", or "skipped (...)".
func onnxChecker(python, model string) (string, error) {
	cands := []string{python}
	if python == "" {
		cands = []string{"python3", "/usr/bin/python3"}
	}
	for _, py := range cands {
		if exec.Command(py, "-c", "import onnx").Run() != nil {
			continue
		}
		out, err := exec.Command(py, "-c", "import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)", model).CombinedOutput()
		if err != nil {
			return "", fmt.Errorf("onnx.checker (%s): %s", py, bytes.TrimSpace(out))
		}
		return "passed", nil
	}
	return "skipped (no python with the onnx package)", nil
}

// tableRows reads the CSV files as classify does (the run's label column
// skipped) and returns each row as classify names it, file:line.
func tableRows(m *nn.Model, run string, files []string) ([]string, []float32, error) {
	var opt datasets.CSVOptions
	if cfg, err := trainer.ReadConfig(run); err == nil {
		opt.Label = cfg.Label
	}
	var names []string
	var x []float32
	for _, f := range files {
		r, err := os.Open(f)
		if err != nil {
			return nil, nil, err
		}
		rows, err := datasets.ReadFeatureRows(r, f, m.Net.Arch.Inputs, opt)
		r.Close()
		if err != nil {
			return nil, nil, err
		}
		for _, row := range rows {
			if row.Err != nil {
				return nil, nil, row.Err
			}
			names = append(names, fmt.Sprintf("%s:%d", f, row.Line))
			x = append(x, row.X...)
		}
	}
	return names, x, nil
}

// tableContract reads a table model's input columns and missing-value
// tokens from the exported file's metadata (nil for a model without
// them): all a client in another language has to go by.
func tableContract(model string) ([]onnx.Column, []string, error) {
	b, err := os.ReadFile(model)
	if err != nil {
		return nil, nil, err
	}
	var mp onnxpb.ModelProto
	if err := proto.Unmarshal(b, &mp); err != nil {
		return nil, nil, fmt.Errorf("%s: %v", model, err)
	}
	meta := map[string]string{}
	for _, p := range mp.MetadataProps {
		meta[p.GetKey()] = p.GetValue()
	}
	if meta["columns"] == "" {
		return nil, nil, nil
	}
	var cols []onnx.Column
	var missing []string
	if err := json.Unmarshal([]byte(meta["columns"]), &cols); err != nil {
		return nil, nil, fmt.Errorf("%s: metadata columns: %v", model, err)
	}
	if err := json.Unmarshal([]byte(meta["missing_values"]), &missing); err != nil {
		return nil, nil, fmt.Errorf("%s: metadata missing_values: %v", model, err)
	}
	return cols, missing, nil
}

// contractRows reads the CSV files as classify does (the header and the
// label column skipped) and turns each row's cells into the ONNX input by
// the contract (onnx.TableRow: the metadata's columns and missing values;
// NaN for a gap, a category's index, -1 for an unseen one).
func contractRows(m *nn.Model, cols []onnx.Column, missing []string, files []string) (names []string, x []float32, cells [][]string, err error) {
	p, err := tabular.Unmarshal(m.Info[nn.PreprocessingKey])
	if err != nil {
		return nil, nil, nil, err
	}
	for _, f := range files {
		r, err := os.Open(f)
		if err != nil {
			return nil, nil, nil, err
		}
		rows, err := tabular.ReadRows(r, f, p)
		r.Close()
		if err != nil {
			return nil, nil, nil, err
		}
		for _, row := range rows {
			if row.Err != nil {
				return nil, nil, nil, row.Err
			}
			c := row.Cells
			if len(c) == p.Width {
				c = slices.Delete(slices.Clone(c), p.LabelColumn, p.LabelColumn+1)
			}
			v, err := onnx.TableRow(cols, missing, c)
			if err != nil {
				return nil, nil, nil, fmt.Errorf("%s:%d: %v", f, row.Line, err)
			}
			names = append(names, fmt.Sprintf("%s:%d", f, row.Line))
			x = append(x, v...)
			cells = append(cells, c)
		}
	}
	return names, x, cells, nil
}

// imagePixels decodes every image file (folders are walked) with mlptui's
// decoder, resized to the model's size, as raw 0-255 values.
func imagePixels(m *nn.Model, inputs []string) ([]string, []float32, error) {
	h, w := m.InputShape[1], m.InputShape[2]
	files, err := imageFiles(inputs)
	if err != nil {
		return nil, nil, err
	}
	x := make([]float32, 0, len(files)*m.Net.Arch.Inputs)
	for _, f := range files {
		pix, err := imagefolder.DecodeFile(f, h, w, 0)
		if err != nil {
			return nil, nil, err
		}
		for _, p := range pix {
			x = append(x, float32(p))
		}
	}
	return files, x, nil
}

func imageFiles(inputs []string) ([]string, error) {
	var files []string
	for _, in := range inputs {
		err := filepath.WalkDir(in, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			if d.Name()[0] != '.' {
				files = append(files, p)
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return files, nil
}

// classify runs `mlptui classify --json` with every class in the top list
// and returns each input's probabilities in class order.
func classify(bin, run string, m *nn.Model, names, inputs []string) (map[string][]float32, error) {
	args := inputs // table: the files; classify names the rows
	if len(m.InputShape) == 3 {
		args = names
	}
	index := map[string]int{}
	for i, c := range m.Classes {
		index[c] = i
	}
	out := map[string][]float32{}
	const chunk = 1000 // files per command line
	for lo := 0; lo < len(args); lo += chunk {
		cmdArgs := append([]string{"classify", "--run", run, "--json", "--top", fmt.Sprint(len(m.Classes))}, args[lo:min(lo+chunk, len(args))]...)
		var stderr bytes.Buffer
		cmd := exec.Command(bin, cmdArgs...)
		cmd.Stderr = &stderr
		stdout, err := cmd.Output()
		if err != nil {
			return nil, fmt.Errorf("mlptui classify: %v: %s", err, bytes.TrimSpace(stderr.Bytes()))
		}
		sc := bufio.NewScanner(bytes.NewReader(stdout))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var p struct {
				Input string `json:"input"`
				Top   []struct {
					Class       string  `json:"class"`
					Probability float64 `json:"probability"`
				} `json:"top"`
			}
			if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
				return nil, fmt.Errorf("classify --json: %v", err)
			}
			probs := make([]float32, len(m.Classes)) // float32 values, printed exactly
			for _, t := range p.Top {
				probs[index[t.Class]] = float32(t.Probability)
			}
			out[p.Input] = probs
		}
	}
	return out, nil
}

// ortRun feeds x of the given shape to ONNX Runtime through ort.js and
// returns the probabilities, row-major [N, classes].
func ortRun(modules, model, tmp string, x []float32, shape []int, classes int) ([]float32, error) {
	in, out := filepath.Join(tmp, "input.f32"), filepath.Join(tmp, "output.f32")
	if err := os.WriteFile(in, f32Bytes(x), 0o644); err != nil {
		return nil, err
	}
	script := filepath.Join(tmp, "ort.js")
	if err := os.WriteFile(script, ortJS, 0o644); err != nil {
		return nil, err
	}
	args := []string{script, model, in, out}
	for _, s := range shape {
		args = append(args, fmt.Sprint(s))
	}
	cmd := exec.Command("node", args...)
	cmd.Env = append(os.Environ(), "NODE_PATH="+filepath.Join(modules, "node_modules"))
	if b, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("node ort.js: %v: %s", err, bytes.TrimSpace(b))
	}
	b, err := os.ReadFile(out)
	if err != nil {
		return nil, err
	}
	if len(b) != 4*shape[0]*classes {
		return nil, fmt.Errorf("ONNX Runtime gave %d values, want %d", len(b)/4, shape[0]*classes)
	}
	p := make([]float32, len(b)/4)
	for i := range p {
		p[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return p, nil
}

// ortJS runs the model in ONNX Runtime for Node.
//
//go:embed ort.js
var ortJS []byte

func f32Bytes(x []float32) []byte {
	b := make([]byte, 4*len(x))
	for i, v := range x {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	return b
}

// writeImages makes a tiny image folder, train/ and test/, of three
// classes told apart by colour and stripes, in PNG and JPEG and in three
// sizes (12x12, shrunk from 20x15, grown from 7x9) so that the resize rule
// is exercised.
func writeImages(dir string) error {
	rng := rand.New(rand.NewPCG(1, 2))
	sizes := [][2]int{{12, 12}, {12, 12}, {20, 15}, {7, 9}}
	for _, part := range []string{"train", "test"} {
		n := 24
		if part == "test" {
			n = 8
		}
		for c, class := range []string{"red", "green", "blue"} {
			d := filepath.Join(dir, part, class)
			if err := os.MkdirAll(d, 0o755); err != nil {
				return err
			}
			for i := range n {
				sz := sizes[i%len(sizes)]
				img := image.NewRGBA(image.Rect(0, 0, sz[0], sz[1]))
				for y := range sz[1] {
					for x := range sz[0] {
						v := [3]float64{rng.Float64() * 120, rng.Float64() * 120, rng.Float64() * 120}
						v[c] += 100
						if (x+y*c)%3 == 0 {
							v[(c+1)%3] += 30
						}
						img.Set(x, y, color.RGBA{uint8(v[0]), uint8(v[1]), uint8(v[2]), 255})
					}
				}
				var buf bytes.Buffer
				name := fmt.Sprintf("%s%02d", class, i)
				if i%2 == 0 {
					name += ".png"
					png.Encode(&buf, img)
				} else {
					name += ".jpg"
					jpeg.Encode(&buf, img, &jpeg.Options{Quality: 85})
				}
				if err := os.WriteFile(filepath.Join(d, name), buf.Bytes(), 0o644); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// writeTable makes a tiny CSV table: 120 rows of 5 features (of very
// different scales, so that the standardization matters) and a class
// label in the first column, with a header.
func writeTable(path string) error {
	rng := rand.New(rand.NewPCG(3, 4))
	var b strings.Builder
	b.WriteString("kind,a,b,c,d,e\n")
	classes := []string{"low", "mid", "high"}
	for i := range 120 {
		c := i % 3
		f := []float64{float64(c) + rng.NormFloat64()*0.6, 1000 + 300*float64(c) + rng.NormFloat64()*200, rng.NormFloat64() * 1e-3, -5*float64(c*c) + rng.NormFloat64()*4, rng.Float64()}
		b.WriteString(classes[c])
		for _, v := range f {
			fmt.Fprintf(&b, ",%.6g", v)
		}
		b.WriteByte('\n')
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// writeMixed makes a table of every column kind: a row id (to --ignore),
// a number with gaps (empty, NA, and "-" for --na), a category with gaps,
// a number without, a category without, and the label in the middle;
// the class depends on all of them. Beside it, FILE-new.csv: rows to
// classify with gaps everywhere and categories training did not see.
func writeMixed(path string) error {
	rng := rand.New(rand.NewPCG(7, 8))
	cities, colours := []string{"Oslo", "Lima", "Pune", "Kyiv"}, []string{"red", "green", "blue"}
	gaps := []string{"", "NA", "-", "?"}
	var b strings.Builder
	b.WriteString("id,age,city,label,score,colour\n")
	for i := range 240 {
		ci, co := rng.IntN(len(cities)), rng.IntN(len(colours))
		age, score := 20+rng.Float64()*50, rng.NormFloat64()*100
		class := (co + ci%2 + int(age/50)) % 3
		ages, city := fmt.Sprintf("%.1f", age), cities[ci]
		if i%6 == 1 {
			ages = gaps[i%len(gaps)]
		}
		if i%9 == 4 {
			city = gaps[(i+1)%len(gaps)]
		}
		fmt.Fprintf(&b, "%d,%s,%s,%s,%.3f,%s\n", 1000+i, ages, city, []string{"low", "mid", "high"}[class], score, colours[co])
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return err
	}
	rows := "id,age,city,label,score,colour\n" +
		"1,33.5,Oslo,low,12,red\n" + // seen categories
		"2,,Lima,mid,-40,blue\n" + // gaps
		"3,NA,,high,100,green\n" +
		"4,-,?,low,3,red\n" +
		"5,44,Atlantis,mid,7,red\n" + // unseen categories
		"6,51,Pune,high,-250,mauve\n" +
		"7,,Atlantis,low,0.5,mauve\n" + // both
		"8, 28 , Kyiv ,mid, 60 , green \n" // spaces
	return os.WriteFile(strings.TrimSuffix(path, ".csv")+"-new.csv", []byte(rows), 0o644)
}
