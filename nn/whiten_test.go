package nn

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// correlated returns rows of n features with a covariance whose
// eigenvalues spread over five decades (as images' do), and a mean away
// from zero: x = μ + g·diag(σ)·Q for a random rotation Q.
func correlated(rows, n int, seed uint64) *Matrix {
	rng := rand.New(rand.NewPCG(seed, 1))
	q := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			q.Set(i, j, rng.NormFloat64())
		}
	}
	var qr mat.QR
	qr.Factorize(q)
	var rot mat.Dense
	qr.QTo(&rot)
	x := NewMatrix(rows, n)
	g := make([]float64, n)
	for r := range rows {
		for k := range n {
			g[k] = rng.NormFloat64() * math.Pow(10, 2-5*float64(k)/float64(n-1)/2) // σ from 10 to 10^-0.5
		}
		for j := range n {
			v := 0.3 * float64(j%5)
			for k := range n {
				v += g[k] * rot.At(k, j)
			}
			x.Data[r*n+j] = float32(v)
		}
	}
	return x
}

// covariance returns the (biased) covariance of x's rows in float64, and
// their means.
func covariance(x *Matrix) (*mat.SymDense, []float64) {
	n, rows := x.Cols, float64(x.Rows)
	mu := make([]float64, n)
	for i := range x.Rows {
		for j, v := range x.Row(i) {
			mu[j] += float64(v) / rows
		}
	}
	c := mat.NewSymDense(n, nil)
	for a := range n {
		for b := a; b < n; b++ {
			var s float64
			for i := range x.Rows {
				s += (float64(x.At(i, a)) - mu[a]) * (float64(x.At(i, b)) - mu[b])
			}
			c.SetSym(a, b, s/rows)
		}
	}
	return c, mu
}

// TestZCAWhitening fits ZCA on correlated rows (in chunks, as FitZCA
// does) and checks it against the eigendecomposition (gonum's EigenSym,
// float64): the matrix is U·diag(1/sqrt(λ+ε))·Uᵀ, and the whitened rows
// have the covariance U·diag(λ/(λ+ε))·Uᵀ, so variance 1 within the
// regularization in every direction of variance well above ε.
func TestZCAWhitening(t *testing.T) {
	const n, rows, eps = 40, 3000, 0.1
	x := correlated(rows, n, 7)
	fit := NewZCAFit(n)
	for lo := 0; lo < rows; lo += 700 {
		hi := min(lo+700, rows)
		fit.Add(FromSlice(hi-lo, n, slices.Clone(x.Data[lo*n:hi*n])))
	}
	w, err := fit.Whitening(eps)
	if err != nil {
		t.Fatal(err)
	}
	c, mu := covariance(x)
	var es mat.EigenSym
	if !es.Factorize(c, true) {
		t.Fatal("EigenSym failed")
	}
	lam := es.Values(nil)
	if lam[n-1]/lam[0] < 1e4 {
		t.Fatalf("test data's eigenvalues span only %.3g..%.3g", lam[0], lam[n-1])
	}
	var u mat.Dense
	es.VectorsTo(&u)
	inv := mat.NewDense(n, n, nil)
	want := mat.NewDense(n, n, nil)
	for i := range n {
		for j := range n {
			var a, b float64
			for k, l := range lam {
				a += u.At(i, k) * u.At(j, k) / math.Sqrt(l+eps)
				b += u.At(i, k) * u.At(j, k) * l / (l + eps)
			}
			inv.Set(i, j, a)
			want.Set(i, j, b)
		}
	}
	for j := range n {
		if d := math.Abs(float64(w.Mean[j]) - mu[j]); d > 1e-4 {
			t.Fatalf("mean %d: %v, want %v", j, w.Mean[j], mu[j])
		}
	}
	scale := mat.Norm(inv, math.Inf(1))
	for i := range n {
		for j := range n {
			if d := math.Abs(float64(w.Matrix[i*n+j]) - inv.At(i, j)); d > 1e-3*scale {
				t.Fatalf("matrix (%d, %d) = %v, eigendecomposition gives %v", i, j, w.Matrix[i*n+j], inv.At(i, j))
			}
		}
	}
	white := FromSlice(rows, n, slices.Clone(x.Data))
	w.Apply(white)
	got, wmu := covariance(white)
	for i := range n {
		if math.Abs(wmu[i]) > 1e-3 {
			t.Fatalf("whitened mean %d = %v, want 0", i, wmu[i])
		}
		for j := range n {
			if d := math.Abs(got.At(i, j) - want.At(i, j)); d > 2e-3 {
				t.Fatalf("whitened covariance (%d, %d) = %v, want %v", i, j, got.At(i, j), want.At(i, j))
			}
		}
	}
	// Along each eigenvector of variance over 100ε the whitened variance
	// is 1 within 1 %; with ε much smaller it is the identity.
	checked := 0
	for k, l := range lam {
		if l < 100*eps {
			continue
		}
		v := mat.NewVecDense(n, nil)
		v.ColViewOf(&u, k)
		if q := mat.Inner(v, got, v); math.Abs(q-1) > 0.01 {
			t.Errorf("eigenvalue %.3g: whitened variance %v, want 1", l, q)
		}
		checked++
	}
	if checked < n/4 {
		t.Fatalf("only %d directions above 100ε", checked)
	}
}

