package imagefolder

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
	"os"
	"strings"

	// Decoders recognised by content (image.DecodeConfig / image.Decode).
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"

	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/webp"

	"github.com/mlptui/mlptui/internal/regfile"
)

// DefaultMaxPixels is the largest image (width × height) decoded when
// Options.MaxPixels or DecodeFile's maxPixels is 0: 64 megapixels.
const DefaultMaxPixels = 64 << 20

// Sentinel errors, wrapped by the errors this package returns for bad files.
var (
	// ErrNotImage: the file is empty or not in a known image format.
	ErrNotImage = errors.New("not an image")
	// ErrSize: the image's dimensions are zero or larger than allowed.
	ErrSize = errors.New("bad image size")
	// ErrCorrupt: the file starts like an image but does not decode.
	ErrCorrupt = errors.New("corrupt image")
	// ErrTooLarge: the image has more pixels than allowed. It wraps
	// ErrSize and reads the same.
	ErrTooLarge = fmt.Errorf("%w", ErrSize)
)

// DecodeFile reads the image file at path and returns it as 3×h×w bytes,
// channel-major (all red bytes row-major, then green, then blue), resized
// to h×w if it has another size; see the package documentation for colour
// models, transparency and resizing. Images with more than maxPixels
// pixels (0 means [DefaultMaxPixels]) are refused before they are decoded.
// Errors name the file: "photo.jpg: not an image (unknown format)".
func DecodeFile(path string, h, w int, maxPixels int) ([]byte, error) {
	f, err := regfile.Open(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = fmt.Errorf("%s: %w", path, pe.Err) // without Go's "open"
		}
		return nil, err // a regfile error names the path
	}
	defer f.Close()
	// Check the header before reading the whole file into memory.
	if maxPixels <= 0 {
		maxPixels = DefaultMaxPixels
	}
	if _, _, err := decodeConfig(path, bufio.NewReader(f), maxPixels); err != nil {
		if fi, serr := f.Stat(); serr == nil && fi.Size() == 0 {
			return nil, fmt.Errorf("%s: empty file: %w", path, ErrNotImage)
		}
		return nil, err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, err
	}
	return DecodeBytes(path, data, h, w, maxPixels)
}

// DecodeBytes is [DecodeFile] for an image already in memory; name is used
// in errors only.
func DecodeBytes(name string, data []byte, h, w int, maxPixels int) ([]byte, error) {
	if h <= 0 || w <= 0 {
		return nil, fmt.Errorf("%s: bad target size %dx%d", name, w, h)
	}
	if maxPixels <= 0 {
		maxPixels = DefaultMaxPixels
	}
	if int64(h)*int64(w) > int64(maxPixels) {
		return nil, fmt.Errorf("%s: target size %dx%d is more than %d pixels", name, w, h, maxPixels)
	}
	out := make([]byte, 3*h*w)
	if _, err := decodePlanes(out, name, data, h, w, maxPixels); err != nil {
		return nil, err
	}
	return out, nil
}

// decodePlanes decodes the image in data into dst (3×h×w bytes, as
// [DecodeBytes] returns them) and reports whether it already had that
// size. The memory the decoding takes, estimated from the header, is
// counted against the process's decoding budget first (see [DecodeMemory]).
func decodePlanes(dst []byte, name string, data []byte, h, w, maxPixels int) (same bool, err error) {
	if len(data) == 0 {
		return false, fmt.Errorf("%s: empty file: %w", name, ErrNotImage)
	}
	cfg, format, err := decodeConfig(name, bytes.NewReader(data), maxPixels)
	if err != nil {
		return false, err
	}
	same = cfg.Width == w && cfg.Height == h
	release := decodeBudget.acquire(decodeCost(cfg, format, same))
	defer release()
	img, err := decode(name, format, data)
	if err != nil {
		return false, err
	}
	if same {
		toPlanes(dst, img, w, h)
		return true, nil
	}
	src := make([]byte, 3*cfg.Width*cfg.Height)
	toPlanes(src, img, cfg.Width, cfg.Height)
	resize(dst, src, 3, cfg.Height, cfg.Width, h, w)
	return false, nil
}

// decodeConfig reads an image's header from r and checks its size.
func decodeConfig(name string, r io.Reader, maxPixels int) (image.Config, string, error) {
	cfg, format, err := image.DecodeConfig(r)
	if err != nil {
		return cfg, format, decodeError(name, format, err)
	}
	if err := checkSize(name, format, cfg, maxPixels); err != nil {
		return cfg, format, err
	}
	return cfg, format, nil
}

func checkSize(name, format string, cfg image.Config, maxPixels int) error {
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return fmt.Errorf("%s: %w: %s image of %dx%d pixels", name, ErrSize, format, cfg.Width, cfg.Height)
	}
	if int64(cfg.Width)*int64(cfg.Height) > int64(maxPixels) {
		return fmt.Errorf("%s: %w: %s image of %dx%d pixels is more than the limit of %d", name, ErrTooLarge, format, cfg.Width, cfg.Height, maxPixels)
	}
	return nil
}

