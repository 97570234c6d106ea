package cifar10

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func record(label byte, fill byte) []byte {
	r := bytes.Repeat([]byte{fill}, RecordSize)
	r[0] = label
	return r
}

func TestParseBatch(t *testing.T) {
	good := append(record(3, 7), record(9, 200)...)
	tests := []struct {
		name    string
		data    []byte
		labels  []int32
		wantErr []string // substrings of the error; nil means success
	}{
		{"two records", good, []int32{3, 9}, nil},
		{"empty", nil, nil, []string{"b.bin", "empty"}},
		{"one byte short", good[:len(good)-1], nil, []string{"b.bin", "not a multiple of 3073"}},
		{"one byte over", append(slices.Clone(good), 0), nil, []string{"b.bin", "not a multiple of 3073"}},
		{"label 10 in record 1", append(record(0, 1), record(10, 1)...), nil, []string{"b.bin", "record 1", "label 10"}},
		{"label 255 in record 0", record(255, 1), nil, []string{"b.bin", "record 0", "label 255"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			labels, pix, err := ParseBatch("b.bin", tt.data)
			if tt.wantErr != nil {
				if err == nil {
					t.Fatalf("ParseBatch: no error, want one containing %q", tt.wantErr)
				}
				for _, s := range tt.wantErr {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("ParseBatch error %q does not contain %q", err, s)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseBatch: %v", err)
			}
			if !slices.Equal(labels, tt.labels) {
				t.Errorf("labels: got %v, want %v", labels, tt.labels)
			}
			for i := range labels {
				if !bytes.Equal(pix[i*ImageSize:(i+1)*ImageSize], tt.data[i*RecordSize+1:(i+1)*RecordSize]) {
					t.Errorf("record %d: pixels differ", i)
				}
			}
		})
	}
}

func TestLoadDir(t *testing.T) {
	fd := makeFake(t, 20, 1)
	dir := fd.writeTree(t, t.TempDir())
	train, test, err := LoadDir(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	if train.Len() != 100 || test.Len() != 20 {
		t.Fatalf("got %d train and %d test images, want 100 and 20", train.Len(), test.Len())
	}
	fd.check(t, train, test)
}

func TestLoadDirMeta(t *testing.T) {
	mine := []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}
	tests := []struct {
		name    string
		meta    *string // nil: no file
		classes []string
		wantErr string
	}{
		{"missing file gives standard names", nil, Classes, ""},
		{"own names, CRLF and blank lines", ptr("a\r\nb\nc\nd\n\ne\nf\ng\nh\ni\nj\n\n\n"), mine, ""},
		{"nine names", ptr("a\nb\nc\nd\ne\nf\ng\nh\ni\n"), nil, "9 class names, want 10"},
		{"a name twice", ptr("a\nb\nc\nd\ne\nf\ng\nh\ni\na\n"), nil, `class "a" named twice`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fd := makeFake(t, 2, 2)
			if tt.meta == nil {
				delete(fd.files, MetaFile)
			} else {
				fd.files[MetaFile] = []byte(*tt.meta)
			}
			dir := fd.writeTree(t, t.TempDir())
			train, _, err := LoadDir(context.Background(), dir)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.Contains(err.Error(), MetaFile) {
					t.Fatalf("got error %v, want one naming %s and containing %q", err, MetaFile, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(train.Classes, tt.classes) {
				t.Errorf("classes: got %v, want %v", train.Classes, tt.classes)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestLoadDirBadBatch(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		mutate  func([]byte) []byte
		wantErr []string
	}{
		{"size not a multiple", "data_batch_3.bin", func(b []byte) []byte { return b[:len(b)-5] }, []string{"data_batch_3.bin", "not a multiple of 3073"}},
		{"empty file", TestFile, func([]byte) []byte { return nil }, []string{TestFile, "empty"}},
		{"label 10", "data_batch_2.bin", func(b []byte) []byte { b[4*RecordSize] = 10; return b }, []string{"data_batch_2.bin", "record 4", "label 10"}},
		{"missing file", "data_batch_5.bin", nil, []string{"data_batch_5.bin"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fd := makeFake(t, 6, 3)
			if tt.mutate == nil {
				delete(fd.files, tt.file)
			} else {
				fd.files[tt.file] = tt.mutate(slices.Clone(fd.files[tt.file]))
			}
			dir := fd.writeTree(t, t.TempDir())
			_, _, err := LoadDir(context.Background(), dir)
			if err == nil {
				t.Fatalf("LoadDir: no error, want one containing %q", tt.wantErr)
			}
			for _, s := range tt.wantErr {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
		})
	}
}

func TestLoadDirCancelled(t *testing.T) {
	fd := makeFake(t, 2, 4)
	dir := fd.writeTree(t, t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := LoadDir(ctx, dir); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func TestPrepareFromArchive(t *testing.T) {
	fd := makeFake(t, 5, 5)
	arc, sum := fd.archive(t)
	tests := []struct {
		name    string
		md5     string
		offline bool
		want    error
	}{
		{"right MD5", sum, false, nil},
		{"right MD5, offline", sum, true, nil},
		{"upper-case MD5", strings.ToUpper(sum), true, nil},
		{"wrong MD5", MD5, true, ErrChecksum},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dataDir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dataDir, ArchiveName), arc, 0o644); err != nil {
				t.Fatal(err)
			}
			train, test, err := Load(context.Background(), dataDir, Options{MD5: tt.md5, Offline: tt.offline, URL: "http://127.0.0.1:1/never"})
			if tt.want != nil {
				if !errors.Is(err, tt.want) {
					t.Fatalf("got %v, want %v", err, tt.want)
				}
				if !strings.Contains(err.Error(), ArchiveName) {
					t.Errorf("error %q does not name the archive", err)
				}
				if got := listDir(t, dataDir); !slices.Equal(got, []string{ArchiveName}) {
					t.Errorf("data directory holds %v, want only the archive", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			fd.check(t, train, test)
			if got := listDir(t, dataDir); !slices.Equal(got, []string{DirName, ArchiveName}) {
				t.Errorf("data directory holds %v, want the archive and %s", got, DirName)
			}
			// A second load uses the unpacked tree (the archive may go).
			if err := os.Remove(filepath.Join(dataDir, ArchiveName)); err != nil {
				t.Fatal(err)
			}
			train, test, err = Load(context.Background(), dataDir, Options{Offline: true})
			if err != nil {
				t.Fatal(err)
			}
			fd.check(t, train, test)
		})
	}
}

func TestPrepareOffline(t *testing.T) {
	dataDir := t.TempDir()
	_, _, err := Load(context.Background(), dataDir, Options{Offline: true})
	if !errors.Is(err, ErrNoData) {
		t.Fatalf("got %v, want ErrNoData", err)
	}
	want := filepath.Join(dataDir, ArchiveName)
	if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), URL) {
		t.Errorf("error %q does not say to put %s at %s", err, URL, want)
	}
	if _, err := Prepare(context.Background(), "", Options{}); err == nil {
		t.Error("Prepare with no data directory: no error")
	}
}

func TestWriteBatchErrors(t *testing.T) {
	var b bytes.Buffer
	if err := WriteBatch(&b, []int32{1}, make([]byte, 5)); err == nil {
		t.Error("WriteBatch with short pixels: no error")
	}
	if err := WriteBatch(&b, []int32{10}, make([]byte, ImageSize)); err == nil {
		t.Error("WriteBatch with label 10: no error")
	}
}