func TestZCAFitRefuses(t *testing.T) {
	fit := NewZCAFit(3)
	if _, err := fit.Whitening(0.1); err == nil || !strings.Contains(err.Error(), "at least 2 samples") {
		t.Errorf("no rows: %v", err)
	}
	fit.Add(FromSlice(2, 3, []float32{1, 2, 3, 4, 5, 7}))
	for _, eps := range []float64{0, -1, math.Inf(1), math.NaN()} {
		if _, err := fit.Whitening(eps); err == nil || !strings.Contains(err.Error(), "epsilon") {
			t.Errorf("epsilon %v: %v", eps, err)
		}
	}
}

func whitenedModel(t *testing.T) *Model {
	t.Helper()
	m := testModel(t)
	fit := NewZCAFit(4)
	fit.Add(correlated(200, 4, 3))
	w, err := fit.Whitening(0.01)
	if err != nil {
		t.Fatal(err)
	}
	m.Whiten = w
	return m
}

// TestWhitenedModelRoundTrip: the map is saved as two tensors and a
// versioned metadata entry, the file is format version 2, and the loaded
// model maps and predicts exactly as the saved one.
func TestWhitenedModelRoundTrip(t *testing.T) {
	m := whitenedModel(t)
	path := filepath.Join(t.TempDir(), "model.safetensors")
	if err := SaveModel(path, m); err != nil {
		t.Fatal(err)
	}
	ts, meta, err := LoadSafetensors(path)
	if err != nil {
		t.Fatal(err)
	}
	if meta["format_version"] != "2" || meta[WhiteningKey] != `{"version":1,"method":"zca","epsilon":0.01,"features":4}` {
		t.Errorf("metadata: format_version %q, %s %q", meta["format_version"], WhiteningKey, meta[WhiteningKey])
	}
	if mt := ts[WhitenMatrixTensor]; !slices.Equal(mt.Shape, []int{4, 4}) || !slices.Equal(mt.Data, m.Whiten.Matrix) {
		t.Errorf("tensor %s: shape %v", WhitenMatrixTensor, mt.Shape)
	}
	if mt := ts[WhitenMeanTensor]; !slices.Equal(mt.Shape, []int{4}) || !slices.Equal(mt.Data, m.Whiten.Mean) {
		t.Errorf("tensor %s: shape %v", WhitenMeanTensor, mt.Shape)
	}
	got, err := LoadModel(path)
	if err != nil {
		t.Fatal(err)
	}
	if got.Whiten == nil || got.Whiten.Epsilon != 0.01 || got.Whiten.Method != WhitenZCA ||
		!slices.Equal(got.Whiten.Matrix, m.Whiten.Matrix) || !slices.Equal(got.Whiten.Mean, m.Whiten.Mean) {
		t.Fatalf("whitening after the round trip: %+v", got.Whiten)
	}
	if _, ok := got.Info[WhiteningKey]; ok {
		t.Errorf("the whitening entry is left in Info too")
	}
	a := FromSlice(2, 4, []float32{0.1, -0.2, 0.3, 0.4, 2, 1, 0, -1})
	b := FromSlice(2, 4, slices.Clone(a.Data))
	m.Whiten.Apply(a)
	got.Whiten.Apply(b)
	if !slices.Equal(a.Data, b.Data) || !slices.Equal(got.Net.Predict(b).Data, m.Net.Predict(a).Data) {
		t.Errorf("the loaded model maps or predicts otherwise")
	}
	// Saved again, the same bytes.
	again := filepath.Join(t.TempDir(), "again.safetensors")
	if err := SaveModel(again, got); err != nil {
		t.Fatal(err)
	}
	b1, _ := os.ReadFile(path)
	b2, _ := os.ReadFile(again)
	if !bytes.Equal(b1, b2) {
		t.Errorf("saving the loaded model gives other bytes")
	}
	// Without whitening a plain network stays version 1.
	m.Whiten = nil
	if v := m.Metadata()["format_version"]; v != "1" {
		t.Errorf("plain model: format_version %s", v)
	}
}

