package onnx

import (
	"encoding/binary"
	"fmt"
	"math"

	"google.golang.org/protobuf/proto"

	"github.com/mlptui/mlptui/export/onnx/onnxpb"
	"github.com/mlptui/mlptui/nn"
)

// builder appends nodes to a graph; x names the value the last node made.
type builder struct {
	g      *onnxpb.GraphProto
	x      string
	n      int
	consts map[string]bool // scalar constants added, by name
}

// node adds a node of the given operator on the given inputs, makes its
// output the current value and returns its name.
func (b *builder) node(op string, inputs []string, attrs ...*onnxpb.AttributeProto) string {
	b.n++
	out := fmt.Sprintf("%s_%d", op, b.n)
	b.g.Node = append(b.g.Node, &onnxpb.NodeProto{
		OpType:    proto.String(op),
		Name:      proto.String(out),
		Input:     inputs,
		Output:    []string{out},
		Attribute: attrs,
	})
	b.x = out
	return out
}

// apply adds a node of the given operator on the current value and the
// given extra inputs, and makes its output the current value.
func (b *builder) apply(op string, extra []string, attrs ...*onnxpb.AttributeProto) string {
	return b.node(op, append([]string{b.x}, extra...), attrs...)
}

// tensor adds an initializer of the given type and raw little-endian
// bytes, and returns its name.
func (b *builder) tensor(name string, typ onnxpb.TensorProto_DataType, dims []int64, raw []byte) string {
	b.g.Initializer = append(b.g.Initializer, &onnxpb.TensorProto{
		Name:     proto.String(name),
		Dims:     dims,
		DataType: proto.Int32(int32(typ)),
		RawData:  raw,
	})
	return name
}

// initializer adds a float32 constant and returns its name.
func (b *builder) initializer(name string, dims []int64, data []float32) string {
	raw := make([]byte, 4*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
	}
	return b.tensor(name, onnxpb.TensorProto_FLOAT, dims, raw)
}

// int64s adds an int64 constant (indices) and returns its name.
func (b *builder) int64s(name string, dims []int64, data []int64) string {
	raw := make([]byte, 8*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint64(raw[8*i:], uint64(v))
	}
	return b.tensor(name, onnxpb.TensorProto_INT64, dims, raw)
}

// bools adds a bool constant (a mask) and returns its name.
func (b *builder) bools(name string, dims []int64, data []bool) string {
	raw := make([]byte, len(data))
	for i, v := range data {
		if v {
			raw[i] = 1
		}
	}
	return b.tensor(name, onnxpb.TensorProto_BOOL, dims, raw)
}

// scalar returns the name of a float32 scalar constant, adding it the
// first time.
func (b *builder) scalar(name string, v float32) string {
	if !b.consts[name] {
		if b.consts == nil {
			b.consts = map[string]bool{}
		}
		b.consts[name] = true
		b.initializer(name, nil, []float32{v})
	}
	return name
}

// A step adds one layer's nodes.
type step func(*builder)

// layerSteps returns the graph steps of the network's layers, in the
// order of its Arch.Graph, or an error naming a layer kind the exporter
// does not know.
func layerSteps(m *nn.Model) ([]step, error) {
	tensors := map[string]nn.Tensor{}
	for _, t := range m.Tensors() {
		tensors[t.Name] = t
	}
	return nodeSteps(m.Net.Arch.Graph(), tensors)
}

// nodeSteps returns the steps of a list of layers (a residual block's
// body among them); the weights come from tensors, by the model file's
// names, which the initializers keep.
func nodeSteps(nodes []nn.Node, tensors map[string]nn.Tensor) ([]step, error) {
	var steps []step
	for _, n := range nodes {
		n := n
		init := func(b *builder, suffix string) string {
			t := tensors[n.Name+suffix]
			dims := make([]int64, len(t.Shape))
			for i, s := range t.Shape {
				dims[i] = int64(s)
			}
			return b.initializer(n.Name+suffix, dims, t.Data)
		}
		var s step
		switch n.Kind {
		case nn.KindDense: // y = x·W + b
			s = func(b *builder) { b.apply("Gemm", []string{init(b, ".weight"), init(b, ".bias")}) }
		case nn.KindReLU:
			s = func(b *builder) { b.apply("Relu", nil) }
		case nn.KindLeakyReLU:
			s = func(b *builder) { b.apply("LeakyRelu", nil, floatAttr("alpha", float32(n.Slope))) }
		case nn.KindGELU:
			s = gelu
		case nn.KindLayerNorm: // over the features, the last axis
			s = func(b *builder) {
				b.apply("LayerNormalization", []string{init(b, ".weight"), init(b, ".bias")},
					intAttr("axis", -1), floatAttr("epsilon", float32(n.Eps)))
			}
		case nn.KindBatchNorm: // inference: the running statistics
			s = func(b *builder) {
				b.apply("BatchNormalization", []string{init(b, ".weight"), init(b, ".bias"), init(b, ".running_mean"), init(b, ".running_var")},
					floatAttr("epsilon", float32(n.Eps)))
			}
		case nn.KindDropout: // the identity at inference: no node
			continue
		case nn.KindResidual:
			body, err := nodeSteps(n.Body, tensors)
			if err != nil {
				return nil, err
			}
			s = func(b *builder) {
				skip := b.x
				for _, st := range body {
					st(b)
				}
				b.node("Add", []string{skip, b.x})
			}
		default:
			return nil, fmt.Errorf("layer kind %q has no ONNX export", n.Kind)
		}
		steps = append(steps, s)
	}
	return steps, nil
}

// gelu adds the exact GELU, x·Φ(x) = x · (1 + erf(x/√2)) / 2, as nn
// computes it (opset 17 has no Gelu operator): Div, Erf, Add, Mul, Mul.
func gelu(b *builder) {
	x := b.x
	b.apply("Div", []string{b.scalar("gelu.sqrt2", math.Sqrt2)})
	b.apply("Erf", nil)
	b.apply("Add", []string{b.scalar("gelu.one", 1)})
	b.apply("Mul", []string{b.scalar("gelu.half", 0.5)})
	b.node("Mul", []string{x, b.x})
}

// standardize adds x' = (x - mean) · (1/std), per feature for a table, per
// colour channel for an image (then flattened channel-major), exactly as
// datasets.Dataset.Batch computes it in float32; then the whitening, if
// the model has one.
func standardize(b *builder, m *nn.Model) {
	inv := make([]float32, len(m.Std))
	for c, s := range m.Std {
		inv[c] = 1 / s
	}
	dims := []int64{int64(len(m.Mean))}
	if isImage(m) {
		dims = []int64{1, int64(len(m.Mean)), 1, 1}
	}
	b.apply("Sub", []string{b.initializer("standardize.mean", dims, m.Mean)})
	b.apply("Mul", []string{b.initializer("standardize.inv_std", dims, inv)})
	if isImage(m) {
		b.apply("Flatten", nil, intAttr("axis", 1))
	}
	if w := m.Whiten; w != nil { // x' = (x - whiten.mean)·whiten.matrix, as nn.Whitening.Apply
		n := int64(w.Features())
		b.apply("Sub", []string{b.initializer(nn.WhitenMeanTensor, []int64{n}, w.Mean)})
		b.apply("MatMul", []string{b.initializer(nn.WhitenMatrixTensor, []int64{n, n}, w.Matrix)})
	}
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
