package nn

import (
	"bufio"
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/mlptui/mlptui/internal/atomicfile"
	"github.com/mlptui/mlptui/internal/regfile"
)

// Tensor is a named float32 array with a shape, as stored in a safetensors
// file.
type Tensor struct {
	Name  string
	Shape []int
	Data  []float32
}

// Safetensors limits. The header is JSON and small; 100 MB is the
// reference implementation's own bound. No tensor mlptui writes holds more
// than MaxParams values, and no file more than three times that (the
// weights and Adam's two moments): a header claiming more is refused before
// anything is allocated, even when the file is as large as it claims (a
// sparse file costs nothing to make).
const (
	maxHeaderBytes = 100 << 20
	maxTensors     = 1 << 16
	maxTensorBytes = 4 * MaxParams
	maxDataBytes   = 3 * maxTensorBytes
)

// ErrNotSafetensors means a file does not have the safetensors layout.
var ErrNotSafetensors = errors.New("not a safetensors file")

// ErrChecksum means a file's data does not match the checksum in its
// metadata: it was damaged after it was written.
var ErrChecksum = errors.New("checksum mismatch: the file is damaged")

// Checksums in the metadata, both CRC-32C (Castagnoli), checked by
// ReadSafetensors when present:
//
//   - metaCRC2, written since the header is covered: the data, then the
//     other metadata (hashMeta), then each tensor's header entry, in the
//     order of the data (hashEntries): name, dtype, shape and offsets.
//     Two tensors' offsets swapped, a shape or a name changed, is caught.
//   - metaCRC, written before: the data and the other metadata only.
//     Files that have only it are read as before, their checksum checked.
const (
	metaCRC  = "mlptui.crc32c"
	metaCRC2 = "mlptui.crc32c.header"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// WriteSafetensors writes tensors and string metadata in the safetensors
// format:
//
//	bytes 0-7   N, the header length, unsigned 64-bit little-endian
//	bytes 8-    the header: N bytes of JSON, padded with spaces to a
//	            multiple of 8: {"__metadata__": {string: string},
//	            name: {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, ...}
//	then        the data: each tensor's values as little-endian float32,
//	            in the order given, at the offsets (relative to the start
//	            of the data) its header entry names
//
// The metadata also gets a CRC-32C of the data, the other metadata and the
// tensors' header entries (metaCRC2), which ReadSafetensors checks.
func WriteSafetensors(w io.Writer, tensors []Tensor, meta map[string]string) error {
	type entry struct {
		Dtype   string `json:"dtype"`
		Shape   []int  `json:"shape"`
		Offsets [2]int `json:"data_offsets"`
	}
	crc := crc32.New(castagnoli)
	header := map[string]any{}
	var entries []tensorEntry
	off := 0
	for _, t := range tensors {
		if n := shapeSize(t.Shape); n != len(t.Data) {
			return fmt.Errorf("tensor %q: shape %v holds %d values, have %d", t.Name, t.Shape, n, len(t.Data))
		}
		if t.Name == "__metadata__" || t.Name == "" {
			return fmt.Errorf("bad tensor name %q", t.Name)
		}
		if _, dup := header[t.Name]; dup {
			return fmt.Errorf("tensor %q given twice", t.Name)
		}
		shape := t.Shape
		if shape == nil {
			shape = []int{}
		}
		header[t.Name] = entry{"F32", shape, [2]int{off, off + 4*len(t.Data)}}
		entries = append(entries, tensorEntry{t.Name, "F32", shape, int64(off), int64(off + 4*len(t.Data))})
		off += 4 * len(t.Data)
		writeFloats(crc, t.Data)
	}
	m := make(map[string]string, len(meta)+1)
	for k, v := range meta {
		if k != metaCRC && k != metaCRC2 {
			m[k] = v
		}
	}
	hashMeta(crc, m)
	hashEntries(crc, entries)
	m[metaCRC2] = strconv.FormatUint(uint64(crc.Sum32()), 16)
	header["__metadata__"] = m
	js, err := json.Marshal(header)
	if err != nil {
		return err
	}
	for len(js)%8 != 0 {
		js = append(js, ' ')
	}
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(js)))
	if _, err := w.Write(n[:]); err != nil {
		return err
	}
	if _, err := w.Write(js); err != nil {
		return err
	}
	for _, t := range tensors {
		if err := writeFloats(w, t.Data); err != nil {
			return err
		}
	}
	return nil
}

// writeFloats writes v as little-endian float32, through a small buffer.
func writeFloats(w io.Writer, v []float32) error {
	var buf [4096]byte
	for len(v) > 0 {
		k := min(len(v), len(buf)/4)
		for i, x := range v[:k] {
			binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(x))
		}
		if _, err := w.Write(buf[:4*k]); err != nil {
			return err
		}
		v = v[k:]
	}
	return nil
}

