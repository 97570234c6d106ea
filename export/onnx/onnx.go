// Package onnx exports a trained mlptui model as an ONNX model that holds
// the whole path from raw input to class probabilities, so that ONNX
// Runtime (in browsers, Node, C#, Java, on phones) or any other ONNX
// client computes what `mlptui classify` does.
//
// The graph, for a model with hidden layers h1..hk:
//
//	input  float32 [N, features] (a table row, in the training columns' order)
//	       or      [N, 3, H, W]  (an image: RGB planes, raw pixel values 0-255,
//	                              already resized to H×W)
//	Sub    mean, Mul 1/std        the training data's standardization, per
//	                              feature or per colour channel ([1, C, 1, 1])
//	Flatten axis 1                (images only) [N, 3·H·W], channel-major
//	Gemm   W [in, out], b [out]   one per Dense layer (y = x·W + b)
//	Relu | LeakyRelu(alpha)       after each hidden layer
//	Softmax axis 1 -> probabilities float32 [N, classes]
//
// The model's metadata_props hold the class names, the input shape and
// layout, the resize rule for images and the mlptui version; doc_string
// holds the run's name. Every step of the graph is one small function of a
// builder (see [layerSteps]): a new layer kind is one more function.
//
// The protocol buffers are written with google.golang.org/protobuf through
// the types that package onnxpb generates from ONNX's own onnx.proto.
package onnx

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"

	"google.golang.org/protobuf/proto"

	"github.com/mlptui/mlptui/datasets/tabular"
	"github.com/mlptui/mlptui/export/onnx/onnxpb"
	"github.com/mlptui/mlptui/internal/atomicfile"
	"github.com/mlptui/mlptui/nn"
	"github.com/mlptui/mlptui/trainer"
)

// Names of the graph's input and output, and the opset and IR version the
// files declare (ONNX 1.12: opset 17, the first with LayerNormalization;
// IR version 8).
const (
	InputName  = "input"
	OutputName = "probabilities"
	Opset      = 17
	IRVersion  = 8
)

// FileName is the name of the exported file in a run directory when no
// other is given.
const FileName = "model.onnx"

// DefaultPath is where a run's export goes by default: model.onnx beside
// its model.safetensors.
func DefaultPath(runDir string) string { return filepath.Join(runDir, FileName) }

// ResizeRule says in words how mlptui resizes an image to a model's input
// size; it goes into an exported image model's metadata ("resize").
const ResizeRule = "decode to 8-bit RGB (see mlptui's README), then resize each channel separably to the model's height and width: area averaging when shrinking (each output pixel the mean of the source area it covers), bilinear between pixel centres when growing, rounded to whole values 0-255; none when the size already matches"

// maxBytes bounds the weights of one file: a protocol buffer message is
// limited to 2 GiB.
const maxBytes = 2<<30 - 1<<20

// preprocessingKey is the model metadata entry of a table model whose
// columns are encoded (one-hot categories, imputed gaps) before the
// standardization. The graph has no such step yet, so such a model is
// refused rather than exported with an input contract it does not meet.
const preprocessingKey = nn.PreprocessingKey

// Options are what an export records about where the model came from.
type Options struct {
	// Name is the run's name (its directory's base name): the model's
	// doc_string and graph name.
	Name string
	// Version is the version of mlptui that exports (producer_version).
	Version string
}

