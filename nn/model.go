package nn

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
)

// Model file format: a safetensors file whose tensors are, for each Dense
// layer i, "dense.<i>.weight" [in, out] and "dense.<i>.bias" [out]
// (y = x·W + b), for each norm i "norm.<i>.weight" (gain) and
// "norm.<i>.bias" [width], and for a BatchNorm also "norm.<i>.running_mean"
// and "norm.<i>.running_var" [width] (Arch.Graph lists the layers and
// names them), and whose metadata holds, as strings:
//
//	format          "mlptui.model"
//	format_version  "1" for a plain ReLU or leaky-ReLU network without
//	                norms and without preprocessing (what version 1 could
//	                hold), else "2"
//	arch            JSON of Arch: inputs, hidden, classes, activation, leaky_slope,
//	                and from version 2 norm, block, expansion
//	classes         JSON list of class names, in label order
//	input_shape     JSON list: [features] or [channels, height, width]
//	normalization   JSON {"mean": [...], "std": [...]}, one per channel
//	whitening       optional, from version 2: see WhiteningKey (the
//	                tensors whiten.mean and whiten.matrix)
//
// plus any extra entries of Model.Info. Version 2 adds the norm, block and
// expansion of arch and the activation gelu, and the optional entry
// "preprocessing" (a table model's column encoding, applied before the
// normalization; see package datasets/tabular), so that a reader of
// version 1, which would build another network or feed raw numbers to
// such a model, refuses it; a model that needs neither is still written
// as version 1.
const (
	ModelFormat  = "mlptui.model"
	ModelVersion = 2
	// PreprocessingKey is the metadata entry of a table model's column
	// encoding; it makes a file version 2.
	PreprocessingKey = "preprocessing"
)

// Model is a trained network with what it takes to use it on new input:
// the class names, the input shape and the normalization of the training
// data.
type Model struct {
	Net        *MLP
	Classes    []string
	InputShape []int
	Mean, Std  []float32
	// Whiten, if not nil, maps the normalized input before the network
	// (ZCA whitening).
	Whiten *Whitening
	// Info holds extra metadata: data set, mlptui version, and so on.
	Info map[string]string
}

// Validate checks that the parts of m agree with each other.
func (m *Model) Validate() error {
	a := m.Net.Arch
	if len(m.Classes) != a.Classes {
		return fmt.Errorf("%d class names for %d outputs", len(m.Classes), a.Classes)
	}
	if n := shapeSize(m.InputShape); len(m.InputShape) == 0 || n != a.Inputs {
		return fmt.Errorf("input shape %v does not give the %d inputs of %s", m.InputShape, a.Inputs, a)
	}
	ch := a.Inputs
	if len(m.InputShape) == 3 {
		ch = m.InputShape[0]
	}
	if len(m.Mean) != ch || len(m.Std) != ch {
		return fmt.Errorf("normalization has %d means and %d deviations for %d channels", len(m.Mean), len(m.Std), ch)
	}
	for c, s := range m.Std {
		if !(s > 0) || CheckFinite([]float32{m.Mean[c], s}) != nil {
			return fmt.Errorf("normalization channel %d: mean %v, std %v", c, m.Mean[c], s)
		}
	}
	if m.Whiten != nil {
		return m.Whiten.Validate(a.Inputs)
	}
	return nil
}

// Tensors returns the model's weights and buffers as named tensors
// viewing Net.Params and Net.Buffers, in Arch.Graph's order, and then the
// whitening's, if any.
func (m *Model) Tensors() []Tensor {
	ts := m.Net.Tensors()
	if m.Whiten != nil {
		ts = append(ts, m.Whiten.tensors()...)
	}
	return ts
}

// Tensors returns the network's weights and buffers as named tensors
// viewing Params and Buffers, in Arch.Graph's order.
func (m *MLP) Tensors() []Tensor {
	return append([]Tensor(nil), m.tensors...)
}

// Metadata returns the model's safetensors metadata.
func (m *Model) Metadata() map[string]string {
	meta := map[string]string{}
	for k, v := range m.Info {
		meta[k] = v
	}
	meta["format"] = ModelFormat
	v := ModelVersion
	if _, pre := m.Info[PreprocessingKey]; m.Net.Arch.isV1() && !pre && m.Whiten == nil {
		v = 1 // readable by every mlptui
	}
	meta["format_version"] = strconv.Itoa(v)
	meta["arch"] = mustJSON(m.Net.Arch)
	meta["classes"] = mustJSON(m.Classes)
	meta["input_shape"] = mustJSON(m.InputShape)
	meta["normalization"] = mustJSON(struct {
		Mean []float32 `json:"mean"`
		Std  []float32 `json:"std"`
	}{m.Mean, m.Std})
	delete(meta, WhiteningKey)
	if m.Whiten != nil {
		meta[WhiteningKey] = m.Whiten.metadata()
	}
	return meta
}

