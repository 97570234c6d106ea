package datasets

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestIris(t *testing.T) {
	d := Iris()
	if d.Len() != 150 || d.Dim() != 4 || len(d.Classes) != 3 {
		t.Fatalf("iris: %d samples of %d, %d classes", d.Len(), d.Dim(), len(d.Classes))
	}
	if !slices.Equal(d.Classes, []string{"Iris-setosa", "Iris-versicolor", "Iris-virginica"}) {
		t.Errorf("classes %v", d.Classes)
	}
	if !slices.Equal(d.ClassCounts(), []int{50, 50, 50}) {
		t.Errorf("class counts %v", d.ClassCounts())
	}
	// The first line of iris.data: 5.1,3.5,1.4,0.2,Iris-setosa.
	if !slices.Equal(d.X[:4], []float32{5.1, 3.5, 1.4, 0.2}) || d.Y[0] != 0 {
		t.Errorf("first row %v label %d", d.X[:4], d.Y[0])
	}
}

func TestParseCSV(t *testing.T) {
	cases := []struct {
		name, text string
		opt        CSVOptions
		classes    []string
		x          []float32
		y          []int32
	}{
		{"plain", "1,2,a\n3,4,b\n5,6,a\n", CSVOptions{}, []string{"a", "b"}, []float32{1, 2, 3, 4, 5, 6}, []int32{0, 1, 0}},
		{"header", "x,y,label\n1,2,a\n3,4,b\n", CSVOptions{}, []string{"a", "b"}, []float32{1, 2, 3, 4}, []int32{0, 1}},
		{"label first", "cat,1,2\ndog,3,4\n", CSVOptions{Label: "1"}, []string{"cat", "dog"}, []float32{1, 2, 3, 4}, []int32{0, 1}},
		{"label by number, header", "kind,x,y\ncat,1,2\ndog,3,4\n", CSVOptions{Label: "1"}, []string{"cat", "dog"}, []float32{1, 2, 3, 4}, []int32{0, 1}},
		{"label by name", "x,kind,y\n1,cat,2\n3,dog,4\n", CSVOptions{Label: "kind"}, []string{"cat", "dog"}, []float32{1, 2, 3, 4}, []int32{0, 1}},
		{"label by name, any case", "x,Kind,y\n1,cat,2\n3,dog,4\n", CSVOptions{Label: "kind"}, []string{"cat", "dog"}, []float32{1, 2, 3, 4}, []int32{0, 1}},
		{"numeric header named", "a,b,c\n1,2,0\n3,4,1\n", CSVOptions{Label: "a"}, []string{"1", "3"}, []float32{2, 0, 4, 1}, []int32{0, 1}},
		{"one class, for evaluation", "1,2,dog\n3,4,dog\n", CSVOptions{OneClass: true}, []string{"dog"}, []float32{1, 2, 3, 4}, []int32{0, 0}},
		{"integer labels sort numerically", "1,10\n2,2\n3,1\n", CSVOptions{}, []string{"1", "2", "10"}, []float32{1, 2, 3}, []int32{2, 1, 0}},
		{"spaces, blank lines, CRLF", " 1 , 2,a\r\n\r\n3, 4 ,b\r\n\n", CSVOptions{}, []string{"a", "b"}, []float32{1, 2, 3, 4}, []int32{0, 1}},
		{"scientific", "1e-3,-2.5E2,x\n0,0,y\n", CSVOptions{}, []string{"x", "y"}, []float32{1e-3, -250, 0, 0}, []int32{0, 1}},
	}
	for _, c := range cases {
		d, err := ParseCSV(strings.NewReader(c.text), "t.csv", c.opt)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !slices.Equal(d.Classes, c.classes) || !slices.Equal(d.X, c.x) || !slices.Equal(d.Y, c.y) {
			t.Errorf("%s: classes %v x %v y %v; want %v %v %v", c.name, d.Classes, d.X, d.Y, c.classes, c.x, c.y)
		}
	}
}