// Build returns the ONNX model of m.
func Build(m *nn.Model, opt Options) (*onnxpb.ModelProto, error) {
	if err := m.Validate(); err != nil {
		return nil, err
	}
	if m.Whiten != nil {
		return nil, fmt.Errorf("%s whitening: no ONNX export yet (the model file's %s and %s tensors hold it)", m.Whiten.Method, nn.WhitenMeanTensor, nn.WhitenMatrixTensor)
	}
	medians, err := numericPipeline(m)
	if err != nil {
		return nil, err
	}
	if n := 4 * len(m.Net.Params); n > maxBytes {
		return nil, fmt.Errorf("the model's %d MB of weights exceed the 2 GiB one ONNX file holds", n>>20)
	}
	b := &builder{g: &onnxpb.GraphProto{Name: proto.String(graphName(opt.Name))}, x: InputName}
	b.g.Input = []*onnxpb.ValueInfoProto{tensorInfo(InputName, inputDims(m))}
	if medians != nil {
		impute(b, medians)
	}
	standardize(b, m)
	steps, err := layerSteps(m.Net)
	if err != nil {
		return nil, err
	}
	for _, step := range steps {
		step(b)
	}
	softmax(b)
	b.g.Output = []*onnxpb.ValueInfoProto{tensorInfo(OutputName, []dim{{param: "N"}, {value: int64(m.Net.Arch.Classes)}})}

	meta, err := metadata(m, opt, medians != nil)
	if err != nil {
		return nil, err
	}
	return &onnxpb.ModelProto{
		IrVersion:       proto.Int64(IRVersion),
		OpsetImport:     []*onnxpb.OperatorSetIdProto{{Domain: proto.String(""), Version: proto.Int64(Opset)}},
		ProducerName:    proto.String("mlptui"),
		ProducerVersion: proto.String(opt.Version),
		ModelVersion:    proto.Int64(1),
		DocString:       proto.String(opt.Name),
		Graph:           b.g,
		MetadataProps:   meta,
	}, nil
}

// Marshal returns the ONNX file of m.
func Marshal(m *nn.Model, opt Options) ([]byte, error) {
	mp, err := Build(m, opt)
	if err != nil {
		return nil, err
	}
	return proto.MarshalOptions{Deterministic: true}.Marshal(mp)
}

// WriteFile writes the ONNX file of m to path atomically: a failure leaves
// whatever was at path as it was, never a partial file. Errors name path.
func WriteFile(path string, m *nn.Model, opt Options) error {
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return fmt.Errorf("%s: is a directory; want a file name, like %s", path, filepath.Join(path, FileName))
	}
	data, err := Marshal(m, opt)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := w.Write(data)
		return err
	})
}

func graphName(run string) string {
	if run == "" {
		return "mlptui"
	}
	return run
}

// metadata returns the model's metadata_props, sorted by key.
func metadata(m *nn.Model, opt Options, missing bool) ([]*onnxpb.StringStringEntryProto, error) {
	classes, err := json.Marshal(m.Classes)
	if err != nil {
		return nil, err
	}
	shape, _ := json.Marshal(m.InputShape)
	kv := [][2]string{
		{"classes", string(classes)},
		{"input_shape", string(shape)},
		{"input", inputText(m, missing)},
		{"mlptui_version", opt.Version},
		{"output", fmt.Sprintf("%s: float32 [N, %d], the class probabilities in the order of classes", OutputName, len(m.Classes))},
	}
	if isImage(m) {
		kv = append(kv, [2]string{"resize", ResizeRule})
	}
	if d := m.Info["dataset"]; d != "" {
		kv = append(kv, [2]string{"dataset", d})
	}
	out := make([]*onnxpb.StringStringEntryProto, 0, len(kv))
	for _, p := range kv {
		out = append(out, &onnxpb.StringStringEntryProto{Key: proto.String(p[0]), Value: proto.String(p[1])})
	}
	return out, nil
}

func isImage(m *nn.Model) bool { return len(m.InputShape) == 3 }

// inputText describes the input tensor for the metadata.
func inputText(m *nn.Model, missing bool) string {
	if isImage(m) {
		c, h, w := m.InputShape[0], m.InputShape[1], m.InputShape[2]
		return fmt.Sprintf("%s: float32 [N, %d, %d, %d], channel-first RGB planes of raw pixel values 0-255 (not scaled, not standardized: the graph does that), rows top to bottom, resized to %dx%d by the resize rule; feed decoded pixels, decoders differ", InputName, c, h, w, w, h)
	}
	nan := ""
	if missing {
		nan = "; NaN for a missing value, which becomes the training part's median"
	}
	return fmt.Sprintf("%s: float32 [N, %d], the feature values of a table row as in the training file, in its column order without the label column (not standardized: the graph does that)%s", InputName, m.InputShape[0], nan)
}

