package onnx

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/mlptui/mlptui/datasets/tabular"
	"github.com/mlptui/mlptui/export/onnx/onnxpb"
	"github.com/mlptui/mlptui/nn"
)

// The input contract of a table model saved with its preprocessing (a
// tabular.Pipeline: number, category and ignored columns, gaps, missing
// indicators): one float32 per column of the table but the label, in the
// table's order, so that a row of the table maps to the input cell by
// cell with no encoding left to the user:
//
//	number    its value; NaN when missing (the graph fills in the median)
//	category  the index of its value in the column's categories (sorted,
//	          as in the metadata entry "columns"), as a float: 0, 1, 2 ...;
//	          NaN when missing (the graph fills in the most frequent); any
//	          other value, -1 say, for a category training did not see
//	          (an all-zero code, as in classify)
//	ignored   not read: any value (NaN, 0)
//
// The graph then encodes the row as tabular.Encoder does: IsNaN and Where
// fill the gaps per column, Gather lays the columns out in the encoded
// order (a category column once per category, a column with an
// indicator once more), Equal against each feature's category index and
// Cast make the one-hot codes, the missing mask gathered the same way
// makes the indicators, and Where picks per feature which of them it is.

// Column is one input column of a table model, as the metadata entry
// "columns" lists them (JSON).
type Column struct {
	Name       string   `json:"name"`
	Kind       string   `json:"kind"`                 // number, category or ignored
	Categories []string `json:"categories,omitempty"` // a category column's values; its input is the index in this list
	Indicator  bool     `json:"indicator,omitempty"`  // a "was missing" feature follows in the encoding
}

// pipelineOf returns the table model's preprocessing, or nil for a model
// without one (an image, or a table model of bare numbers).
func pipelineOf(m *nn.Model) (*tabular.Pipeline, error) {
	s, ok := m.Info[nn.PreprocessingKey]
	if !ok {
		return nil, nil
	}
	p, err := tabular.Unmarshal(s)
	if err != nil {
		return nil, fmt.Errorf("metadata %q: %v", nn.PreprocessingKey, err)
	}
	if p.Dim() != m.Net.Arch.Inputs {
		return nil, fmt.Errorf("the preprocessing encodes %d features, the network takes %d", p.Dim(), m.Net.Arch.Inputs)
	}
	return p, nil
}

// columnsOf lists the pipeline's input columns for the metadata.
func columnsOf(p *tabular.Pipeline) []Column {
	out := make([]Column, len(p.Columns))
	for i := range p.Columns {
		c := &p.Columns[i]
		name := c.Name
		if name == "" {
			name = fmt.Sprintf("column %d", c.Index+1)
		}
		out[i] = Column{Name: name, Kind: c.Kind.String(), Indicator: c.Indicator}
		if c.Kind == tabular.Category {
			out[i].Categories = c.Categories
		}
	}
	return out
}

// missingTokens are the cells that mean "missing" to the pipeline (as
// well as an empty one), for the metadata.
func missingTokens(p *tabular.Pipeline) []string {
	return append(slices.Clone(tabular.BuiltinNA), p.NA...)
}

// encoding is the layout of the encoded features: per feature the input
// column it comes from, and what it is.
type encoding struct {
	src             []int64   // the input column of each feature
	code            []float32 // a one-hot feature's category index
	oneHot, missing []bool    // a one-hot feature; an indicator
	fill            []float32 // per column: what a NaN becomes
}

func encodingOf(p *tabular.Pipeline) encoding {
	var e encoding
	for i := range p.Columns {
		c := &p.Columns[i]
		add := func(code float32, oneHot, missing bool) {
			e.src = append(e.src, int64(i))
			e.code = append(e.code, code)
			e.oneHot = append(e.oneHot, oneHot)
			e.missing = append(e.missing, missing)
		}
		fill := float32(0)
		switch c.Kind {
		case tabular.Number:
			fill = float32(c.Median) // as tabular.Encoder fills a gap
			add(0, false, false)
		case tabular.Category:
			fill = float32(slices.Index(c.Categories, c.Mode))
			for k := range c.Categories {
				add(float32(k), true, false)
			}
		}
		if c.Indicator {
			add(0, false, true)
		}
		e.fill = append(e.fill, fill)
	}
	return e
}

