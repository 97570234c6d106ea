package cifar10

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/md5"
	"encoding/hex"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mlptui/mlptui/datasets"
)

// fakeData is a small CIFAR-10 of the real layout: every batch file holds
// perFile records with random labels and pixels.
type fakeData struct {
	trainY, testY     []int32
	trainPix, testPix []byte
	files             map[string][]byte // file name (in DirName) -> contents
}

func makeFake(t testing.TB, perFile int, seed uint64) *fakeData {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 1))
	fd := &fakeData{files: map[string][]byte{}}
	batch := func() ([]int32, []byte, []byte) {
		y := make([]int32, perFile)
		pix := make([]byte, perFile*ImageSize)
		for i := range y {
			y[i] = int32(rng.IntN(NumClasses))
		}
		for i := range pix {
			pix[i] = byte(rng.UintN(256))
		}
		var b bytes.Buffer
		if err := WriteBatch(&b, y, pix); err != nil {
			t.Fatal(err)
		}
		return y, pix, b.Bytes()
	}
	for _, f := range TrainFiles {
		y, pix, b := batch()
		fd.trainY = append(fd.trainY, y...)
		fd.trainPix = append(fd.trainPix, pix...)
		fd.files[f] = b
	}
	y, pix, b := batch()
	fd.testY, fd.testPix, fd.files[TestFile] = y, pix, b
	fd.files[MetaFile] = []byte(strings.Join(Classes, "\n") + "\n\n")
	return fd
}

// writeTree writes the files into dir/cifar-10-batches-bin.
func (fd *fakeData) writeTree(t testing.TB, dataDir string) string {
	t.Helper()
	dir := filepath.Join(dataDir, DirName)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, b := range fd.files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// archive returns the files as a .tar.gz of the official layout and its MD5.
func (fd *fakeData) archive(t testing.TB) ([]byte, string) {
	t.Helper()
	var entries []tarEntry
	entries = append(entries, tarEntry{name: DirName + "/", typ: tar.TypeDir})
	names := make([]string, 0, len(fd.files))
	for n := range fd.files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		entries = append(entries, tarEntry{name: DirName + "/" + n, body: fd.files[n]})
	}
	b := gzipBytes(t, tarBytes(t, entries))
	sum := md5.Sum(b)
	return b, hex.EncodeToString(sum[:])
}

// check compares loaded data sets with the fake's contents.
func (fd *fakeData) check(t *testing.T, train, test *datasets.Dataset) {
	t.Helper()
	for _, d := range []*datasets.Dataset{train, test} {
		if d.Name != "cifar10" || !slices.Equal(d.Shape, []int{3, 32, 32}) || !slices.Equal(d.Classes, Classes) {
			t.Errorf("got name %q, shape %v, classes %v; want cifar10, [3 32 32], %v", d.Name, d.Shape, d.Classes, Classes)
		}
	}
	if !slices.Equal(train.Y, fd.trainY) {
		t.Errorf("train labels differ: got %d labels, want %d", len(train.Y), len(fd.trainY))
	}
	if !bytes.Equal(train.Pix, fd.trainPix) {
		t.Errorf("train pixels differ: got %d bytes, want %d", len(train.Pix), len(fd.trainPix))
	}
	if !slices.Equal(test.Y, fd.testY) {
		t.Errorf("test labels differ: got %v, want %v", test.Y, fd.testY)
	}
	if !bytes.Equal(test.Pix, fd.testPix) {
		t.Errorf("test pixels differ")
	}
}

type tarEntry struct {
	name     string
	typ      byte // 0 means TypeReg
	body     []byte
	size     int64 // header size if > 0 and body is nil (header only, no data)
	linkname string
}

// tarBytes builds a tar stream. An entry with size but no body ends the
// stream right after its header (for oversize-entry tests).
func tarBytes(t testing.TB, entries []tarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		typ := e.typ
		if typ == 0 {
			typ = tar.TypeReg
		}
		h := &tar.Header{Name: e.name, Typeflag: typ, Mode: 0o644, Linkname: e.linkname, Format: tar.FormatGNU}
		if typ == tar.TypeXGlobalHeader {
			h = &tar.Header{Name: e.name, Typeflag: typ, PAXRecords: map[string]string{"comment": "made by a test"}, Format: tar.FormatPAX}
		}
		if typ == tar.TypeReg {
			h.Size = int64(len(e.body))
			if e.body == nil && e.size > 0 {
				h.Size = e.size
			}
		}
		if typ == tar.TypeDir {
			h.Mode = 0o755
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatalf("tar header %q: %v", e.name, err)
		}
		if e.body == nil && e.size > 0 {
			return buf.Bytes() // header only
		}
		if _, err := tw.Write(e.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gzipBytes(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// listDir returns the names in dir, sorted.
func listDir(t testing.TB, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}