// numericPipeline returns, for a table model whose columns were encoded
// by a tabular pipeline, each column's median (what a missing value
// becomes), or nil for a model without one. Only pipelines of number
// columns (no categories, ignored columns or missing indicators) have an
// ONNX export yet; others are refused, not exported under a contract
// they do not meet.
func numericPipeline(m *nn.Model) ([]float32, error) {
	s, ok := m.Info[preprocessingKey]
	if !ok {
		return nil, nil
	}
	p, err := tabular.Unmarshal(s)
	if err != nil {
		return nil, fmt.Errorf("metadata %q: %v", preprocessingKey, err)
	}
	var med []float32
	for _, c := range p.Columns {
		if c.Kind != tabular.Number || c.Indicator {
			return nil, fmt.Errorf("column %d %q is %s%s: only tables of number columns have an ONNX export yet (one-hot categories, ignored columns and missing indicators do not)", c.Index+1, c.Name, c.Kind, map[bool]string{true: " with a missing indicator"}[c.Indicator])
		}
		med = append(med, float32(c.Median))
	}
	if len(med) != m.Net.Arch.Inputs {
		return nil, fmt.Errorf("the preprocessing encodes %d features, the network takes %d", len(med), m.Net.Arch.Inputs)
	}
	return med, nil
}

// impute adds x = IsNaN(x) ? median : x, per column, as the table
// pipeline fills a missing value.
func impute(b *builder, medians []float32) {
	med := b.initializer("impute.median", []int64{int64(len(medians))}, medians)
	x := b.x
	b.apply("IsNaN", nil)
	b.n++
	out := fmt.Sprintf("Where_%d", b.n)
	b.g.Node = append(b.g.Node, &onnxpb.NodeProto{
		OpType: proto.String("Where"), Name: proto.String(out),
		Input: []string{b.x, med, x}, Output: []string{out},
	})
	b.x = out
}

// inputDims is the input tensor's shape: a free batch size, then the
// model's input shape.
func inputDims(m *nn.Model) []dim {
	d := []dim{{param: "N"}}
	for _, s := range m.InputShape {
		d = append(d, dim{value: int64(s)})
	}
	return d
}

// builder appends nodes to a graph; x names the value the last node made.
type builder struct {
	g *onnxpb.GraphProto
	x string
	n int
}

// apply adds a node of the given operator on the current value and the
// given extra inputs, and makes its output the current value.
func (b *builder) apply(op string, inputs []string, attrs ...*onnxpb.AttributeProto) {
	b.n++
	out := fmt.Sprintf("%s_%d", op, b.n)
	b.g.Node = append(b.g.Node, &onnxpb.NodeProto{
		OpType:    proto.String(op),
		Name:      proto.String(out),
		Input:     append([]string{b.x}, inputs...),
		Output:    []string{out},
		Attribute: attrs,
	})
	b.x = out
}

// initializer adds a float32 constant and returns its name.
func (b *builder) initializer(name string, dims []int64, data []float32) string {
	raw := make([]byte, 4*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
	}
	b.g.Initializer = append(b.g.Initializer, &onnxpb.TensorProto{
		Name:     proto.String(name),
		Dims:     dims,
		DataType: proto.Int32(int32(onnxpb.TensorProto_FLOAT)),
		RawData:  raw,
	})
	return name
}

// standardize adds x' = (x - mean) · (1/std), per feature for a table, per
// colour channel for an image (then flattened channel-major), exactly as
// datasets.Dataset.Batch computes it in float32.
func standardize(b *builder, m *nn.Model) {
	inv := make([]float32, len(m.Std))
	for c, s := range m.Std {
		inv[c] = 1 / s
	}
	dims := []int64{int64(len(m.Mean))}
	if isImage(m) {
		dims = []int64{1, int64(len(m.Mean)), 1, 1}
	}
	b.apply("Sub", []string{b.initializer("norm.mean", dims, m.Mean)})
	b.apply("Mul", []string{b.initializer("norm.inv_std", dims, inv)})
	if isImage(m) {
		b.apply("Flatten", nil, intAttr("axis", 1))
	}
}

