package imagefolder

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/image/bmp"
)

// pattern returns an opaque w×h image with random colours; its first red
// byte is id, so images can be told apart after shuffling.
func pattern(w, h int, id byte) *image.RGBA {
	rng := rand.New(rand.NewPCG(uint64(id), uint64(w*1000+h)))
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range m.Pix {
		m.Pix[i] = byte(rng.UintN(256))
		if i%4 == 3 {
			m.Pix[i] = 0xff
		}
	}
	m.Pix[0] = id
	return m
}

// smooth returns an opaque w×h gentle gradient, which JPEG keeps well
// (w, h < 30).
func smooth(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.SetRGBA(x, y, color.RGBA{byte(40 + 6*x), byte(60 + 5*y), byte(100 + x + y), 255})
		}
	}
	return m
}

// refPlanes converts img to channel-major bytes the slow, obvious way:
// every pixel through color.Color.RGBA, top 8 bits. It is the reference
// the fast paths of toPlanes are checked against.
func refPlanes(img image.Image) []byte {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	out := make([]byte, 3*w*h)
	for y := range h {
		for x := range w {
			r, g, bl, _ := img.At(b.Min.X+x, b.Min.Y+y).RGBA()
			i := y*w + x
			out[i], out[w*h+i], out[2*w*h+i] = byte(r>>8), byte(g>>8), byte(bl>>8)
		}
	}
	return out
}

func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeJPEG(t testing.TB, img image.Image, q int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, &jpeg.Options{Quality: q}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeGIF(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := gif.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeBMP(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := bmp.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// pngHeader returns a PNG signature and an IHDR chunk claiming w×h RGBA
// pixels, and nothing else: enough for DecodeConfig, no pixel data.
func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6 // 8-bit RGBA
	chunk := append([]byte("IHDR"), ihdr...)
	binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	b.Write(chunk)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}

// fourComponentJPEG hand-encodes an 8×8 baseline JPEG with four
// components, each a constant value v[c] as stored in the file, and an
// Adobe APP14 marker with the given transform (0: CMYK, 2: YCCK). Go's
// encoder writes only gray and YCbCr, so this is how a test gets a CMYK
// JPEG. Every block has only a DC coefficient; quantization is all ones.
func fourComponentJPEG(v [4]byte, transform byte) []byte {
	var b bytes.Buffer
	seg := func(marker byte, payload []byte) {
		n := len(payload) + 2
		b.Write([]byte{0xff, marker, byte(n >> 8), byte(n)})
		b.Write(payload)
	}
	b.Write([]byte{0xff, 0xd8}) // SOI
	seg(0xee, append([]byte("Adobe\x00\x64\x00\x00\x00\x00"), transform))
	seg(0xdb, append([]byte{0x00}, bytes.Repeat([]byte{1}, 64)...)) // DQT 0: all ones
	sof := []byte{8, 0, 8, 0, 8, 4}
	for c := byte(1); c <= 4; c++ {
		sof = append(sof, c, 0x11, 0)
	}
	seg(0xc0, sof) // SOF0 baseline
	// DC table 0: categories 0..11, all with 4-bit codes 0000..1011.
	dc := []byte{0x00, 0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	for s := byte(0); s < 12; s++ {
		dc = append(dc, s)
	}
	seg(0xc4, dc)
	// AC table 0: only end-of-block, code "0".
	seg(0xc4, []byte{0x10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00})
	seg(0xda, []byte{4, 1, 0x00, 2, 0x00, 3, 0x00, 4, 0x00, 0, 63, 0}) // SOS
	var acc uint32
	var nbits uint
	put := func(bits uint32, n uint) {
		for i := int(n) - 1; i >= 0; i-- {
			acc = acc<<1 | (bits>>uint(i))&1
			nbits++
			if nbits == 8 {
				b.WriteByte(byte(acc))
				if byte(acc) == 0xff {
					b.WriteByte(0) // byte stuffing
				}
				acc, nbits = 0, 0
			}
		}
	}
	for c := range 4 {
		diff := 8 * (int(v[c]) - 128) // DC of a constant block, predictor 0
		cat, mag := uint(0), diff
		if mag < 0 {
			mag = -mag
		}
		for mag>>cat != 0 {
			cat++
		}
		put(uint32(cat), 4)
		if cat > 0 {
			bits := diff
			if diff < 0 {
				bits = diff + (1 << cat) - 1
			}
			put(uint32(bits), cat)
		}
		put(0, 1) // EOB
	}
	for nbits != 0 {
		put(1, 1) // pad with ones
	}
	b.Write([]byte{0xff, 0xd9}) // EOI
	return b.Bytes()
}
