package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"github.com/mlptui/mlptui/lab"
	"github.com/mlptui/mlptui/trainer"
)

// customers writes a table as an export has it: semicolons, an id
// column, numbers with empty cells and NA, text categories with gaps.
func customers(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("id;age;city;income;member;label\n")
	cities := []string{"Paris", "Lyon", "Nice"}
	for i := range 90 {
		buy := i%3 != 0
		age, income := 25+(i*7)%40, 30000+(i*1370)%40000
		if buy {
			income += 15000
		}
		cells := []string{fmt.Sprintf("C%04d", i), fmt.Sprint(age), cities[i%3], fmt.Sprint(income), []string{"no", "yes"}[i%2], "skip"}
		if buy {
			cells[5] = "buy"
		}
		switch i % 11 {
		case 1:
			cells[1] = ""
		case 4:
			cells[3] = "NA"
		case 7:
			cells[4] = ""
		}
		b.WriteString(strings.Join(cells, ";") + "\n")
	}
	path := filepath.Join(dir, "customers.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestMixedTableAcceptance: a table of mixed columns, empty cells,
// semicolons and an id trains with no flag; the choices are printed once
// and kept in config.json; classify on raw rows (an unseen category and
// empty cells among them) gives the probabilities eval computes for the
// same rows.
func TestMixedTableAcceptance(t *testing.T) {
	dir := t.TempDir()
	table := customers(t, dir)
	runs := filepath.Join(dir, "runs")
	code, out, errs := call(t, "train", "--dataset", table, "--runs", runs, "--epochs", "40", "--json")
	if code != 0 {
		t.Fatalf("train: exit %d: %s", code, errs)
	}
	for _, want := range []string{
		`customers.csv: delimiter ";", a header line; label column 6 "label", 2 classes; the other columns:`,
		`column 1 "id": ignored (distinct text in every row: an id or a name)`,
		`column 2 "age": number, `,
		`column 3 "city": category, 3 values`,
		`column 4 "income": number, `,
		`column 5 "member": category, 2 values, `,
	} {
		if n := strings.Count(errs, want); n != 1 {
			t.Errorf("stderr says %q %d times, want once:\n%s", want, n, errs)
		}
	}
	var sum struct {
		Run          string
		TestAccuracy float64 `json:"test_accuracy"`
	}
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatal(err)
	}
	if sum.TestAccuracy < 0.8 {
		t.Errorf("test accuracy %v; the classes follow income", sum.TestAccuracy)
	}
	b, err := os.ReadFile(filepath.Join(sum.Run, trainer.ConfigFile))
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Table struct {
			Delimiter string
			Columns   []struct{ Name, Kind string }
		}
	}
	if err := json.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, c := range cfg.Table.Columns {
		kinds = append(kinds, c.Name+":"+c.Kind)
	}
	if got := strings.Join(kinds, " "); cfg.Table.Delimiter != ";" || got != "id:ignored age:number city:category income:number member:category" {
		t.Errorf("config.json table: delimiter %q, columns %s", cfg.Table.Delimiter, got)
	}

	// Raw rows, labelled: some of the table's own, one of an unseen
	// city, one of empty cells everywhere.
	rows := filepath.Join(dir, "rows.csv")
	text := "id;age;city;income;member;label\n" +
		"C0001;32;Lyon;46370;yes;buy\n" +
		"C0003;46;Paris;;yes;skip\n" +
		"X1;40;Marseille;52000;no;buy\n" +
		"X2;;;;;skip\n" +
		"X3;NA;Nice;?;N/A;buy\n"
	if err := os.WriteFile(rows, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs = call(t, "classify", "--run", sum.Run, "--json", "--top", "2", rows)
	if code != 0 {
		t.Fatalf("classify: exit %d: %s", code, errs)
	}
	if n := strings.Count(errs, `column 3 "city": category "Marseille" was not in the training part; encoded as all zeros`); n != 1 {
		t.Errorf("unseen category said %d times, want once: %s", n, errs)
	}
	ev, err := trainer.EvaluateOn(context.Background(), sum.Run, rows, nil)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(strings.NewReader(out))
	for i := range ev.Samples {
		var p lab.Prediction
		if err := dec.Decode(&p); err != nil {
			t.Fatalf("row %d: %v", i, err)
		}
		for _, tp := range p.Top {
			c := slices.Index(ev.Classes, tp.Class)
			if got, want := tp.Probability, float64(ev.Probabilities[i][c]); math.Abs(got-want) > 1e-6 {
				t.Errorf("row %d (%s) class %s: classify %.7f, eval %.7f", i, p.Input, tp.Class, got, want)
			}
		}
	}
	// eval --dataset prints the new figures.
	code, out, _ = call(t, "eval", "--run", sum.Run, "--dataset", rows)
	for _, want := range []string{"balanced accuracy", "ROC AUC", "macro avg", "weighted avg", "f1"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("eval --dataset: exit %d, output lacks %q:\n%s", code, want, out)
		}
	}
}

