package nn

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"hash/crc32"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"testing"
)

// writeSafetensorsV1 is WriteSafetensors as it was before the checksum
// covered the header (commit 576c601): the CRC-32C of the data and the
// other metadata under mlptui.crc32c. Files written so must still load,
// their checksum checked.
func writeSafetensorsV1(tensors []Tensor, meta map[string]string) []byte {
	type entry struct {
		Dtype   string `json:"dtype"`
		Shape   []int  `json:"shape"`
		Offsets [2]int `json:"data_offsets"`
	}
	crc := crc32.New(castagnoli)
	header := map[string]any{}
	off := 0
	for _, t := range tensors {
		header[t.Name] = entry{"F32", t.Shape, [2]int{off, off + 4*len(t.Data)}}
		off += 4 * len(t.Data)
		writeFloats(crc, t.Data)
	}
	m := maps.Clone(meta)
	hashMeta(crc, meta)
	m[metaCRC] = strconv.FormatUint(uint64(crc.Sum32()), 16)
	header["__metadata__"] = m
	js, _ := json.Marshal(header)
	for len(js)%8 != 0 {
		js = append(js, ' ')
	}
	var buf bytes.Buffer
	binary.Write(&buf, binary.LittleEndian, uint64(len(js)))
	buf.Write(js)
	for _, t := range tensors {
		writeFloats(&buf, t.Data)
	}
	return buf.Bytes()
}

func checksumFixture() ([]Tensor, map[string]string) {
	return []Tensor{
		{Name: "dense.0.weight", Shape: []int{2, 3}, Data: []float32{1, 2, 3, 4, 5, 6}},
		{Name: "dense.0.bias", Shape: []int{3}, Data: []float32{0.1, 0.2, 0.3}},
		{Name: "dense.1.bias", Shape: []int{3}, Data: []float32{-1, -2, -3}},
		{Name: "empty", Shape: []int{0}, Data: []float32{}},
	}, map[string]string{"format": ModelFormat, "classes": `["a","b","c"]`}
}

// rewriteHeader replaces a safetensors file's header by what edit makes
// of it, keeping the data and the metadata (checksum included).
func rewriteHeader(t *testing.T, file []byte, edit func(h map[string]any)) []byte {
	t.Helper()
	n := binary.LittleEndian.Uint64(file[:8])
	var h map[string]any
	if err := json.Unmarshal(file[8:8+n], &h); err != nil {
		t.Fatal(err)
	}
	edit(h)
	js, _ := json.Marshal(h)
	var out bytes.Buffer
	binary.Write(&out, binary.LittleEndian, uint64(len(js)))
	out.Write(js)
	out.Write(file[8+n:])
	return out.Bytes()
}

func swapOffsets(a, b string) func(h map[string]any) {
	return func(h map[string]any) {
		ea, eb := h[a].(map[string]any), h[b].(map[string]any)
		ea["data_offsets"], eb["data_offsets"] = eb["data_offsets"], ea["data_offsets"]
	}
}

// TestChecksumCoversHeader: a header whose tensors were swapped, renamed
// or reshaped with the data and metadata untouched is refused as damaged;
// a file of the older format (checksum over data and metadata only)
// loads, its checksum checked as before.
func TestChecksumCoversHeader(t *testing.T) {
	ts, meta := checksumFixture()
	var buf bytes.Buffer
	if err := WriteSafetensors(&buf, ts, meta); err != nil {
		t.Fatal(err)
	}
	cur := buf.Bytes()
	old := writeSafetensorsV1(ts, meta)
	for name, file := range map[string][]byte{"current": cur, "older": old} {
		got, gotMeta, err := ReadSafetensors(bytes.NewReader(file), int64(len(file)))
		if err != nil {
			t.Fatalf("%s format: %v", name, err)
		}
		if !maps.Equal(gotMeta, meta) {
			t.Errorf("%s format: metadata %v, want %v", name, gotMeta, meta)
		}
		for _, want := range ts {
			if g := got[want.Name]; !slices.Equal(g.Data, want.Data) || !slices.Equal(g.Shape, want.Shape) {
				t.Errorf("%s format: tensor %s = %+v, want %+v", name, want.Name, g, want)
			}
		}
		// One flipped weight byte: damaged in either format.
		bad := slices.Clone(file)
		bad[len(bad)-5] ^= 1
		if _, _, err := ReadSafetensors(bytes.NewReader(bad), int64(len(bad))); !errors.Is(err, ErrChecksum) {
			t.Errorf("%s format, a flipped weight: %v, want %v", name, err, ErrChecksum)
		}
	}
	edits := map[string]func(h map[string]any){
		"two biases' offsets swapped": swapOffsets("dense.0.bias", "dense.1.bias"),
		"a tensor renamed": func(h map[string]any) {
			h["dense.2.bias"] = h["dense.1.bias"]
			delete(h, "dense.1.bias")
		},
		"a shape changed": func(h map[string]any) { h["dense.0.weight"].(map[string]any)["shape"] = []int{3, 2} },
	}
	for name, edit := range edits {
		bad := rewriteHeader(t, cur, edit)
		if _, _, err := ReadSafetensors(bytes.NewReader(bad), int64(len(bad))); !errors.Is(err, ErrChecksum) {
			t.Errorf("%s: %v, want %v", name, err, ErrChecksum)
		}
	}
	// What the older format could not see, and still cannot: it loads
	// (the file has no header checksum to check).
	swapped := rewriteHeader(t, old, swapOffsets("dense.0.bias", "dense.1.bias"))
	if _, _, err := ReadSafetensors(bytes.NewReader(swapped), int64(len(swapped))); err != nil {
		t.Errorf("older format, offsets swapped: %v (the old checksum does not cover them)", err)
	}
}

// FuzzSafetensorsHeader: any header put in place of a checksummed file's
// own (its data kept) is refused, or gives exactly the tensors and
// metadata that were written: a changed name, dtype, shape or offset
// never loads as something else.
func FuzzSafetensorsHeader(f *testing.F) {
	ts, meta := checksumFixture()
	var buf bytes.Buffer
	if err := WriteSafetensors(&buf, ts, meta); err != nil {
		f.Fatal(err)
	}
	file := buf.Bytes()
	n := binary.LittleEndian.Uint64(file[:8])
	header, data := file[8:8+n], file[8+n:]
	f.Add(header)
	f.Add(rewriteHeader(&testing.T{}, file, swapOffsets("dense.0.bias", "dense.1.bias"))[8:])
	f.Fuzz(func(t *testing.T, h []byte) {
		var b bytes.Buffer
		binary.Write(&b, binary.LittleEndian, uint64(len(h)))
		b.Write(h)
		b.Write(data)
		got, gotMeta, err := ReadSafetensors(bytes.NewReader(b.Bytes()), int64(b.Len()))
		if err != nil {
			return
		}
		var parsed struct {
			Meta map[string]string `json:"__metadata__"`
		}
		json.Unmarshal(h, &parsed)
		if _, ok := parsed.Meta[metaCRC2]; !ok {
			return // the older format's checksum key in its place: the header is not covered
		}
		want := map[string]Tensor{}
		for _, t := range ts {
			want[t.Name] = t
		}
		if !maps.Equal(gotMeta, meta) || !reflect.DeepEqual(got, want) {
			t.Fatalf("header %q loaded as %v %v, want %v %v", h, got, gotMeta, want, meta)
		}
	})
}
