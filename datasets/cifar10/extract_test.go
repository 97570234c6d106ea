package cifar10

import (
	"archive/tar"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// goodEntries is a complete tiny archive's entry list (one record per file).
func goodEntries() []tarEntry {
	es := []tarEntry{{name: DirName + "/", typ: tar.TypeDir}}
	for _, f := range append(slices.Clone(TrainFiles), TestFile) {
		es = append(es, tarEntry{name: DirName + "/" + f, body: record(1, 2)})
	}
	return es
}

func TestExtract(t *testing.T) {
	smallLimits := limits{entrySize: 2 * RecordSize, totalSize: 10 * RecordSize, entries: 12}
	with := func(extra ...tarEntry) []tarEntry { return append(extra, goodEntries()...) }
	tests := []struct {
		name    string
		entries []tarEntry
		raw     []byte // used instead of entries when set (already gzipped)
		want    []string
	}{
		{"good", goodEntries(), nil, nil},
		{"good with ./ prefix, readme and pax global header", append(goodEntries(),
			tarEntry{name: "./" + DirName + "/readme.html", body: []byte("<html>")},
			tarEntry{name: "pax_global_header", typ: tar.TypeXGlobalHeader}), nil, nil},
		{"entries outside the tree are not written", with(tarEntry{name: "elsewhere/x", body: []byte("x")}), nil, nil},
		{"absolute path", with(tarEntry{name: "/tmp/evil", body: []byte("x")}), nil, []string{`"/tmp/evil"`, "absolute path"}},
		{"dot-dot", with(tarEntry{name: "../evil", body: []byte("x")}), nil, []string{`"../evil"`, `".." in path`}},
		{"dot-dot inside", with(tarEntry{name: DirName + "/../../evil", body: []byte("x")}), nil, []string{`"` + DirName + `/../../evil"`, `".." in path`}},
		{"backslash", with(tarEntry{name: `..\evil`, body: []byte("x")}), nil, []string{"backslash"}},
		{"symlink", append(goodEntries(), tarEntry{name: DirName + "/link", typ: tar.TypeSymlink, linkname: "/etc/passwd"}), nil, []string{`"` + DirName + `/link"`, "symbolic link not allowed"}},
		{"hard link", append(goodEntries(), tarEntry{name: DirName + "/hard", typ: tar.TypeLink, linkname: DirName + "/test_batch.bin"}), nil, []string{"hard link not allowed"}},
		{"char device", with(tarEntry{name: DirName + "/null", typ: tar.TypeChar}), nil, []string{"character device not allowed"}},
		{"fifo", with(tarEntry{name: DirName + "/fifo", typ: tar.TypeFifo}), nil, []string{"named pipe not allowed"}},
		{"oversize entry", with(tarEntry{name: DirName + "/big.bin", size: 1 << 40}), nil, []string{`"` + DirName + `/big.bin"`, "more than the limit"}},
		{"too many entries", func() []tarEntry {
			es := goodEntries()
			for i := range 10 {
				es = append(es, tarEntry{name: fmt.Sprintf("%s/d%d/", DirName, i), typ: tar.TypeDir})
			}
			return es
		}(), nil, []string{"more than 12 entries"}},
		{"too much in all", func() []tarEntry {
			es := goodEntries()
			for i := range 4 {
				es = append(es, tarEntry{name: fmt.Sprintf("x%d", i), body: make([]byte, 2*RecordSize)})
			}
			return es
		}(), nil, []string{`"x2"`, "more than"}},
		{"duplicate entry", append(goodEntries(), tarEntry{name: DirName + "/" + TestFile, body: []byte("x")}), nil, []string{TestFile, "duplicate entry"}},
		{"missing batch", goodEntries()[:6], nil, []string{"no entry " + DirName + "/" + TestFile}},
		{"not gzip", nil, []byte("PK\x03\x04 this is a zip"), []string{"not a gzip archive"}},
		{"truncated gzip", nil, func() []byte {
			b := gzipBytes(t, tarBytes(t, goodEntries()))
			return b[:len(b)-20]
		}(), []string{"unexpected EOF"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := t.TempDir()
			dataDir := filepath.Join(parent, "data")
			if err := os.Mkdir(dataDir, 0o755); err != nil {
				t.Fatal(err)
			}
			raw := tt.raw
			if raw == nil {
				raw = gzipBytes(t, tarBytes(t, tt.entries))
			}
			err := extract(context.Background(), bytes.NewReader(raw), "arc.tar.gz", dataDir, smallLimits)
			if got := listDir(t, parent); !slices.Equal(got, []string{"data"}) {
				t.Errorf("extraction wrote %v next to the data directory", got)
			}
			if tt.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				if got := listDir(t, dataDir); !slices.Equal(got, []string{DirName}) {
					t.Errorf("data directory holds %v, want only %s", got, DirName)
				}
				got := listDir(t, filepath.Join(dataDir, DirName))
				for _, f := range append(slices.Clone(TrainFiles), TestFile) {
					if !slices.Contains(got, f) {
						t.Errorf("%s missing from the extracted tree %v", f, got)
					}
				}
				if slices.Contains(got, "x") {
					t.Errorf("entry outside %s was written", DirName)
				}
				return
			}
			if err == nil {
				t.Fatalf("no error, want one containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), "arc.tar.gz") {
				t.Errorf("error %q does not name the archive", err)
			}
			for _, s := range tt.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
			if got := listDir(t, dataDir); len(got) != 0 {
				t.Errorf("failed extraction left %v", got)
			}
		})
	}
}

func TestExtractRefusesExistingTree(t *testing.T) {
	dataDir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dataDir, DirName), 0o755); err != nil {
		t.Fatal(err)
	}
	raw := gzipBytes(t, tarBytes(t, goodEntries()))
	err := extract(context.Background(), bytes.NewReader(raw), "arc.tar.gz", dataDir, defaultLimits)
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("got %v, want an error saying %s already exists", err, DirName)
	}
}

func TestExtractFile(t *testing.T) {
	dataDir := t.TempDir()
	arc := filepath.Join(dataDir, ArchiveName)
	if err := os.WriteFile(arc, gzipBytes(t, tarBytes(t, goodEntries())), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Extract(context.Background(), arc, dataDir); err != nil {
		t.Fatal(err)
	}
	train, test, err := LoadDir(context.Background(), filepath.Join(dataDir, DirName))
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 5 || test.Len() != 1 || train.Y[0] != 1 || train.Pix[0] != 2 {
		t.Errorf("got %d train and %d test images (first label %d, pixel %d), want 5, 1, 1, 2", train.Len(), test.Len(), train.Y[0], train.Pix[0])
	}
	if err := Extract(context.Background(), filepath.Join(dataDir, "nope.tar.gz"), dataDir); err == nil || !strings.Contains(err.Error(), "nope.tar.gz") {
		t.Errorf("missing archive: got %v, want an error naming it", err)
	}
}