func TestParseCSVRefused(t *testing.T) {
	cases := []struct {
		name, text string
		opt        CSVOptions
		want       string
	}{
		{"empty", "", CSVOptions{}, "t.csv: no data rows"},
		{"header only", "a,b,c\n", CSVOptions{}, "t.csv: no data rows"},
		{"one column", "1\n2\n", CSVOptions{}, "t.csv:1: need at least 2 columns"},
		{"ragged", "1,2,a\n3,b\n", CSVOptions{}, "t.csv:2: 2 columns, want 3"},
		{"not a number", "1,2,a\n3,x,b\n", CSVOptions{}, `t.csv:2: column 2: "x" is not a finite number`},
		{"NaN", "1,2,a\n3,NaN,b\n", CSVOptions{}, `t.csv:2: column 2: "NaN" is not a finite number`},
		{"Inf", "1,2,a\nInf,2,b\n", CSVOptions{}, `t.csv:2: column 1: "Inf"`},
		{"empty label", "1,2,a\n3,4,\n", CSVOptions{}, "t.csv:2: column 3: empty label"},
		{"one class", "1,2,a\n3,4,a\n", CSVOptions{}, `only one class ("a")`},
		{"label column out of range", "1,2,a\n", CSVOptions{Label: "4"}, "t.csv:1: label column 4 out of range for 3 columns"},
		{"label column 0", "1,2,a\n", CSVOptions{Label: "0"}, "label column 0 out of range for 3 columns"},
		{"label name not in header", "x,y,kind\n1,2,a\n", CSVOptions{Label: "species"}, `t.csv:1: label column "species" is not in the header (x, y, kind)`},
		{"label name without header", "1,2,0\n3,4,1\n", CSVOptions{Label: "kind"}, `t.csv:1: label column "kind": the first line is data`},
		{"bad quote", "1,2,\"a\n", CSVOptions{}, "t.csv:1:"},
		{"later blank line number", "1,2,a\n\n\n1,2,b\n1,z,a\n", CSVOptions{}, "t.csv:5: column 2"},
	}
	for _, c := range cases {
		_, err := ParseCSV(strings.NewReader(c.text), "t.csv", c.opt)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	many := &strings.Builder{}
	for i := range MaxCSVClasses + 1 {
		many.WriteString("1,c")
		many.WriteString(strings.Repeat("x", i%7))
		many.WriteString(string(rune('a' + i%26)))
		many.WriteString(string(rune('a' + i/26%26)))
		many.WriteString(string(rune('a' + i/676)))
		many.WriteString("\n")
	}
	if _, err := ParseCSV(strings.NewReader(many.String()), "t.csv", CSVOptions{}); err == nil || !strings.Contains(err.Error(), "distinct labels") {
		t.Errorf("too many classes: %v", err)
	}
}

// TestParseCSVNotNumber checks what a text cell in a feature column says
// of itself: where, and whether it is in the first data row (where it
// suggests the class is in another column).
func TestParseCSVNotNumber(t *testing.T) {
	cases := []struct {
		name, text string
		want       NotNumberError
	}{
		{"label first", "species,a,b\nsetosa,1,2\n", NotNumberError{Source: "t.csv", Line: 2, Column: 1, Value: "setosa", FirstRow: true}},
		// The first line is taken as a header (a feature column is text),
		// so the error is on the second, still the first data row.
		{"label first, no header", "setosa,1,2\nvirginica,3,4\n", NotNumberError{Source: "t.csv", Line: 2, Column: 1, Value: "virginica", FirstRow: true}},
		{"later row", "a,b,c\n1,2,x\n3,?,y\n", NotNumberError{Source: "t.csv", Line: 3, Column: 2, Value: "?"}},
	}
	for _, c := range cases {
		_, err := ParseCSV(strings.NewReader(c.text), "t.csv", CSVOptions{})
		var got *NotNumberError
		if !errors.As(err, &got) {
			t.Errorf("%s: %v, want a NotNumberError", c.name, err)
			continue
		}
		if *got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, *got, c.want)
		}
	}
}

func FuzzParseCSV(f *testing.F) {
	f.Add("5.1,3.5,1.4,0.2,Iris-setosa\n4.9,3.0,1.4,0.2,Iris-versicolor\n")
	f.Add("a,b\n1,x\n2,y\n")
	f.Fuzz(func(t *testing.T, text string) {
		checkParsed(t, text, CSVOptions{})
	})
}

// checkParsed parses text: it must give a one-line error or a valid data
// set.
func checkParsed(t *testing.T, text string, opt CSVOptions) {
	d, err := ParseCSV(strings.NewReader(text), "f.csv", opt)
	if err != nil {
		if strings.Contains(err.Error(), "\n") {
			t.Fatalf("multi-line error %q", err)
		}
		return
	}
	if err := d.Validate(); err != nil {
		t.Fatal(err)
	}
}

// FuzzParseCSVLabel is FuzzParseCSV with a --label value: a name or a
// column number, well-formed or not.
func FuzzParseCSVLabel(f *testing.F) {
	f.Add("kind,a,b\ncat,1,2\ndog,3,4\n", "kind")
	f.Add("cat,1,2\ndog,3,4\n", "1")
	f.Add("1,2,0\n3,4,1\n", "-3")
	f.Fuzz(func(t *testing.T, text, label string) {
		checkParsed(t, text, CSVOptions{Label: label})
	})
}

