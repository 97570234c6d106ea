package onnx

import (
	"encoding/binary"
	"math"
	"slices"
	"testing"

	"github.com/mlptui/mlptui/export/onnx/onnxpb"
)

// tensor is a value of the interpreter: data and shape. Bools are 0 and
// 1, int64 indices their float values.
type tensor struct {
	data  []float32
	shape []int
}

// decode reads an initializer of the types the exporter writes.
func decode(t *testing.T, in *onnxpb.TensorProto) tensor {
	t.Helper()
	var s []int
	for _, d := range in.Dims {
		s = append(s, int(d))
	}
	raw := in.RawData
	var data []float32
	switch onnxpb.TensorProto_DataType(in.GetDataType()) {
	case onnxpb.TensorProto_FLOAT:
		data = floats(in)
	case onnxpb.TensorProto_INT64:
		for i := 0; i+8 <= len(raw); i += 8 {
			data = append(data, float32(int64(binary.LittleEndian.Uint64(raw[i:]))))
		}
	case onnxpb.TensorProto_BOOL:
		for _, b := range raw {
			data = append(data, float32(b))
		}
	default:
		t.Fatalf("initializer %s: type %d", in.GetName(), in.GetDataType())
	}
	if len(data) != int(size(in.Dims)) {
		t.Fatalf("initializer %s: %d values for dims %v", in.GetName(), len(data), in.Dims)
	}
	return tensor{data, s}
}

// eval runs a graph of the operators the exporter uses, on one input, by
// their definitions in the ONNX operator documentation (numpy
// broadcasting; Gemm y = A·B + C; Softmax over axis 1; LayerNormalization
// over the last axis; BatchNormalization with the given statistics).
func eval(t *testing.T, g *onnxpb.GraphProto, x []float32, shape []int) []float32 {
	t.Helper()
	vals := map[string]tensor{InputName: {x, shape}}
	for _, in := range g.Initializer {
		vals[in.GetName()] = decode(t, in)
	}
	for _, n := range g.Node {
		var in []tensor
		for _, name := range n.Input {
			v, ok := vals[name]
			if !ok {
				t.Fatalf("%s reads %q, not defined before it", n.GetName(), name)
			}
			in = append(in, v)
		}
		vals[n.Output[0]] = evalNode(t, n, in)
	}
	return vals[OutputName].data
}

// evalNode computes one node.
func evalNode(t *testing.T, n *onnxpb.NodeProto, in []tensor) tensor {
	t.Helper()
	a := in[0]
	switch op := n.GetOpType(); op {
	case "Sub", "Mul", "Add", "Div", "Equal", "Where":
		return elementwise(op, in)
	case "IsNaN", "Erf", "Relu", "LeakyRelu", "Cast":
		alpha := attr(n, "alpha").GetF()
		if op == "Cast" && attr(n, "to").GetI() != int64(onnxpb.TensorProto_FLOAT) {
			t.Fatalf("%s: to %v, want float", n.GetName(), attr(n, "to"))
		}
		out := tensor{make([]float32, len(a.data)), a.shape}
		for i, v := range a.data {
			switch op {
			case "IsNaN":
				v = b2f(v != v)
			case "Erf":
				v = float32(math.Erf(float64(v)))
			case "Relu":
				v = max(v, 0)
			case "LeakyRelu":
				if v < 0 {
					v *= alpha
				}
			}
			out.data[i] = v
		}
		return out
	case "Flatten":
		return tensor{a.data, []int{a.shape[0], len(a.data) / a.shape[0]}}
	case "Gather":
		if attr(n, "axis").GetI() != 1 {
			t.Fatalf("%s: axis %v", n.GetName(), attr(n, "axis"))
		}
		idx, rows, cols := in[1].data, a.shape[0], a.shape[1]
		out := tensor{make([]float32, rows*len(idx)), []int{rows, len(idx)}}
		for r := range rows {
			for j, c := range idx {
				out.data[r*len(idx)+j] = a.data[r*cols+int(c)]
			}
		}
		return out
	case "Gemm":
		return gemm(t, n, a, in[1], in[2])
	case "MatMul":
		return gemm(t, n, a, in[1], tensor{make([]float32, in[1].shape[1]), []int{in[1].shape[1]}})
	case "LayerNormalization", "BatchNormalization":
		return normalize(t, n, in)
	case "Softmax":
		rows, k := a.shape[0], a.shape[1]
		out := tensor{make([]float32, len(a.data)), a.shape}
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
		return out
	}
	t.Fatalf("operator %s not known to the test's interpreter", n.GetOpType())
	return tensor{}
}