func TestWhitenedModelRefused(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, edit func(meta map[string]string, ts []Tensor) []Tensor) string {
		m := whitenedModel(t)
		meta := m.Metadata()
		ts := edit(meta, m.Tensors())
		var buf bytes.Buffer
		if err := WriteSafetensors(&buf, ts, meta); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	drop := func(name string) func(map[string]string, []Tensor) []Tensor {
		return func(_ map[string]string, ts []Tensor) []Tensor {
			return slices.DeleteFunc(ts, func(t Tensor) bool { return t.Name == name })
		}
	}
	meta := func(key, value string) func(map[string]string, []Tensor) []Tensor {
		return func(m map[string]string, ts []Tensor) []Tensor { m[key] = value; return ts }
	}
	cases := []struct {
		name string
		edit func(map[string]string, []Tensor) []Tensor
		want string
	}{
		{"v1", meta("format_version", "1"), `format version 1 with "whitening" in its metadata`},
		{"no matrix", drop(WhitenMatrixTensor), `needs tensor "whiten.matrix", which is missing`},
		{"no mean", drop(WhitenMeanTensor), `needs tensor "whiten.mean", which is missing`},
		{"newer", meta(WhiteningKey, `{"version":2,"method":"zca","epsilon":0.01,"features":4}`), "version 2, this mlptui reads 1"},
		{"other method", meta(WhiteningKey, `{"version":1,"method":"pca","epsilon":0.01,"features":4}`), `method "pca"`},
		{"bad epsilon", meta(WhiteningKey, `{"version":1,"method":"zca","epsilon":0,"features":4}`), "epsilon 0"},
		{"features", meta(WhiteningKey, `{"version":1,"method":"zca","epsilon":0.01,"features":5}`), "5 features, the network takes 4"},
		{"not JSON", meta(WhiteningKey, `zca`), `metadata "whitening"`},
		{"matrix shape", func(_ map[string]string, ts []Tensor) []Tensor {
			for i := range ts {
				if ts[i].Name == WhitenMatrixTensor {
					ts[i] = Tensor{Name: WhitenMatrixTensor, Shape: []int{4, 3}, Data: ts[i].Data[:12]}
				}
			}
			return ts
		}, `tensor "whiten.matrix" has shape [4 3], want [4 4]`},
		{"NaN", func(_ map[string]string, ts []Tensor) []Tensor {
			for i := range ts {
				if ts[i].Name == WhitenMatrixTensor {
					d := slices.Clone(ts[i].Data)
					d[5] = float32(math.NaN())
					ts[i].Data = d
				}
			}
			return ts
		}, "NaN or infinite"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := LoadModel(write(strings.ReplaceAll(c.name, " ", "-"), c.edit))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error with %q", err, c.want)
			}
		})
	}
}
