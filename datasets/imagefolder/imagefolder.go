// Package imagefolder loads a folder of image files, one subfolder per
// class, as [datasets.Dataset] values, and decodes single images for
// classification.
//
// # Layouts
//
//	root/train/<class>/...   and   root/test/<class>/...   (or root/val/<class>)
//	root/<class>/...         split into train and test by Options.TestSplit and Seed
//
// A root with a train folder but no test (or val) folder is split like the
// second layout, with the classes taken from root/train. Class names are the
// sorted names of the class folders; labels index them. Train and test must
// have the same classes. Files may sit at any depth below their class
// folder; a class folder may be a symbolic link (it is followed, and its
// files keep the link's path). Names starting with "." (files and folders)
// are skipped, and so are loose files beside the class folders.
//
// # Files
//
// Every other file is taken to be an image and recognised by its content,
// not its extension: PNG, JPEG, GIF, BMP and WebP. Each file's header is read
// first and an image with zero pixels or more than Options.MaxPixels is
// refused before any pixel memory is allocated, and the memory decoding
// takes is counted against [DecodeMemory]. A file that is not a
// decodable image is an error naming it, unless Options.SkipBad is set; then
// it is skipped and counted in [Info].
//
// # Pixels
//
// Every image becomes 3 channels of bytes, stored channel-major like
// CIFAR-10 (all red bytes row-major, then green, then blue):
//
//   - grayscale (8- or 16-bit) is replicated into all three channels;
//   - YCbCr JPEGs are converted with Go's standard formula
//     ([color.YCbCrToRGB]), CMYK and YCCK JPEGs with [color.CMYKToRGB];
//   - palette images are looked up; 16-bit values keep their top 8 bits;
//   - transparency is composited over black (a pixel's colour is
//     multiplied by its opacity), which is Go's premultiplied colour model;
//   - a GIF gives its first frame, on a black canvas of the GIF's size.
//
// All samples get one size, H×W: Options.ImageSize (or Width and Height),
// or else the most common size among the folder's images. An image of that
// size keeps its pixels exactly; others are resized with area averaging
// along an axis that shrinks and bilinear interpolation along one that
// grows (pixel centres aligned, edges clamped). Aspect ratio is not kept.
//
// # Order
//
// Images are decoded in parallel (Options.Workers), but the output order is
// fixed: by class, then by path within the class (byte-wise sorted), so a
// folder gives the same data set whatever the number of workers. The
// split layout's train and test sets come from [datasets.StratifiedSplit],
// which mixes them in an order fixed by the seed.
package imagefolder

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mlptui/mlptui/datasets"
	"github.com/mlptui/mlptui/internal/regfile"
)

// DefaultTestSplit is the share of each class held out for testing when the
// folder has no test part and Options.TestSplit is 0.
const DefaultTestSplit = 0.2

// Options control [Load]. The zero value is usable.
type Options struct {
	// ImageSize makes every sample ImageSize×ImageSize pixels. 0 means the
	// most common size among the folder's images (which may be W×H with
	// W ≠ H).
	ImageSize int
	// Width and Height, when both set, ask for a W×H sample size instead
	// of a square one; they override ImageSize.
	Width, Height int
	// SkipBad skips files that are not decodable images (counting them in
	// Info) instead of failing.
	SkipBad bool
	// MaxPixels refuses images with more pixels (width × height) than this,
	// before decoding them; 0 means DefaultMaxPixels.
	MaxPixels int
	// TestSplit is the share of each class held out as the test set when
	// the folder has no test part; 0 means DefaultTestSplit. It must be
	// below 1.
	TestSplit float64
	// Seed fixes the train/test split.
	Seed uint64
	// Workers is the number of decoding goroutines; 0 means GOMAXPROCS.
	Workers int
	// Progress, if not nil, is told how far loading has come, at most
	// about ten times a second and once at the end of each stage: stage is
	// "reading" (file headers, for the sizes) and then "decoding", done of
	// total files. Calls are never concurrent.
	Progress func(stage string, done, total int)
}

// Info describes what [Load] found.
type Info struct {
	Layout        string   // "train/test" (or "train/val") when the folder has both parts, "split" when Load split it
	Width, Height int      // sample size
	Images        int      // images loaded (train and test)
	Resized       int      // of which not already at the sample size
	Skipped       int      // files skipped as not decodable images (Options.SkipBad)
	SkippedFiles  []string // the first few of them, for a warning
	Ignored       int      // dotfiles and loose files beside the class folders
}

