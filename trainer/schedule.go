package trainer

import "math"

// lrAt returns the learning rate for step (1-based) of total under a
// schedule peaking at base:
//
//	constant  base throughout
//	cosine    from base down to base/1000 along half a cosine
//	onecycle  from base/25 up to base over the first 30 % of the steps,
//	          then down to base/10^4 along half a cosine (PyTorch's
//	          OneCycleLR defaults)
func lrAt(schedule string, base float64, step, total int64) float64 {
	if total <= 1 {
		return base
	}
	p := math.Min(float64(step-1)/float64(total-1), 1)
	anneal := func(from, to, p float64) float64 { return to + (from-to)*(1+math.Cos(math.Pi*p))/2 }
	switch schedule {
	case Cosine:
		return anneal(base, base/1000, p)
	case OneCycle:
		const warm = 0.3
		if p < warm {
			return anneal(base/25, base, p/warm)
		}
		return anneal(base, base/1e4, (p-warm)/(1-warm))
	}
	return base
}
