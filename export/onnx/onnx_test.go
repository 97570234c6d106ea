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

// testModel returns a model with random weights, norms' gains and biases
// away from 1 and 0, BatchNorm running statistics away from 0 and 1, and
// a normalization far from the identity, so that every step of the graph
// matters.
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
	m := &nn.Model{Net: net, InputShape: shape, Info: map[string]string{"dataset": "test"}}
	for _, ts := range m.Tensors() {
		for i := range ts.Data {
			switch {
			case strings.HasSuffix(ts.Name, ".running_mean"):
				ts.Data[i] = float32(rng.NormFloat64() * 0.5)
			case strings.HasSuffix(ts.Name, ".running_var"):
				ts.Data[i] = float32(0.2 + 2*rng.Float64())
			}
		}
	}
	ch := arch.Inputs
	if len(shape) == 3 {
		ch = shape[0]
	}
	for c := range ch {
		m.Mean = append(m.Mean, float32(10*c)+0.5)
		m.Std = append(m.Std, float32(c+1)*3.3)
	}
	for c := range arch.Classes {
		m.Classes = append(m.Classes, fmt.Sprintf("class-%d", c))
	}
	return m
}

// Operator sequences of the layers, as the cases spell them out.
var (
	std     = []string{"Sub", "Mul"}
	geluOps = []string{"Div", "Erf", "Add", "Mul", "Mul"}
)

func ops(parts ...any) []string {
	var out []string
	for _, p := range parts {
		switch v := p.(type) {
		case string:
			out = append(out, v)
		case []string:
			out = append(out, v...)
		}
	}
	return out
}

// repeat returns n copies of a sequence.
func repeat(n int, parts ...any) []string {
	var out []string
	for range n {
		out = append(out, ops(parts...)...)
	}
	return out
}

