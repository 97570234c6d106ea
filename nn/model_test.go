package nn

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func testModel(t *testing.T) *Model {
	t.Helper()
	net, err := New(Arch{Inputs: 4, Hidden: []int{10, 6}, Classes: 3, Activation: LeakyReLU, LeakySlope: 0.05}, 3)
	if err != nil {
		t.Fatal(err)
	}
	for i := range net.Params { // non-zero biases too
		net.Params[i] += float32(i%7) * 0.01
	}
	return &Model{
		Net: net, Classes: []string{"a", "b", "c"}, InputShape: []int{4},
		Mean: []float32{1, 2, 3, 4}, Std: []float32{0.5, 1, 1.5, 2},
		Info: map[string]string{"dataset": "test"},
	}
}

func TestModelRoundTrip(t *testing.T) {
	m := testModel(t)
	path := filepath.Join(t.TempDir(), "model.safetensors")
	if err := SaveModel(path, m); err != nil {
		t.Fatal(err)
	}
	got, err := LoadModel(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Net.Arch.String() != m.Net.Arch.String() || got.Net.Arch.Activation != LeakyReLU || got.Net.Arch.LeakySlope != 0.05 {
		t.Errorf("arch %+v, want %+v", got.Net.Arch, m.Net.Arch)
	}
	if !slices.Equal(got.Net.Params, m.Net.Params) {
		t.Errorf("parameters differ after the round trip")
	}
	if !slices.Equal(got.Classes, m.Classes) || !slices.Equal(got.InputShape, m.InputShape) ||
		!slices.Equal(got.Mean, m.Mean) || !slices.Equal(got.Std, m.Std) || got.Info["dataset"] != "test" {
		t.Errorf("metadata differs: %+v", got)
	}
	// The same input gives the same probabilities.
	x := FromSlice(1, 4, []float32{0.1, -0.2, 0.3, 0.4})
	if !slices.Equal(got.Net.Predict(x).Data, m.Net.Predict(x).Data) {
		t.Errorf("predictions differ after the round trip")
	}
}

// TestSafetensorsLayout checks the bytes against the format description:
// header length, JSON header padded to 8, offsets into the data.
func TestSafetensorsLayout(t *testing.T) {
	var buf bytes.Buffer
	err := WriteSafetensors(&buf, []Tensor{
		{Name: "w", Shape: []int{2, 2}, Data: []float32{1, 2, 3, 4}},
		{Name: "b", Shape: []int{1}, Data: []float32{-1.5}},
	}, map[string]string{"k": "v"})
	if err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	n := binary.LittleEndian.Uint64(b)
	if n%8 != 0 || int(8+n+20) != len(b) {
		t.Fatalf("header length %d, file %d bytes", n, len(b))
	}
	h := string(b[8 : 8+n])
	for _, want := range []string{`"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}`, `"b":{"dtype":"F32","shape":[1],"data_offsets":[16,20]}`, `"k":"v"`} {
		if !strings.Contains(h, want) {
			t.Errorf("header %s lacks %s", h, want)
		}
	}
	if got := binary.LittleEndian.Uint32(b[8+n+16:]); got != 0xbfc00000 { // -1.5
		t.Errorf("bias bytes %#x", got)
	}
}

func TestModelFileRefused(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.safetensors")
	if err := SaveModel(good, testModel(t)); err != nil {
		t.Fatal(err)
	}
	goodBytes, _ := os.ReadFile(good)
	n := binary.LittleEndian.Uint64(goodBytes)

	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	withMeta := func(name string, edit func(meta map[string]string)) string {
		m := testModel(t)
		meta := m.Metadata()
		edit(meta)
		var buf bytes.Buffer
		if err := WriteSafetensors(&buf, m.Tensors(), meta); err != nil {
			t.Fatal(err)
		}
		return write(name, buf.Bytes())
	}
	damaged := slices.Clone(goodBytes)
	damaged[len(damaged)-3] ^= 0x40
	damagedMeta := slices.Clone(goodBytes)
	i := bytes.Index(damagedMeta, []byte(`\"a\"`))
	damagedMeta[i+2] = 'x' // class "a" becomes "x"
	huge := slices.Clone(goodBytes)
	binary.LittleEndian.PutUint64(huge, 1<<40)
	other := testModel(t)
	other.Net, _ = New(Arch{Inputs: 4, Hidden: []int{10}, Classes: 3, Activation: ReLU}, 1)
	var otherBuf bytes.Buffer
	meta := testModel(t).Metadata() // claims 4-10-6-3 but holds 4-10-3's tensors
	WriteSafetensors(&otherBuf, other.Tensors(), meta)

	cases := []struct {
		name, path, want string
	}{
		{"missing", filepath.Join(dir, "nope"), "no such file"},
		{"empty", write("empty", nil), "not a safetensors file"},
		{"text", write("text", []byte("hello, this is not a model at all\n")), "not a safetensors file"},
		{"truncated", write("truncated", goodBytes[:len(goodBytes)-10]), "truncated: tensor"},
		{"header too long", write("huge", huge), "header length 1099511627776"},
		{"damaged weight byte", write("damaged", damaged), "checksum mismatch"},
		{"damaged metadata", write("damagedmeta", damagedMeta), "checksum mismatch"},
		{"cut header", write("cut", goodBytes[:8+n/2]), "not a safetensors file"},
		{"foreign", withMeta("foreign", func(m map[string]string) { delete(m, "format") }), "not an mlptui file"},
		{"checkpoint", withMeta("ckpt", func(m map[string]string) { m["format"] = "mlptui.checkpoint" }), "holds a mlptui.checkpoint, not a mlptui.model"},
		{"newer", withMeta("newer", func(m map[string]string) { m["format_version"] = "3" }), "format version 3 is newer"},
		{"v1 claims a norm", withMeta("v1norm", func(m map[string]string) {
			m["arch"] = `{"inputs":4,"hidden":[10,6],"classes":3,"activation":"leaky-relu","norm":"layer"}`
		}), "format version 1 cannot hold"},
		{"v1 with preprocessing", withMeta("v1pre", func(m map[string]string) { m[PreprocessingKey] = `{}` }), "needs version 2"},
		{"bad arch", withMeta("badarch", func(m map[string]string) { m["arch"] = `{"inputs":4,"hidden":[-1],"classes":3,"activation":"relu"}` }), "hidden layer 1 has -1 units"},
		{"other arch", write("other", otherBuf.Bytes()), `"dense.1.weight" has shape [10 3], architecture 4-10-6-3 needs [10 6]`},
		{"class count", withMeta("classes", func(m map[string]string) { m["classes"] = `["a","b"]` }), "2 class names for 3 outputs"},
		{"input shape", withMeta("shape", func(m map[string]string) { m["input_shape"] = `[3,32,32]` }), "input shape [3 32 32]"},
		{"zero std", withMeta("std", func(m map[string]string) { m["normalization"] = `{"mean":[0,0,0,0],"std":[1,0,1,1]}` }), "normalization channel 1"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := LoadModel(c.path)
			if err == nil {
				t.Fatalf("loaded")
			}
			if !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), filepath.Base(c.path)) {
				t.Errorf("error %q, want one naming %s and saying %q", err, filepath.Base(c.path), c.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
	if _, err := LoadModel(filepath.Join(dir, "damaged")); !errors.Is(err, ErrChecksum) {
		t.Errorf("damaged file: %v, want ErrChecksum", err)
	}
}

func FuzzReadSafetensors(f *testing.F) {
	var buf bytes.Buffer
	WriteSafetensors(&buf, []Tensor{{Name: "w", Shape: []int{2, 3}, Data: []float32{1, 2, 3, 4, 5, 6}}}, map[string]string{"format": ModelFormat})
	f.Add(buf.Bytes())
	f.Add([]byte{})
	f.Add([]byte("\x10\x00\x00\x00\x00\x00\x00\x00{}              "))
	f.Fuzz(func(t *testing.T, b []byte) {
		ts, _, err := ReadSafetensors(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error of more than one line: %q", err)
			}
			return
		}
		total := 0
		for _, t := range ts {
			total += 4 * len(t.Data)
		}
		if total > len(b) {
			t.Fatalf("read %d data bytes from a %d-byte input", total, len(b))
		}
	})
}

// allocated returns the bytes f allocates (all goroutines count, so the
// bound checked against it must leave room for noise).
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestHugeClaimsRefusedBeforeAllocating gives files whose headers claim
// 10^12 bytes, in the header length, in one tensor of a file that really
// is that large (sparse), and in metadata naming a network far larger than
// its tensors. Each must be refused having allocated little.
func TestHugeClaimsRefusedBeforeAllocating(t *testing.T) {
	const tera = 1_000_000_000_000
	const budget = 8 << 20
	header := func(h string) []byte {
		for len(h)%8 != 0 {
			h += " "
		}
		b := binary.LittleEndian.AppendUint64(nil, uint64(len(h)))
		return append(b, h...)
	}

	t.Run("header length", func(t *testing.T) {
		b := binary.LittleEndian.AppendUint64(nil, tera)
		b = append(b, "{}"...)
		var err error
		// The stream claims to be big enough for the header.
		if n := allocated(func() { _, _, err = ReadSafetensors(bytes.NewReader(b), 2*tera) }); n > budget {
			t.Errorf("allocated %d bytes", n)
		}
		if err == nil || !strings.Contains(err.Error(), "header length 1000000000000") {
			t.Errorf("error %v, want one naming the header length", err)
		}
	})

	t.Run("tensor in a sparse file", func(t *testing.T) {
		h := header(fmt.Sprintf(`{"w":{"dtype":"F32","shape":[%d],"data_offsets":[0,%d]}}`, int64(tera/4), int64(tera)))
		path := filepath.Join(t.TempDir(), "sparse.safetensors")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		f.Write(h)
		if err := f.Truncate(int64(len(h)) + tera); err != nil {
			f.Close()
			t.Skipf("no sparse file of 10^12 bytes here: %v", err)
		}
		f.Close()
		if n := allocated(func() { _, _, err = LoadSafetensors(path) }); n > budget {
			t.Errorf("allocated %d bytes", n)
		}
		if err == nil || !strings.Contains(err.Error(), "more than mlptui's limit") || !strings.Contains(err.Error(), "sparse.safetensors") {
			t.Errorf("error %v, want one naming the file and the limit", err)
		}
	})

	t.Run("network larger than its tensors", func(t *testing.T) {
		m := testModel(t)
		meta := m.Metadata()
		meta["arch"] = `{"inputs":1048576,"hidden":[1000],"classes":3,"activation":"relu"}`
		meta["input_shape"] = `[1048576]`
		ts := map[string]Tensor{}
		for _, x := range m.Tensors() {
			ts[x.Name] = x
		}
		var err error
		if n := allocated(func() { _, err = ModelFromTensors(ts, meta, ModelFormat) }); n > budget {
			t.Errorf("allocated %d bytes", n)
		}
		if err == nil || !strings.Contains(err.Error(), `"dense.0.weight" has shape [4 10], architecture 1048576-1000-3 needs [1048576 1000]`) {
			t.Errorf("error %v", err)
		}
	})
}

// FuzzModelMetadata fuzzes the metadata of a model file (the tensors stay
// those of a small good model): whatever it says, ModelFromTensors returns
// a model that validates or an error, without allocating for a network
// its tensors do not hold.
func FuzzModelMetadata(f *testing.F) {
	net, _ := New(Arch{Inputs: 4, Hidden: []int{5}, Classes: 3, Activation: ReLU}, 1)
	good := &Model{Net: net, Classes: []string{"a", "b", "c"}, InputShape: []int{4}, Mean: []float32{0, 0, 0, 0}, Std: []float32{1, 1, 1, 1}}
	ts := map[string]Tensor{}
	for _, x := range good.Tensors() {
		ts[x.Name] = x
	}
	gm := good.Metadata()
	f.Add(gm["format"], gm["format_version"], gm["arch"], gm["classes"], gm["input_shape"], gm["normalization"])
	f.Add(gm["format"], "2", gm["arch"], gm["classes"], `[1,2,2]`, `{"mean":[0],"std":[0]}`)
	f.Add("mlptui.checkpoint", "1", `{"inputs":1048576,"hidden":[1024],"classes":2,"activation":"relu"}`, `["x","y"]`, `[1048576]`, `{}`)
	f.Fuzz(func(t *testing.T, format, version, arch, classes, shape, norm string) {
		meta := map[string]string{"format": format, "format_version": version, "arch": arch, "classes": classes, "input_shape": shape, "normalization": norm}
		m, err := ModelFromTensors(ts, meta, ModelFormat)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error of more than one line: %q", err)
			}
			return
		}
		if err := m.Validate(); err != nil {
			t.Fatalf("accepted a model that does not validate: %v", err)
		}
		if len(m.Net.Params) != len(net.Params) {
			t.Fatalf("%d parameters from tensors holding %d", len(m.Net.Params), len(net.Params))
		}
	})
}
