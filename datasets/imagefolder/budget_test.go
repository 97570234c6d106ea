package imagefolder

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"sync"
	"sync/atomic"
	"testing"
)

// TestByteBudgetNeverOverdrawn: many goroutines reserving at once never
// hold more than the budget together, and one asking for more than the
// whole budget gets it alone.
func TestByteBudgetNeverOverdrawn(t *testing.T) {
	b := newByteBudget(1000)
	var held, most atomic.Int64
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Go(func() {
			n := int64(100 + 37*(i%9))
			if i%16 == 0 {
				n = 5000 // more than the whole budget: alone
			}
			release := b.acquire(n)
			h := held.Add(min(n, 1000))
			for {
				m := most.Load()
				if h <= m || most.CompareAndSwap(m, h) {
					break
				}
			}
			if h > 1000 {
				t.Errorf("%d bytes held at once, budget 1000", h)
			}
			held.Add(-min(n, 1000))
			release()
		})
	}
	wg.Wait()
	if most.Load() <= 396 { // the largest small reservation

		t.Errorf("at most %d bytes held: reservations never overlapped", most.Load())
	}
	if b.free != b.total {
		t.Errorf("free %d after all released, want %d", b.free, b.total)
	}
}

// TestDecodeCost: the estimate covers what decoding really allocates
// (the bytes allocated per decode, measured by testing.Benchmark), and an
// 8000x8000 PNG bomb is decoded alone.
func TestDecodeCost(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 1000, 800))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	allocated := testing.Benchmark(func(b *testing.B) {
		b.ReportAllocs()
		dst := make([]byte, 3*32*32)
		for range b.N {
			if _, err := decodePlanes(dst, "x.png", buf.Bytes(), 32, 32, 0); err != nil {
				b.Fatal(err)
			}
		}
	}).AllocedBytesPerOp()
	if est := decodeCost(cfg, format, false); est < allocated {
		t.Errorf("decodeCost of a 1000x800 %s = %d bytes, decoding allocates %d", format, est, allocated)
	}
	bomb := image.Config{ColorModel: color.RGBAModel, Width: 8000, Height: 8000}
	if c := decodeCost(bomb, "png", false); c <= DecodeMemory {
		t.Errorf("an 8000x8000 PNG costs %d, within the budget of %d: two would decode at once", c, DecodeMemory)
	}
	small := image.Config{ColorModel: color.YCbCrModel, Width: 32, Height: 32}
	if c := decodeCost(small, "jpeg", true); c*64 > DecodeMemory {
		t.Errorf("a 32x32 JPEG costs %d: fewer than 64 decode at once", c)
	}
}
