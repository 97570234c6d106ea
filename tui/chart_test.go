package tui

import (
	"fmt"

	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/muesli/termenv"
)

func TestResample(t *testing.T) {
	var c curve
	c.add(0, 1)
	c.add(1, 3) // same column as 0 with 4 columns over [0, 8): mean 2
	c.add(6, 4)
	c.add(7, math.Inf(1)) // dropped
	got := c.resample(0, 8, 4)
	want := []float64{2, 8.0 / 3, 10.0 / 3, 4}
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Fatalf("resample = %v, want %v", got, want)
		}
	}
	// Before the first point and after the last: NaN.
	var d curve
	d.add(4, 1)
	d.add(5, 1)
	got = d.resample(0, 10, 5)
	for i, v := range got {
		if nan := math.IsNaN(v); nan != (i != 2) {
			t.Errorf("column %d = %v (%v)", i, v, got)
		}
	}
	if got := (&curve{}).resample(0, 1, 3); !math.IsNaN(got[0]) {
		t.Errorf("an empty curve resamples to %v", got)
	}
}

// asciigraph panics on empty series and infinite values, and adds colour
// codes when asked: the chart guards against both.
func TestChartNeverPanicsAndFits(t *testing.T) {
	nan, inf := math.NaN(), math.Inf(1)
	mk := func(ys ...float64) *curve {
		var c curve
		for i, y := range ys {
			c.add(float64(i), y)
		}
		return &c
	}
	cases := map[string][]*curve{
		"empty":                       {mk(), mk()},
		"all NaN":                     {mk(nan, nan), mk()},
		"one":                         {mk(0.5), mk()},
		"constant":                    {mk(2, 2, 2), mk(2, 2)},
		"infinite":                    {mk(1, inf, 0.5, -inf), mk(nan, 0.7)},
		"huge":                        {mk(1e300, -1e300), mk(0)},
		"range overflowing a float64": {mk(1e308), mk(-1e308)},
		"1e308 among others":          {mk(0, 1e308, 0.5, 1e308), mk()},
		"1e308 last":                  {mk(0.5, 1e308), mk(0.2, 0.3)},
		"1e308 first":                 {mk(1e308, 0.5), mk(0.1)},
		"normal":                      {mk(1, 0.8, 0.5, 0.3), mk(1.1, 0.9, 0.7)},
	}
	for name, cs := range cases {
		for _, size := range [][2]int{{1, 1}, {9, 3}, {12, 4}, {40, 12}, {80, 20}, {100, 40}} {
			w, h := size[0], size[1]
			ch := chart{title: "Loss", x0: 0, x1: 4, series: []series{{"train", cs[0]}, {"val", cs[1]}},
				xLabel: func(x float64) string { return fmt.Sprint(x) }}
			var out string
			func() {
				defer func() {
					if p := recover(); p != nil {
						t.Fatalf("%s at %dx%d: panic %v", name, w, h, p)
					}
				}()
				out = ch.render(w, h, newStyles(termenv.Ascii))
			}()
			checkFits(t, fmt.Sprintf("%s at %dx%d", name, w, h), out, w, h)
			if strings.Contains(out, "\x1b") {
				t.Errorf("%s: colour codes without colour: %q", name, out)
			}
		}
	}
	ch := chart{title: "Loss", x0: 0, x1: 4, series: []series{{"train", mk(1, 0.5)}}}
	if out := ch.render(40, 10, newStyles(termenv.ANSI256)); !strings.Contains(out, "\x1b[38;5;33m") {
		t.Errorf("no colour for the train curve with 256 colours:\n%q", out)
	}
}

// Without colour the curves are told apart by their characters.
func TestChartMarkersWithoutColour(t *testing.T) {
	var a, b curve
	for i := range 10 {
		a.add(float64(i), float64(i))
		b.add(float64(i), float64(9-i))
	}
	out := chart{title: "x", x0: 0, x1: 9, series: []series{{"a", &a}, {"b", &b}}}.render(40, 12, newStyles(termenv.Ascii))
	if !strings.Contains(out, "•") || !strings.Contains(out, "╭") && !strings.Contains(out, "╯") {
		t.Errorf("curves not told apart:\n%s", out)
	}
}