// SaveSafetensors writes a safetensors file atomically.
func SaveSafetensors(path string, tensors []Tensor, meta map[string]string) error {
	return atomicfile.Write(path, func(w io.Writer) error { return WriteSafetensors(w, tensors, meta) })
}

// LoadSafetensors reads a safetensors file; errors name the file.
func LoadSafetensors(path string) (map[string]Tensor, map[string]string, error) {
	f, err := regfile.Open(path)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, nil, err
	}
	ts, meta, err := ReadSafetensors(f, st.Size())
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return ts, meta, nil
}

// ReadSafetensors reads a safetensors stream of the given total size (the
// size bounds every allocation: a header claiming more than the stream
// holds is refused before anything is allocated). Only F32 tensors are
// read. If the metadata holds a checksum it is verified.
func ReadSafetensors(r io.Reader, size int64) (map[string]Tensor, map[string]string, error) {
	br := bufio.NewReaderSize(r, 1<<16)
	raw, meta, dataSize, err := readHeader(br, size)
	if err != nil {
		return nil, nil, err
	}
	entries, err := headerEntries(raw, dataSize)
	if err != nil {
		return nil, nil, err
	}
	if _, ok := meta[metaCRC]; !ok && strings.HasPrefix(meta["format"], "mlptui.") {
		if _, ok := meta[metaCRC2]; !ok {
			return nil, nil, fmt.Errorf("%w: an mlptui file without its checksum (its metadata was edited)", ErrChecksum)
		}
	}
	var crc hash.Hash32
	wantCRC, hasCRC := meta[metaCRC2]
	covered := hasCRC // the header entries too
	if !hasCRC {
		wantCRC, hasCRC = meta[metaCRC]
	}
	if hasCRC {
		crc = crc32.New(castagnoli)
	}
	out, err := readTensors(br, entries, crc)
	if err != nil {
		return nil, nil, err
	}
	delete(meta, metaCRC)
	delete(meta, metaCRC2)
	if hasCRC {
		hashMeta(crc, meta)
		if covered {
			hashEntries(crc, entries)
		}
		if strconv.FormatUint(uint64(crc.Sum32()), 16) != wantCRC {
			return nil, nil, ErrChecksum
		}
	}
	return out, meta, nil
}

// readHeader reads a safetensors header from a stream of size bytes: its
// tensors' entries, its metadata and the size of the data after it.
func readHeader(br io.Reader, size int64) (raw map[string]json.RawMessage, meta map[string]string, dataSize int64, err error) {
	var nb [8]byte
	if _, err := io.ReadFull(br, nb[:]); err != nil {
		return nil, nil, 0, fmt.Errorf("%w: %d bytes, too short for a header", ErrNotSafetensors, max(size, 0))
	}
	n := binary.LittleEndian.Uint64(nb[:])
	if n < 2 || n > maxHeaderBytes || n > uint64(size-8) {
		return nil, nil, 0, fmt.Errorf("%w: header length %d does not fit a file of %d bytes", ErrNotSafetensors, n, size)
	}
	hb := make([]byte, n)
	if _, err := io.ReadFull(br, hb); err != nil {
		return nil, nil, 0, fmt.Errorf("%w: header: %v", ErrNotSafetensors, err)
	}
	if err := json.Unmarshal(hb, &raw); err != nil {
		return nil, nil, 0, fmt.Errorf("%w: header is not JSON: %v", ErrNotSafetensors, err)
	}
	meta = map[string]string{}
	if m, ok := raw["__metadata__"]; ok {
		if err := json.Unmarshal(m, &meta); err != nil {
			return nil, nil, 0, fmt.Errorf("%w: __metadata__ is not a map of strings", ErrNotSafetensors)
		}
		delete(raw, "__metadata__")
	}
	if len(raw) > maxTensors {
		return nil, nil, 0, fmt.Errorf("%d tensors, more than %d", len(raw), maxTensors)
	}
	return raw, meta, size - 8 - int64(n), nil
}

// headerEntries checks the header's tensor entries against the dataSize
// bytes of data (each F32, within the data, within mlptui's limits, the
// tensors covering the data without holes or overlaps) and returns them
// in the order of their data. They are checked in the order of their
// names, so that a damaged file is always said to be damaged in the same
// tensor.
func headerEntries(raw map[string]json.RawMessage, dataSize int64) ([]tensorEntry, error) {
	entries := make([]tensorEntry, 0, len(raw))
	for _, name := range slices.Sorted(maps.Keys(raw)) {
		e, err := headerEntry(name, raw[name], dataSize)
		if err != nil {
			return nil, err
		}
		entries = append(entries, e)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].begin < entries[j].begin })
	var pos int64
	for _, e := range entries {
		if e.begin != pos {
			return nil, fmt.Errorf("tensor %q starts at data byte %d, want %d (holes or overlaps)", e.name, e.begin, pos)
		}
		pos = e.end
	}
	if pos != dataSize {
		return nil, fmt.Errorf("tensors cover %d data bytes, file has %d", pos, dataSize)
	}
	if pos > maxDataBytes {
		return nil, fmt.Errorf("tensors hold %d bytes, more than mlptui's limit of %d", pos, int64(maxDataBytes))
	}
	return entries, nil
}

