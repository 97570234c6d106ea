package imagefolder

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
)

// tree writes files (slash-separated paths relative to root) and returns root.
func tree(t *testing.T, files map[string][]byte) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "pets")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	for p, b := range files {
		writeFile(t, filepath.Join(root, filepath.FromSlash(p)), b)
	}
	return root
}

func TestLoadTrainTest(t *testing.T) {
	img := map[string]image.Image{}
	files := map[string][]byte{}
	add := func(p string, m image.Image, data []byte) {
		img[p], files[p] = m, data
	}
	id := byte(0)
	next := func() *image.RGBA { id++; return pattern(8, 8, id) }
	for _, c := range []string{"cat", "dog", "emu"} {
		for _, f := range []string{"b.png", "a.png"} {
			m := next()
			add("train/"+c+"/"+f, m, encodePNG(t, m))
		}
		m := next()
		add("test/"+c+"/1.png", m, encodePNG(t, m))
	}
	g := image.NewGray(image.Rect(0, 0, 8, 8))
	g.Pix[5] = 200
	gifData := encodeGIF(t, g) // quantized to a palette: compare with what it decodes to
	gifImg, err := gif.Decode(bytes.NewReader(gifData))
	if err != nil {
		t.Fatal(err)
	}
	add("train/dog/sub/x.gif", gifImg, gifData)
	files["train/cat/.DS_Store"] = []byte("junk")
	files["train/.hidden/z.png"] = []byte("junk")
	files["train/notes.txt"] = []byte("loose file")
	files["train/dog/.cache/y.png"] = []byte("junk")

	root := tree(t, files)
	defer func(old int64) { maxCachedFile = old }(maxCachedFile)
	for _, workers := range []int{1, 3, 8} {
		if workers == 3 {
			maxCachedFile = 0 // read every file twice instead of keeping it
		}
		train, test, info, err := Load(context.Background(), root, Options{Workers: workers})
		if err != nil {
			t.Fatal(err)
		}
		wantTrain := []string{"train/cat/a.png", "train/cat/b.png", "train/dog/a.png", "train/dog/b.png", "train/dog/sub/x.gif", "train/emu/a.png", "train/emu/b.png"}
		wantTest := []string{"test/cat/1.png", "test/dog/1.png", "test/emu/1.png"}
		for _, c := range []struct {
			part   string
			pix    []byte
			y      []int32
			paths  []string
			labels []int32
		}{
			{"train", train.Pix, train.Y, wantTrain, []int32{0, 0, 1, 1, 1, 2, 2}},
			{"test", test.Pix, test.Y, wantTest, []int32{0, 1, 2}},
		} {
			if !slices.Equal(c.y, c.labels) {
				t.Errorf("workers %d: %s labels %v, want %v", workers, c.part, c.y, c.labels)
			}
			var want []byte
			for _, p := range c.paths {
				want = append(want, refPlanes(img[p])...)
			}
			if !bytes.Equal(c.pix, want) {
				t.Errorf("workers %d: %s pixels differ from the files' (in order %v)", workers, c.part, c.paths)
			}
		}
		if train.Name != "pets" || !slices.Equal(train.Classes, []string{"cat", "dog", "emu"}) || !slices.Equal(train.Shape, []int{3, 8, 8}) {
			t.Errorf("got name %q, classes %v, shape %v", train.Name, train.Classes, train.Shape)
		}
		wantInfo := Info{Layout: "train/test", Width: 8, Height: 8, Images: 10, Ignored: 4}
		if !infoEqual(info, wantInfo) {
			t.Errorf("info %+v, want %+v", info, wantInfo)
		}
	}
}

func infoEqual(a, b Info) bool {
	return a.Layout == b.Layout && a.Width == b.Width && a.Height == b.Height && a.Images == b.Images &&
		a.Resized == b.Resized && a.Skipped == b.Skipped && a.Ignored == b.Ignored && slices.Equal(a.SkippedFiles, b.SkippedFiles)
}

