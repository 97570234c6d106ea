package datasets

import (
	"context"

	"github.com/mlptui/mlptui/nn"
)

// DefaultZCAEpsilon is the regularization of ZCA whitening when none is
// given: added to every eigenvalue of the covariance of the standardized
// inputs (whose variances are about 1 each), so that directions of
// variance well below it are damped rather than blown up.
const DefaultZCAEpsilon = 0.1

// FitZCA returns the regularized ZCA whitening of d's samples standardized
// with norm (see nn.ZCAFit.Whitening). Fit it on the training part only.
// It stops with ctx's error if ctx is cancelled between chunks.
func FitZCA(ctx context.Context, d *Dataset, norm Normalization, epsilon float64) (*nn.Whitening, error) {
	const chunk = 1024
	dim := d.Dim()
	fit := nn.NewZCAFit(dim)
	norm.Whiten = nil
	buf := nn.NewMatrix(chunk, dim)
	idx := make([]int, 0, chunk)
	for lo := 0; lo < d.Len(); lo += chunk {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		idx = idx[:0]
		for i := lo; i < min(lo+chunk, d.Len()); i++ {
			idx = append(idx, i)
		}
		buf.Resize(len(idx), dim)
		d.standardize(buf.Data, idx, norm, Augment{}, nil)
		fit.Add(buf)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return fit.Whitening(epsilon)
}
