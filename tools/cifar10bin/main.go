// Command cifar10bin converts a CIFAR-10 image-folder tree into CIFAR-10's
// binary layout, decoding the pictures with mlptui's own image-folder
// loader, so that mlptui trains on the same pixels from either layout:
//
//	go run ./tools/cifar10bin /tmp/cifar10 /tmp/cifar10-bin
//
// reads SRC/train/<class>/ and SRC/test/<class>/ (classes in sorted order,
// which is CIFAR-10's label order; files in the loader's order) and writes
// DST/cifar-10-batches-bin/: data_batch_1..5.bin (the training pictures in
// that order, 10,000 a file), test_batch.bin and batches.meta.txt. Each
// record is a label byte, then the red, green and blue planes (32x32,
// row-major). datasets/imagefolder's TestRealCIFAR10 checks that the two
// layouts load to the same bytes.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/mlptui/mlptui/datasets"
	"github.com/mlptui/mlptui/datasets/cifar10"
	"github.com/mlptui/mlptui/datasets/imagefolder"
	"github.com/mlptui/mlptui/internal/atomicfile"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: cifar10bin SRC DST")
		os.Exit(2)
	}
	if err := convert(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "cifar10bin:", err)
		os.Exit(1)
	}
}

func convert(src, dst string) error {
	train, test, _, err := imagefolder.Load(context.Background(), src, imagefolder.Options{})
	if err != nil {
		return err
	}
	if len(train.Classes) != cifar10.NumClasses || train.Dim() != cifar10.ImageSize || train.Len() != 50000 || test.Len() != 10000 {
		return fmt.Errorf("%s: %d classes of %v pictures, %d training and %d test; want CIFAR-10's 10 of [3 32 32], 50,000 and 10,000",
			src, len(train.Classes), train.Shape, train.Len(), test.Len())
	}
	perFile := train.Len() / len(cifar10.TrainFiles)
	out := filepath.Join(dst, cifar10.DirName)
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for i, name := range cifar10.TrainFiles {
		if err := write(filepath.Join(out, name), train, i*perFile, (i+1)*perFile); err != nil {
			return err
		}
	}
	if err := write(filepath.Join(out, cifar10.TestFile), test, 0, test.Len()); err != nil {
		return err
	}
	meta := strings.Join(train.Classes, "\n") + "\n"
	if err := atomicfile.WriteFile(filepath.Join(out, cifar10.MetaFile), []byte(meta)); err != nil {
		return err
	}
	fmt.Printf("%s: %d training and %d test records\n", out, train.Len(), test.Len())
	return nil
}

// write writes samples lo to hi of d as one batch file, atomically.
func write(path string, d *datasets.Dataset, lo, hi int) error {
	return atomicfile.Write(path, func(w io.Writer) error {
		return cifar10.WriteBatch(w, d.Y[lo:hi], d.Pix[lo*cifar10.ImageSize:hi*cifar10.ImageSize])
	})
}