// headerEntry checks one tensor's entry.
func headerEntry(name string, msg json.RawMessage, dataSize int64) (tensorEntry, error) {
	var e struct {
		Dtype   string  `json:"dtype"`
		Shape   []int   `json:"shape"`
		Offsets []int64 `json:"data_offsets"`
	}
	if err := json.Unmarshal(msg, &e); err != nil {
		return tensorEntry{}, fmt.Errorf("tensor %q: bad header entry: %v", name, err)
	}
	if len(e.Offsets) != 2 || e.Offsets[0] < 0 || e.Offsets[1] < e.Offsets[0] {
		return tensorEntry{}, fmt.Errorf("tensor %q: bad data offsets %v", name, e.Offsets)
	}
	if e.Offsets[1] > dataSize {
		return tensorEntry{}, fmt.Errorf("truncated: tensor %q ends at data byte %d, the file holds %d", name, e.Offsets[1], dataSize)
	}
	cnt := int64(1)
	for _, s := range e.Shape {
		if s < 0 || (s > 0 && cnt > dataSize/int64(s)) {
			return tensorEntry{}, fmt.Errorf("tensor %q: shape %v does not fit the file", name, e.Shape)
		}
		cnt *= int64(s)
	}
	if e.Dtype != "F32" {
		return tensorEntry{}, fmt.Errorf("tensor %q has dtype %s; mlptui reads F32", name, printable(e.Dtype))
	}
	if 4*cnt != e.Offsets[1]-e.Offsets[0] {
		return tensorEntry{}, fmt.Errorf("tensor %q: shape %v needs %d bytes, offsets give %d", name, e.Shape, 4*cnt, e.Offsets[1]-e.Offsets[0])
	}
	if 4*cnt > maxTensorBytes {
		return tensorEntry{}, fmt.Errorf("tensor %q: shape %v holds %d values, more than mlptui's limit of %d", name, e.Shape, cnt, MaxParams)
	}
	return tensorEntry{name, e.Dtype, e.Shape, e.Offsets[0], e.Offsets[1]}, nil
}

// readTensors reads the entries' data in order, adding it to crc if set.
func readTensors(br io.Reader, entries []tensorEntry, crc hash.Hash32) (map[string]Tensor, error) {
	out := make(map[string]Tensor, len(entries))
	buf := make([]byte, 1<<16)
	for _, e := range entries {
		data := make([]float32, (e.end-e.begin)/4)
		for i := 0; i < len(data); {
			k := min(len(data)-i, len(buf)/4)
			b := buf[:4*k]
			if _, err := io.ReadFull(br, b); err != nil {
				return nil, fmt.Errorf("tensor %q: %v", e.name, err)
			}
			if crc != nil {
				crc.Write(b)
			}
			for j := range k {
				data[i+j] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*j:]))
			}
			i += k
		}
		out[e.name] = Tensor{Name: e.name, Shape: slices.Clone(e.shape), Data: data}
	}
	return out, nil
}

// tensorEntry is a tensor's entry in a safetensors header.
type tensorEntry struct {
	name  string
	dtype string
	shape []int
	begin int64
	end   int64
}

// hashEntries adds the tensors' header entries, in the order of their data
// (empty tensors, which share an offset, by name), to a checksum, each
// field length-prefixed or delimited so that no two different headers
// hash the same bytes.
func hashEntries(h hash.Hash32, entries []tensorEntry) {
	entries = slices.Clone(entries)
	slices.SortFunc(entries, func(a, b tensorEntry) int {
		return cmp.Or(cmp.Compare(a.begin, b.begin), cmp.Compare(a.end, b.end), strings.Compare(a.name, b.name))
	})
	for _, e := range entries {
		fmt.Fprintf(h, "%d:%s%d:%s%d:", len(e.name), e.name, len(e.dtype), e.dtype, len(e.shape))
		for _, d := range e.shape {
			fmt.Fprintf(h, "%d,", d)
		}
		fmt.Fprintf(h, "%d-%d;", e.begin, e.end)
	}
}

// hashMeta adds the metadata, in key order, to a checksum, so that a
// damaged class name or setting is caught like damaged weights.
func hashMeta(h hash.Hash32, meta map[string]string) {
	keys := make([]string, 0, len(meta))
	for k := range meta {
		if k != metaCRC && k != metaCRC2 {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(h, "%d:%s%d:%s", len(k), k, len(meta[k]), meta[k])
	}
}

func shapeSize(shape []int) int {
	n := 1
	for _, s := range shape {
		n *= s
	}
	return n
}