func TestLoadSplit(t *testing.T) {
	files := map[string][]byte{}
	id := byte(0)
	for _, c := range []string{"a", "b"} {
		for i := range 10 {
			id++
			files[c+"/"+string(rune('0'+i))+".png"] = encodePNG(t, pattern(4, 4, id))
		}
	}
	for _, prefix := range []string{"", "train/"} {
		t.Run("root "+prefix, func(t *testing.T) {
			f := map[string][]byte{}
			for p, b := range files {
				f[prefix+p] = b
			}
			root := tree(t, f)
			train, test, info, err := Load(context.Background(), root, Options{Seed: 7, TestSplit: 0.3})
			if err != nil {
				t.Fatal(err)
			}
			if info.Layout != "split" || train.Len() != 14 || test.Len() != 6 {
				t.Fatalf("layout %q, %d train and %d test images; want split, 14 and 6", info.Layout, train.Len(), test.Len())
			}
			if c := test.ClassCounts(); !slices.Equal(c, []int{3, 3}) {
				t.Errorf("test class counts %v, want [3 3]", c)
			}
			// Every image exactly once, with its label (ids 1..10 are a, 11..20 b).
			seen := map[byte]bool{}
			for _, d := range []*struct {
				pix []byte
				y   []int32
			}{{train.Pix, train.Y}, {test.Pix, test.Y}} {
				for i, y := range d.y {
					id := d.pix[i*48]
					if seen[id] || (id <= 10) != (y == 0) {
						t.Errorf("image %d seen twice or with label %d", id, y)
					}
					seen[id] = true
				}
			}
			if len(seen) != 20 {
				t.Errorf("saw %d distinct images, want 20", len(seen))
			}
			train2, test2, _, err := Load(context.Background(), root, Options{Seed: 7, TestSplit: 0.3, Workers: 1})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(train.Pix, train2.Pix) || !slices.Equal(test.Y, test2.Y) {
				t.Error("same seed, different split")
			}
			differs := false
			for seed := uint64(8); seed < 12 && !differs; seed++ {
				_, test3, _, err := Load(context.Background(), root, Options{Seed: seed, TestSplit: 0.3})
				if err != nil {
					t.Fatal(err)
				}
				differs = !bytes.Equal(test.Pix, test3.Pix)
			}
			if !differs {
				t.Error("seeds 8..11 all give seed 7's split")
			}
		})
	}
}

func TestLoadSizes(t *testing.T) {
	files := map[string][]byte{}
	for i, c := range []string{"x", "y"} {
		for j := range 3 {
			files[c+"/"+string(rune('a'+j))+".png"] = encodePNG(t, pattern(8, 6, byte(10*i+j)))
		}
		files[c+"/big.jpg"] = encodeJPEG(t, smooth(16, 16), 90)
		files[c+"/tall.png"] = encodePNG(t, pattern(3, 9, 99))
	}
	root := tree(t, files)
	tests := []struct {
		name    string
		opt     Options
		shape   []int
		resized int
	}{
		{"most common: 8 wide, 6 high", Options{}, []int{3, 6, 8}, 4},
		{"ImageSize 4", Options{ImageSize: 4}, []int{3, 4, 4}, 10},
		{"ImageSize 16", Options{ImageSize: 16}, []int{3, 16, 16}, 8},
		{"Width and Height", Options{ImageSize: 4, Width: 3, Height: 9}, []int{3, 9, 3}, 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opt.TestSplit = 0.5
			train, test, info, err := Load(context.Background(), root, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(train.Shape, tt.shape) || !slices.Equal(test.Shape, tt.shape) || info.Resized != tt.resized {
				t.Errorf("shape %v, %d resized; want %v, %d", train.Shape, info.Resized, tt.shape, tt.resized)
			}
			if info.Width != tt.shape[2] || info.Height != tt.shape[1] {
				t.Errorf("info size %dx%d, want %dx%d", info.Width, info.Height, tt.shape[2], tt.shape[1])
			}
		})
	}
}

func TestCommonSizeTies(t *testing.T) {
	p := func(x, y int) image.Point { return image.Point{x, y} }
	sizes := []image.Point{p(4, 4), p(2, 8), p(8, 2), p(4, 4), p(8, 2), p(2, 8), p(9, 9)}
	bad := make([]error, len(sizes))
	bad[6] = errors.New("skipped")
	w, h, ok := commonSize(sizes, bad)
	// 4x4, 2x8 and 8x2 tie on count and area: the widest wins.
	if !ok || w != 8 || h != 2 {
		t.Errorf("commonSize = %dx%d, %v; want 8x2", w, h, ok)
	}
}