// SaveModel writes m to path atomically.
func SaveModel(path string, m *Model) error {
	if err := m.Validate(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return SaveSafetensors(path, m.Tensors(), m.Metadata())
}

// LoadModel reads a model file. Every error names the file and says what is
// wrong: not safetensors, damaged, a checkpoint or a foreign file rather
// than a model, a newer format version, or weights that do not fit the
// architecture.
func LoadModel(path string) (*Model, error) {
	ts, meta, err := LoadSafetensors(path)
	if err != nil {
		return nil, err
	}
	m, err := ModelFromTensors(ts, meta, ModelFormat)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return m, nil
}

// ModelFromTensors builds a model from a safetensors file's content whose
// metadata must say the given format ("mlptui.model", or the checkpoint
// format, which carries a model too).
func ModelFromTensors(ts map[string]Tensor, meta map[string]string, format string) (*Model, error) {
	switch f := meta["format"]; {
	case f == "":
		return nil, fmt.Errorf("not an mlptui file: no %q in its metadata", "format")
	case f != format:
		return nil, fmt.Errorf("holds a %s, not a %s", printable(f), format)
	}
	v, err := strconv.Atoi(meta["format_version"])
	if err != nil || v < 1 {
		return nil, fmt.Errorf("bad format_version %q", meta["format_version"])
	}
	if v > ModelVersion {
		return nil, fmt.Errorf("format version %d is newer than this mlptui reads (%d); upgrade mlptui", v, ModelVersion)
	}
	for _, key := range []string{PreprocessingKey, WhiteningKey} {
		if _, ok := meta[key]; v < 2 && ok {
			return nil, fmt.Errorf("format version %d with %q in its metadata, which needs version 2", v, key)
		}
	}
	m := &Model{Info: map[string]string{}}
	var arch Arch
	var norm struct {
		Mean []float32 `json:"mean"`
		Std  []float32 `json:"std"`
	}
	for key, dst := range map[string]any{"arch": &arch, "classes": &m.Classes, "input_shape": &m.InputShape, "normalization": &norm} {
		s, ok := meta[key]
		if !ok {
			return nil, fmt.Errorf("metadata lacks %q", key)
		}
		if err := json.Unmarshal([]byte(s), dst); err != nil {
			return nil, fmt.Errorf("metadata %q: %v", key, err)
		}
	}
	m.Mean, m.Std = norm.Mean, norm.Std
	if err := arch.Validate(); err != nil {
		return nil, fmt.Errorf("architecture: %w", err)
	}
	// Check the tensors against the architecture before allocating the
	// network: metadata claiming a huge network over small tensors must
	// not cost memory.
	if v == 1 && !arch.isV1() {
		return nil, fmt.Errorf("format version 1 cannot hold architecture %s", arch)
	}
	for _, w := range arch.tensorSpecs() {
		t, ok := ts[w.Name]
		if !ok {
			return nil, fmt.Errorf("architecture %s needs tensor %q, which is missing", arch, w.Name)
		}
		if !slices.Equal(t.Shape, w.Shape) || len(t.Data) != shapeSize(w.Shape) {
			return nil, fmt.Errorf("tensor %q has shape %v, architecture %s needs %v", w.Name, t.Shape, arch, w.Shape)
		}
	}
	if m.Net, err = NewZero(arch); err != nil {
		return nil, err
	}
	for _, w := range m.Net.Tensors() {
		copy(w.Data, ts[w.Name].Data)
	}
	if s, ok := meta[WhiteningKey]; ok {
		if m.Whiten, err = whiteningFrom(s, ts, arch.Inputs); err != nil {
			return nil, err
		}
	}
	if CheckFinite(m.Net.Params) != nil || CheckFinite(m.Net.Buffers) != nil {
		return nil, fmt.Errorf("weights hold NaN or infinite values")
	}
	for k, v := range meta {
		switch k {
		case "format", "format_version", "arch", "classes", "input_shape", "normalization", WhiteningKey:
		default:
			m.Info[k] = v
		}
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return m, nil
}

// printable returns a name read from a file as it is if it is a short
// run of printable ASCII without spaces, else quoted and cut to 64 bytes,
// so that an error message stays one readable line.
func printable(s string) string {
	if len(s) <= 64 && s != "" {
		plain := true
		for i := 0; i < len(s); i++ {
			plain = plain && s[i] > ' ' && s[i] < 0x7f
		}
		if plain {
			return s
		}
	}
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return strconv.Quote(s)
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only plain data is marshalled here
	}
	return string(b)
}