func TestStratifiedSplit(t *testing.T) {
	d := Iris()
	a, b := StratifiedSplit(d, 0.2, 42)
	if a.Len() != 120 || b.Len() != 30 {
		t.Fatalf("split %d/%d", a.Len(), b.Len())
	}
	if !slices.Equal(b.ClassCounts(), []int{10, 10, 10}) {
		t.Errorf("test part counts %v", b.ClassCounts())
	}
	// Every sample lands in exactly one part.
	key := func(d *Dataset, i int) string { return fmt.Sprint(d.X[i*4:i*4+4], d.Classes[d.Y[i]]) }
	seen := map[string]int{}
	for i := range d.Len() {
		seen[key(d, i)]++
	}
	for _, p := range []*Dataset{a, b} {
		for i := range p.Len() {
			seen[key(p, i)]--
		}
	}
	for k, v := range seen {
		if v != 0 {
			t.Errorf("sample %s counted %d times too often", k, -v)
		}
	}
	a2, b2 := StratifiedSplit(d, 0.2, 42)
	if !slices.Equal(a.X, a2.X) || !slices.Equal(b.Y, b2.Y) {
		t.Errorf("the same seed gives another split")
	}
	_, b3 := StratifiedSplit(d, 0.2, 43)
	if slices.Equal(b.X, b3.X) {
		t.Errorf("seeds 42 and 43 give the same split")
	}
	if r, p := StratifiedSplit(d, 0, 1); r != d || p != nil {
		t.Errorf("fraction 0 should return the data set and nil")
	}
}

func TestNormalization(t *testing.T) {
	d := Iris()
	n := ComputeNormalization(d)
	if err := n.Validate(4); err != nil {
		t.Fatal(err)
	}
	x := make([]float32, d.Len()*4)
	idx := make([]int, d.Len())
	for i := range idx {
		idx[i] = i
	}
	d.Batch(x, idx, n, Augment{}, nil)
	for f := range 4 {
		var s, q float64
		for i := range d.Len() {
			v := float64(x[i*4+f])
			s += v
			q += v * v
		}
		mean, v := s/150, q/150-(s/150)*(s/150)
		if math.Abs(mean) > 1e-5 || math.Abs(v-1) > 1e-4 {
			t.Errorf("feature %d after standardization: mean %g variance %g", f, mean, v)
		}
	}
	// A constant feature gets std 1 rather than a division by zero.
	c := &Dataset{Classes: []string{"a", "b"}, Shape: []int{2}, X: []float32{1, 5, 2, 5, 3, 5}, Y: []int32{0, 1, 0}}
	if n := ComputeNormalization(c); n.Std[1] != 1 || n.Mean[1] != 5 {
		t.Errorf("constant feature: %+v", n)
	}
	if err := (Normalization{Mean: []float32{0}, Std: []float32{0}}).Validate(1); err == nil {
		t.Errorf("std 0 accepted")
	}
}

// imageSet makes n images of c channels, h×w, with a distinct value per
// pixel.
func imageSet(n, c, h, w int) *Dataset {
	d := &Dataset{Classes: []string{"a", "b"}, Shape: []int{c, h, w}, Pix: make([]byte, n*c*h*w), Y: make([]int32, n)}
	for i := range d.Pix {
		d.Pix[i] = byte(i % 251)
	}
	return d
}

func TestImageNormalizationPerChannel(t *testing.T) {
	d := imageSet(3, 3, 4, 4)
	for i := 0; i < 3; i++ { // channel c of every image holds 10·(c+1)
		for c := range 3 {
			for k := range 16 {
				d.Pix[i*48+c*16+k] = byte(10 * (c + 1))
			}
		}
	}
	d.Pix[0] = 40 // one red pixel differs
	n := ComputeNormalization(d)
	if n.Mean[1] != 20 || n.Mean[2] != 30 || n.Std[1] != 1 || math.Abs(float64(n.Mean[0])-(10+30.0/48)) > 1e-4 {
		t.Errorf("per-channel normalization %+v", n)
	}
}