func b2f(b bool) float32 {
	if b {
		return 1
	}
	return 0
}

// elementwise computes a broadcasting operator of two inputs (three for
// Where: condition, then, else).
func elementwise(op string, in []tensor) tensor {
	shape := in[0].shape
	for _, v := range in[1:] {
		if len(v.shape) > len(shape) || size64(v.shape) > size64(shape) {
			shape = v.shape
		}
	}
	out := tensor{make([]float32, size64(shape)), shape}
	for i := range out.data {
		x := make([]float32, len(in))
		for k, v := range in {
			x[k] = v.data[broadcastIndex(i, shape, v.shape)]
		}
		switch op {
		case "Sub":
			out.data[i] = x[0] - x[1]
		case "Mul":
			out.data[i] = x[0] * x[1]
		case "Add":
			out.data[i] = x[0] + x[1]
		case "Div":
			out.data[i] = x[0] / x[1]
		case "Equal":
			out.data[i] = b2f(x[0] == x[1])
		case "Where":
			out.data[i] = x[2]
			if x[0] != 0 {
				out.data[i] = x[1]
			}
		}
	}
	return out
}

func size64(s []int) int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

func gemm(t *testing.T, n *onnxpb.NodeProto, a, w, b tensor) tensor {
	t.Helper()
	rows, in, o := a.shape[0], w.shape[0], w.shape[1]
	if a.shape[1] != in || len(b.data) != o {
		t.Fatalf("%s: input %v, weights %v, bias %v", n.GetName(), a.shape, w.shape, b.shape)
	}
	out := tensor{make([]float32, rows*o), []int{rows, o}}
	for r := range rows {
		for j := range o {
			var s float64
			for k := range in {
				s += float64(a.data[r*in+k]) * float64(w.data[k*o+j])
			}
			out.data[r*o+j] = float32(s) + b.data[j]
		}
	}
	return out
}

// normalize computes LayerNormalization (over each row, with the row's
// mean and variance) or BatchNormalization (each column with the given
// mean and variance): (x - μ)/sqrt(σ² + ε)·scale + bias.
func normalize(t *testing.T, n *onnxpb.NodeProto, in []tensor) tensor {
	t.Helper()
	a, scale, bias := in[0], in[1].data, in[2].data
	eps := float64(attr(n, "epsilon").GetF())
	rows, k := a.shape[0], a.shape[1]
	if len(a.shape) != 2 || len(scale) != k || len(bias) != k {
		t.Fatalf("%s: input %v, scale %v, bias %v", n.GetName(), a.shape, in[1].shape, in[2].shape)
	}
	out := tensor{make([]float32, len(a.data)), a.shape}
	for r := range rows {
		row := a.data[r*k : (r+1)*k]
		var mu, v2 float64
		for _, v := range row {
			mu += float64(v)
		}
		mu /= float64(k)
		for _, v := range row {
			v2 += (float64(v) - mu) * (float64(v) - mu)
		}
		v2 /= float64(k)
		for c, v := range row {
			m, vr := mu, v2
			if n.GetOpType() == "BatchNormalization" {
				m, vr = float64(in[3].data[c]), float64(in[4].data[c])
			}
			out.data[r*k+c] = float32((float64(v)-m)/math.Sqrt(vr+eps)*float64(scale[c]) + float64(bias[c]))
		}
	}
	return out
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
