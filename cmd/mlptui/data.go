package main

import (
	"context"
	"time"

	"github.com/mlptui/mlptui/datasets/cifar10"
	"github.com/mlptui/mlptui/internal/termsafe"
	"github.com/mlptui/mlptui/trainer"
)

func runData(ctx context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "data", "mlptui data cifar10 [--data-dir DIR]\n\nDownloads CIFAR-10 (unless it is already there), checks its MD5 and unpacks it.\nOffline, put cifar-10-binary.tar.gz in the data directory by hand.")
	dataDir := fs.String("data-dir", trainer.DefaultDataDir(), "the `dir`ectory where downloaded data sets are kept")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || pos[0] != "cifar10" {
		return usagef("name the data set: mlptui data cifar10")
	}
	p := newProgress(e)
	start := time.Now()
	var last time.Time
	dir, err := cifar10.Prepare(ctx, *dataDir, cifar10.Options{Progress: func(done, total int64) {
		if now := time.Now(); now.Sub(last) >= 100*time.Millisecond || done == total {
			last = now
			p.Event(trainer.Event{Kind: trainer.Loading, Done: done, Total: total,
				Message: cifar10.ProgressLine(cifar10.ArchiveName, done, total, now.Sub(start))})
		}
	}})
	p.ClearLive()
	if err != nil {
		if ctx.Err() != nil {
			return errInterrupted
		}
		return err
	}
	train, test, err := cifar10.LoadDir(ctx, dir)
	if err != nil {
		return err
	}
	termsafe.Fprintf(e.stdout, "CIFAR-10 is ready in %s: %d training and %d test images of %d classes\n", dir, train.Len(), test.Len(), len(train.Classes))
	return nil
}
