package onnx

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/mlptui/mlptui/export/onnx/onnxpb"
	"github.com/mlptui/mlptui/nn"
)

// testModel returns a model with random weights and a normalization far
// from the identity, so that every step of the graph matters.
func testModel(t *testing.T, arch nn.Arch, shape []int) *nn.Model {
	t.Helper()
	net, err := nn.New(arch, 7)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 1))
	for i := range net.Params { // He init leaves the biases zero
		net.Params[i] += float32(rng.NormFloat64() * 0.1)
	}
	ch := arch.Inputs
	if len(shape) == 3 {
		ch = shape[0]
	}
	m := &nn.Model{Net: net, InputShape: shape, Info: map[string]string{"dataset": "test"}}
	for c := range ch {
		m.Mean = append(m.Mean, float32(10*c)+0.5)
		m.Std = append(m.Std, float32(c+1)*3.3)
	}
	for c := range arch.Classes {
		m.Classes = append(m.Classes, fmt.Sprintf("class-%d", c))
	}
	return m
}

// cases covers every layer kind mlptui has: Dense with ReLU, with leaky
// ReLU (the default slope and a given one), no hidden layer at all, and
// both input kinds.
var cases = []struct {
	name  string
	arch  nn.Arch
	shape []int
	ops   []string
}{
	{"table relu", nn.Arch{Inputs: 4, Hidden: []int{9, 5}, Classes: 3, Activation: nn.ReLU}, []int{4},
		[]string{"Sub", "Mul", "Gemm", "Relu", "Gemm", "Relu", "Gemm", "Softmax"}},
	{"table leaky default slope", nn.Arch{Inputs: 6, Hidden: []int{7}, Classes: 2, Activation: nn.LeakyReLU}, []int{6},
		[]string{"Sub", "Mul", "Gemm", "LeakyRelu", "Gemm", "Softmax"}},
	{"table leaky 0.2", nn.Arch{Inputs: 3, Hidden: []int{4, 4, 4}, Classes: 4, Activation: nn.LeakyReLU, LeakySlope: 0.2}, []int{3},
		[]string{"Sub", "Mul", "Gemm", "LeakyRelu", "Gemm", "LeakyRelu", "Gemm", "LeakyRelu", "Gemm", "Softmax"}},
	{"table no hidden", nn.Arch{Inputs: 5, Classes: 3, Activation: nn.ReLU}, []int{5},
		[]string{"Sub", "Mul", "Gemm", "Softmax"}},
	{"image relu", nn.Arch{Inputs: 3 * 4 * 5, Hidden: []int{8}, Classes: 3, Activation: nn.ReLU}, []int{3, 4, 5},
		[]string{"Sub", "Mul", "Flatten", "Gemm", "Relu", "Gemm", "Softmax"}},
	{"image leaky", nn.Arch{Inputs: 3 * 2 * 2, Hidden: []int{6, 3}, Classes: 5, Activation: nn.LeakyReLU, LeakySlope: 0.05}, []int{3, 2, 2},
		[]string{"Sub", "Mul", "Flatten", "Gemm", "LeakyRelu", "Gemm", "LeakyRelu", "Gemm", "Softmax"}},
}

// TestGraph decodes the exported bytes with the generated types and checks
// the graph: node kinds in order, attributes, initializer shapes and
// sizes, input and output shapes, metadata; then runs it (a small
// interpreter of the operators used) against nn's own Predict.
func TestGraph(t *testing.T) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := testModel(t, c.arch, c.shape)
			data, err := Marshal(m, Options{Name: "20261202-000000-test", Version: "9.9.9"})
			if err != nil {
				t.Fatal(err)
			}
			var mp onnxpb.ModelProto
			if err := proto.Unmarshal(data, &mp); err != nil {
				t.Fatal(err)
			}
			checkModel(t, &mp, m, c.ops)

			rng := rand.New(rand.NewPCG(2, 3))
			const n = 5
			x := make([]float32, n*c.arch.Inputs)
			for i := range x {
				if len(c.shape) == 3 {
					x[i] = float32(rng.IntN(256)) // raw pixels
				} else {
					x[i] = float32(rng.NormFloat64()*10 + 5)
				}
			}
			got := eval(t, mp.Graph, x, append([]int{n}, c.shape...))
			want := m.Net.Predict(nn.FromSlice(n, c.arch.Inputs, standardized(m, x)))
			for i := range want.Data {
				if d := math.Abs(float64(got[i] - want.Data[i])); d > 1e-6 {
					t.Fatalf("probability %d: graph gives %v, nn.Predict %v", i, got[i], want.Data[i])
				}
			}
		})
	}
}

