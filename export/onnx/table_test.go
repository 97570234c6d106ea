package onnx

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/mlptui/mlptui/datasets/tabular"
	"github.com/mlptui/mlptui/nn"
)

// tableText is a table of every column kind: an id (ignored), a number
// with gaps (empty, NA, and the --na token "-"), a category with gaps, a
// number without gaps, a category without gaps, and the label in the
// middle, not last.
func tableText(rows int) string {
	rng := rand.New(rand.NewPCG(5, 6))
	var b strings.Builder
	b.WriteString("id,age,city,label,score,colour\n")
	cities, colours := []string{"Oslo", "Lima", "Pune", "Kyiv"}, []string{"red", "green", "blue"}
	gaps := []string{"", "NA", "-", "na", " ? "}
	for i := range rows {
		age := fmt.Sprintf("%.1f", 20+rng.Float64()*50)
		if i%5 == 1 {
			age = gaps[i%len(gaps)]
		}
		city := cities[rng.IntN(len(cities))]
		if i%7 == 3 {
			city = gaps[(i+1)%len(gaps)]
		}
		fmt.Fprintf(&b, "%d,%s,%s,%c,%.3f,%s\n", 1000+i, age, city, 'a'+rune(i%3), rng.NormFloat64()*100, colours[rng.IntN(len(colours))])
	}
	return b.String()
}

func readTable(t *testing.T, rows int) *tabular.Table {
	t.Helper()
	tb, err := tabular.Read(strings.NewReader(tableText(rows)), "t.csv", tabular.ReadOptions{Label: "label", NA: []string{"-"}})
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

// fitTable fits the pipeline of tableText: id ignored, missing
// indicators on.
func fitTable(t *testing.T) *tabular.Pipeline {
	t.Helper()
	tb := readTable(t, 60)
	p, err := tabular.Fit(tb, seq(len(tb.Rows)), tabular.Options{Ignore: []string{"id"}, NA: []string{"-"}, Indicators: true})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func seq(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	return s
}

// TestTableGraph exports table models with preprocessing (every column
// kind, gaps, indicators; and a table of numbers only), checks the graph
// and its metadata, and runs it on every row of the table plus rows with
// gaps everywhere and categories training did not see, each fed by the
// contract (TableRow, from the file's metadata alone), against
// tabular.Encoder + the standardization + nn.Predict, classify's path.
func TestTableGraph(t *testing.T) {
	full := fitTable(t)
	tb := readTable(t, 60)
	numbers, err := tabular.Fit(tb, seq(len(tb.Rows)), tabular.Options{Ignore: []string{"id", "city", "colour"}, NA: []string{"-"}})
	if err != nil {
		t.Fatal(err)
	}
	encode := []string{"IsNaN", "Where", "Gather", "Equal", "Cast", "Where", "Gather", "Cast", "Where"}
	for _, c := range []struct {
		name  string
		p     *tabular.Pipeline
		ops   []string
		extra map[string][]int64
	}{
		{"categories gaps indicators ignored", full, ops(encode, std, "Gemm", "LayerNormalization", geluOps, "Gemm", "Softmax"),
			map[string][]int64{"table.fill": {5}, "table.column": {11}, "table.category": {11}, "table.is_category": {11}, "table.is_indicator": {11}}},
		{"numbers, some ignored", numbers, ops("IsNaN", "Where", "Gather", std, "Gemm", "LayerNormalization", geluOps, "Gemm", "Softmax"),
			map[string][]int64{"table.fill": {5}, "table.column": {2}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := c.p
			m := testModel(t, nn.Arch{Inputs: p.Dim(), Hidden: []int{6}, Classes: 3, Activation: nn.GELUName, Norm: nn.LayerNormName}, []int{p.Dim()})
			m.Info[nn.PreprocessingKey] = p.Marshal()
			mp := exportDecoded(t, m)
			checkModel(t, mp, m, c.ops)
			checkInitializers(t, mp.Graph, m, c.extra)
			meta := metaOf(mp)
			var cols []Column
			var missing []string
			if err := json.Unmarshal([]byte(meta["columns"]), &cols); err != nil || len(cols) != p.Width-1 {
				t.Fatalf("metadata columns %q: %v", meta["columns"], err)
			}
			if err := json.Unmarshal([]byte(meta["missing_values"]), &missing); err != nil || !slices.Contains(missing, "-") || !slices.Contains(missing, "NA") {
				t.Fatalf("metadata missing_values %q: %v", meta["missing_values"], err)
			}

			rows := tableRows(tb, p)
			var x []float32
			for _, cells := range rows {
				v, err := TableRow(cols, missing, cells)
				if err != nil {
					t.Fatal(err)
				}
				x = append(x, v...)
			}
			got := eval(t, mp.Graph, x, []int{len(rows), len(cols)})
			want := reference(t, m, p, rows)
			k := len(m.Classes)
			for r := range rows {
				for j := range k {
					if d := math.Abs(float64(got[r*k+j] - want[r*k+j])); d > 1e-6 {
						t.Fatalf("row %q, class %d: graph gives %v, classify's path %v", rows[r], j, got[r*k+j], want[r*k+j])
					}
				}
			}
		})
	}
}

// tableRows are the table's rows without the label, and rows with every
// cell missing, with categories training did not see, and with spaces.
func tableRows(tb *tabular.Table, p *tabular.Pipeline) [][]string {
	var rows [][]string
	for _, r := range tb.Rows {
		rows = append(rows, slices.Delete(slices.Clone(r), p.LabelColumn, p.LabelColumn+1))
	}
	return append(rows,
		[]string{"", "", "", "", ""},
		[]string{"7", "N/A", "Atlantis", "3.5", "mauve"},
		[]string{"x", " 41 ", " Lima ", "-12", "NaN"},
		[]string{"", "33", "oslo", "1e3", "RED"}, // categories are case-sensitive: unseen
	)
}

// reference is classify's path: tabular.Encoder, the standardization,
// nn.Predict.
func reference(t *testing.T, m *nn.Model, p *tabular.Pipeline, rows [][]string) []float32 {
	t.Helper()
	enc := p.Encoder(nil)
	var out []float32
	for _, cells := range rows {
		x := make([]float32, p.Dim())
		if err := enc.Encode(cells, x); err != nil {
			t.Fatal(err)
		}
		out = append(out, m.Net.Predict(nn.FromSlice(1, len(x), standardized(m, x))).Data...)
	}
	return out
}

// TestTableRowBadInput: a row of another width and a number column
// holding text are errors naming what is wrong.
func TestTableRowBadInput(t *testing.T) {
	cols := []Column{{Name: "age", Kind: "number"}, {Name: "city", Kind: "category", Categories: []string{"Lima"}}}
	for _, c := range []struct {
		cells []string
		want  string
	}{
		{[]string{"1"}, "1 values, the model takes 2"},
		{[]string{"old", "Lima"}, `column "age": "old" is not a number`},
		{[]string{"1e99", "Lima"}, `"1e99" is not a number`},
	} {
		if _, err := TableRow(cols, nil, c.cells); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("TableRow(%q): %v, want %q", c.cells, err, c.want)
		}
	}
	x, err := TableRow(cols, []string{"NA"}, []string{"na", "Quito"})
	if err != nil || !math.IsNaN(float64(x[0])) || x[1] != -1 {
		t.Errorf("TableRow(na, Quito) = %v, %v; want NaN, -1", x, err)
	}
}
