// Package onnx exports a trained mlptui model as an ONNX model that holds
// the whole path from raw input to class probabilities, so that ONNX
// Runtime (in browsers, Node, C#, Java, on phones) or any other ONNX
// client computes what `mlptui classify` does.
//
// The graph, for every layer kind of nn.Arch.Graph:
//
//	input  float32 [N, features] (a table row, in the training columns' order)
//	       or      [N, columns]  (a table model with preprocessing: one value
//	                              per column, see the contract in table.go)
//	       or      [N, 3, H, W]  (an image: RGB planes, raw pixel values 0-255,
//	                              already resized to H×W)
//	IsNaN, Where, Gather, Equal, Cast   (tables with preprocessing) the
//	                              gaps filled, categories one-hot encoded,
//	                              missing indicators, as tabular.Encoder does
//	Sub    mean, Mul 1/std        the training data's standardization, per
//	                              feature or per colour channel ([1, C, 1, 1])
//	Flatten axis 1                (images only) [N, 3·H·W], channel-major
//	Sub whiten.mean, MatMul       (with --whiten zca) the whitening map
//	  whiten.matrix [n, n]        x' = (x - mean)·W, saved with the model
//	Gemm   W [in, out], b [out]   a Dense layer (y = x·W + b)
//	Relu | LeakyRelu(alpha)       activations; GELU, exact, as
//	  | Div, Erf, Add, Mul, Mul   x·(1 + erf(x/√2))/2 (opset 17 has no Gelu)
//	LayerNormalization(axis -1)   layer norm, ε 1e-5
//	BatchNormalization            batch norm at inference: its running
//	                              mean and variance (training_mode 0)
//	Add                           a residual block: x + body(x)
//	                              (dropout is the identity: no node)
//	Softmax axis 1 -> probabilities float32 [N, classes]
//
// Initializers keep the model file's tensor names (dense.0.weight,
// norm.1.running_var ...). The model's metadata_props hold the class
// names, the input shape and layout, the resize rule for images, a table's
// columns and the mlptui version; doc_string holds the run's name. Every
// layer is one small function of a builder (see [nodeSteps]): a new layer
// kind is one more case.
//
// The protocol buffers are written with google.golang.org/protobuf through
// the types that package onnxpb generates from ONNX's own onnx.proto.
package onnx

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
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
	p, err := pipelineOf(m)
	if err != nil {
		return nil, err
	}
	n := 4 * (len(m.Net.Params) + len(m.Net.Buffers))
	if m.Whiten != nil {
		n += 4 * (len(m.Whiten.Mean) + len(m.Whiten.Matrix))
	}
	if n > maxBytes {
		return nil, fmt.Errorf("the model's %d MB of weights exceed the 2 GiB one ONNX file holds", n>>20)
	}
	steps, err := layerSteps(m)
	if err != nil {
		return nil, err
	}
	b := &builder{g: &onnxpb.GraphProto{Name: proto.String(graphName(opt.Name))}, x: InputName}
	b.g.Input = []*onnxpb.ValueInfoProto{tensorInfo(InputName, inputDims(m, p))}
	if p != nil {
		encodeColumns(b, p)
	}
	standardize(b, m)
	for _, s := range steps {
		s(b)
	}
	softmax(b)
	b.g.Output = []*onnxpb.ValueInfoProto{tensorInfo(OutputName, []dim{{param: "N"}, {value: int64(m.Net.Arch.Classes)}})}

	meta, err := metadata(m, opt, p)
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

// metadata returns the model's metadata_props.
func metadata(m *nn.Model, opt Options, p *tabular.Pipeline) ([]*onnxpb.StringStringEntryProto, error) {
	classes, err := json.Marshal(m.Classes)
	if err != nil {
		return nil, err
	}
	var in []int
	for _, d := range inputDims(m, p)[1:] {
		in = append(in, int(d.value))
	}
	shape, _ := json.Marshal(in)
	kv := [][2]string{
		{"classes", string(classes)},
		{"input_shape", string(shape)},
		{"input", inputText(m, p)},
		{"mlptui_version", opt.Version},
		{"output", fmt.Sprintf("%s: float32 [N, %d], the class probabilities in the order of classes", OutputName, len(m.Classes))},
	}
	if isImage(m) {
		kv = append(kv, [2]string{"resize", ResizeRule})
	}
	if p != nil {
		kv = append(kv, tableMetadata(p)...)
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
func inputText(m *nn.Model, p *tabular.Pipeline) string {
	if isImage(m) {
		c, h, w := m.InputShape[0], m.InputShape[1], m.InputShape[2]
		return fmt.Sprintf("%s: float32 [N, %d, %d, %d], channel-first RGB planes of raw pixel values 0-255 (not scaled, not standardized: the graph does that), rows top to bottom, resized to %dx%d by the resize rule; feed decoded pixels, decoders differ", InputName, c, h, w, w, h)
	}
	if p != nil {
		return fmt.Sprintf("%s: float32 [N, %d], one value per column of the table but the label, in the table's order (see columns): a number column its value, a category column the index of its value in that column's categories (0, 1, ...; -1 for one training did not see), an ignored column anything; NaN for a missing cell (one of missing_values, or empty), which the graph fills as training did; not standardized, not one-hot encoded: the graph does that", InputName, len(p.Columns))
	}
	return fmt.Sprintf("%s: float32 [N, %d], the feature values of a table row as in the training file, in its column order without the label column (not standardized: the graph does that)", InputName, m.InputShape[0])
}

// inputDims is the input tensor's shape: a free batch size, then the
// model's input shape, or for a table model with a pipeline the number of
// its columns.
func inputDims(m *nn.Model, p *tabular.Pipeline) []dim {
	d := []dim{{param: "N"}}
	if p != nil {
		return append(d, dim{value: int64(len(p.Columns))})
	}
	for _, s := range m.InputShape {
		d = append(d, dim{value: int64(s)})
	}
	return d
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
