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

// lrWarm is lrAt after warm steps of linear warm-up: the rate rises from
// base/warm to base over steps 1..warm, then the schedule runs over the
// remaining steps as if they were the whole run.
func lrWarm(schedule string, base float64, step, total, warm int64) float64 {
	if warm <= 0 || warm >= total {
		return lrAt(schedule, base, step, total)
	}
	if step <= warm {
		return base * float64(step) / float64(warm)
	}
	return lrAt(schedule, base, step-warm, total-warm)
}

// plateauFactor is what reduce-on-plateau multiplies the scheduled rate
// by after the epochs of history: 1, divided by 10 each time patience
// epochs in a row brought no lower validation loss (the count starting
// again after each cut), as PyTorch's ReduceLROnPlateau with factor 0.1.
// It depends on history alone, so a resumed run finds it again.
func plateauFactor(history []EpochMetrics, patience int) float64 {
	f := 1.0
	if patience <= 0 {
		return f
	}
	low, bad := math.NaN(), 0
	for i := range history {
		if lowerLoss(history[i].ValLoss, low) {
			low, bad = history[i].ValLoss, 0
			continue
		}
		if bad++; bad >= patience {
			f, bad = f/10, 0
		}
	}
	return f
}