// standardized is the reference preprocessing, written out: (x - mean) /
// std per feature or per colour plane, as datasets.Dataset.Batch does.
func standardized(m *nn.Model, x []float32) []float32 {
	out := make([]float32, len(x))
	dim := m.Net.Arch.Inputs
	plane := 1
	if len(m.InputShape) == 3 {
		plane = m.InputShape[1] * m.InputShape[2]
	}
	for i, v := range x {
		c := (i % dim) / plane
		out[i] = (v - m.Mean[c]) * (1 / m.Std[c])
	}
	return out
}

func checkModel(t *testing.T, mp *onnxpb.ModelProto, m *nn.Model, ops []string) {
	t.Helper()
	if mp.GetIrVersion() != IRVersion || len(mp.OpsetImport) != 1 || mp.OpsetImport[0].GetVersion() != Opset || mp.OpsetImport[0].GetDomain() != "" {
		t.Errorf("ir_version %d, opsets %v; want %d and opset %d", mp.GetIrVersion(), mp.OpsetImport, IRVersion, Opset)
	}
	if mp.GetDocString() != "20261202-000000-test" || mp.GetProducerName() != "mlptui" || mp.GetProducerVersion() != "9.9.9" {
		t.Errorf("doc_string %q, producer %q %q", mp.GetDocString(), mp.GetProducerName(), mp.GetProducerVersion())
	}
	g := mp.Graph
	var got []string
	for _, n := range g.Node {
		got = append(got, n.GetOpType())
	}
	if !slices.Equal(got, ops) {
		t.Fatalf("nodes %v, want %v", got, ops)
	}
	// Each node reads the one before it; the last one is the output.
	prev := InputName
	for _, n := range g.Node {
		if n.Input[0] != prev {
			t.Errorf("%s reads %q, want %q", n.GetName(), n.Input[0], prev)
		}
		prev = n.Output[0]
	}
	if prev != OutputName {
		t.Errorf("last node makes %q, want %q", prev, OutputName)
	}
	for _, n := range g.Node {
		switch n.GetOpType() {
		case "Softmax", "Flatten":
			if a := attr(n, "axis"); a == nil || a.GetI() != 1 || a.GetType() != onnxpb.AttributeProto_INT {
				t.Errorf("%s: axis %v, want 1", n.GetOpType(), a)
			}
		case "LeakyRelu":
			if a := attr(n, "alpha"); a == nil || a.GetF() != m.Net.Arch.NegativeSlope() {
				t.Errorf("LeakyRelu alpha %v, want %v", a, m.Net.Arch.NegativeSlope())
			}
		case "Gemm":
			if len(n.Attribute) != 0 { // alpha 1, beta 1, no transposes
				t.Errorf("Gemm attributes %v, want none", n.Attribute)
			}
		}
	}
	// Initializers: the normalization, then every layer's weights and
	// biases, with their shapes and exactly their values.
	inits := map[string]*onnxpb.TensorProto{}
	for _, in := range g.Initializer {
		inits[in.GetName()] = in
	}
	ch := int64(len(m.Mean))
	normDims := []int64{ch}
	if len(m.InputShape) == 3 {
		normDims = []int64{1, ch, 1, 1}
	}
	want := map[string][]int64{"norm.mean": normDims, "norm.inv_std": normDims}
	for i, d := range m.Net.Layers {
		want[fmt.Sprintf("dense.%d.weight", i)] = []int64{int64(d.In), int64(d.Out)}
		want[fmt.Sprintf("dense.%d.bias", i)] = []int64{int64(d.Out)}
	}
	if len(inits) != len(want) {
		t.Errorf("%d initializers, want %d", len(inits), len(want))
	}
	for name, dims := range want {
		in := inits[name]
		if in == nil {
			t.Errorf("no initializer %q", name)
			continue
		}
		if !slices.Equal(in.Dims, dims) || in.GetDataType() != int32(onnxpb.TensorProto_FLOAT) || len(in.RawData) != 4*int(size(dims)) {
			t.Errorf("initializer %q: dims %v type %d, %d bytes; want dims %v float, %d bytes", name, in.Dims, in.GetDataType(), len(in.RawData), dims, 4*size(dims))
		}
	}
	for i, d := range m.Net.Layers {
		if w := floats(inits[fmt.Sprintf("dense.%d.weight", i)]); !slices.Equal(w, d.W.Data) {
			t.Errorf("dense.%d.weight differs from the model's", i)
		}
	}
	if !slices.Equal(floats(inits["norm.mean"]), m.Mean) {
		t.Errorf("norm.mean %v, want %v", floats(inits["norm.mean"]), m.Mean)
	}
	// Input and output.
	wantIn := []string{"N"}
	for _, s := range m.InputShape {
		wantIn = append(wantIn, fmt.Sprint(s))
	}
	if len(g.Input) != 1 || g.Input[0].GetName() != InputName || !slices.Equal(shapeOf(g.Input[0]), wantIn) {
		t.Errorf("inputs %v, want %q %v", g.Input, InputName, wantIn)
	}
	wantOut := []string{"N", fmt.Sprint(len(m.Classes))}
	if len(g.Output) != 1 || g.Output[0].GetName() != OutputName || !slices.Equal(shapeOf(g.Output[0]), wantOut) {
		t.Errorf("outputs %v, want %q %v", g.Output, OutputName, wantOut)
	}
	// Metadata.
	meta := map[string]string{}
	for _, p := range mp.MetadataProps {
		meta[p.GetKey()] = p.GetValue()
	}
	var classes []string
	if err := json.Unmarshal([]byte(meta["classes"]), &classes); err != nil || !slices.Equal(classes, m.Classes) {
		t.Errorf("metadata classes %q, want %v", meta["classes"], m.Classes)
	}
	var shape []int
	if err := json.Unmarshal([]byte(meta["input_shape"]), &shape); err != nil || !slices.Equal(shape, m.InputShape) {
		t.Errorf("metadata input_shape %q, want %v", meta["input_shape"], m.InputShape)
	}
	if meta["mlptui_version"] != "9.9.9" || meta["dataset"] != "test" || !strings.HasPrefix(meta["input"], InputName+": float32 [N, ") {
		t.Errorf("metadata %v", meta)
	}
	if _, ok := meta["resize"]; ok != (len(m.InputShape) == 3) {
		t.Errorf("resize rule in the metadata: %v, want it for images only", ok)
	}
}