// maxSkippedFiles bounds Info.SkippedFiles.
const maxSkippedFiles = 10

// file is one image to load.
type file struct {
	path  string
	label int32
	test  bool
}

// Load reads the image folder at root into a training and a test set; see
// the package documentation for layouts and pixel handling. Both sets are
// named after root's base name and have shape [3, H, W].
func Load(ctx context.Context, root string, opt Options) (train, test *datasets.Dataset, info Info, err error) {
	if err := opt.fill(); err != nil {
		return nil, nil, info, err
	}
	name, err := rootName(root)
	if err != nil {
		return nil, nil, info, err
	}
	files, classes, err := scan(root, &info)
	if err != nil {
		return nil, nil, info, err
	}
	if err := ctx.Err(); err != nil {
		return nil, nil, info, fmt.Errorf("imagefolder: %w", err)
	}
	// Pass 1: headers, for sizes and early refusal of bad files. Small
	// files are kept in memory for pass 2, up to a budget.
	sizes, cache, bad, err := readHeaders(ctx, files, opt)
	if err != nil {
		return nil, nil, info, fmt.Errorf("imagefolder: %w", err)
	}
	w, h, err := sampleSize(root, opt, sizes, bad, len(files))
	if err != nil {
		return nil, nil, info, err
	}
	info.Width, info.Height = w, h
	// Pass 2: decode into place.
	pix, resized, err := decodeAll(ctx, files, cache, bad, h, w, opt)
	if err != nil {
		return nil, nil, info, fmt.Errorf("imagefolder: %w", err)
	}
	info.Resized = resized
	train, test = compact(files, bad, pix, 3*h*w, &info, &datasets.Dataset{Name: name, Classes: classes, Shape: []int{3, h, w}})
	if err := checkClassesPresent(root, train, "training"); err != nil {
		return nil, nil, info, err
	}
	if info.Layout == "split" {
		train, test = datasets.StratifiedSplit(train, opt.TestSplit, opt.Seed)
	}
	if test.Len() == 0 {
		return nil, nil, info, fmt.Errorf("imagefolder: %s: the test set is empty", root)
	}
	for _, d := range []*datasets.Dataset{train, test} {
		if err := d.Validate(); err != nil {
			return nil, nil, info, fmt.Errorf("imagefolder: %s: %w", root, err)
		}
	}
	return train, test, info, nil
}

// fill sets the defaults of the options left zero and checks the rest.
func (opt *Options) fill() error {
	if opt.MaxPixels <= 0 {
		opt.MaxPixels = DefaultMaxPixels
	}
	if opt.TestSplit == 0 {
		opt.TestSplit = DefaultTestSplit
	}
	if !(opt.TestSplit > 0 && opt.TestSplit < 1) {
		return fmt.Errorf("imagefolder: test split %v is not between 0 and 1", opt.TestSplit)
	}
	if opt.ImageSize < 0 || opt.Width < 0 || opt.Height < 0 {
		return fmt.Errorf("imagefolder: negative image size %d (width %d, height %d)", opt.ImageSize, opt.Width, opt.Height)
	}
	if opt.Workers <= 0 {
		opt.Workers = runtime.GOMAXPROCS(0)
	}
	return nil
}

// rootName checks that root is a directory and returns its name.
func rootName(root string) (string, error) {
	fi, err := os.Stat(root)
	if err != nil {
		return "", fmt.Errorf("imagefolder: %w", err)
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("imagefolder: %s is not a directory", root)
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return "", fmt.Errorf("imagefolder: %w", err)
	}
	return filepath.Base(abs), nil
}

// readHeaders reads every file's header: its size, and the whole file
// while the cache's budget lasts. bad holds the errors of the files
// skipped (SkipBad).
func readHeaders(ctx context.Context, files []file, opt Options) (sizes []image.Point, cache [][]byte, bad []error, err error) {
	sizes = make([]image.Point, len(files))
	bad = make([]error, len(files))
	cache = make([][]byte, len(files))
	var budget atomic.Int64
	budget.Store(cacheBudget)
	err = parallel(ctx, len(files), opt.Workers, stageProgress(opt.Progress, "reading", len(files)), func(i int) error {
		p, data, err := readHeader(files[i].path, opt.MaxPixels, &budget)
		cache[i] = data
		if err != nil {
			if opt.SkipBad && isBadImage(err) {
				bad[i] = err
				return nil
			}
			return err
		}
		sizes[i] = p
		return nil
	})
	return sizes, cache, bad, err
}

