// Package datasets loads labelled data for training classifiers and turns it
// into batches of float32 inputs.
//
// A [Dataset] holds samples of one shape, either as float32 features (tables:
// Iris, CSV files) or as bytes (images, stored channel-major: all red bytes,
// then green, then blue, like CIFAR-10's binary files and PyTorch tensors).
// Images stay bytes in memory and are converted batch by batch.
//
// Preprocessing is one mechanism for both kinds: a [Normalization] holds a
// mean and a standard deviation per channel, computed on the training part
// only. A table has one channel per feature; an image has one per colour.
// [Dataset.Batch] standardizes (and optionally augments) the samples it is
// asked for into a caller-owned buffer.
//
// Loaders: [Iris] (embedded), [LoadCSV] and [ParseCSV] for numeric tables.
// CIFAR-10 and image folders live in the subpackages cifar10 and imagefolder.
package datasets

import (
	"fmt"
	"math/rand/v2"
)

// Dataset is a set of labelled samples, all of one shape.
//
// Exactly one of X and Pix is set: X for tabular data (Len()*Dim() floats,
// one row per sample), Pix for images (Len()*Dim() bytes, one sample after
// another, each stored as Shape[0] planes of Shape[1]×Shape[2] bytes).
type Dataset struct {
	Name    string    // short name, for run directories and headers: "iris", "cifar10", a folder's base name
	Classes []string  // class names; labels index this slice
	Shape   []int     // per-sample shape: [features] for tables, [channels, height, width] for images
	X       []float32 // tabular features, row-major
	Pix     []byte    // image pixels, channel-major per sample
	Y       []int32   // labels, one per sample, each in [0, len(Classes))
}

// Dim is the number of input values per sample (the product of Shape).
func (d *Dataset) Dim() int {
	n := 1
	for _, s := range d.Shape {
		n *= s
	}
	return n
}

// Len is the number of samples.
func (d *Dataset) Len() int { return len(d.Y) }

// IsImage reports whether samples are images (bytes of shape [C, H, W]).
func (d *Dataset) IsImage() bool { return d.Pix != nil }

// Channels is the number of normalization channels: colours for images, the
// number of features for tables.
func (d *Dataset) Channels() int {
	if d.IsImage() {
		return d.Shape[0]
	}
	return d.Dim()
}

// Validate checks that the storage agrees with the shape and the labels with
// the classes. Loaders call it before returning a data set.
func (d *Dataset) Validate() error { return d.validate(2) }

// validate is Validate with the least number of classes.
func (d *Dataset) validate(minClasses int) error {
	if len(d.Classes) < minClasses {
		return fmt.Errorf("data set %q: need at least %d classes, have %d", d.Name, minClasses, len(d.Classes))
	}
	if len(d.Shape) == 0 {
		return fmt.Errorf("data set %q: empty sample shape", d.Name)
	}
	for _, s := range d.Shape {
		if s <= 0 {
			return fmt.Errorf("data set %q: bad sample shape %v", d.Name, d.Shape)
		}
	}
	if (d.X == nil) == (d.Pix == nil) {
		return fmt.Errorf("data set %q: exactly one of X and Pix must be set", d.Name)
	}
	if d.IsImage() && len(d.Shape) != 3 {
		return fmt.Errorf("data set %q: image shape %v is not [channels height width]", d.Name, d.Shape)
	}
	n, dim := d.Len(), d.Dim()
	if d.X != nil && len(d.X) != n*dim {
		return fmt.Errorf("data set %q: %d floats for %d samples of %d", d.Name, len(d.X), n, dim)
	}
	if d.Pix != nil && len(d.Pix) != n*dim {
		return fmt.Errorf("data set %q: %d bytes for %d samples of %d", d.Name, len(d.Pix), n, dim)
	}
	for i, y := range d.Y {
		if y < 0 || int(y) >= len(d.Classes) {
			return fmt.Errorf("data set %q: sample %d has label %d, want 0..%d", d.Name, i, y, len(d.Classes)-1)
		}
	}
	return nil
}

// Subset returns a new data set holding copies of the samples at idx, in
// that order.
func (d *Dataset) Subset(idx []int) *Dataset {
	dim := d.Dim()
	s := &Dataset{Name: d.Name, Classes: d.Classes, Shape: d.Shape, Y: make([]int32, len(idx))}
	if d.IsImage() {
		s.Pix = make([]byte, len(idx)*dim)
	} else {
		s.X = make([]float32, len(idx)*dim)
	}
	for j, i := range idx {
		s.Y[j] = d.Y[i]
		if d.IsImage() {
			copy(s.Pix[j*dim:(j+1)*dim], d.Pix[i*dim:(i+1)*dim])
		} else {
			copy(s.X[j*dim:(j+1)*dim], d.X[i*dim:(i+1)*dim])
		}
	}
	return s
}

// ClassCounts returns how many samples each class has.
func (d *Dataset) ClassCounts() []int {
	c := make([]int, len(d.Classes))
	for _, y := range d.Y {
		c[y]++
	}
	return c
}

// StratifiedSplit divides d into two parts, keeping each class's share the
// same in both: about frac of every class goes to the second part. The same
// seed gives the same split. With frac 0 the second part is nil.
func StratifiedSplit(d *Dataset, frac float64, seed uint64) (rest, part *Dataset) {
	if frac <= 0 {
		return d, nil
	}
	a, b := StratifiedIndices(d.Y, len(d.Classes), frac, seed)
	return d.Subset(a), d.Subset(b)
}

// StratifiedIndices is StratifiedSplit on labels alone: the positions in
// y of the two parts, for data that is encoded after it is split (a
// table whose preprocessing is fitted on its training part).
func StratifiedIndices(y []int32, classes int, frac float64, seed uint64) (rest, part []int) {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	byClass := make([][]int, classes)
	for i, c := range y {
		byClass[c] = append(byClass[c], i)
	}
	var a, b []int
	for _, idx := range byClass {
		rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		k := int(float64(len(idx))*frac + 0.5)
		if k >= len(idx) && len(idx) > 1 {
			k = len(idx) - 1
		}
		b = append(b, idx[:k]...)
		a = append(a, idx[k:]...)
	}
	// Interleave classes so that a prefix of either part is mixed.
	rng.Shuffle(len(a), func(i, j int) { a[i], a[j] = a[j], a[i] })
	rng.Shuffle(len(b), func(i, j int) { b[i], b[j] = b[j], b[i] })
	return a, b
}
