//go:build readme

// Package readme runs every command of README.md's code blocks, in
// order, in a fresh clone of the repository, so that README cannot go
// stale: a command that fails, or a new one this test does not know how
// to prepare for, fails it. Run it with
//
//	go test -tags readme ./readme
//
// It builds mlptui as README says (go install ./cmd/mlptui from the
// clone, into a scratch GOBIN on PATH) and makes the files the examples
// name (my-table.csv, pets.csv, samples.csv, a small folder of pictures
// standing for CIFAR-10). Commands that would take minutes or need what
// CI has not (a terminal, CIFAR-10, PyTorch) are shortened or skipped,
// each with its reason below.
package readme

import (
	"bufio"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/cpu"
)

// A rule adapts the README commands that match it: skip says why one is
// not run; otherwise the replacements make it run here.
type rule struct {
	match *regexp.Regexp
	skip  string
	repl  [][2]string // regexp, replacement, applied in order
}

var rules = []rule{
	{match: regexp.MustCompile(`^go run \./cmd/mlptui\b`), skip: "the dashboard needs a terminal; the pty tests in cmd/mlptui drive it"},
	{match: regexp.MustCompile(`^go test \./\.\.\.`), skip: "the whole test suite: .ci/run runs it"},
	{match: regexp.MustCompile(`^go test -p 1 -bench`), repl: [][2]string{{`-bench \.`, `-run ^$ -bench NONE`}}},                                        // every benchmark takes minutes: only built
	{match: regexp.MustCompile(`^OPENBLAS_CORETYPE=.* bench/torch_reference\.py`), skip: "needs PyTorch and CIFAR-10"},                                  // the reference comparison
	{match: regexp.MustCompile(`^mlptui bench\b`), repl: [][2]string{{`#.*$`, ``}, {`$`, ` --network 128-64-10 --batch 32 --step-batch 32 --steps 2`}}}, // the default network takes minutes
	{match: regexp.MustCompile(`runs/\d{8}-\d{6}-cifar10`), repl: [][2]string{{`runs/\d{8}-\d{6}-cifar10`, `$PICS_RUN`}}},                               // a CIFAR-10 run: a small picture run stands for it
	{match: regexp.MustCompile(`runs/\d{8}-\d{6}-iris`), repl: [][2]string{{`runs/\d{8}-\d{6}-iris`, `$IRIS_A`}}},
	{match: regexp.MustCompile(`^mlptui plot runs/\d{8}-\d{4}\*`), repl: [][2]string{{`runs/\d{8}-\d{4}\*`, `runs/*-iris`}}},
	{match: regexp.MustCompile(`runs/A runs/B`), repl: [][2]string{{`runs/A runs/B`, `$IRIS_A $IRIS_B`}}},
	{match: regexp.MustCompile(`--boundary .*runs/A\b`), repl: [][2]string{{`runs/A\b`, `$PLANE_RUN`}}}, // a run on two features
	{match: regexp.MustCompile(`--layers .*runs/A\b`), repl: [][2]string{{`runs/A\b`, `$PLANE_RUN`}}},   // any run has layers.csv
	{match: regexp.MustCompile(`^mlptui lr-find --dataset cifar10\b`), skip: "needs CIFAR-10 (the Iris one runs)"},
	{match: regexp.MustCompile(`^mlptui train --dataset /tmp/cifar10 --preset`), skip: "a whole CIFAR-10 preset run: the JPEG folder and a quarter of an hour"},
}

// commands returns README's commands: the lines of its indented code
// blocks that start with mlptui, go, or an environment setting before a
// command (the layout block's paths are not commands).
func commands(t *testing.T, readme string) []string {
	f, err := os.Open(readme)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cmdRE := regexp.MustCompile(`^    (mlptui |go |[A-Z_]+=\S* )`)
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := sc.Text(); cmdRE.MatchString(l) {
			out = append(out, strings.TrimSpace(l))
		}
	}
	return out
}

// stripComment drops a trailing "# ..." comment.
func stripComment(s string) string {
	if i := strings.Index(s, " #"); i >= 0 {
		s = s[:i]
	}
	return strings.TrimSpace(s)
}