// sampleSize is the size the samples are resized to: the options', or
// else the most common of the images'.
func sampleSize(root string, opt Options, sizes []image.Point, bad []error, n int) (w, h int, err error) {
	w, h = opt.Width, opt.Height
	if w == 0 || h == 0 {
		w, h = opt.ImageSize, opt.ImageSize
	}
	if w == 0 {
		var ok bool
		if w, h, ok = commonSize(sizes, bad); !ok {
			return 0, 0, fmt.Errorf("imagefolder: %s: no decodable images (%d files skipped)", root, n)
		}
	}
	if int64(w)*int64(h) > int64(opt.MaxPixels) {
		return 0, 0, fmt.Errorf("imagefolder: sample size %dx%d is more than %d pixels", w, h, opt.MaxPixels)
	}
	return w, h, nil
}

// decodeAll decodes every file not skipped into its place in pix, h by w
// pixels, and counts those resized.
func decodeAll(ctx context.Context, files []file, cache [][]byte, bad []error, h, w int, opt Options) (pix []byte, resized int, err error) {
	dim := 3 * h * w
	pix = make([]byte, len(files)*dim)
	var n atomic.Int64
	err = parallel(ctx, len(files), opt.Workers, stageProgress(opt.Progress, "decoding", len(files)), func(i int) error {
		if bad[i] != nil {
			return nil
		}
		data := cache[i]
		cache[i] = nil
		same, err := decodeInto(pix[i*dim:(i+1)*dim], files[i].path, data, h, w, opt.MaxPixels)
		if err != nil {
			if opt.SkipBad && isBadImage(err) {
				bad[i] = err
				return nil
			}
			return err
		}
		if !same {
			n.Add(1)
		}
		return nil
	})
	return pix, int(n.Load()), err
}

// compact drops the skipped files from pix in place and splits it into
// the training and test parts, shaped like proto. Training files come
// first, so the two parts are the two ends of pix.
func compact(files []file, bad []error, pix []byte, dim int, info *Info, proto *datasets.Dataset) (train, test *datasets.Dataset) {
	var ys [2][]int32
	kept := 0
	for i, f := range files {
		if bad[i] != nil {
			info.Skipped++
			if len(info.SkippedFiles) < maxSkippedFiles {
				info.SkippedFiles = append(info.SkippedFiles, f.path)
			}
			continue
		}
		if kept != i {
			copy(pix[kept*dim:(kept+1)*dim], pix[i*dim:(i+1)*dim])
		}
		kept++
		ys[b2i(f.test)] = append(ys[b2i(f.test)], f.label)
	}
	info.Images = kept
	a := len(ys[0]) * dim
	train, test = new(datasets.Dataset), new(datasets.Dataset)
	*train, *test = *proto, *proto
	train.Pix, train.Y = pix[:a:a], ys[0]
	test.Pix, test.Y, test.Shape = pix[a:kept*dim:kept*dim], ys[1], append([]int(nil), proto.Shape...)
	if test.Y == nil {
		test.Y = []int32{}
	}
	return train, test
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func checkClassesPresent(root string, d *datasets.Dataset, part string) error {
	for c, k := range d.ClassCounts() {
		if k == 0 {
			return fmt.Errorf("imagefolder: %s: class %q has no %s images", root, d.Classes[c], part)
		}
	}
	return nil
}

// scan finds the layout, the classes and the image files, sorted.
func scan(root string, info *Info) ([]file, []string, error) {
	trainDir := filepath.Join(root, "train")
	testDir, testName := "", ""
	for _, n := range []string{"test", "val"} {
		if isDir(filepath.Join(root, n)) {
			testDir, testName = filepath.Join(root, n), n
			break
		}
	}
	switch {
	case isDir(trainDir) && testDir != "":
		info.Layout = "train/" + testName
		trainClasses, err := classDirs(trainDir, info)
		if err != nil {
			return nil, nil, err
		}
		testClasses, err := classDirs(testDir, info)
		if err != nil {
			return nil, nil, err
		}
		for _, c := range trainClasses {
			if !slices.Contains(testClasses, c) {
				return nil, nil, fmt.Errorf("imagefolder: class %q is in %s but not in %s", c, trainDir, testDir)
			}
		}
		for _, c := range testClasses {
			if !slices.Contains(trainClasses, c) {
				return nil, nil, fmt.Errorf("imagefolder: class %q is in %s but not in %s", c, testDir, trainDir)
			}
		}
		files, err := classFiles(trainDir, trainClasses, false, info)
		if err != nil {
			return nil, nil, err
		}
		more, err := classFiles(testDir, testClasses, true, info)
		if err != nil {
			return nil, nil, err
		}
		return append(files, more...), trainClasses, nil
	case isDir(trainDir):
		root = trainDir
	case testDir != "" && testName == "test":
		return nil, nil, fmt.Errorf("imagefolder: %s has a test folder but no train folder", root)
	}
	info.Layout = "split"
	classes, err := classDirs(root, info)
	if err != nil {
		return nil, nil, err
	}
	files, err := classFiles(root, classes, false, info)
	return files, classes, err
}

func isDir(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.IsDir()
}

// classDirs returns the sorted names of the class folders in dir.
func classDirs(dir string, info *Info) ([]string, error) {
	es, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("imagefolder: %w", err)
	}
	var classes []string
	for _, e := range es {
		if strings.HasPrefix(e.Name(), ".") {
			info.Ignored++
			continue
		}
		if isDir(filepath.Join(dir, e.Name())) {
			classes = append(classes, e.Name())
		} else {
			info.Ignored++
		}
	}
	if len(classes) < 2 {
		return nil, fmt.Errorf("imagefolder: %s: %d class folders, need at least 2", dir, len(classes))
	}
	return classes, nil // os.ReadDir sorts by name
}

