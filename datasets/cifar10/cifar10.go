// Package cifar10 loads the CIFAR-10 data set (Krizhevsky, 2009) from its
// official binary archive, downloading and unpacking the archive when asked.
//
// # Files
//
// Under a data directory DIR:
//
//	DIR/cifar-10-binary.tar.gz         the archive (170,052,171 bytes, MD5 [MD5])
//	DIR/cifar-10-batches-bin/          its contents:
//	    data_batch_1.bin .. data_batch_5.bin   training images, 10,000 records each
//	    test_batch.bin                         test images, 10,000 records
//	    batches.meta.txt                       class names, one a line
//
// A batch file is a sequence of [RecordSize]-byte records: one label byte
// (0-9), then a 32×32 image as 1,024 red, 1,024 green and 1,024 blue bytes,
// each plane row-major. That is exactly the channel-major layout of
// [datasets.Dataset.Pix], so pixels are copied as they are, never converted.
// Any whole, non-zero number of records per file is accepted.
//
// # Getting the data
//
// [Load] uses DIR/cifar-10-batches-bin if it exists; otherwise it checks the
// MD5 of DIR/cifar-10-binary.tar.gz and unpacks it ([Extract]); otherwise,
// unless [Options.Offline] is set, it downloads the archive first
// ([Download], [Downloader]). [Prepare] does all that without reading the
// batches, for a "download the data" command.
//
// Every step is atomic: a download goes to a temporary file that is renamed
// to cifar-10-binary.tar.gz only once its length and MD5 are right, and the
// archive is unpacked into a temporary directory that is renamed to
// cifar-10-batches-bin only once every batch file is in it. An interrupted
// or failed step leaves nothing that looks complete.
//
// Unpacking is defensive: only regular files and directories, no absolute
// paths, no ".." components, no links or devices, at most [MaxEntries]
// entries of at most [MaxEntrySize] bytes each.
package cifar10

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/mlptui/mlptui/datasets"
	"github.com/mlptui/mlptui/internal/regfile"
)

// Names and sizes of the official distribution.
const (
	// URL is where the official binary archive is downloaded from.
	URL = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"
	// MD5 is the hex MD5 checksum of the official archive.
	MD5 = "c32a1d4ab5d03f1284b67883e8d87530"
	// ArchiveName is the archive's file name in the data directory.
	ArchiveName = "cifar-10-binary.tar.gz"
	// DirName is the directory the archive unpacks to.
	DirName = "cifar-10-batches-bin"
	// MetaFile holds the class names, one a line.
	MetaFile = "batches.meta.txt"
	// TestFile is the test batch.
	TestFile = "test_batch.bin"

	// Height, Width and Channels are the image dimensions.
	Height, Width, Channels = 32, 32, 3
	// ImageSize is the number of pixel bytes per image (3×32×32).
	ImageSize = Channels * Height * Width
	// RecordSize is the number of bytes per record: a label byte and an image.
	RecordSize = 1 + ImageSize
	// NumClasses is the number of classes; labels are 0..NumClasses-1.
	NumClasses = 10
)

// TrainFiles are the training batches, in the order they are concatenated.
var TrainFiles = []string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"}

// Classes are the standard class names in label order, used when
// batches.meta.txt is missing.
var Classes = []string{"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"}

// Sentinel errors, wrapped by the errors this package returns.
var (
	// ErrNoData: the data is not on disk and Options.Offline forbids
	// downloading it.
	ErrNoData = errors.New("CIFAR-10 data not found")
	// ErrChecksum: an archive's MD5 is not the expected one.
	ErrChecksum = errors.New("MD5 mismatch")
)

// Options control how [Load] and [Prepare] find the data.
type Options struct {
	// Offline forbids downloading: with neither the unpacked directory nor
	// the archive in the data directory, Load fails with [ErrNoData].
	Offline bool
	// URL to download from; "" means [URL].
	URL string
	// MD5 is the expected hex checksum of the archive, checked after a
	// download and before unpacking an archive found on disk; "" means [MD5].
	MD5 string
	// Progress, if set, is called as the download proceeds (see [Downloader]).
	Progress func(done, total int64)
	// Client does the HTTP request; nil means http.DefaultClient.
	Client HTTPClient
}

func (o Options) downloader() Downloader {
	return Downloader{URL: o.URL, MD5: o.MD5, Progress: o.Progress, Client: o.Client}
}

