package imagefolder

import (
	"image"
	"image/color"
	"runtime"
	"sync"
)

// DecodeMemory is how many bytes the images being decoded at one time may
// take, all decoders of the process together (Load's workers and
// DecodeFile's callers): each decoder first reserves what its image will
// take, estimated from the header (width × height × the bytes per pixel
// of its colour model and decoder, plus the planes it is resized from),
// and waits while the reservations of the others leave too little. An
// image estimated at more than the whole budget is decoded alone. So
// eight 8000×8000 PNGs (about 700 MB each while decoding) are decoded one
// after another instead of taking 5 GB at once, while small images are
// decoded by every worker in parallel.
const DecodeMemory = 384 << 20

// maxImageFile bounds an image file read whole: no image within the
// pixel limits needs more, compressed.
const maxImageFile = 1 << 30

// gcAfter is the reservation after whose release the garbage collector
// runs at once, so that the next large image reuses the memory of the
// last instead of adding to it (the collector would otherwise let the
// heap grow to twice what is live).
const gcAfter = 32 << 20

var decodeBudget = newByteBudget(DecodeMemory)

// byteBudget is a counting semaphore of bytes, served first come, first
// served, so a large reservation is not starved by small ones.
type byteBudget struct {
	mu            sync.Mutex
	cond          sync.Cond
	total, free   int64
	next, serving uint64 // tickets
}

func newByteBudget(total int64) *byteBudget {
	b := &byteBudget{total: total, free: total}
	b.cond.L = &b.mu
	return b
}

// acquire reserves n bytes (at most the whole budget), waiting for them,
// and returns the function that gives them back.
func (b *byteBudget) acquire(n int64) (release func()) {
	n = max(0, min(n, b.total))
	b.mu.Lock()
	t := b.next
	b.next++
	for t != b.serving || b.free < n {
		b.cond.Wait()
	}
	b.free -= n
	b.serving++
	b.cond.Broadcast()
	b.mu.Unlock()
	return func() {
		b.mu.Lock()
		b.free += n
		b.cond.Broadcast()
		b.mu.Unlock()
		if n >= gcAfter {
			runtime.GC()
		}
	}
}

// decodeCost estimates the bytes decoding an image takes from its header:
// the decoded image, what the decoder keeps besides (a progressive JPEG
// keeps 4 bytes of coefficients per pixel and component; an interlaced
// PNG decodes its passes into images of their own), and the three planes
// it is resized from when it is not already at the sample size (same).
func decodeCost(cfg image.Config, format string, same bool) int64 {
	px := int64(cfg.Width) * int64(cfg.Height)
	bpp := bytesPerPixel(cfg.ColorModel)
	switch format {
	case "jpeg":
		bpp += 12
	case "png":
		bpp *= 2
	}
	cost := px * bpp
	if !same {
		cost += 3 * px
	}
	return cost
}

// bytesPerPixel is what one pixel of a colour model takes in Go's image
// types; an unknown model counts as the largest, 8.
func bytesPerPixel(m color.Model) int64 {
	switch m {
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.YCbCrModel:
		return 3
	case color.RGBAModel, color.NRGBAModel, color.CMYKModel, color.NYCbCrAModel:
		return 4
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 8
}