func TestLoadBadFiles(t *testing.T) {
	good := encodePNG(t, pattern(4, 4, 1))
	jpg := encodeJPEG(t, smooth(8, 8), 90)
	tests := []struct {
		name string
		data []byte
		is   error
		msg  string
	}{
		{"empty", nil, ErrNotImage, "empty file"},
		{"text", []byte("not a picture at all"), ErrNotImage, "not an image (unknown format)"},
		{"truncated jpeg", jpg[:len(jpg)-30], ErrCorrupt, "truncated jpeg file"},
		{"corrupt png", append(bytes.Clone(good[:40]), bytes.Repeat([]byte{0xee}, 60)...), ErrCorrupt, "corrupt image"},
		{"huge header", pngHeader(100000, 100000), ErrSize, "100000x100000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string][]byte{
				"a/1.png": good, "a/2.png": good, "b/1.png": good, "b/2.png": good,
				"b/bad.png": tt.data,
			}
			root := tree(t, files)
			bad := filepath.Join(root, "b", "bad.png")
			_, _, _, err := Load(context.Background(), root, Options{TestSplit: 0.5})
			if !errors.Is(err, tt.is) || !strings.Contains(err.Error(), bad) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("got %v, want %v naming %s and containing %q", err, tt.is, bad, tt.msg)
			}
			train, test, info, err := Load(context.Background(), root, Options{SkipBad: true, TestSplit: 0.5})
			if err != nil {
				t.Fatal(err)
			}
			if info.Skipped != 1 || !slices.Equal(info.SkippedFiles, []string{bad}) || train.Len()+test.Len() != 4 {
				t.Errorf("SkipBad: skipped %d %v, loaded %d; want 1 [%s], 4", info.Skipped, info.SkippedFiles, train.Len()+test.Len(), bad)
			}
		})
	}
}

func TestLoadFirstErrorIsDeterministic(t *testing.T) {
	good := encodePNG(t, pattern(4, 4, 1))
	files := map[string][]byte{}
	for i := range 30 {
		files["a/"+string(rune('a'+i))+".png"] = good
		files["b/"+string(rune('a'+i))+".png"] = good
	}
	files["a/k.png"] = []byte("bad one")
	files["b/c.png"] = []byte("bad two")
	root := tree(t, files)
	want := filepath.Join(root, "a", "k.png")
	for _, workers := range []int{1, 2, 5, 16} {
		_, _, _, err := Load(context.Background(), root, Options{Workers: workers})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("workers %d: got %v, want the error for %s", workers, err, want)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	good := encodePNG(t, pattern(4, 4, 1))
	tests := []struct {
		name  string
		files map[string][]byte
		opt   Options
		want  string
	}{
		{"class only in train", map[string][]byte{"train/a/1.png": good, "train/b/1.png": good, "train/c/1.png": good, "test/a/1.png": good, "test/b/1.png": good}, Options{}, `class "c" is in`},
		{"class only in test", map[string][]byte{"train/a/1.png": good, "train/b/1.png": good, "test/a/1.png": good, "test/b/1.png": good, "test/d/1.png": good}, Options{}, `class "d" is in`},
		{"one class", map[string][]byte{"a/1.png": good, "a/2.png": good}, Options{}, "1 class folders, need at least 2"},
		{"test without train", map[string][]byte{"test/a/1.png": good, "test/b/1.png": good}, Options{}, "test folder but no train folder"},
		{"empty class", map[string][]byte{"a/1.png": good, "a/2.png": good, "b/.keep": nil}, Options{}, `class "b" has no training images`},
		{"no images", map[string][]byte{"a/.x": nil, "b/.y": nil}, Options{}, "no decodable images"},
		{"empty test part", map[string][]byte{"train/a/1.png": good, "train/b/1.png": good, "test/a/.x": nil, "test/b/.x": nil}, Options{}, "test set is empty"},
		{"split of 1", map[string][]byte{"a/1.png": good, "b/1.png": good}, Options{TestSplit: 1}, "test split 1 is not between 0 and 1"},
		{"negative size", map[string][]byte{"a/1.png": good, "b/1.png": good}, Options{ImageSize: -3}, "negative image size"},
		{"too many pixels", map[string][]byte{"a/1.png": good, "b/1.png": good}, Options{ImageSize: 100, MaxPixels: 9999}, "sample size 100x100 is more than 9999 pixels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := tree(t, tt.files)
			_, _, _, err := Load(context.Background(), root, tt.opt)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error containing %q", err, tt.want)
			}
		})
	}
	file := filepath.Join(t.TempDir(), "f.png")
	writeFile(t, file, good)
	for _, root := range []string{file, filepath.Join(t.TempDir(), "missing")} {
		if _, _, _, err := Load(context.Background(), root, Options{}); err == nil || !strings.Contains(err.Error(), root) {
			t.Errorf("Load(%s): got %v, want an error naming it", root, err)
		}
	}
}

