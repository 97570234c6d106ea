package datasets

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
)

// The playground data sets: two classes of points in the plane, generated
// from a seed, as in TensorFlow Playground. Every set lies within about
// [-1, 1] on both axes and is drawn from a noiseless shape plus Gaussian
// noise whose standard deviation is the noise level times the set's gap,
// the least distance between the two classes' noiseless shapes. So one
// noise level means alike for every set: 0.1 barely blurs the classes,
// 0.5 makes them overlap.
const (
	Spiral  = "spiral"  // two interleaved arms of 1.75 turns
	Circles = "circles" // a disc inside a ring
	XOR     = "xor"     // the four quadrants: same sign or not
	Gauss   = "gauss"   // two Gaussian blobs
	Moons   = "moons"   // two interleaved half circles, as scikit-learn's make_moons
)

// Playground defaults: the number of points and the noise level.
const (
	DefaultSamples = 500
	DefaultNoise   = 0.1
)

// PlaygroundOptions says how many points a playground set gets and how
// noisy they are.
type PlaygroundOptions struct {
	Samples int     // points in all, split evenly between the classes (at least 4)
	Noise   float64 // standard deviation of the noise, in units of the set's gap (>= 0)
	Seed    uint64  // the same seed gives the same points
}

// playgroundSet is one generator: the gap between its classes, its class
// names, and a function that gives the noiseless point for class c from
// uniform numbers.
type playgroundSet struct {
	gap     float64
	classes []string
	point   func(c int, rng *rand.Rand) (x, y float64)
}

var playground = map[string]playgroundSet{
	Spiral: {
		// r grows from 0.05 to 1 over 1.75 turns; the arms are half a
		// turn apart, so (1-0.05)/1.75/2 apart radially.
		gap: 0.95 / 1.75 / 2, classes: []string{"arm-a", "arm-b"},
		point: func(c int, rng *rand.Rand) (float64, float64) {
			t := rng.Float64()
			r := 0.05 + 0.95*t
			a := 1.75*2*math.Pi*t + float64(c)*math.Pi
			return r * math.Cos(a), r * math.Sin(a)
		},
	},
	Circles: {
		// A disc of radius 0.5 and a ring from 0.7 to 1, uniform in the
		// radius as Playground draws them.
		gap: 0.2, classes: []string{"inner", "outer"},
		point: func(c int, rng *rand.Rand) (float64, float64) {
			r := 0.5 * rng.Float64()
			if c == 1 {
				r = 0.7 + 0.3*rng.Float64()
			}
			a := 2 * math.Pi * rng.Float64()
			return r * math.Cos(a), r * math.Sin(a)
		},
	},
	XOR: {
		// Uniform in the quadrants, kept 0.1 from the axes: class 0 where
		// x and y have the same sign.
		gap: 0.2, classes: []string{"same-sign", "opposite"},
		point: func(c int, rng *rand.Rand) (float64, float64) {
			x := 0.1 + 0.9*rng.Float64()
			y := 0.1 + 0.9*rng.Float64()
			if rng.IntN(2) == 1 {
				x, y = -x, -y
			}
			if c == 1 {
				y = -y
			}
			return x, y
		},
	},
	Gauss: {
		// Blobs of deviation 0.2 around (0.5, 0.5) and (-0.5, -0.5);
		// a blob has no edge, so its gap is taken as 1.
		gap: 1, classes: []string{"blob-a", "blob-b"},
		point: func(c int, rng *rand.Rand) (float64, float64) {
			m := 0.5
			if c == 1 {
				m = -0.5
			}
			return m + 0.2*rng.NormFloat64(), m + 0.2*rng.NormFloat64()
		},
	},
	Moons: {
		// make_moons' half circles (outer: cos t, sin t; inner: 1-cos t,
		// 0.5-sin t) moved to the origin and scaled by 2/3, so x spans
		// [-1, 1]. The curves come closest (about 0.5 before scaling)
		// at the tips.
		gap: 0.5 * 2 / 3, classes: []string{"upper", "lower"},
		point: func(c int, rng *rand.Rand) (float64, float64) {
			t := math.Pi * rng.Float64()
			x, y := math.Cos(t), math.Sin(t)
			if c == 1 {
				x, y = 1-x, 0.5-y
			}
			return (x - 0.5) * 2 / 3, (y - 0.25) * 2 / 3
		},
	},
}

// PlaygroundNames returns the names of the playground data sets, sorted.
func PlaygroundNames() []string {
	var n []string
	for k := range playground {
		n = append(n, k)
	}
	slices.Sort(n)
	return n
}

// IsPlayground reports whether name is a playground data set.
func IsPlayground(name string) bool {
	_, ok := playground[name]
	return ok
}

// MinPlaygroundSamples and MaxPlaygroundSamples bound PlaygroundOptions.Samples.
const (
	MinPlaygroundSamples = 4
	MaxPlaygroundSamples = 1 << 20
)

// GeneratePlayground returns the playground data set of that name: Samples
// points, the classes alternating, with features x and y.
func GeneratePlayground(name string, opt PlaygroundOptions) (*Dataset, error) {
	set, ok := playground[name]
	if !ok {
		return nil, fmt.Errorf("no playground data set %q (have %s)", name, strings.Join(PlaygroundNames(), ", "))
	}
	if opt.Samples < MinPlaygroundSamples || opt.Samples > MaxPlaygroundSamples {
		return nil, fmt.Errorf("%s: %d samples; want %d to %d", name, opt.Samples, MinPlaygroundSamples, MaxPlaygroundSamples)
	}
	if math.IsNaN(opt.Noise) || math.IsInf(opt.Noise, 0) || opt.Noise < 0 {
		return nil, fmt.Errorf("%s: noise %v; want a number >= 0", name, opt.Noise)
	}
	rng := rand.New(rand.NewPCG(opt.Seed, 0x91a7))
	sd := opt.Noise * set.gap
	d := &Dataset{Name: name, Classes: set.classes, Shape: []int{2},
		X: make([]float32, 0, 2*opt.Samples), Y: make([]int32, opt.Samples)}
	for i := range opt.Samples {
		c := i % 2
		x, y := set.point(c, rng)
		x += sd * rng.NormFloat64()
		y += sd * rng.NormFloat64()
		d.X = append(d.X, float32(x), float32(y))
		d.Y[i] = int32(c)
	}
	return d, d.Validate()
}