// cases covers every layer kind of nn.Arch.Graph: Dense with ReLU, leaky
// ReLU (the default slope and a given one) and GELU; no hidden layer;
// LayerNorm and BatchNorm in plain networks; pre-norm residual blocks
// with either norm or none (dropout, the identity at inference, has no
// node); both input kinds.
var cases = []struct {
	name  string
	arch  nn.Arch
	shape []int
	ops   []string
}{
	{"table relu", nn.Arch{Inputs: 4, Hidden: []int{9, 5}, Classes: 3, Activation: nn.ReLU}, []int{4},
		ops(std, "Gemm", "Relu", "Gemm", "Relu", "Gemm", "Softmax")},
	{"table leaky default slope", nn.Arch{Inputs: 6, Hidden: []int{7}, Classes: 2, Activation: nn.LeakyReLU}, []int{6},
		ops(std, "Gemm", "LeakyRelu", "Gemm", "Softmax")},
	{"table leaky 0.2", nn.Arch{Inputs: 3, Hidden: []int{4, 4, 4}, Classes: 4, Activation: nn.LeakyReLU, LeakySlope: 0.2}, []int{3},
		ops(std, repeat(3, "Gemm", "LeakyRelu"), "Gemm", "Softmax")},
	{"table no hidden", nn.Arch{Inputs: 5, Classes: 3, Activation: nn.ReLU}, []int{5},
		ops(std, "Gemm", "Softmax")},
	{"table gelu", nn.Arch{Inputs: 5, Hidden: []int{8, 6}, Classes: 3, Activation: nn.GELUName}, []int{5},
		ops(std, repeat(2, "Gemm", geluOps), "Gemm", "Softmax")},
	{"table layer norm", nn.Arch{Inputs: 5, Hidden: []int{8, 6}, Classes: 3, Activation: nn.ReLU, Norm: nn.LayerNormName}, []int{5},
		ops(std, repeat(2, "Gemm", "LayerNormalization", "Relu"), "Gemm", "Softmax")},
	{"table batch norm", nn.Arch{Inputs: 5, Hidden: []int{8}, Classes: 3, Activation: nn.LeakyReLU, Norm: nn.BatchNormName}, []int{5},
		ops(std, "Gemm", "BatchNormalization", "LeakyRelu", "Gemm", "Softmax")},
	{"table norm none", nn.Arch{Inputs: 5, Hidden: []int{8}, Classes: 3, Activation: nn.ReLU, Norm: nn.NoNorm, Block: nn.PlainBlock}, []int{5},
		ops(std, "Gemm", "Relu", "Gemm", "Softmax")},
	{"residual layer norm gelu", nn.Arch{Inputs: 5, Hidden: []int{6, 6}, Classes: 3, Activation: nn.GELUName, Norm: nn.LayerNormName, Block: nn.ResidualBlock}, []int{5},
		ops(std, "Gemm", repeat(2, "LayerNormalization", "Gemm", geluOps, "Gemm", "Add"), "LayerNormalization", "Gemm", "Softmax")},
	{"residual batch norm relu expansion 2", nn.Arch{Inputs: 4, Hidden: []int{5, 5, 5}, Classes: 2, Activation: nn.ReLU, Norm: nn.BatchNormName, Block: nn.ResidualBlock, Expansion: 2}, []int{4},
		ops(std, "Gemm", repeat(3, "BatchNormalization", "Gemm", "Relu", "Gemm", "Add"), "BatchNormalization", "Gemm", "Softmax")},
	{"residual no norm leaky", nn.Arch{Inputs: 4, Hidden: []int{3}, Classes: 3, Activation: nn.LeakyReLU, LeakySlope: 0.3, Block: nn.ResidualBlock}, []int{4},
		ops(std, "Gemm", "Gemm", "LeakyRelu", "Gemm", "Add", "Gemm", "Softmax")},
	{"image relu", nn.Arch{Inputs: 3 * 4 * 5, Hidden: []int{8}, Classes: 3, Activation: nn.ReLU}, []int{3, 4, 5},
		ops(std, "Flatten", "Gemm", "Relu", "Gemm", "Softmax")},
	{"image leaky", nn.Arch{Inputs: 3 * 2 * 2, Hidden: []int{6, 3}, Classes: 5, Activation: nn.LeakyReLU, LeakySlope: 0.05}, []int{3, 2, 2},
		ops(std, "Flatten", repeat(2, "Gemm", "LeakyRelu"), "Gemm", "Softmax")},
	{"image residual layer norm gelu", nn.Arch{Inputs: 3 * 3 * 3, Hidden: []int{7}, Classes: 4, Activation: nn.GELUName, Norm: nn.LayerNormName, Block: nn.ResidualBlock}, []int{3, 3, 3},
		ops(std, "Flatten", "Gemm", "LayerNormalization", "Gemm", geluOps, "Gemm", "Add", "LayerNormalization", "Gemm", "Softmax")},
}

// TestGraph decodes the exported bytes with the generated types and checks
// the graph for every layer kind: node kinds in order, what each reads,
// attributes, initializer names, shapes, sizes and values, input and
// output shapes, metadata; then runs it (a small interpreter of the
// operators used) against nn's own Predict.
func TestGraph(t *testing.T) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := testModel(t, c.arch, c.shape)
			mp := exportDecoded(t, m)
			checkModel(t, mp, m, c.ops)
			checkInitializers(t, mp.Graph, m, nil)

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

// exportDecoded exports m and decodes the bytes with the generated types.
func exportDecoded(t *testing.T, m *nn.Model) *onnxpb.ModelProto {
	t.Helper()
	data, err := Marshal(m, Options{Name: "20261202-000000-test", Version: "9.9.9"})
	if err != nil {
		t.Fatal(err)
	}
	var mp onnxpb.ModelProto
	if err := proto.Unmarshal(data, &mp); err != nil {
		t.Fatal(err)
	}
	return &mp
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
		t.Fatalf("nodes %v,\nwant  %v", got, ops)
	}
	checkWiring(t, g)
	checkAttributes(t, g, m)
	checkIO(t, g, m)
	checkMetadata(t, mp, m)
}

