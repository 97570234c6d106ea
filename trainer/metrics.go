package trainer

import (
	"math"
	"slices"
)

// ClassStats is one class's precision, recall and F1, as scikit-learn's
// classification_report gives them: a class never predicted gets
// precision 0, one without samples recall 0, and F1 is 0 where both are.
type ClassStats struct {
	Class     string  `json:"class"`
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	Support   int     `json:"support"` // test samples of the class
}

// Averages are precision, recall and F1 averaged over classes.
type Averages struct {
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
}

// Report is what a confusion matrix says per class and on average.
type Report struct {
	PerClass []ClassStats `json:"per_class"`
	// Macro is the plain mean over the classes that occur (in the truth
	// or the predictions), Weighted the mean weighted by support: the
	// "macro avg" and "weighted avg" rows of classification_report.
	Macro    Averages `json:"macro_avg"`
	Weighted Averages `json:"weighted_avg"`
	// BalancedAccuracy is the mean recall over the classes that have
	// samples (scikit-learn's balanced_accuracy_score).
	BalancedAccuracy float64 `json:"balanced_accuracy"`
}

// ClassReport computes the report of a confusion matrix [true][predicted]
// whose classes are named by classes.
func ClassReport(classes []string, conf [][]int) Report {
	var r Report
	var occurring, withSamples, total int
	var recallSum float64
	for c := range conf {
		var predicted, support int
		for t := range conf {
			predicted += conf[t][c]
			support += conf[c][t]
		}
		s := ClassStats{Support: support}
		if c < len(classes) {
			s.Class = classes[c]
		}
		if predicted > 0 {
			s.Precision = float64(conf[c][c]) / float64(predicted)
		}
		if support > 0 {
			s.Recall = float64(conf[c][c]) / float64(support)
			recallSum += s.Recall
			withSamples++
		}
		if s.Precision+s.Recall > 0 {
			s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
		}
		if predicted > 0 || support > 0 {
			occurring++
			r.Macro.Precision += s.Precision
			r.Macro.Recall += s.Recall
			r.Macro.F1 += s.F1
		}
		w := float64(support)
		r.Weighted.Precision += w * s.Precision
		r.Weighted.Recall += w * s.Recall
		r.Weighted.F1 += w * s.F1
		total += support
		r.PerClass = append(r.PerClass, s)
	}
	if occurring > 0 {
		n := float64(occurring)
		r.Macro = Averages{r.Macro.Precision / n, r.Macro.Recall / n, r.Macro.F1 / n}
	}
	if total > 0 {
		n := float64(total)
		r.Weighted = Averages{r.Weighted.Precision / n, r.Weighted.Recall / n, r.Weighted.F1 / n}
	}
	if withSamples > 0 {
		r.BalancedAccuracy = recallSum / float64(withSamples)
	}
	return r
}

// ROCAUC is the area under the ROC curve of scores for the positive
// samples against the others: the probability that a positive scores
// above a negative, ties counting half (what roc_auc_score computes). ok
// is false without samples of both kinds.
func ROCAUC(scores []float64, positive []bool) (auc float64, ok bool) {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		switch {
		case scores[a] < scores[b]:
			return -1
		case scores[a] > scores[b]:
			return 1
		}
		return 0
	})
	// Mann-Whitney U from mid-ranks (1-based), ties sharing their mean rank.
	var rankSum float64
	var pos, neg int
	for i := 0; i < len(idx); {
		j := i
		for j < len(idx) && scores[idx[j]] == scores[idx[i]] {
			j++
		}
		mid := float64(i+j+1) / 2
		for _, k := range idx[i:j] {
			if positive[k] {
				rankSum += mid
				pos++
			} else {
				neg++
			}
		}
		i = j
	}
	if pos == 0 || neg == 0 {
		return math.NaN(), false
	}
	p, n := float64(pos), float64(neg)
	return (rankSum - p*(p+1)/2) / (p * n), true
}
