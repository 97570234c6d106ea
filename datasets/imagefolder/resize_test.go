package imagefolder

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestResize(t *testing.T) {
	tests := []struct {
		name         string
		src          []byte // one plane
		h0, w0, h, w int
		want         []byte
	}{
		{"same size is copied", []byte{1, 2, 3, 4, 5, 6}, 2, 3, 2, 3, []byte{1, 2, 3, 4, 5, 6}},
		{"halve: 2x2 means", []byte{
			0, 2, 10, 20,
			4, 6, 30, 40,
			1, 1, 255, 255,
			1, 2, 255, 255}, 4, 4, 2, 2, []byte{3, 25, 1, 255}}, // 1.25 rounds to 1
		{"3 to 2: fractional areas", []byte{0, 90, 180}, 1, 3, 1, 2, []byte{30, 150}}, // (0+45)/1.5, (45+180)/1.5
		{"to 1x1: the mean", []byte{10, 20, 30, 40}, 2, 2, 1, 1, []byte{25}},
		{"double: bilinear, edges clamped", []byte{0, 100}, 1, 2, 1, 4, []byte{0, 25, 75, 100}},
		{"grow a single pixel", []byte{7}, 1, 1, 2, 3, []byte{7, 7, 7, 7, 7, 7}},
		{"shrink one axis, grow the other", []byte{0, 100, 200, 40}, 4, 1, 2, 2, []byte{50, 50, 120, 120}},
		{"white stays white", bytes.Repeat([]byte{255}, 49), 7, 7, 3, 3, bytes.Repeat([]byte{255}, 9)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// Three planes: the given one, it plus 0 (identical), and its
			// negative, checking planes do not mix.
			n0 := tt.h0 * tt.w0
			src := make([]byte, 3*n0)
			for i, v := range tt.src {
				src[i], src[n0+i], src[2*n0+i] = v, v, 255-v
			}
			got := make([]byte, 3*tt.h*tt.w)
			resize(got, src, 3, tt.h0, tt.w0, tt.h, tt.w)
			n := tt.h * tt.w
			if !bytes.Equal(got[:n], tt.want) || !bytes.Equal(got[n:2*n], tt.want) {
				t.Errorf("got %v, want %v", got[:n], tt.want)
			}
			for i, v := range tt.want {
				if d := int(got[2*n+i]) - int(255-v); d < -1 || d > 1 {
					t.Errorf("third plane pixel %d: got %d, want %d±1", i, got[2*n+i], 255-v)
				}
			}
		})
	}
}

// TestResizeKeepsMean checks on random images that area averaging keeps
// the mean brightness when the sizes divide evenly, and stays in range.
func TestResizeKeepsMean(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		f := 1 + rng.IntN(4)
		h, w := 1+rng.IntN(9), 1+rng.IntN(9)
		src := make([]byte, 3*h*f*w*f)
		for i := range src {
			src[i] = byte(rng.UintN(256))
		}
		got := make([]byte, 3*h*w)
		resize(got, src, 3, h*f, w*f, h, w)
		sum := func(b []byte) float64 {
			s := 0.0
			for _, v := range b {
				s += float64(v)
			}
			return s / float64(len(b))
		}
		if d := sum(got) - sum(src); d > 0.5 || d < -0.5 {
			t.Errorf("%dx%d shrunk by %d: mean moved by %.2f", w*f, h*f, f, d)
		}
	}
}

func TestAxisTapsSumToOne(t *testing.T) {
	for in := 1; in <= 40; in++ {
		for out := 1; out <= 40; out++ {
			tp := axisTaps(in, out)
			if in == 1 && out > 1 {
				continue // replicated instead; see resize
			}
			for o := range out {
				s := float32(0)
				for k := range tp.cnt[o] {
					i := tp.start[o] + k
					if i < 0 || i >= in {
						t.Fatalf("axisTaps(%d, %d): output %d reads source %d", in, out, o, i)
					}
					s += tp.w[o*tp.n+k]
				}
				if s < 0.9999 || s > 1.0001 {
					t.Fatalf("axisTaps(%d, %d): output %d weights sum to %v", in, out, o, s)
				}
			}
		}
	}
	if got := replicate(3); !slices.Equal(got.w, []float32{1, 1, 1}) {
		t.Errorf("replicate(3) weights %v", got.w)
	}
}