// A loss chart spanning more than lab.LogSpan goes on a log scale, labelled
// with the values themselves; a narrower one, or an accuracy chart, stays
// linear.
func TestChartLogScale(t *testing.T) {
	var wide, narrow curve
	for i := range 100 {
		wide.add(float64(i), 2.3*math.Pow(0.95, float64(i))) // 2.3 down to 0.014
		narrow.add(float64(i), 2.3-float64(i)*0.01)          // 2.3 down to 1.31
	}
	st := newStyles(termenv.Ascii)
	render := func(c *curve, logY bool) (title string, labels []float64) {
		out := chart{title: "Loss", x0: 0, x1: 99, logY: logY, series: []series{{"train", c}}}.render(60, 14, st)
		lines := strings.Split(out, "\n")
		for _, l := range lines[1 : len(lines)-1] {
			f := strings.Fields(strings.NewReplacer("┤", " ", "┼", " ").Replace(l))
			if len(f) > 0 {
				if v, err := strconv.ParseFloat(f[0], 64); err == nil {
					labels = append(labels, v)
				}
			}
		}
		return lines[0], labels
	}
	title, labels := render(&wide, true)
	if !strings.HasPrefix(title, "Loss (log)") || len(labels) < 8 {
		t.Fatalf("title %q, labels %v: want a log scale", title, labels)
	}
	// On a log scale the labels fall by a constant ratio, not a constant step.
	top, mid, bottom := labels[0], labels[len(labels)/2], labels[len(labels)-1]
	if top < 2 || bottom > 0.02 || !(mid < math.Sqrt(top*bottom)*1.5 && mid > math.Sqrt(top*bottom)/1.5) {
		t.Errorf("labels %v are not spaced as a log scale from about 2.3 to 0.014", labels)
	}
	for _, c := range []struct {
		c    *curve
		logY bool
	}{{&narrow, true}, {&wide, false}} {
		if title, _ := render(c.c, c.logY); strings.Contains(title, "(log)") {
			t.Errorf("log scale for a chart that should be linear: %q", title)
		}
	}
}

func TestPicture(t *testing.T) {
	// A 2×2 image: red, green on top; blue, white below.
	pix := []byte{
		255, 0, 0, 255, // red plane
		0, 255, 0, 255, // green plane
		0, 0, 255, 255, // blue plane
	}
	lines := picture(pix, []int{3, 2, 2}, 1, termenv.TrueColor)
	want := "\x1b[38;2;255;0;0;48;2;0;0;255m▀\x1b[38;2;0;255;0;48;2;255;255;255m▀\x1b[0m"
	if len(lines) != 1 || lines[0] != want {
		t.Errorf("true colour picture %q, want %q", lines, want)
	}
	lines = picture(pix, []int{3, 2, 2}, 1, termenv.ANSI256)
	if len(lines) != 1 || !strings.Contains(lines[0], "38;5;196") {
		t.Errorf("256-colour picture %q: no red", lines)
	}
	// 256 colours: the cube or the greys, whichever is nearer; a dark,
	// slightly blue grey stays grey (termenv's own conversion gave navy).
	for _, c := range []struct {
		r, g, b uint8
		want    uint8
	}{
		{255, 0, 0, 196}, {0, 0, 0, 16}, {255, 255, 255, 231}, {40, 40, 46, 235}, {128, 128, 128, 244},
		{95, 135, 175, 67}, {200, 150, 50, 173},
	} {
		if got := nearest256(c.r, c.g, c.b); got != c.want {
			t.Errorf("nearest256(%d, %d, %d) = %d, want %d", c.r, c.g, c.b, got, c.want)
		}
	}
	lines = picture(pix, []int{3, 2, 2}, 1, termenv.Ascii)
	if len(lines) != 1 || lines[0] != ":#" {
		t.Errorf("picture without colour %q, want %q", lines, ":#")
	}
	// A 32×32 image is 32 columns by 16 rows; at half scale 16 by 8.
	big := make([]byte, 3*32*32)
	if n := len(picture(big, []int{3, 32, 32}, 1, termenv.Ascii)); n != 16 {
		t.Errorf("%d rows, want 16", n)
	}
	if l := picture(big, []int{3, 32, 32}, 2, termenv.Ascii); len(l) != 8 || len(l[0]) != 16 {
		t.Errorf("half scale: %d rows of %d", len(l), len(l[0]))
	}
	if picture(big[:10], []int{3, 32, 32}, 1, termenv.Ascii) != nil {
		t.Error("a short buffer was drawn")
	}
}