// checkWiring: every node reads the input, initializers or outputs of
// nodes before it, its main input (the first; Where's second, Mul's
// second for GELU, Add's second for a residual) is the value just made
// or kept from before, every output is read, and the last node makes the
// graph's output.
func checkWiring(t *testing.T, g *onnxpb.GraphProto) {
	t.Helper()
	defined := map[string]bool{InputName: true}
	for _, in := range g.Initializer {
		if defined[in.GetName()] {
			t.Errorf("initializer %q twice", in.GetName())
		}
		defined[in.GetName()] = true
	}
	read := map[string]bool{}
	for _, n := range g.Node {
		for _, in := range n.Input {
			if !defined[in] {
				t.Errorf("%s reads %q, not defined before it", n.GetName(), in)
			}
			read[in] = true
		}
		if len(n.Output) != 1 || defined[n.Output[0]] {
			t.Errorf("%s: outputs %v", n.GetName(), n.Output)
		}
		defined[n.Output[0]] = true
	}
	last := g.Node[len(g.Node)-1]
	if last.Output[0] != OutputName {
		t.Errorf("last node makes %q, want %q", last.Output[0], OutputName)
	}
	for _, n := range g.Node[:len(g.Node)-1] {
		if !read[n.Output[0]] {
			t.Errorf("%s's output is never read", n.GetName())
		}
	}
}

func checkAttributes(t *testing.T, g *onnxpb.GraphProto, m *nn.Model) {
	t.Helper()
	for _, n := range g.Node {
		want := map[string]float64{}
		switch n.GetOpType() {
		case "Softmax", "Flatten", "Gather":
			want["axis"] = 1
		case "LeakyRelu":
			want["alpha"] = float64(m.Net.Arch.NegativeSlope())
		case "LayerNormalization":
			want["axis"], want["epsilon"] = -1, float64(float32(nn.NormEps))
		case "BatchNormalization": // training_mode left at 0: inference
			want["epsilon"] = float64(float32(nn.NormEps))
		case "Cast":
			want["to"] = float64(onnxpb.TensorProto_FLOAT)
		}
		if len(n.Attribute) != len(want) {
			t.Errorf("%s: attributes %v, want %v", n.GetName(), n.Attribute, want)
		}
		for name, v := range want {
			a := attr(n, name)
			switch {
			case a == nil:
				t.Errorf("%s: no attribute %s", n.GetName(), name)
			case a.GetType() == onnxpb.AttributeProto_INT && float64(a.GetI()) == v:
			case a.GetType() == onnxpb.AttributeProto_FLOAT && float64(a.GetF()) == v:
			default:
				t.Errorf("%s: %s = %v, want %v", n.GetName(), name, a, v)
			}
		}
	}
}

