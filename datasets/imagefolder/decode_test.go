package imagefolder

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/color/palette"
	"image/gif"
	"image/jpeg"
	"math"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// maxDiff is the largest absolute difference between two byte slices of
// one length.
func maxDiff(t *testing.T, got, want []byte) int {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d bytes, want %d", len(got), len(want))
	}
	m := 0
	for i := range got {
		m = max(m, int(math.Abs(float64(got[i])-float64(want[i]))))
	}
	return m
}

// constPlanes is w×h pixels of one colour, channel-major.
func constPlanes(w, h int, r, g, b byte) []byte {
	n := w * h
	out := make([]byte, 3*n)
	for i := range n {
		out[i], out[n+i], out[2*n+i] = r, g, b
	}
	return out
}

func TestDecodeColourModels(t *testing.T) {
	const w, h = 7, 5 // odd sizes exercise chroma subsampling edges
	src := pattern(w, h, 9)

	nrgba := image.NewNRGBA(src.Rect)
	for i := 0; i < len(nrgba.Pix); i += 4 {
		copy(nrgba.Pix[i:i+3], src.Pix[i:i+3])
		nrgba.Pix[i+3] = byte(i * 7) // every level of transparency
	}
	nrgba.Pix[3], nrgba.Pix[7] = 0, 255
	overBlack := make([]byte, 3*w*h) // expected: colour × alpha, rounded
	for y := range h {
		for x := range w {
			c := nrgba.NRGBAAt(x, y)
			a := float64(c.A) / 255
			i := y*w + x
			overBlack[i] = byte(math.Round(float64(c.R) * a))
			overBlack[w*h+i] = byte(math.Round(float64(c.G) * a))
			overBlack[2*w*h+i] = byte(math.Round(float64(c.B) * a))
		}
	}

	gray := image.NewGray(src.Rect)
	gray16 := image.NewGray16(src.Rect)
	rgba64 := image.NewRGBA64(src.Rect)
	pal := image.NewPaletted(src.Rect, palette.Plan9)
	for y := range h {
		for x := range w {
			gray.SetGray(x, y, color.Gray{byte(x*30 + y)})
			gray16.SetGray16(x, y, color.Gray16{uint16(x*9000 + y*77)})
			rgba64.SetRGBA64(x, y, color.RGBA64{uint16(x * 9000), uint16(y * 13000), 0xabcd, 0xffff})
			pal.SetColorIndex(x, y, uint8(x*31+y*7))
		}
	}
	grayPlanes := func(vals func(x, y int) byte) []byte {
		out := make([]byte, 3*w*h)
		for y := range h {
			for x := range w {
				v := vals(x, y)
				i := y*w + x
				out[i], out[w*h+i], out[2*w*h+i] = v, v, v
			}
		}
		return out
	}
	tests := []struct {
		name string
		data []byte
		want []byte
		tol  int
	}{
		{"PNG RGB", encodePNG(t, src), refPlanes(src), 0},
		{"PNG NRGBA composited over black", encodePNG(t, nrgba), overBlack, 1},
		{"PNG gray replicated", encodePNG(t, gray), grayPlanes(func(x, y int) byte { return byte(x*30 + y) }), 0},
		{"PNG gray16 top byte", encodePNG(t, gray16), grayPlanes(func(x, y int) byte { return byte((x*9000 + y*77) >> 8) }), 0},
		{"PNG RGBA64 top byte", encodePNG(t, rgba64), refPlanes(rgba64), 0},
		{"PNG paletted", encodePNG(t, pal), refPlanes(pal), 0},
		{"GIF paletted", encodeGIF(t, pal), refPlanes(pal), 0},
		{"BMP", encodeBMP(t, src), refPlanes(src), 0},
		{"JPEG YCbCr 4:2:0 near the source", encodeJPEG(t, smooth(w, h), 100), refPlanes(smooth(w, h)), 4},
		{"JPEG gray near the source", encodeJPEG(t, gray, 100), grayPlanes(func(x, y int) byte { return byte(x*30 + y) }), 3},
		{"JPEG CMYK", fourComponentJPEG([4]byte{255 - 200, 255 - 50, 255 - 0, 255 - 40}, 0), cmykPlanes(8, 8, 200, 50, 0, 40), 2},
		{"JPEG YCCK", fourComponentJPEG([4]byte{128, 128, 128, 255}, 2), constPlanes(8, 8, 128, 128, 128), 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, _, err := image.DecodeConfig(bytes.NewReader(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			got, err := DecodeBytes("x", tt.data, cfg.Height, cfg.Width, 0)
			if err != nil {
				t.Fatal(err)
			}
			if d := maxDiff(t, got, tt.want); d > tt.tol {
				t.Errorf("pixels differ by up to %d, want at most %d", d, tt.tol)
			}
			// Whatever the colour model, the fast paths agree exactly with
			// the generic one.
			img, _, err := image.Decode(bytes.NewReader(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, refPlanes(img)) {
				t.Errorf("%T: fast conversion differs from color.Color.RGBA", img)
			}
		})
	}
}

// cmykPlanes is a constant CMYK colour (ink amounts) converted to RGB.
func cmykPlanes(w, h int, c, m, y, k byte) []byte {
	r, g, b := color.CMYKToRGB(c, m, y, k)
	return constPlanes(w, h, r, g, b)
}

func TestDecodeCMYKIsCMYK(t *testing.T) {
	img, err := jpeg.Decode(bytes.NewReader(fourComponentJPEG([4]byte{1, 2, 3, 4}, 0)))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := img.(*image.CMYK); !ok {
		t.Fatalf("hand-made CMYK JPEG decodes to %T, want *image.CMYK", img)
	}
}

func TestDecodeGIFFirstFrameOnCanvas(t *testing.T) {
	pal := color.Palette{color.Black, color.White, color.RGBA{255, 0, 0, 255}}
	frame := image.NewPaletted(image.Rect(2, 1, 4, 3), pal)
	for i := range frame.Pix {
		frame.Pix[i] = 2
	}
	second := image.NewPaletted(image.Rect(0, 0, 6, 4), pal) // must not show
	for i := range second.Pix {
		second.Pix[i] = 1
	}
	var b bytes.Buffer
	err := gif.EncodeAll(&b, &gif.GIF{
		Image:  []*image.Paletted{frame, second},
		Delay:  []int{0, 0},
		Config: image.Config{ColorModel: pal, Width: 6, Height: 4},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeBytes("anim.gif", b.Bytes(), 4, 6, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]byte, 3*24)
	for _, p := range []int{1*6 + 2, 1*6 + 3, 2*6 + 2, 2*6 + 3} {
		want[p] = 255 // red plane only
	}
	if !bytes.Equal(got, want) {
		t.Errorf("got %v\nwant %v", got, want)
	}
}

func TestDecodeResizes(t *testing.T) {
	src := pattern(8, 8, 1)
	got, err := DecodeBytes("p.png", encodePNG(t, src), 4, 2, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]byte, 3*4*2)
	resize(want, refPlanes(src), 3, 8, 8, 4, 2)
	if !bytes.Equal(got, want) {
		t.Errorf("DecodeBytes to 2x4 = %v, want %v", got, want)
	}
}

func TestDecodeErrors(t *testing.T) {
	good := encodePNG(t, pattern(8, 8, 1))
	jpg := encodeJPEG(t, smooth(16, 16), 90)
	corrupt := bytes.Clone(good)
	corrupt[len(corrupt)-20] ^= 0xff // inside IDAT: checksum fails
	tests := []struct {
		name   string
		file   string
		data   []byte
		is     error
		substr string
	}{
		{"empty", "x.png", nil, ErrNotImage, "x.png: empty file"},
		{"text", "photo.jpg", []byte("hello, I am not a picture"), ErrNotImage, "photo.jpg: not an image (unknown format)"},
		{"truncated PNG", "x.png", good[:len(good)/2], ErrCorrupt, "x.png: corrupt image: truncated png file"},
		{"PNG without its end", "x.png", good[:len(good)-8], ErrCorrupt, "x.png: corrupt image: truncated png file"},
		{"truncated JPEG", "y.jpg", jpg[:len(jpg)/2], ErrCorrupt, "y.jpg: corrupt image: truncated jpeg file"},
		{"JPEG header only", "y.jpg", jpg[:20], ErrCorrupt, "y.jpg: corrupt image"},
		{"corrupt PNG", "c.png", corrupt, ErrCorrupt, "c.png: corrupt image: png: invalid format"},
		{"huge PNG header", "huge.png", pngHeader(100000, 100000), ErrSize, "huge.png: bad image size: png image of 100000x100000 pixels is more than the limit of 67108864"},
		{"zero-size GIF", "z.gif", []byte("GIF89a\x00\x00\x00\x00\x00\x00\x00;"), ErrSize, "z.gif: bad image size: gif image of 0x0 pixels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := DecodeBytes(tt.file, tt.data, 8, 8, 0)
			if !errors.Is(err, tt.is) || !strings.Contains(err.Error(), tt.substr) {
				t.Fatalf("got %v, want %v containing %q", err, tt.is, tt.substr)
			}
		})
	}
}

func TestDecodeHugeRefusedBeforeAllocation(t *testing.T) {
	data := pngHeader(60000, 60000) // 14 GB of RGBA if decoded
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := DecodeBytes("huge.png", data, 32, 32, 0)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrSize) || !errors.Is(err, ErrTooLarge) {
		t.Fatalf("got %v, want ErrTooLarge (an ErrSize)", err)
	}
	if _, err := DecodeBytes("z.gif", []byte("GIF89a\x00\x00\x00\x00\x00\x00\x00;"), 8, 8, 0); errors.Is(err, ErrTooLarge) {
		t.Errorf("a 0x0 image is ErrTooLarge: %v", err)
	}
	if d := after.TotalAlloc - before.TotalAlloc; d > 1<<20 {
		t.Errorf("refusing the image allocated %d bytes", d)
	}
	// A limit of our own.
	_, err = DecodeBytes("p.png", encodePNG(t, pattern(20, 20, 1)), 8, 8, 399)
	if !errors.Is(err, ErrSize) || !strings.Contains(err.Error(), "20x20") {
		t.Errorf("20x20 with a limit of 399 pixels: got %v, want ErrSize", err)
	}
}

func TestDecodeFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "photo.png")
	src := pattern(3, 2, 5)
	writeFile(t, p, encodePNG(t, src))
	got, err := DecodeFile(p, 2, 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, refPlanes(src)) {
		t.Errorf("DecodeFile = %v, want %v", got, refPlanes(src))
	}
	for _, c := range []struct {
		file string
		data []byte
		is   error
		msg  string
	}{
		{"e.png", nil, ErrNotImage, "e.png: empty file"},
		{"photo.jpg", []byte("just text"), ErrNotImage, "photo.jpg: not an image (unknown format)"},
		{"huge.png", pngHeader(100000, 100000), ErrSize, "huge.png: bad image size"},
		{"cut.png", encodePNG(t, src)[:40], ErrCorrupt, "cut.png: corrupt image: truncated png file"},
	} {
		p := filepath.Join(dir, c.file)
		writeFile(t, p, c.data)
		if _, err := DecodeFile(p, 2, 3, 0); !errors.Is(err, c.is) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("DecodeFile(%s): got %v, want %v containing %q", c.file, err, c.is, c.msg)
		}
	}
	missing := filepath.Join(dir, "missing.png")
	if _, err := DecodeFile(missing, 2, 3, 0); err == nil || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing file: got %v, want an error naming it", err)
	}
	for _, hw := range [][2]int{{0, 3}, {3, -1}, {1 << 14, 1 << 14}} {
		if _, err := DecodeFile(p, hw[0], hw[1], 0); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("target %dx%d: got %v, want an error naming the file", hw[1], hw[0], err)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(encodePNG(f, pattern(5, 3, 1)))
	f.Add(encodePNG(f, image.NewGray16(image.Rect(0, 0, 4, 4))))
	f.Add(encodeJPEG(f, smooth(9, 7), 75))
	f.Add(encodeJPEG(f, image.NewGray(image.Rect(0, 0, 3, 3)), 75))
	f.Add(encodeGIF(f, image.NewPaletted(image.Rect(0, 0, 4, 2), palette.Plan9)))
	f.Add(fourComponentJPEG([4]byte{10, 20, 30, 40}, 0))
	f.Add(fourComponentJPEG([4]byte{10, 20, 30, 40}, 2))
	f.Add(pngHeader(100000, 100000))
	f.Add(encodeBMP(f, pattern(3, 2, 1)))
	f.Add([]byte("RIFF\x00\x00\x00\x00WEBPVP8 "))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := DecodeBytes("f", data, 6, 4, 1<<16)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "f: ") {
				t.Fatalf("error %q does not start with the file name", err)
			}
			if out != nil {
				t.Fatal("output with an error")
			}
			return
		}
		if len(out) != 3*6*4 {
			t.Fatalf("got %d bytes, want %d", len(out), 3*6*4)
		}
	})
}
