package trainer

import "math"

// Model selection: which epoch is best, and when to stop. Every rule here
// reads validation figures only; the test set is measured once, on the
// model a run keeps, and never takes part in choosing it.

// betterEpoch reports whether epoch a is better than epoch b by
// validation: the higher accuracy, then the lower loss. An epoch without
// a validation accuracy and a finite validation loss is never better.
func betterEpoch(a, b *EpochMetrics) bool {
	if !validated(a) {
		return false
	}
	if !validated(b) || a.ValAcc != b.ValAcc {
		return !validated(b) || a.ValAcc > b.ValAcc
	}
	return lowerLoss(a.ValLoss, b.ValLoss)
}

// validated reports whether an epoch has a validation accuracy and a
// finite validation loss: weights that overflow are no candidate.
func validated(e *EpochMetrics) bool {
	return !math.IsNaN(e.ValAcc) && !math.IsNaN(e.ValLoss) && !math.IsInf(e.ValLoss, 0)
}

// lowerLoss reports whether a is a finite loss below b (or b is unknown).
func lowerLoss(a, b float64) bool {
	if math.IsNaN(a) || math.IsInf(a, 0) {
		return false
	}
	return math.IsNaN(b) || math.IsInf(b, 0) || a < b
}

// bestEpoch returns the index in history of the best epoch by
// betterEpoch (the earliest of equals), or -1 when none has a
// validation accuracy and a finite validation loss.
func bestEpoch(history []EpochMetrics) int {
	best := -1
	for i := range history {
		if best < 0 && validated(&history[i]) || best >= 0 && betterEpoch(&history[i], &history[best]) {
			best = i
		}
	}
	return best
}

// BestEpoch returns the index in history of the epoch a run keeps as its
// model by validation (Config.Keep best): the highest validation
// accuracy, ties broken by the lower validation loss, the earliest of
// equals; -1 when no epoch has both figures. Every ranking uses this rule.
func BestEpoch(history []EpochMetrics) int { return bestEpoch(history) }

// sinceBetterLoss counts the epochs at the end of history without a
// validation loss lower than every one before them: what --patience
// and --plateau watch. It is 0 when the last epoch set a new low, and
// len(history) when no epoch had a finite validation loss.
func sinceBetterLoss(history []EpochMetrics) int {
	low, at := math.NaN(), -1
	for i := range history {
		if lowerLoss(history[i].ValLoss, low) {
			low, at = history[i].ValLoss, i
		}
	}
	return len(history) - 1 - at
}
