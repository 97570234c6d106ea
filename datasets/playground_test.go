package datasets

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// TestPlaygroundShapes draws every set without noise and checks each
// point against the shape its class is drawn from.
func TestPlaygroundShapes(t *testing.T) {
	// onShape reports whether (x, y) lies on class c's noiseless shape.
	onShape := map[string]func(c int, x, y float64) bool{
		Spiral: func(c int, x, y float64) bool {
			r := math.Hypot(x, y)
			if r < 0.05-1e-6 || r > 1+1e-6 {
				return false
			}
			// On the arm, the angle is 1.75 turns times (r-0.05)/0.95 plus c half turns.
			want := 1.75*2*math.Pi*(r-0.05)/0.95 + float64(c)*math.Pi
			d := math.Remainder(math.Atan2(y, x)-want, 2*math.Pi)
			return math.Abs(d) < 1e-4
		},
		Circles: func(c int, x, y float64) bool {
			r := math.Hypot(x, y)
			if c == 0 {
				return r <= 0.5+1e-6
			}
			return r >= 0.7-1e-6 && r <= 1+1e-6
		},
		XOR: func(c int, x, y float64) bool {
			ok := math.Abs(x) >= 0.1-1e-6 && math.Abs(y) >= 0.1-1e-6 && math.Abs(x) <= 1 && math.Abs(y) <= 1
			return ok && (x*y > 0) == (c == 0)
		},
		Gauss: func(c int, x, y float64) bool {
			// Within 5 deviations of its centre.
			m := 0.5 - float64(c)
			return math.Hypot(x-m, y-m) < 5*0.2
		},
		Moons: func(c int, x, y float64) bool {
			// Undo the move and scale, then check the half circle.
			u, v := x*1.5+0.5, y*1.5+0.25
			if c == 1 {
				u, v = 1-u, 0.5-v
			}
			return math.Abs(math.Hypot(u, v)-1) < 1e-4 && v >= -1e-6
		},
	}
	if got := PlaygroundNames(); !slices.Equal(got, []string{Circles, Gauss, Moons, Spiral, XOR}) {
		t.Fatalf("PlaygroundNames() = %v", got)
	}
	for _, name := range PlaygroundNames() {
		d, err := GeneratePlayground(name, PlaygroundOptions{Samples: 301, Seed: 3})
		if err != nil {
			t.Fatal(err)
		}
		if d.Len() != 301 || d.Dim() != 2 || len(d.Classes) != 2 || d.Name != name {
			t.Fatalf("%s: %d samples of %d, %d classes, name %q", name, d.Len(), d.Dim(), len(d.Classes), d.Name)
		}
		if c := d.ClassCounts(); c[0] != 151 || c[1] != 150 {
			t.Errorf("%s: class counts %v, want [151 150]", name, c)
		}
		for i := range d.Len() {
			x, y := float64(d.X[2*i]), float64(d.X[2*i+1])
			if !onShape[name](int(d.Y[i]), x, y) {
				t.Errorf("%s: point %d (%.4f, %.4f) of class %d is off its shape", name, i, x, y, d.Y[i])
				break
			}
		}
	}
}

// TestPlaygroundNoise checks that the noise is Gaussian of deviation
// noise × gap: without noise and with it, from one seed, the points differ
// by exactly the noise draws.
func TestPlaygroundNoise(t *testing.T) {
	for _, name := range PlaygroundNames() {
		const n = 20000
		clean, _ := GeneratePlayground(name, PlaygroundOptions{Samples: n, Seed: 9})
		noisy, err := GeneratePlayground(name, PlaygroundOptions{Samples: n, Noise: 0.5, Seed: 9})
		if err != nil {
			t.Fatal(err)
		}
		var sum, sum2 float64
		for i := range clean.X {
			d := float64(noisy.X[i] - clean.X[i])
			sum += d
			sum2 += d * d
		}
		mean, sd := sum/float64(len(clean.X)), math.Sqrt(sum2/float64(len(clean.X)))
		want := 0.5 * playground[name].gap
		if math.Abs(mean) > 0.02*want || math.Abs(sd-want) > 0.02*want {
			t.Errorf("%s: noise mean %.4f deviation %.4f, want 0 and %.4f", name, mean, sd, want)
		}
	}
}

func TestPlaygroundSeed(t *testing.T) {
	a, _ := GeneratePlayground(Moons, PlaygroundOptions{Samples: 50, Noise: 0.1, Seed: 1})
	b, _ := GeneratePlayground(Moons, PlaygroundOptions{Samples: 50, Noise: 0.1, Seed: 1})
	c, _ := GeneratePlayground(Moons, PlaygroundOptions{Samples: 50, Noise: 0.1, Seed: 2})
	if !slices.Equal(a.X, b.X) || !slices.Equal(a.Y, b.Y) {
		t.Error("seed 1 twice gave two data sets")
	}
	if slices.Equal(a.X, c.X) {
		t.Error("seeds 1 and 2 gave the same points")
	}
}

func TestPlaygroundBadOptions(t *testing.T) {
	cases := []struct {
		name string
		opt  PlaygroundOptions
		want string
	}{
		{"swirl", PlaygroundOptions{Samples: 100}, `no playground data set "swirl" (have circles, gauss, moons, spiral, xor)`},
		{Spiral, PlaygroundOptions{Samples: 3}, "spiral: 3 samples; want 4 to 1048576"},
		{Spiral, PlaygroundOptions{Samples: MaxPlaygroundSamples + 1}, "spiral: 1048577 samples; want 4 to 1048576"},
		{XOR, PlaygroundOptions{Samples: 10, Noise: -1}, "xor: noise -1; want a number >= 0"},
		{XOR, PlaygroundOptions{Samples: 10, Noise: math.Inf(1)}, "xor: noise +Inf; want a number >= 0"},
		{XOR, PlaygroundOptions{Samples: 10, Noise: math.NaN()}, "xor: noise NaN; want a number >= 0"},
	}
	for _, c := range cases {
		_, err := GeneratePlayground(c.name, c.opt)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s %+v: got %v, want %q", c.name, c.opt, err, c.want)
		}
	}
}