// Load returns CIFAR-10's training set (50,000 images in the official data)
// and test set (10,000), finding, unpacking or downloading the data in
// dataDir as the package documentation describes. Both sets are named
// "cifar10" and have shape [3, 32, 32].
func Load(ctx context.Context, dataDir string, opt Options) (train, test *datasets.Dataset, err error) {
	dir, err := Prepare(ctx, dataDir, opt)
	if err != nil {
		return nil, nil, err
	}
	return LoadDir(ctx, dir)
}

// Prepare makes sure dataDir/cifar-10-batches-bin exists, unpacking the
// archive (after checking its MD5) or downloading it first if needed, and
// returns that directory's path. It does not read the batches.
func Prepare(ctx context.Context, dataDir string, opt Options) (string, error) {
	if dataDir == "" {
		return "", errors.New("cifar10: no data directory given")
	}
	dir := filepath.Join(dataDir, DirName)
	switch fi, err := os.Stat(dir); {
	case err == nil && fi.IsDir():
		return dir, nil
	case err == nil:
		return "", fmt.Errorf("cifar10: %s is not a directory", dir)
	case !errors.Is(err, fs.ErrNotExist):
		return "", fmt.Errorf("cifar10: %w", err)
	}
	archive := filepath.Join(dataDir, ArchiveName)
	switch _, err := os.Stat(archive); {
	case errors.Is(err, fs.ErrNotExist):
		if opt.Offline {
			return "", fmt.Errorf("cifar10: %w in %s (offline): download %s by hand and put it at %s", ErrNoData, dataDir, urlOr(opt.URL), absPath(archive))
		}
		if err := opt.downloader().Download(ctx, dataDir); err != nil {
			return "", err
		}
	case err != nil:
		return "", fmt.Errorf("cifar10: %w", err)
	default:
		want := md5Or(opt.MD5)
		got, err := fileMD5(ctx, archive)
		if err != nil {
			return "", fmt.Errorf("cifar10: %w", err)
		}
		if !strings.EqualFold(got, want) {
			return "", fmt.Errorf("cifar10: %s: %w: got %s, want %s (a damaged or different archive: delete it, or download it again from %s)", archive, ErrChecksum, got, want, urlOr(opt.URL))
		}
	}
	if err := Extract(ctx, archive, dataDir); err != nil {
		return "", err
	}
	return dir, nil
}

// LoadDir reads an unpacked cifar-10-batches-bin directory: the five
// training batches concatenated in order, and the test batch. Class names
// come from batches.meta.txt, or are [Classes] if that file is missing.
func LoadDir(ctx context.Context, dir string) (train, test *datasets.Dataset, err error) {
	classes, err := readMeta(filepath.Join(dir, MetaFile))
	if err != nil {
		return nil, nil, err
	}
	paths := make([]string, len(TrainFiles))
	for i, f := range TrainFiles {
		paths[i] = filepath.Join(dir, f)
	}
	train, err = loadBatches(ctx, classes, paths)
	if err != nil {
		return nil, nil, err
	}
	test, err = loadBatches(ctx, classes, []string{filepath.Join(dir, TestFile)})
	if err != nil {
		return nil, nil, err
	}
	return train, test, nil
}

// readMeta reads the class names, one a non-blank line; a missing file
// gives the standard names.
func readMeta(path string) ([]string, error) {
	data, err := regfile.ReadFile(path, 1<<20)
	if errors.Is(err, fs.ErrNotExist) {
		return append([]string(nil), Classes...), nil
	}
	if err != nil {
		return nil, fmt.Errorf("cifar10: %w", err)
	}
	var names []string
	seen := map[string]bool{}
	for line := range strings.Lines(string(data)) {
		name := strings.TrimSpace(line)
		if name == "" {
			continue
		}
		if seen[name] {
			return nil, fmt.Errorf("cifar10: %s: class %q named twice", path, name)
		}
		seen[name] = true
		names = append(names, name)
	}
	if len(names) != NumClasses {
		return nil, fmt.Errorf("cifar10: %s: %d class names, want %d", path, len(names), NumClasses)
	}
	return names, nil
}