func TestLoadCancelled(t *testing.T) {
	good := encodePNG(t, pattern(4, 4, 1))
	root := tree(t, map[string][]byte{"a/1.png": good, "b/1.png": good})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, _, err := Load(ctx, root, Options{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

// TestLoadProgress: each stage ends with a call for all its files, counts
// only go up, and no two calls overlap, whatever the number of workers.
func TestLoadProgress(t *testing.T) {
	files := map[string][]byte{}
	for i := range 40 {
		files[fmt.Sprintf("%c/%d.png", 'a'+i%2, i)] = encodePNG(t, pattern(4, 4, byte(i)))
	}
	root := tree(t, files)
	for _, workers := range []int{1, 4} {
		var calls []string
		var inside atomic.Int32
		last := map[string]int{}
		_, _, _, err := Load(context.Background(), root, Options{Workers: workers, Progress: func(stage string, done, total int) {
			if inside.Add(1) != 1 {
				t.Error("two Progress calls at once")
			}
			defer inside.Add(-1)
			if total != 40 || done <= last[stage] || done > total {
				t.Errorf("%s %d of %d after %d", stage, done, total, last[stage])
			}
			last[stage] = done
			calls = append(calls, fmt.Sprintf("%s %d", stage, done))
		}})
		if err != nil {
			t.Fatal(err)
		}
		// Each stage ends with all its files, reading before decoding.
		if len(calls) < 2 || calls[len(calls)-1] != "decoding 40" || !slices.Contains(calls, "reading 40") ||
			slices.Index(calls, "reading 40") > slices.IndexFunc(calls, func(c string) bool { return strings.HasPrefix(c, "decoding") }) {
			t.Errorf("workers %d: calls %v", workers, calls)
		}
	}
}

func TestParallelCancelStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	err := parallel(ctx, 1000, 1, nil, func(i int) error {
		calls++
		if i == 10 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || calls != 11 {
		t.Errorf("got %v after %d calls, want context.Canceled after 11", err, calls)
	}
}

func TestParseSize(t *testing.T) {
	tests := []struct {
		in      string
		w, h    int
		wantErr bool
	}{
		{"32", 32, 32, false},
		{" 64x48 ", 64, 48, false},
		{"64X48", 64, 48, false},
		{"0", 0, 0, false},
		{"", 0, 0, true},
		{"-1", 0, 0, true},
		{"0x5", 0, 0, true},
		{"5x0", 0, 0, true},
		{"5x", 0, 0, true},
		{"axb", 0, 0, true},
		{"5x5x5", 0, 0, true},
	}
	for _, tt := range tests {
		w, h, err := ParseSize(tt.in)
		if (err != nil) != tt.wantErr || w != tt.w || h != tt.h {
			t.Errorf("ParseSize(%q) = %d, %d, %v; want %d, %d, error %v", tt.in, w, h, err, tt.w, tt.h, tt.wantErr)
		}
		if err != nil && !strings.Contains(err.Error(), tt.in) {
			t.Errorf("ParseSize(%q) error %q does not quote the input", tt.in, err)
		}
	}
}
