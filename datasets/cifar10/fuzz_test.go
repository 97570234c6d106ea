package cifar10

import (
	"archive/tar"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func FuzzParseBatch(f *testing.F) {
	f.Add([]byte{})
	f.Add(record(0, 0))
	f.Add(append(record(9, 255), record(3, 1)...))
	f.Add(record(10, 0))
	f.Add(record(1, 1)[:RecordSize-1])
	f.Fuzz(func(t *testing.T, data []byte) {
		labels, pix, err := ParseBatch("f.bin", data)
		if err != nil {
			if labels != nil || pix != nil {
				t.Fatalf("error %v with non-nil results", err)
			}
			return
		}
		if len(data) == 0 || len(data)%RecordSize != 0 || len(labels) != len(data)/RecordSize || len(pix) != len(labels)*ImageSize {
			t.Fatalf("%d bytes gave %d labels and %d pixel bytes", len(data), len(labels), len(pix))
		}
		var back bytes.Buffer
		if err := WriteBatch(&back, labels, pix); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(back.Bytes(), data) {
			t.Fatal("WriteBatch(ParseBatch(data)) != data")
		}
	})
}

// FuzzExtract feeds tar streams (gzipped here, so the fuzzer works on the
// tar layer) to the extractor with small limits. Whatever the input, nothing
// may be written outside the data directory, and the data directory must
// hold either nothing or exactly a complete cifar-10-batches-bin.
//
// Tar inputs are kilobytes long and every run touches the disk, so the
// default minute of minimizing each new input stalls the search; run it as
//
//	go test -run XXX -fuzz FuzzExtract -fuzzminimizetime 300x ./datasets/cifar10
func FuzzExtract(f *testing.F) {
	// Small bodies keep inputs short, so minimizing them is quick.
	good := []tarEntry{{name: DirName + "/", typ: tar.TypeDir}}
	for _, name := range append(slices.Clone(TrainFiles), TestFile) {
		good = append(good, tarEntry{name: DirName + "/" + name, body: []byte{byte(len(name))}})
	}
	f.Add(tarBytes(f, good))
	f.Add(tarBytes(f, append(good, tarEntry{name: "../evil", body: []byte("x")})))
	f.Add(tarBytes(f, append(good, tarEntry{name: DirName + "/l", typ: tar.TypeSymlink, linkname: "/"})))
	f.Add(tarBytes(f, []tarEntry{{name: "/abs", body: []byte("x")}}))
	f.Add(tarBytes(f, []tarEntry{{name: DirName, body: []byte("a file where the directory goes")}}))
	lim := limits{entrySize: 4 * RecordSize, totalSize: 16 * RecordSize, entries: 32, noSync: true}
	f.Fuzz(func(t *testing.T, tarData []byte) {
		parent := t.TempDir()
		dataDir := filepath.Join(parent, "data")
		if err := os.Mkdir(dataDir, 0o755); err != nil {
			t.Fatal(err)
		}
		var gz bytes.Buffer
		gz.Write(gzipBytes(t, tarData))
		err := extract(context.Background(), &gz, "f.tar.gz", dataDir, lim)
		if got := listDir(t, parent); !slices.Equal(got, []string{"data"}) {
			t.Fatalf("wrote %v next to the data directory", got)
		}
		got := listDir(t, dataDir)
		if err != nil {
			if len(got) != 0 {
				t.Fatalf("error %v, yet the data directory holds %v", err, got)
			}
			return
		}
		if !slices.Equal(got, []string{DirName}) {
			t.Fatalf("data directory holds %v, want only %s", got, DirName)
		}
		for _, name := range append(slices.Clone(TrainFiles), TestFile) {
			fi, err := os.Lstat(filepath.Join(dataDir, DirName, name))
			if err != nil || !fi.Mode().IsRegular() {
				t.Fatalf("%s is not a regular file after success (%v)", name, err)
			}
		}
		filepath.WalkDir(dataDir, func(p string, d os.DirEntry, err error) error {
			if err == nil && d.Type()&os.ModeSymlink != 0 {
				t.Errorf("symlink %s extracted", p)
			}
			return nil
		})
	})
}