// TestDecimalCommaTable: a table exported with semicolons and decimal
// commas (as French and German spreadsheets write it, in UTF-8 or in
// Windows-1252) trains, and its model classifies, exactly as the same
// table written with commas and points; a flag that contradicts the
// table is refused.
func TestDecimalCommaTable(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	b.WriteString("id;weight;city;ratio;label\n")
	for i := range 90 {
		buy := i%3 != 0
		w := 50 + float64((i*37)%400)/8
		if buy {
			w += 12.5
		}
		cells := []string{fmt.Sprintf("C%04d", i), strconv.FormatFloat(w, 'f', -1, 64), []string{"Paris", "Genève", "Zürich"}[i%3],
			strconv.FormatFloat(float64((i*13)%17)/4-2, 'f', -1, 64), map[bool]string{true: "buy", false: "skip"}[buy]}
		if i%11 == 1 {
			cells[1] = ""
		}
		b.WriteString(strings.ReplaceAll(strings.Join(cells, ";"), ".", ",") + "\n")
	}
	euro, us, ansi := filepath.Join(dir, "euro.csv"), filepath.Join(dir, "us.csv"), filepath.Join(dir, "ansi.csv")
	cp1252, err := charmap.Windows1252.NewEncoder().String(b.String())
	if err != nil {
		t.Fatal(err)
	}
	for path, text := range map[string]string{euro: b.String(), us: strings.NewReplacer(",", ".", ";", ",").Replace(b.String()), ansi: cp1252} {
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	type summary struct {
		Run          string
		TestAccuracy float64 `json:"test_accuracy"`
		TestLoss     float64 `json:"test_loss"`
	}
	train := func(table string) (summary, string) {
		code, out, errs := call(t, "train", "--dataset", table, "--runs", filepath.Join(dir, "runs"), "--epochs", "20", "--seed", "3", "--json")
		if code != 0 {
			t.Fatalf("train %s: exit %d: %s", table, code, errs)
		}
		var s summary
		if err := json.Unmarshal([]byte(out), &s); err != nil {
			t.Fatal(err)
		}
		return s, errs
	}
	se, errs := train(euro)
	if want := `euro.csv: delimiter ";", decimal comma, a header line; label column 5 "label", 2 classes`; !strings.Contains(errs, want) {
		t.Errorf("stderr lacks %q:\n%s", want, errs)
	}
	for _, want := range []string{`column 2 "weight": number, 8 missing in training`, `column 4 "ratio": number`} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errs)
		}
	}
	su, _ := train(us)
	sa, errs := train(ansi)
	if want := `ansi.csv: Windows-1252 text, delimiter ";", decimal comma`; !strings.Contains(errs, want) {
		t.Errorf("stderr lacks %q:\n%s", want, errs)
	}
	for _, s := range []summary{su, sa} {
		if se.TestAccuracy != s.TestAccuracy || se.TestLoss != s.TestLoss || se.TestAccuracy < 0.8 {
			t.Errorf("decimal commas: test accuracy %v loss %v; %s: %v %v (want equal, and >= 0.8: the classes follow weight)",
				se.TestAccuracy, se.TestLoss, s.Run, s.TestAccuracy, s.TestLoss)
		}
	}
	strip := func(s string) string { return regexp.MustCompile(`"input":"[^"]*"`).ReplaceAllString(s, "") }
	ce, oe, erre := call(t, "classify", "--run", se.Run, "--json", "X1;61,5;Genève;0,75", "X2;;Zürich;-1,25")
	for _, c := range []struct {
		run  string
		rows []string
	}{{su.Run, []string{"X1,61.5,Genève,0.75", "X2,,Zürich,-1.25"}}, {sa.Run, []string{"X1;61,5;Genève;0,75", "X2;;Zürich;-1,25"}}} {
		code, out, errs := call(t, append([]string{"classify", "--run", c.run, "--json"}, c.rows...)...)
		if ce != 0 || code != 0 || strip(oe) != strip(out) || strings.Contains(errs+erre, "not in the training part") {
			t.Errorf("classify: exit %d %s\n%s\n%s: exit %d %s\n%s", ce, erre, oe, c.run, code, errs, out)
		}
	}
	code, _, errs := call(t, "classify", "--run", se.Run, "X1;61.5;Genève;0,75")
	if want := `column 2 "weight": "61.5": the model's table wrote numbers with a decimal comma (61,5)`; code != 1 || !strings.Contains(errs, want) {
		t.Errorf("a point for a decimal-comma model: exit %d, stderr %s; want 1 and %s", code, errs, want)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--dataset", us, "--decimal", ","}, `mlptui train: ` + us + `: --decimal , needs a delimiter other than a comma, and the table's is a comma; --delimiter sets it`},
		{[]string{"--dataset", euro, "--decimal", ",", "--delimiter", ","}, `mlptui train: --decimal: , needs a delimiter other than a comma (--delimiter is ,); see 'mlptui train -h'`},
		{[]string{"--dataset", euro, "--decimal", "comma"}, `mlptui train: --decimal: "comma"; want . or , (or nothing, to detect it); see 'mlptui train -h'`},
		{[]string{"--dataset", "iris", "--decimal", ","}, `mlptui train: --decimal: only a CSV table has columns to choose; see 'mlptui train -h'`},
	} {
		runs := filepath.Join(dir, "runs-bad")
		code, _, errs := call(t, append([]string{"train", "--runs", runs, "--epochs", "2"}, c.args...)...)
		lines := strings.Split(strings.TrimSpace(errs), "\n")
		if code == 0 || lines[len(lines)-1] != c.want {
			t.Errorf("%v: exit %d, stderr:\n%s\nwant the last line\n%s", c.args, code, errs, c.want)
		}
		if ents, _ := os.ReadDir(runs); len(ents) > 0 {
			t.Errorf("%v: %d entries saved in %s", c.args, len(ents), runs)
		}
	}
}