// loadBatches reads whole batch files into one data set, allocating it once.
func loadBatches(ctx context.Context, classes []string, paths []string) (*datasets.Dataset, error) {
	counts := make([]int, len(paths))
	total := 0
	for i, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("cifar10: %w", err)
		}
		n, err := recordCount(p, fi.Size())
		if err != nil {
			return nil, err
		}
		counts[i] = n
		total += n
	}
	d := &datasets.Dataset{
		Name:    "cifar10",
		Classes: classes,
		Shape:   []int{Channels, Height, Width},
		Pix:     make([]byte, total*ImageSize),
		Y:       make([]int32, total),
	}
	at := 0
	for i, p := range paths {
		n := counts[i]
		if err := readBatchFile(ctx, p, d.Y[at:at+n], d.Pix[at*ImageSize:(at+n)*ImageSize], len(classes)); err != nil {
			return nil, err
		}
		at += n
	}
	if err := d.Validate(); err != nil {
		return nil, fmt.Errorf("cifar10: %w", err)
	}
	return d, nil
}

// recordCount checks a batch file's size and returns its number of records.
func recordCount(name string, size int64) (int, error) {
	if size == 0 {
		return 0, fmt.Errorf("cifar10: %s: empty batch file", name)
	}
	if size%RecordSize != 0 {
		return 0, fmt.Errorf("cifar10: %s: size %d is not a multiple of %d, the record size (%d whole records and %d bytes over)", name, size, RecordSize, size/RecordSize, size%RecordSize)
	}
	return int(size / RecordSize), nil
}

// readBatchFile fills y and pix (len(y) records) from the batch file at path.
func readBatchFile(ctx context.Context, path string, y []int32, pix []byte, nclasses int) error {
	f, err := regfile.Open(path)
	if err != nil {
		return fmt.Errorf("cifar10: %w", err)
	}
	defer f.Close()
	const chunk = 256 // records per read: about 800 kB
	buf := make([]byte, chunk*RecordSize)
	for first := 0; first < len(y); first += chunk {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("cifar10: reading %s: %w", path, err)
		}
		n := min(chunk, len(y)-first)
		b := buf[:n*RecordSize]
		if _, err := io.ReadFull(f, b); err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
				return fmt.Errorf("cifar10: %s: truncated while reading records %d..%d (the file shrank?)", path, first, first+n-1)
			}
			return fmt.Errorf("cifar10: %w", err)
		}
		if err := parseRecords(path, b, first, y[first:first+n], pix[first*ImageSize:(first+n)*ImageSize], nclasses); err != nil {
			return err
		}
	}
	return nil
}

// parseRecords splits whole records in b, the first of which is record
// number first of the file name, into labels y and pixels pix.
func parseRecords(name string, b []byte, first int, y []int32, pix []byte, nclasses int) error {
	for i := range y {
		rec := b[i*RecordSize : (i+1)*RecordSize]
		label := int(rec[0])
		if label >= nclasses {
			return fmt.Errorf("cifar10: %s: record %d (byte offset %d): label %d, want 0..%d", name, first+i, (first+i)*RecordSize, label, nclasses-1)
		}
		y[i] = int32(label)
		copy(pix[i*ImageSize:(i+1)*ImageSize], rec[1:])
	}
	return nil
}

// ParseBatch splits the contents of one batch file into labels and
// channel-major pixels (ImageSize bytes per image). name is used in errors
// only. A size that is zero or not a multiple of RecordSize, or a label
// outside 0..9, is an error naming the file and, for a label, the record
// (numbered from 0).
func ParseBatch(name string, data []byte) (labels []int32, pix []byte, err error) {
	n, err := recordCount(name, int64(len(data)))
	if err != nil {
		return nil, nil, err
	}
	labels = make([]int32, n)
	pix = make([]byte, n*ImageSize)
	if err := parseRecords(name, data, 0, labels, pix, NumClasses); err != nil {
		return nil, nil, err
	}
	return labels, pix, nil
}

// WriteBatch writes labels and channel-major pixels as batch-file records
// to w: the inverse of [ParseBatch]. It is for tests and converters.
func WriteBatch(w io.Writer, labels []int32, pix []byte) error {
	if len(pix) != len(labels)*ImageSize {
		return fmt.Errorf("cifar10: %d pixel bytes for %d images of %d", len(pix), len(labels), ImageSize)
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	for i, y := range labels {
		if y < 0 || y >= NumClasses {
			return fmt.Errorf("cifar10: image %d: label %d, want 0..%d", i, y, NumClasses-1)
		}
		if err := bw.WriteByte(byte(y)); err != nil {
			return err
		}
		if _, err := bw.Write(pix[i*ImageSize : (i+1)*ImageSize]); err != nil {
			return err
		}
	}
	return bw.Flush()
}

func urlOr(u string) string {
	if u == "" {
		return URL
	}
	return u
}

func md5Or(s string) string {
	if s == "" {
		return MD5
	}
	return s
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}
