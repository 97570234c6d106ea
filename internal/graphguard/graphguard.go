// Package graphguard makes series safe to draw with asciigraph, which
// panics (makeslice: len out of range) when a value is infinite or the
// range of the values overflows a float64 (-1e308 to 1e308). The
// dashboard's charts and mlptui plot both pass their series through
// [Series] before asciigraph sees them.
package graphguard

import "math"

// Limit is the largest magnitude drawn: values beyond it are drawn at it,
// so that the highest minus the lowest stays finite.
const Limit = 1e300

// Series makes d safe in place and returns it: a NaN stays NaN (a gap),
// an infinite value becomes NaN (asciigraph cannot place it; the chart's
// labels and the data files keep it), a finite value beyond ±Limit
// becomes ±Limit.
func Series(d []float64) []float64 {
	for i, v := range d {
		switch {
		case math.IsInf(v, 0):
			d[i] = math.NaN()
		case v > Limit:
			d[i] = Limit
		case v < -Limit:
			d[i] = -Limit
		}
	}
	return d
}