// TestTableBadInputs: each bad input is one line naming the column, exit
// 2 for a flag that does not fit the table, 1 for the file's content, and
// nothing is saved.
func TestTableBadInputs(t *testing.T) {
	dir := t.TempDir()
	table := customers(t, dir)
	idOnly := filepath.Join(dir, "ids.csv")
	text := "id,label\n"
	for i := range 20 {
		text += fmt.Sprintf("u%d,%d\n", i, i%2)
	}
	zeros := filepath.Join(dir, "zeros.csv")
	if err := os.WriteFile(idOnly, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(zeros, []byte("a,b,y\n0,5,x\n-1,0,y\n2,3,x\n-1,1,y\n4,0,x\n3,2,y\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"more categories than the limit", []string{"--dataset", table, "--max-categories", "2"}, 1,
			`mlptui train: ` + table + `: column 3 "city" has 3 categories in the training part, more than --max-categories 2; --ignore it, or raise the limit`},
		{"no usable feature", []string{"--dataset", idOnly}, 1,
			`mlptui train: ` + idOnly + `: no usable feature: every column but the label (column 2 "label") is ignored`},
		{"category column given twice", []string{"--dataset", table, "--categorical", "city,3"}, 2,
			`mlptui train: --categorical 3: column 3 "city" is given twice; see 'mlptui train -h'`},
		{"--categorical and --ignore of one column", []string{"--dataset", table, "--categorical", "age", "--ignore", "age"}, 2,
			`mlptui train: --ignore age: column 2 "age" is given to --categorical too; see 'mlptui train -h'`},
		{"--na a number in another column", []string{"--dataset", zeros, "--na", "0"}, 2,
			`mlptui train: --na 0: a number in column 1 "a" and in column 2 "b" too; a missing-value token must not be a value of another column; see 'mlptui train -h'`},
		{"unknown column", []string{"--dataset", table, "--ignore", "town"}, 2,
			`mlptui train: --ignore "town" is not a column of ` + table + ` (id, age, city, income, member, label); see 'mlptui train -h'`},
		{"bad delimiter", []string{"--dataset", table, "--delimiter", "x"}, 2,
			`mlptui train: --delimiter: "x"; want , ; | or tab (or nothing, to detect it); see 'mlptui train -h'`},
		{"bad class weight", []string{"--dataset", table, "--class-weight", "auto"}, 2,
			`mlptui train: --class-weight: "auto"; want none or balanced; see 'mlptui train -h'`},
		{"table flag on iris", []string{"--dataset", "iris", "--categorical", "1"}, 2,
			`mlptui train: --categorical: only a CSV table has columns to choose; see 'mlptui train -h'`},
	} {
		runs := filepath.Join(dir, "runs-"+strings.ReplaceAll(c.name, " ", "-"))
		code, _, errs := call(t, append([]string{"train", "--runs", runs, "--epochs", "2"}, c.args...)...)
		lines := strings.Split(strings.TrimSpace(errs), "\n")
		if code != c.code || lines[len(lines)-1] != c.want {
			t.Errorf("%s: exit %d, stderr:\n%s\nwant exit %d, the last line\n%s", c.name, code, errs, c.code, c.want)
		}
		if ents, _ := os.ReadDir(runs); len(ents) > 0 {
			t.Errorf("%s: %d entries saved in %s", c.name, len(ents), runs)
		}
	}
}

// TestVersion1TableModel: a table model written by mlptui before
// preprocessing was saved with it (testdata/v1-pets, written by the main
// branch at 576c601: format version 1, plain numbers) still loads, and
// classify and eval give what that mlptui printed, to the last digit.
func TestVersion1TableModel(t *testing.T) {
	src, err := filepath.Abs(filepath.Join("testdata", "v1-pets"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	run := filepath.Join("runs", "v1")
	if err := os.MkdirAll(filepath.Join(dir, run), 0o755); err != nil {
		t.Fatal(err)
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for name, to := range map[string]string{"model.safetensors": run, "config.json": run, "pets.csv": "."} {
		if err := os.WriteFile(filepath.Join(dir, to, name), []byte(read(name)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"classify", "--run", run, "--top", "2", "--json", "pets.csv", "4,27", "21.5,51"}, "classify.jsonl"},
		{[]string{"eval", "--run", run, "--json"}, "eval.json"},
		{[]string{"eval", "--run", run, "--dataset", "pets.csv", "--json"}, "eval-dataset.json"},
	} {
		code, out, errs := call(t, c.args...)
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", c.args[0], code, errs)
		}
		want := strings.ReplaceAll(read(c.want), "RUN", run)
		if c.args[0] == "classify" {
			if out != want {
				t.Errorf("classify: today's output differs from version 1's:\n%s\nwant\n%s", out, want)
			}
			continue
		}
		// eval gained figures; the old ones must be the same.
		var got, old map[string]any
		if err := json.Unmarshal([]byte(out), &got); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(want), &old); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"samples", "accuracy", "loss", "classes", "confusion"} {
			if fmt.Sprint(got[k]) != fmt.Sprint(old[k]) {
				t.Errorf("%v: %s %v, version 1 gave %v", c.args, k, got[k], old[k])
			}
		}
	}
}