// decode decodes an image in data whose header decodeConfig accepted
// (as format). The image is cfg.Width × cfg.Height; the decoded image may
// cover only part of that (a GIF's first frame), the rest counts as black.
func decode(name, format string, data []byte) (img image.Image, err error) {
	defer func() {
		// The standard decoders do not panic on bad input; this guards
		// against ones that might, so a bad file is an error, not a crash.
		if r := recover(); r != nil {
			img, err = nil, fmt.Errorf("%s: %w: %s decoder failed: %v", name, ErrCorrupt, format, r)
		}
	}()
	img, format, err = image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, decodeError(name, format, err)
	}
	return img, nil
}

func decodeError(name, format string, err error) error {
	switch {
	case errors.Is(err, image.ErrFormat):
		return fmt.Errorf("%s: %w (unknown format)", name, ErrNotImage)
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		// What image/png and image/jpeg say when the data stops early.
		strings.HasSuffix(err.Error(), "not enough pixel data") ||
		strings.HasSuffix(err.Error(), "short Huffman data"):
		return fmt.Errorf("%s: %w: truncated %s file", name, ErrCorrupt, format)
	default:
		return fmt.Errorf("%s: %w: %v", name, ErrCorrupt, err)
	}
}

// toPlanes writes the w×h canvas with img's pixels (at their own
// coordinates; pixels outside img's bounds are black) into dst as three
// planes: red, green, blue. Alpha is composited over black: the colour
// values are Go's premultiplied ones. 16-bit values are truncated to their
// top 8 bits.
func toPlanes(dst []byte, img image.Image, w, h int) {
	n := w * h
	R, G, B := dst[:n:n], dst[n:2*n:2*n], dst[2*n:3*n:3*n]
	canvas := image.Rect(0, 0, w, h)
	if img.Bounds() != canvas {
		clear(dst)
		r := img.Bounds().Intersect(canvas)
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				i := y*w + x
				R[i], G[i], B[i] = rgb8(img.At(x, y))
			}
		}
		return
	}
	switch m := img.(type) {
	case *image.YCbCr:
		for y := range h {
			for x := range w {
				yi, ci := m.YOffset(x, y), m.COffset(x, y)
				i := y*w + x
				R[i], G[i], B[i] = color.YCbCrToRGB(m.Y[yi], m.Cb[ci], m.Cr[ci])
			}
		}
	case *image.Gray:
		for y := range h {
			row := m.Pix[y*m.Stride : y*m.Stride+w]
			copy(R[y*w:(y+1)*w], row)
			copy(G[y*w:(y+1)*w], row)
			copy(B[y*w:(y+1)*w], row)
		}
	case *image.RGBA:
		for y := range h {
			row := m.Pix[y*m.Stride : y*m.Stride+4*w]
			for x := range w {
				i := y*w + x
				R[i], G[i], B[i] = row[4*x], row[4*x+1], row[4*x+2]
			}
		}
	case *image.NRGBA:
		for y := range h {
			row := m.Pix[y*m.Stride : y*m.Stride+4*w]
			for x := range w {
				i := y*w + x
				p := row[4*x : 4*x+4]
				if p[3] == 0xff {
					R[i], G[i], B[i] = p[0], p[1], p[2]
				} else {
					R[i], G[i], B[i] = rgb8(color.NRGBA{p[0], p[1], p[2], p[3]})
				}
			}
		}
	case *image.Paletted:
		var lut [256][3]byte // indices beyond the palette stay black
		for k, c := range m.Palette {
			if k < len(lut) {
				lut[k][0], lut[k][1], lut[k][2] = rgb8(c)
			}
		}
		for y := range h {
			row := m.Pix[y*m.Stride : y*m.Stride+w]
			for x, k := range row {
				i := y*w + x
				R[i], G[i], B[i] = lut[k][0], lut[k][1], lut[k][2]
			}
		}
	case *image.CMYK:
		for y := range h {
			row := m.Pix[y*m.Stride : y*m.Stride+4*w]
			for x := range w {
				i := y*w + x
				R[i], G[i], B[i] = color.CMYKToRGB(row[4*x], row[4*x+1], row[4*x+2], row[4*x+3])
			}
		}
	default: // Gray16, RGBA64, NRGBA64, NYCbCrA, Alpha...
		for y := range h {
			for x := range w {
				i := y*w + x
				R[i], G[i], B[i] = rgb8(m.At(x, y))
			}
		}
	}
}

// rgb8 is a colour's premultiplied red, green and blue, top 8 bits each.
func rgb8(c color.Color) (r, g, b byte) {
	r32, g32, b32, _ := c.RGBA()
	return byte(r32 >> 8), byte(g32 >> 8), byte(b32 >> 8)
}