func TestAugment(t *testing.T) {
	const h, w = 4, 5
	d := imageSet(1, 1, h, w)
	norm := Normalization{Mean: []float32{0}, Std: []float32{1}}
	at := func(out []float32, y, x int) float32 { return out[y*w+x] }
	src := func(y, x int) float32 { return float32(d.Pix[y*w+x]) }
	out := make([]float32, h*w)
	augmentImage(out, d.Pix, h, w, norm.Mean, []float32{1}, true, 0, 0)
	for y := range h {
		for x := range w {
			if at(out, y, x) != src(y, w-1-x) {
				t.Fatalf("flip: (%d,%d) = %v, want %v", y, x, at(out, y, x), src(y, w-1-x))
			}
		}
	}
	augmentImage(out, d.Pix, h, w, norm.Mean, []float32{1}, false, 2, -1)
	for y := range h {
		for x := range w {
			want := float32(0)
			if sy, sx := y-1, x+2; sy >= 0 && sy < h && sx < w {
				want = src(sy, sx)
			}
			if at(out, y, x) != want {
				t.Fatalf("shift: (%d,%d) = %v, want %v", y, x, at(out, y, x), want)
			}
		}
	}
	// Batch with augmentation: deterministic for a seed, and only
	// permutations of the original pixels or zeros.
	aug := DefaultAugment(w)
	b1 := make([]float32, h*w)
	b2 := make([]float32, h*w)
	d.Batch(b1, []int{0}, norm, aug, rand.New(rand.NewPCG(1, 2)))
	d.Batch(b2, []int{0}, norm, aug, rand.New(rand.NewPCG(1, 2)))
	if !slices.Equal(b1, b2) {
		t.Errorf("same generator state, different augmentation")
	}
}

func TestReadFeatureRows(t *testing.T) {
	type row struct {
		line int
		x    []float32
		err  string
	}
	cases := []struct {
		name, text string
		opt        CSVOptions
		want       []row
	}{
		{"features only", "1,2\n3,4\n", CSVOptions{}, []row{{1, []float32{1, 2}, ""}, {2, []float32{3, 4}, ""}}},
		{"header, blank line", "a,b\n\n1,2\n", CSVOptions{}, []row{{3, []float32{1, 2}, ""}}},
		{"a training table, label last", "1,2,cat\n3,4,dog\n", CSVOptions{}, []row{{1, []float32{1, 2}, ""}, {2, []float32{3, 4}, ""}}},
		{"label first, by number", "cat,1,2\n", CSVOptions{Label: "1"}, []row{{1, []float32{1, 2}, ""}}},
		{"label by name", "w,kind,h\n1,cat,2\n", CSVOptions{Label: "kind"}, []row{{2, []float32{1, 2}, ""}}},
		{"mixed rows, bad ones told apart", "1,2\n1,2,3,4\n1,x\n5,6,7\n", CSVOptions{}, []row{
			{1, []float32{1, 2}, ""}, {2, nil, "t.csv:2: 4 values, the model takes 2 (or 3 with a label column)"},
			{3, nil, `t.csv:3: "x" is not a finite number`}, {4, []float32{5, 6}, ""}}},
	}
	for _, c := range cases {
		rows, err := ReadFeatureRows(strings.NewReader(c.text), "t.csv", 2, c.opt)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if len(rows) != len(c.want) {
			t.Errorf("%s: %d rows, want %d: %+v", c.name, len(rows), len(c.want), rows)
			continue
		}
		for i, r := range rows {
			w := c.want[i]
			gotErr := ""
			if r.Err != nil {
				gotErr = r.Err.Error()
			}
			if r.Line != w.line || !slices.Equal(r.X, w.x) || gotErr != w.err {
				t.Errorf("%s: row %d = %d %v %q, want %d %v %q", c.name, i, r.Line, r.X, gotErr, w.line, w.x, w.err)
			}
		}
	}
	for _, c := range []struct{ text, want string }{
		{"", "t.csv: no rows to classify"},
		{"a,b\n", "t.csv: no rows to classify"},
		{"w,kind,h\n1,cat,2\n", `t.csv:2: label column "species" is not in the header (w, kind, h)`},
		{"1,\"2\n", "t.csv:1:"},
	} {
		opt := CSVOptions{}
		if strings.Contains(c.want, "species") {
			opt.Label = "species"
		}
		if _, err := ReadFeatureRows(strings.NewReader(c.text), "t.csv", 2, opt); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.text, err, c.want)
		}
	}
}

func FuzzReadFeatureRows(f *testing.F) {
	f.Add("5.1,3.5,1.4,0.2,Iris-setosa\n4.9,3.0,1.4,0.2\n", "")
	f.Add("kind,a,b,c,d\ncat,1,2,3,4\n", "kind")
	f.Fuzz(func(t *testing.T, text, label string) {
		rows, err := ReadFeatureRows(strings.NewReader(text), "f.csv", 4, CSVOptions{Label: label})
		if err != nil {
			return
		}
		for _, r := range rows {
			if (r.Err == nil) != (len(r.X) == 4) || r.Line < 1 {
				t.Fatalf("row %+v", r)
			}
			if r.Err != nil && !strings.HasPrefix(r.Err.Error(), "f.csv:") {
				t.Fatalf("error %q does not name the file", r.Err)
			}
		}
	})
}