// checkInitializers: the standardization, every tensor of the model file
// under its own name, shape and exactly its values, GELU's constants when
// there is a GELU, and the table encoding's (extra: name -> dims), and
// nothing else.
func checkInitializers(t *testing.T, g *onnxpb.GraphProto, m *nn.Model, extra map[string][]int64) {
	t.Helper()
	inits := map[string]*onnxpb.TensorProto{}
	for _, in := range g.Initializer {
		inits[in.GetName()] = in
	}
	ch := int64(len(m.Mean))
	normDims := []int64{ch}
	if len(m.InputShape) == 3 {
		normDims = []int64{1, ch, 1, 1}
	}
	inv := make([]float32, len(m.Std))
	for c, s := range m.Std {
		inv[c] = 1 / s
	}
	want := map[string]nn.Tensor{"standardize.mean": {Data: m.Mean}, "standardize.inv_std": {Data: inv}}
	dims := map[string][]int64{"standardize.mean": normDims, "standardize.inv_std": normDims}
	for _, ts := range m.Tensors() {
		want[ts.Name] = ts
		for _, s := range ts.Shape {
			dims[ts.Name] = append(dims[ts.Name], int64(s))
		}
	}
	if m.Net.Arch.Activation == nn.GELUName && len(m.Net.Arch.Hidden) > 0 {
		for name, v := range map[string]float32{"gelu.sqrt2": math.Sqrt2, "gelu.one": 1, "gelu.half": 0.5} {
			want[name], dims[name] = nn.Tensor{Data: []float32{v}}, []int64{}
		}
	}
	if len(inits) != len(want)+len(extra) {
		t.Errorf("%d initializers, want %d", len(inits), len(want)+len(extra))
	}
	for name, d := range extra {
		if in := inits[name]; in == nil || !slices.Equal(in.Dims, d) {
			t.Errorf("initializer %q: %v, want dims %v", name, in, d)
		}
	}
	for name, w := range want {
		in := inits[name]
		if in == nil {
			t.Errorf("no initializer %q", name)
			continue
		}
		if !slices.Equal(in.Dims, dims[name]) || in.GetDataType() != int32(onnxpb.TensorProto_FLOAT) || len(in.RawData) != 4*int(size(dims[name])) {
			t.Errorf("initializer %q: dims %v type %d, %d bytes; want dims %v float, %d bytes", name, in.Dims, in.GetDataType(), len(in.RawData), dims[name], 4*size(dims[name]))
		}
		if !slices.Equal(floats(in), w.Data) {
			t.Errorf("initializer %q differs from the model's values", name)
		}
	}
}

func checkIO(t *testing.T, g *onnxpb.GraphProto, m *nn.Model) {
	t.Helper()
	wantIn := []string{"N"}
	for _, s := range inputShape(t, m) {
		wantIn = append(wantIn, fmt.Sprint(s))
	}
	if len(g.Input) != 1 || g.Input[0].GetName() != InputName || !slices.Equal(shapeOf(g.Input[0]), wantIn) {
		t.Errorf("inputs %v, want %q %v", g.Input, InputName, wantIn)
	}
	wantOut := []string{"N", fmt.Sprint(len(m.Classes))}
	if len(g.Output) != 1 || g.Output[0].GetName() != OutputName || !slices.Equal(shapeOf(g.Output[0]), wantOut) {
		t.Errorf("outputs %v, want %q %v", g.Output, OutputName, wantOut)
	}
}

// inputShape is the ONNX input's shape without the batch: the model's,
// or for a table with preprocessing its number of columns.
func inputShape(t *testing.T, m *nn.Model) []int {
	t.Helper()
	p, err := pipelineOf(m)
	if err != nil {
		t.Fatal(err)
	}
	if p != nil {
		return []int{p.Width - 1}
	}
	return m.InputShape
}

func metaOf(mp *onnxpb.ModelProto) map[string]string {
	meta := map[string]string{}
	for _, p := range mp.MetadataProps {
		meta[p.GetKey()] = p.GetValue()
	}
	return meta
}