// layerSteps returns the graph steps of the network's layers, in order,
// or an error naming a layer kind the exporter does not know.
func layerSteps(net *nn.MLP) ([]func(*builder), error) {
	var steps []func(*builder)
	a := net.Arch
	if (a.Norm != "" && a.Norm != nn.NoNorm) || (a.Block != "" && a.Block != nn.PlainBlock) {
		return nil, fmt.Errorf("norm %q, block %q: only plain networks without norms have an ONNX export yet", a.Norm, a.Block)
	}
	act, ok := activations[a.Activation]
	if !ok && len(net.Layers) > 1 {
		return nil, fmt.Errorf("activation %q has no ONNX export yet", a.Activation)
	}
	for i, d := range net.Layers {
		steps = append(steps, func(b *builder) { dense(b, i, d) })
		if i < len(net.Layers)-1 {
			steps = append(steps, func(b *builder) { act(b, net.Arch) })
		}
	}
	return steps, nil
}

// dense adds a fully connected layer: Gemm(x, W [in, out], b [out]).
func dense(b *builder, i int, d *nn.Dense) {
	w := b.initializer(fmt.Sprintf("dense.%d.weight", i), []int64{int64(d.In), int64(d.Out)}, d.W.Data)
	bias := b.initializer(fmt.Sprintf("dense.%d.bias", i), []int64{int64(d.Out)}, d.B)
	b.apply("Gemm", []string{w, bias})
}

// activations add a hidden layer's activation, by nn.Arch.Activation.
var activations = map[string]func(*builder, nn.Arch){
	nn.ReLU: func(b *builder, _ nn.Arch) { b.apply("Relu", nil) },
	nn.LeakyReLU: func(b *builder, a nn.Arch) {
		b.apply("LeakyRelu", nil, floatAttr("alpha", a.NegativeSlope()))
	},
}

// softmax adds the last step, Softmax over the classes, named as the
// graph's output.
func softmax(b *builder) {
	b.apply("Softmax", nil, intAttr("axis", 1))
	b.g.Node[len(b.g.Node)-1].Output[0] = OutputName
	b.x = OutputName
}

func intAttr(name string, v int64) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: onnxpb.AttributeProto_INT.Enum(), I: proto.Int64(v)}
}

func floatAttr(name string, v float32) *onnxpb.AttributeProto {
	return &onnxpb.AttributeProto{Name: proto.String(name), Type: onnxpb.AttributeProto_FLOAT.Enum(), F: proto.Float32(v)}
}

// dim is one dimension of a tensor's shape: a number, or a named free
// size.
type dim struct {
	value int64
	param string
}

func tensorInfo(name string, dims []dim) *onnxpb.ValueInfoProto {
	shape := &onnxpb.TensorShapeProto{}
	for _, d := range dims {
		td := &onnxpb.TensorShapeProto_Dimension{}
		if d.param != "" {
			td.Value = &onnxpb.TensorShapeProto_Dimension_DimParam{DimParam: d.param}
		} else {
			td.Value = &onnxpb.TensorShapeProto_Dimension_DimValue{DimValue: d.value}
		}
		shape.Dim = append(shape.Dim, td)
	}
	return &onnxpb.ValueInfoProto{
		Name: proto.String(name),
		Type: &onnxpb.TypeProto{Value: &onnxpb.TypeProto_TensorType{TensorType: &onnxpb.TypeProto_Tensor{
			ElemType: proto.Int32(int32(onnxpb.TensorProto_FLOAT)),
			Shape:    shape,
		}}},
	}
}

// ExportRun writes the ONNX file of a run's model: run is a run directory
// (its model.safetensors is exported) or a model file itself; out is the
// file to write, or "" for [DefaultPath] of the run directory. It returns
// the path written. Errors name the file at fault: a directory without a
// model, a damaged or foreign model file, an output that cannot be written.
func ExportRun(run, out string) (string, error) {
	dir, path := run, filepath.Join(run, trainer.ModelFile)
	st, err := os.Stat(run)
	if err != nil {
		return "", err
	}
	if !st.IsDir() {
		dir, path = filepath.Dir(run), run
	} else if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("%s: no %s in it (not a run directory, or a run that has not saved a model yet)", run, trainer.ModelFile)
	}
	m, err := nn.LoadModel(path)
	if err != nil {
		return "", err
	}
	if out == "" {
		out = DefaultPath(dir)
	}
	name := filepath.Base(filepath.Clean(dir))
	if abs, err := filepath.Abs(dir); err == nil {
		name = filepath.Base(abs)
	}
	return out, WriteFile(out, m, Options{Name: name, Version: trainer.Version})
}