func attr(n *onnxpb.NodeProto, name string) *onnxpb.AttributeProto {
	for _, a := range n.Attribute {
		if a.GetName() == name {
			return a
		}
	}
	return nil
}

func size(dims []int64) int64 {
	n := int64(1)
	for _, d := range dims {
		n *= d
	}
	return n
}

func floats(t *onnxpb.TensorProto) []float32 {
	if t == nil {
		return nil
	}
	out := make([]float32, len(t.RawData)/4)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(t.RawData[4*i:]))
	}
	return out
}

func shapeOf(v *onnxpb.ValueInfoProto) []string {
	var s []string
	for _, d := range v.GetType().GetTensorType().GetShape().GetDim() {
		if p := d.GetDimParam(); p != "" {
			s = append(s, p)
		} else {
			s = append(s, fmt.Sprint(d.GetDimValue()))
		}
	}
	return s
}

// tensor is a value of the interpreter: data and shape.
type tensor struct {
	data  []float32
	shape []int
}

// eval runs a graph of the operators the exporter uses, on one input, by
// their definitions in the ONNX operator documentation (broadcasting of
// Sub and Mul from the right; Gemm y = A·B + C; Softmax over axis 1).
func eval(t *testing.T, g *onnxpb.GraphProto, x []float32, shape []int) []float32 {
	t.Helper()
	vals := map[string]tensor{InputName: {x, shape}}
	for _, in := range g.Initializer {
		var s []int
		for _, d := range in.Dims {
			s = append(s, int(d))
		}
		vals[in.GetName()] = tensor{floats(in), s}
	}
	for _, n := range g.Node {
		a := vals[n.Input[0]]
		var out tensor
		switch op := n.GetOpType(); op {
		case "Sub", "Mul":
			b := vals[n.Input[1]]
			out = tensor{make([]float32, len(a.data)), a.shape}
			for i, v := range a.data {
				w := b.data[broadcastIndex(i, a.shape, b.shape)]
				if op == "Sub" {
					out.data[i] = v - w
				} else {
					out.data[i] = v * w
				}
			}
		case "Flatten":
			out = tensor{a.data, []int{a.shape[0], len(a.data) / a.shape[0]}}
		case "Gemm":
			w, b := vals[n.Input[1]], vals[n.Input[2]]
			rows, in, o := a.shape[0], w.shape[0], w.shape[1]
			if a.shape[1] != in {
				t.Fatalf("%s: input %v, weights %v", n.GetName(), a.shape, w.shape)
			}
			out = tensor{make([]float32, rows*o), []int{rows, o}}
			for r := range rows {
				for j := range o {
					var s float64
					for k := range in {
						s += float64(a.data[r*in+k]) * float64(w.data[k*o+j])
					}
					out.data[r*o+j] = float32(s) + b.data[j]
				}
			}
		case "Relu", "LeakyRelu":
			alpha := float32(0)
			if op == "LeakyRelu" {
				alpha = attr(n, "alpha").GetF()
			}
			out = tensor{make([]float32, len(a.data)), a.shape}
			for i, v := range a.data {
				if v < 0 {
					v *= alpha
				}
				out.data[i] = v
			}
		case "Softmax":
			rows, k := a.shape[0], a.shape[1]
			out = tensor{make([]float32, len(a.data)), a.shape}
			for r := range rows {
				row := a.data[r*k : (r+1)*k]
				mx := slices.Max(row)
				var s float64
				for _, v := range row {
					s += math.Exp(float64(v - mx))
				}
				for j, v := range row {
					out.data[r*k+j] = float32(math.Exp(float64(v-mx)) / s)
				}
			}
		default:
			t.Fatalf("operator %s not known to the test's interpreter", op)
		}
		vals[n.Output[0]] = out
	}
	return vals[OutputName].data
}