func checkMetadata(t *testing.T, mp *onnxpb.ModelProto, m *nn.Model) {
	t.Helper()
	meta := metaOf(mp)
	var classes []string
	if err := json.Unmarshal([]byte(meta["classes"]), &classes); err != nil || !slices.Equal(classes, m.Classes) {
		t.Errorf("metadata classes %q, want %v", meta["classes"], m.Classes)
	}
	var shape []int
	if err := json.Unmarshal([]byte(meta["input_shape"]), &shape); err != nil || !slices.Equal(shape, inputShape(t, m)) {
		t.Errorf("metadata input_shape %q, want %v", meta["input_shape"], inputShape(t, m))
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

// TestRefusesBadPreprocessing: a model whose preprocessing entry is
// damaged, or encodes another width than the network takes, is refused,
// not exported wrong.
func TestRefusesBadPreprocessing(t *testing.T) {
	m := testModel(t, nn.Arch{Inputs: 4, Hidden: []int{3}, Classes: 2, Activation: nn.ReLU}, []int{4})
	m.Info[nn.PreprocessingKey] = `{"version":1}`
	if _, err := Build(m, Options{}); err == nil || !strings.Contains(err.Error(), "preprocessing") {
		t.Errorf("Build: %v, want an error about the preprocessing", err)
	}
	m.Info[nn.PreprocessingKey] = fitTable(t).Marshal() // 11 features, not 4
	if _, err := Build(m, Options{}); err == nil || !strings.Contains(err.Error(), "the network takes 4") {
		t.Errorf("Build: %v, want an error about the width", err)
	}
}

// TestUnknownLayerKind: a layer kind without an ONNX step is an error
// naming it, not a graph without it.
func TestUnknownLayerKind(t *testing.T) {
	_, err := nodeSteps([]nn.Node{{Kind: nn.KindReLU}, {Kind: nn.KindResidual, Body: []nn.Node{{Kind: "conv2d"}}}}, nil)
	if err == nil || !strings.Contains(err.Error(), `"conv2d"`) {
		t.Errorf("nodeSteps: %v, want an error naming conv2d", err)
	}
}

// TestWhitening: a model with ZCA whitening (an image model and a table
// model) exports the map as Sub whiten.mean and MatMul whiten.matrix after
// the standardization, under the model file's tensor names, and the graph
// computes what classify does: standardize, whiten, nn.Predict.
func TestWhitening(t *testing.T) {
	for _, c := range []struct {
		name  string
		arch  nn.Arch
		shape []int
		ops   []string
	}{
		{"image", nn.Arch{Inputs: 3 * 2 * 3, Hidden: []int{8}, Classes: 3, Activation: nn.GELUName, Norm: nn.LayerNormName, Block: nn.ResidualBlock}, []int{3, 2, 3},
			ops(std, "Flatten", "Sub", "MatMul", "Gemm", "LayerNormalization", "Gemm", geluOps, "Gemm", "Add", "LayerNormalization", "Gemm", "Softmax")},
		{"table", nn.Arch{Inputs: 5, Hidden: []int{6}, Classes: 2, Activation: nn.ReLU}, []int{5},
			ops(std, "Sub", "MatMul", "Gemm", "Relu", "Gemm", "Softmax")},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := testModel(t, c.arch, c.shape)
			rng := rand.New(rand.NewPCG(9, 9))
			n := c.arch.Inputs
			w := &nn.Whitening{Method: nn.WhitenZCA, Epsilon: 0.1, Mean: make([]float32, n), Matrix: make([]float32, n*n)}
			for i := range w.Mean {
				w.Mean[i] = float32(rng.NormFloat64() * 0.3)
			}
			for i := range n { // symmetric, as ZCA's
				for j := i; j < n; j++ {
					v := float32(rng.NormFloat64() * 0.4)
					if i == j {
						v += 1
					}
					w.Matrix[i*n+j], w.Matrix[j*n+i] = v, v
				}
			}
			m.Whiten = w
			mp := exportDecoded(t, m)
			checkModel(t, mp, m, c.ops)
			checkInitializers(t, mp.Graph, m, nil)

			const rows = 4
			x := make([]float32, rows*n)
			for i := range x {
				x[i] = float32(rng.IntN(256))
			}
			s := standardized(m, x)
			white := make([]float32, len(s))
			for r := range rows {
				for j := range n {
					var acc float64
					for k := range n {
						acc += float64(s[r*n+k]-w.Mean[k]) * float64(w.Matrix[k*n+j])
					}
					white[r*n+j] = float32(acc)
				}
			}
			got := eval(t, mp.Graph, x, append([]int{rows}, c.shape...))
			want := m.Net.Predict(nn.FromSlice(rows, n, white))
			for i := range want.Data {
				if d := math.Abs(float64(got[i] - want.Data[i])); d > 1e-6 {
					t.Fatalf("probability %d: graph gives %v, reference %v", i, got[i], want.Data[i])
				}
			}
		})
	}
}