func TestReadmeCommands(t *testing.T) {
	start := time.Now()
	top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err != nil {
		t.Skipf("not in a git checkout: %v", err)
	}
	root := strings.TrimSpace(string(top))
	tmp := t.TempDir()
	clone := filepath.Join(tmp, "mlptui")
	run(t, tmp, nil, "git", "clone", "--quiet", root, clone)
	bin := filepath.Join(tmp, "bin")
	// -trimpath: the clone's builds hit the build cache from one run of
	// this test to the next, wherever the clone is.
	env := append(os.Environ(), "GOFLAGS=-trimpath", "GOBIN="+bin, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "NO_COLOR=1")
	cmds := commands(t, filepath.Join(clone, "README.md"))
	if len(cmds) < 20 {
		t.Fatalf("only %d commands found in README.md", len(cmds))
	}
	// README's first commands are run in the clone: go install puts
	// mlptui on PATH. The others run in a scratch directory with the
	// files they name.
	work := filepath.Join(tmp, "work")
	fixtures(t, work)
	vars := map[string]string{}
	dir := clone
	for _, c := range cmds {
		line := stripComment(c)
		skip := ""
		for _, r := range rules {
			if !r.match.MatchString(c) {
				continue
			}
			if r.skip != "" {
				skip = r.skip
			}
			for _, p := range r.repl {
				line = regexp.MustCompile(p[0]).ReplaceAllLiteralString(line, p[1])
			}
		}
		if strings.HasPrefix(line, "mlptui ") && dir == clone {
			dir = work
			// A run of pictures standing for CIFAR-10 (the examples'
			// runs/...-cifar10), trained small.
			run(t, work, env, filepath.Join(bin, "mlptui"), "train", "--dataset", "photos", "--hidden", "16", "--epochs", "3", "--batch", "8", "--name", "pics")
			vars["PICS_RUN"] = newest(t, work, "*-photos-pics")
			// A run on two features, for the decision boundary.
			run(t, work, env, filepath.Join(bin, "mlptui"), "train", "--dataset", "spiral", "--epochs", "5", "--name", "plane")
			vars["PLANE_RUN"] = newest(t, work, "*-spiral-plane")
		}
		if strings.Contains(line, "$IRIS_") {
			vars["IRIS_A"] = oldest(t, work, "*-iris")
			vars["IRIS_B"] = newest(t, work, "*-iris")
		}
		for k, v := range vars {
			line = strings.ReplaceAll(line, "$"+k, v)
		}
		if strings.Contains(line, "--kernel avx2") && !(cpu.X86.HasAVX2 && cpu.X86.HasFMA) {
			skip = "this CPU has no AVX2 and FMA"
		}
		if skip != "" {
			t.Logf("skipped: %s (%s)", c, skip)
			continue
		}
		in := dir
		if strings.HasPrefix(line, "go ") {
			in = clone // go commands work on the module
		}
		t0 := time.Now()
		out := run(t, in, env, "bash", "-c", line)
		t.Logf("ok %5.1fs: %s  [ran: %s]\n%s", time.Since(t0).Seconds(), c, line, indent(firstLines(out, 4)))
	}
	t.Logf("README: %d commands in %.0f s", len(cmds), time.Since(start).Seconds())
}

// run runs a command in dir and fails the test, with its output, if it
// fails.
func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = dir, env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s (in %s): %v\n%s", name, strings.Join(args, " "), dir, err, out)
	}
	return string(out)
}

func newest(t *testing.T, dir, pattern string) string { return pick(t, dir, pattern, true) }
func oldest(t *testing.T, dir, pattern string) string { return pick(t, dir, pattern, false) }

// pick returns the newest or oldest run directory under dir/runs whose
// name matches pattern (names start with the time, so they sort by it).
func pick(t *testing.T, dir, pattern string, last bool) string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(dir, "runs", pattern))
	if len(m) == 0 {
		t.Fatalf("no run %s in %s/runs", pattern, dir)
	}
	if last {
		return m[len(m)-1]
	}
	return m[0]
}

func firstLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = append(lines[:n], fmt.Sprintf("... (%d lines more)", len(lines)-n))
	}
	return strings.Join(lines, "\n")
}

func indent(s string) string { return "    " + strings.ReplaceAll(s, "\n", "\n    ") }

// fixtures writes the files README's examples name into work.
func fixtures(t *testing.T, work string) {
	t.Helper()
	write := func(name, text string) {
		p := filepath.Join(work, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var table, pets strings.Builder
	table.WriteString("a,b,c,class\n")
	pets.WriteString("kind,weight,height\n")
	for i := range 60 {
		fmt.Fprintf(&table, "%d,%d,%d,%s\n", i%7, 10+i%5, i%3, []string{"x", "y"}[i%2])
		fmt.Fprintf(&pets, "%s,%d,%d\n", []string{"cat", "dog"}[i%2], 3+i%4+17*(i%2), 25+i%5+25*(i%2))
	}
	write("my-table.csv", table.String())
	write("pets.csv", pets.String())
	write("samples.csv", "5.1,3.5,1.4,0.2\n6.9,3.1,5.4,2.1\n")
	// Tables of mixed columns: text, numbers, gaps, ids; classes out of
	// balance; a TSV export with columns to ignore and a code for missing.
	var customers, penguins, export strings.Builder
	customers.WriteString("id,plan,age,spend,churned\n")
	penguins.WriteString("island,bill,flipper,species\n")
	export.WriteString("Ticket\tCabin\tzip\tfare\tage\tsurvived\n")
	for i := range 60 {
		age := fmt.Sprint(20 + i%40)
		if i%9 == 0 {
			age = ""
		}
		fmt.Fprintf(&customers, "c%03d,%s,%s,%d,%s\n", i, []string{"basic", "pro", "team"}[i%3], age, 10+i%7*5, []string{"no", "yes"}[i%2])
		sp := []string{"Adelie", "Adelie", "Adelie", "Gentoo"}[i%4]
		fmt.Fprintf(&penguins, "%s,%d,%d,%s\n", []string{"Biscoe", "Dream"}[i%2], 38+i%4*3, 180+i%4*10, sp)
		fare := fmt.Sprint(7 + i%5*3)
		if i%11 == 0 {
			fare = "-999"
		}
		fmt.Fprintf(&export, "T%d\tC%d\t%d\t%s\t%d\t%d\n", 1000+i, i%7, 10000+i%4, fare, 18+i%30, i%2)
	}
	write("customers.csv", customers.String())
	write("penguins.csv", penguins.String())
	write("export.tsv", export.String())
	// Pictures of two classes: reddish cats, bluish trucks, 32×32.
	pic := func(path string, class, i int) {
		img := image.NewRGBA(image.Rect(0, 0, 32, 32))
		for y := range 32 {
			for x := range 32 {
				v := uint8((x*7 + y*3 + i*11) % 64)
				c := color.RGBA{200 - v, 60 + v, 60, 255}
				if class == 1 {
					c = color.RGBA{60, 60 + v, 200 - v, 255}
				}
				img.Set(x, y, c)
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
		if strings.HasSuffix(path, ".jpg") {
			err = jpeg.Encode(f, img, nil)
		} else {
			err = png.Encode(f, img)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	for class, name := range []string{"cat", "truck"} {
		for i := range 12 {
			pic(filepath.Join(work, "photos", "train", name, fmt.Sprintf("%02d.png", i)), class, i)
		}
		for i := range 4 {
			pic(filepath.Join(work, "photos", "test", name, fmt.Sprintf("%02d.png", i)), class, 20+i)
			pic(filepath.Join(work, "more-photos", name, fmt.Sprintf("%02d.png", i)), class, 30+i)
		}
	}
	pic(filepath.Join(work, "cat.jpg"), 0, 40)
	pic(filepath.Join(work, "truck.png"), 1, 41)
	pic(filepath.Join(work, "dog.jpg"), 0, 42) // *.jpg: two files
}