// classFiles lists the files below dir/<class> for each class, in order.
func classFiles(dir string, classes []string, test bool, info *Info) ([]file, error) {
	var files []file
	for label, c := range classes {
		// A class folder that is a symbolic link is followed: WalkDir
		// walks what it leads to, and the files keep the link's path.
		root := filepath.Join(dir, c)
		walkRoot := root
		if real, err := filepath.EvalSymlinks(root); err == nil {
			walkRoot = real
		}
		err := filepath.WalkDir(walkRoot, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if rel, rerr := filepath.Rel(walkRoot, p); rerr == nil {
				p = filepath.Join(root, rel)
			}
			if strings.HasPrefix(d.Name(), ".") && p != root {
				info.Ignored++
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				return nil
			}
			if !d.Type().IsRegular() { // a symbolic link counts if it leads to a file
				fi, err := os.Stat(p)
				if err != nil || !fi.Mode().IsRegular() {
					info.Ignored++
					return nil
				}
			}
			files = append(files, file{path: p, label: int32(label), test: test})
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("imagefolder: %w", err)
		}
	}
	return files, nil
}

// cacheBudget bounds the bytes of image files Load keeps in memory between
// reading their headers and decoding them, so that a folder of small files
// is read once.
const cacheBudget = 256 << 20

// maxCachedFile is the largest file kept: a bigger one is read twice, which
// also means a large file that is not an image is never read whole. (A
// variable so that tests can turn caching off.)
var maxCachedFile int64 = 4 << 20

// readHeader reads an image file's header and checks its size. If the file
// is small and fits in the budget, it is read whole, its size taken from the
// budget, and returned as data.
func readHeader(path string, maxPixels int, budget *atomic.Int64) (size image.Point, data []byte, err error) {
	f, err := regfile.Open(path)
	if err != nil {
		return size, nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return size, nil, err
	}
	n := fi.Size()
	if n == 0 {
		return size, nil, fmt.Errorf("%s: empty file: %w", path, ErrNotImage)
	}
	var r io.Reader = f
	if n <= maxCachedFile && budget.Add(-n) >= 0 {
		data = make([]byte, n)
		if _, err := io.ReadFull(f, data); err != nil {
			return size, nil, err // the file shrank; a read error names it
		}
		r = bytes.NewReader(data)
	} else if n <= maxCachedFile {
		budget.Add(n)
	}
	cfg, _, err := decodeConfig(path, r, maxPixels)
	if err != nil {
		return size, nil, err
	}
	return image.Point{cfg.Width, cfg.Height}, data, nil
}