// broadcastIndex maps flat index i of shape a to the index of b, a shape
// broadcast against a from the right (numpy rules).
func broadcastIndex(i int, a, b []int) int {
	idx, stride := 0, 1
	for d := 1; d <= len(a); d++ {
		coord := i % a[len(a)-d]
		i /= a[len(a)-d]
		if d <= len(b) && b[len(b)-d] != 1 {
			idx += coord * stride
			stride *= b[len(b)-d]
		}
	}
	return idx
}

// TestWriteFileAtomic: a failed write (into a directory that does not
// exist, over a directory) leaves nothing behind and names the path; a
// good write replaces the old file whole.
func TestWriteFileAtomic(t *testing.T) {
	m := testModel(t, nn.Arch{Inputs: 4, Hidden: []int{3}, Classes: 2, Activation: nn.ReLU}, []int{4})
	dir := t.TempDir()
	for _, bad := range []string{filepath.Join(dir, "no", "such", "m.onnx"), dir} {
		err := WriteFile(bad, m, Options{})
		if err == nil || !strings.Contains(err.Error(), bad) {
			t.Errorf("WriteFile(%s): %v, want an error naming it", bad, err)
		}
	}
	path := filepath.Join(dir, "m.onnx")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, m, Options{}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	var mp onnxpb.ModelProto
	if err := proto.Unmarshal(b, &mp); err != nil || len(mp.Graph.GetNode()) == 0 {
		t.Errorf("written file does not decode: %v", err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("directory holds %d entries after the writes, want only m.onnx", len(ents))
	}
	// A model whose parts disagree is refused before anything is written.
	m.Classes = m.Classes[:1]
	if err := WriteFile(filepath.Join(dir, "x.onnx"), m, Options{}); err == nil {
		t.Error("WriteFile of an invalid model succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir, "x.onnx")); err == nil {
		t.Error("an invalid model left a file")
	}
}

// TestRefusesUnknownPreprocessing: a model whose input is encoded by a
// pipeline the graph cannot express is refused, not exported wrong.
func TestRefusesUnknownPreprocessing(t *testing.T) {
	m := testModel(t, nn.Arch{Inputs: 4, Hidden: []int{3}, Classes: 2, Activation: nn.ReLU}, []int{4})
	m.Info[preprocessingKey] = `{"version":1}`
	if _, err := Build(m, Options{}); err == nil || !strings.Contains(err.Error(), "preprocessing") {
		t.Errorf("Build: %v, want an error about the preprocessing", err)
	}
}

// TestRefusesLayersWithoutExport: layer kinds the graph has no step for
// yet (norms, residual blocks, GELU) are refused, not exported wrong.
func TestRefusesLayersWithoutExport(t *testing.T) {
	for _, a := range []nn.Arch{
		{Inputs: 4, Hidden: []int{3}, Classes: 2, Activation: nn.ReLU, Norm: nn.LayerNormName},
		{Inputs: 4, Hidden: []int{3}, Classes: 2, Activation: nn.ReLU, Norm: nn.BatchNormName},
		{Inputs: 4, Hidden: []int{3, 3}, Classes: 2, Activation: nn.ReLU, Block: nn.ResidualBlock},
		{Inputs: 4, Hidden: []int{3}, Classes: 2, Activation: nn.GELUName},
	} {
		m := testModel(t, a, []int{4})
		if _, err := Build(m, Options{}); err == nil || !strings.Contains(err.Error(), "no ONNX export yet") && !strings.Contains(err.Error(), "have an ONNX export yet") {
			t.Errorf("%+v: Build: %v, want a refusal", a, err)
		}
	}
}
