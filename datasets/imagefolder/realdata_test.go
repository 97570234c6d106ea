package imagefolder_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/mlptui/mlptui/datasets/cifar10"
	"github.com/mlptui/mlptui/datasets/imagefolder"
)

// TestRealCIFAR10 checks that the CIFAR-10 JPEG tree loaded as an image
// folder and the same images converted to CIFAR-10's binary layout (in
// class, then file-name order, training records in sequence) give identical
// pixels and labels. It needs the data unpacked outside the repository
// (see /work/shared/data/README.md):
//
//	MLPTUI_CIFAR10_JPG  default /tmp/cifar10      (train/<class>/*.jpg, test/<class>/*.jpg)
//	MLPTUI_CIFAR10_BIN  default /tmp/cifar10-bin  (cifar-10-batches-bin/)
//
// and skips when they are absent, with -short, and under the race detector
// (too slow there).
func TestRealCIFAR10(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("loads 60,000 images twice")
	}
	jpg := envOr("MLPTUI_CIFAR10_JPG", "/tmp/cifar10")
	bin := envOr("MLPTUI_CIFAR10_BIN", "/tmp/cifar10-bin")
	if _, err := os.Stat(filepath.Join(jpg, "train")); err != nil {
		t.Skipf("no JPEG tree: %v", err)
	}
	if _, err := os.Stat(filepath.Join(bin, cifar10.DirName)); err != nil {
		t.Skipf("no binary tree: %v", err)
	}
	ctx := context.Background()
	start := time.Now()
	ftrain, ftest, info, err := imagefolder.Load(ctx, jpg, imagefolder.Options{})
	if err != nil {
		t.Fatal(err)
	}
	folderTime := time.Since(start)
	start = time.Now()
	btrain, btest, err := cifar10.Load(ctx, bin, cifar10.Options{Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("image folder: %d+%d images in %v (%+v); binary: %d+%d in %v",
		ftrain.Len(), ftest.Len(), folderTime, info, btrain.Len(), btest.Len(), time.Since(start))
	if !slices.Equal(ftrain.Classes, btrain.Classes) || !slices.Equal(ftrain.Shape, btrain.Shape) {
		t.Fatalf("folder classes %v shape %v, binary %v %v", ftrain.Classes, ftrain.Shape, btrain.Classes, btrain.Shape)
	}
	for _, p := range []struct {
		name         string
		fy, by       []int32
		fpix, bpix   []byte
		fname, bname string
	}{
		{"train", ftrain.Y, btrain.Y, ftrain.Pix, btrain.Pix, ftrain.Name, btrain.Name},
		{"test", ftest.Y, btest.Y, ftest.Pix, btest.Pix, ftest.Name, btest.Name},
	} {
		if !slices.Equal(p.fy, p.by) {
			t.Errorf("%s labels differ", p.name)
		}
		if !bytes.Equal(p.fpix, p.bpix) {
			diff := 0
			for i := range min(len(p.fpix), len(p.bpix)) {
				if p.fpix[i] != p.bpix[i] {
					diff++
				}
			}
			t.Errorf("%s pixels differ: %d of %d bytes (lengths %d, %d)", p.name, diff, len(p.bpix), len(p.fpix), len(p.bpix))
		}
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