// identity reports whether the encoding is the columns as they are: a
// table of numbers without indicators, whose gaps are all the graph fills.
func (e *encoding) identity() bool {
	if len(e.src) != len(e.fill) {
		return false
	}
	for f, c := range e.src {
		if c != int64(f) || e.oneHot[f] || e.missing[f] {
			return false
		}
	}
	return true
}

// encodeColumns adds the pipeline's encoding of the input columns (see
// the contract above): its output is the encoded row, before the
// standardization.
func encodeColumns(b *builder, p *tabular.Pipeline) {
	e := encodingOf(p)
	cols, feats := []int64{int64(len(e.fill))}, []int64{int64(len(e.src))}
	x := b.x
	miss := b.apply("IsNaN", nil)
	filled := b.node("Where", []string{miss, b.initializer("table.fill", cols, e.fill), x})
	if e.identity() {
		return
	}
	src := b.int64s("table.column", feats, e.src)
	g := b.node("Gather", []string{filled, src}, intAttr("axis", 1))
	if slices.Contains(e.oneHot, true) {
		b.apply("Equal", []string{b.initializer("table.category", feats, e.code)})
		b.apply("Cast", nil, intAttr("to", int64(onnxpb.TensorProto_FLOAT)))
		b.node("Where", []string{b.bools("table.is_category", feats, e.oneHot), b.x, g})
	}
	if slices.Contains(e.missing, true) {
		enc := b.x
		b.node("Gather", []string{miss, src}, intAttr("axis", 1))
		b.apply("Cast", nil, intAttr("to", int64(onnxpb.TensorProto_FLOAT)))
		b.node("Where", []string{b.bools("table.is_indicator", feats, e.missing), b.x, enc})
	}
}

// tableMetadata is the metadata of a table model with a pipeline: the
// input columns and the cells that mean "missing".
func tableMetadata(p *tabular.Pipeline) [][2]string {
	cols, _ := json.Marshal(columnsOf(p))
	na, _ := json.Marshal(missingTokens(p))
	return [][2]string{{"columns", string(cols)}, {"missing_values", string(na)}}
}

// TableRow turns a row of a table model's cells (every column but the
// label, in the table's order) into the ONNX input by the contract above,
// from what the exported file's metadata holds: its columns and its
// missing_values. A cell is missing when it is empty or, trimmed of
// spaces, one of missing (NA, N/A, NaN and ? in any case). It is the
// reference for clients in other languages; a number cell that is not a
// number is an error naming its column.
func TableRow(cols []Column, missing []string, cells []string) ([]float32, error) {
	if len(cells) != len(cols) {
		return nil, fmt.Errorf("%d values, the model takes %d", len(cells), len(cols))
	}
	x := make([]float32, len(cols))
	for i, c := range cols {
		v := strings.TrimSpace(cells[i])
		if v == "" || slices.ContainsFunc(missing, func(m string) bool { return m == v || isBuiltinNA(m) && strings.EqualFold(m, v) }) {
			x[i] = float32(math.NaN())
			continue
		}
		switch c.Kind {
		case "number":
			f, err := strconv.ParseFloat(v, 32)
			if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
				return nil, fmt.Errorf("column %q: %q is not a number (nor a missing value)", c.Name, v)
			}
			x[i] = float32(f)
		case "category":
			x[i] = float32(slices.Index(c.Categories, v)) // -1: not seen in training
		}
	}
	return x, nil
}

func isBuiltinNA(s string) bool { return slices.Contains(tabular.BuiltinNA, s) }