// decodeInto decodes the image at path, whose contents are data if not nil,
// into dst (3×h×w bytes), and reports whether it already had that size.
func decodeInto(dst []byte, path string, data []byte, h, w, maxPixels int) (same bool, err error) {
	if data == nil {
		if data, err = regfile.ReadFile(path, maxImageFile); err != nil {
			return false, err
		}
	}
	return decodePlanes(dst, path, data, h, w, maxPixels)
}

// isBadImage reports whether err is about a file's content (skippable with
// SkipBad) rather than about reading it.
func isBadImage(err error) bool {
	return errors.Is(err, ErrNotImage) || errors.Is(err, ErrSize) || errors.Is(err, ErrCorrupt)
}

// commonSize returns the most common size among the images not marked bad;
// ties go to the larger area, then the larger width.
func commonSize(sizes []image.Point, bad []error) (w, h int, ok bool) {
	count := map[image.Point]int{}
	for i, p := range sizes {
		if bad[i] == nil {
			count[p]++
		}
	}
	var best image.Point
	bestN := 0
	for p, n := range count {
		if c := cmp.Or(cmp.Compare(n, bestN), cmp.Compare(p.X*p.Y, best.X*best.Y), cmp.Compare(p.X, best.X)); c > 0 {
			best, bestN = p, n
		}
	}
	return best.X, best.Y, bestN > 0
}

// parallel calls fn(i) for i in [0, n) on workers goroutines. It returns the
// error of the smallest i that failed, whatever the number of workers:
// indices are handed out in increasing order and, after a failure at i,
// only indices below i are still started. Cancelling ctx stops it early
// with ctx's error.
func parallel(ctx context.Context, n, workers int, progress func(done int), fn func(i int) error) error {
	var next, done, last atomic.Int64 // last: when progress was called, in Unix nanoseconds
	var pmu sync.Mutex
	lastDone := int64(0) // under pmu
	report := func() {
		d := done.Add(1)
		if progress == nil {
			return
		}
		now := time.Now().UnixNano()
		if d != int64(n) && now-last.Load() < int64(progressEvery) {
			return
		}
		pmu.Lock()
		defer pmu.Unlock()
		if d > lastDone && (d == int64(n) || now-last.Load() >= int64(progressEvery)) {
			lastDone = d
			last.Store(now)
			progress(int(d))
		}
	}
	var mu sync.Mutex
	firstBad := n
	var firstErr error
	var stop atomic.Int64
	stop.Store(int64(n))
	var wg sync.WaitGroup
	for range min(workers, max(n, 1)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || int64(i) > stop.Load() || ctx.Err() != nil {
					return
				}
				err := fn(i)
				report()
				if err != nil {
					mu.Lock()
					if i < firstBad {
						firstBad, firstErr = i, err
						stop.Store(int64(i))
					}
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	return firstErr
}

// progressEvery is the least time between two Progress calls of a stage.
const progressEvery = 100 * time.Millisecond

// stageProgress adapts Options.Progress to one stage of parallel.
func stageProgress(p func(stage string, done, total int), stage string, total int) func(done int) {
	if p == nil {
		return nil
	}
	return func(done int) { p(stage, done, total) }
}

// ParseSize parses an image size as given on a command line: "32" (32×32)
// or "64x48" (width 64, height 48). "0" means "the most common size" and
// gives 0, 0.
func ParseSize(s string) (w, h int, err error) {
	ws, hs, pair := strings.Cut(strings.ToLower(strings.TrimSpace(s)), "x")
	w, err = strconv.Atoi(ws)
	if err != nil || w < 0 {
		return 0, 0, fmt.Errorf("image size %q: want N or WxH with positive whole numbers", s)
	}
	h = w
	if pair {
		h, err = strconv.Atoi(hs)
		if err != nil || h <= 0 || w == 0 {
			return 0, 0, fmt.Errorf("image size %q: want N or WxH with positive whole numbers", s)
		}
	}
	return w, h, nil
}
