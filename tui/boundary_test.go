package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/mlptui/mlptui/trainer"
	"github.com/muesli/termenv"
)

// planeInfo is a run on a two-feature set whose plane spans [-1, 1]²,
// with a training point of each class and a test point of class b.
func planeInfo() *trainer.RunInfo {
	info := irisInfo(20)
	info.Classes, info.InputShape, info.Samples = []string{"a", "b"}, []int{2}, nil
	info.Plane = &trainer.Plane{XMin: -1, XMax: 1, YMin: -1, YMax: 1, Classes: info.Classes,
		Train: []trainer.PlanePoint{{X: -0.9, Y: 0.9, Label: 0}, {X: 0.9, Y: -0.9, Label: 1}},
		Test:  []trainer.PlanePoint{{X: 0.5, Y: 0.5, Label: 1}}}
	return info
}

// halfPlane is a boundary of class a left of x = shift and b right of
// it, sure away from the line.
func halfPlane(shift float64) *trainer.Boundary {
	const n = 8
	b := &trainer.Boundary{Cols: n, Rows: n, Classes: 2, Probs: make([]float32, n*n*2)}
	for r := range n {
		for c := range n {
			x := -1 + (float64(c)+0.5)/n*2
			p := float32(0.99)
			if x > shift {
				p = 0.01
			}
			b.Probs[(r*n+c)*2], b.Probs[(r*n+c)*2+1] = p, 1-p
		}
	}
	return b
}

func TestBoundaryLetters(t *testing.T) {
	st := newStyles(termenv.Ascii)
	lines := boundaryPicture(st.profile, planeInfo().Plane, halfPlane(0), 8, 4)
	// Each cell is two pixels of a 8×8 grid; the training points are
	// capitals in the corners, the test point at (0.5, 0.5) (column 6,
	// row 1) is in b's half, so it is right: +.
	want := []string{
		"Aaaabbbb",
		"aaaabb+b",
		"aaaabbbb",
		"aaaabbbB",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	// The line moved right of the test point: it is wrong now.
	lines = boundaryPicture(st.profile, planeInfo().Plane, halfPlane(0.8), 8, 4)
	if lines[1][6] != 'x' {
		t.Errorf("a wrong test point shows %q, want x:\n%s", lines[1][6], strings.Join(lines, "\n"))
	}
	// Unsure everywhere: dots.
	b := halfPlane(0)
	for i := range b.Probs {
		b.Probs[i] = 0.5
	}
	if l := boundaryPicture(st.profile, &trainer.Plane{XMin: -1, XMax: 1, YMin: -1, YMax: 1}, b, 4, 1); l[0] != "...." {
		t.Errorf("unsure cells: %q, want ....", l[0])
	}
}

func TestBoundaryColours(t *testing.T) {
	for _, c := range []struct {
		prof termenv.Profile
		want string // the colour sequence of the sure class-a cell
	}{
		{termenv.TrueColor, "38;2;"},
		{termenv.ANSI256, "38;5;"},
	} {
		lines := boundaryPicture(c.prof, planeInfo().Plane, halfPlane(0), 8, 4)
		if len(lines) != 4 || !strings.Contains(lines[2], c.want) || !strings.Contains(lines[2], "▀") {
			t.Errorf("profile %v: %q", c.prof, lines[2])
		}
		if !strings.Contains(lines[1], "+") || !strings.HasSuffix(lines[1], "\x1b[0m") {
			t.Errorf("profile %v: no test mark or no reset: %q", c.prof, lines[1])
		}
	}
	// Brighter where surer: the sure cell's colour is further from the base.
	sure, unsure := cellRGB([]float32{0.99, 0.01}), cellRGB([]float32{0.6, 0.4})
	if d := func(c [3]float64) float64 { return c[0] - boundaryBase[0] }; !(d(sure) > d(unsure) && d(unsure) > 0) {
		t.Errorf("sure %v, unsure %v, base %v", sure, unsure, boundaryBase)
	}
}

// TestBoundaryPanel: a run with a plane shows the panel beside the
// charts at 80×24 and larger at 160×48, and it follows the boundary
// events; a run without one shows none.
func TestBoundaryPanel(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		m := newTestModel(t, irisConfig(), size[0], size[1])
		attach(m)
		info := planeInfo()
		evs := append([]trainer.Event{started(info)}, epochEvents(info, 1, 3)...)
		evs[1].Boundary = halfPlane(0)
		feed(m, false, evs...)
		v := m.View()
		checkFits(t, "boundary", v, size[0], size[1])
		if !strings.Contains(v, "Boundary") || !strings.Contains(v, "aaaa") {
			t.Fatalf("%dx%d: no boundary panel:\n%s", size[0], size[1], v)
		}
		feed(m, false, trainer.Event{Kind: trainer.Progress, Epoch: 4, Step: 14, Batch: 2, Batches: 4, Boundary: halfPlane(0.8)})
		if w := m.View(); w == v {
			t.Errorf("%dx%d: a new boundary changed nothing", size[0], size[1])
		}
		width := 0
		for _, l := range strings.Split(v, "\n") {
			if i := strings.Index(l, "Boundary"); i >= 0 {
				width = size[0] - ansi.StringWidth(l[:i])
			}
		}
		if size[0] == 160 && width < 60 || size[0] == 80 && width < 30 {
			t.Errorf("%dx%d: the panel is %d columns", size[0], size[1], width)
		}
	}
	m := newTestModel(t, irisConfig(), 80, 24)
	attach(m)
	feed(m, false, append([]trainer.Event{started(irisInfo(20))}, epochEvents(irisInfo(20), 1, 3)...)...)
	if strings.Contains(m.View(), "Boundary") {
		t.Error("a run of four features shows a boundary")
	}
}

// TestFormTakesPlaygroundPreset: typing a playground set's name into the
// dataset field gives its preset, with the dashboard's epochs.
func TestFormTakesPlaygroundPreset(t *testing.T) {
	cfg := irisConfig()
	if err := ApplyPreset(&cfg, "iris"); err != nil { // as the dashboard opens: not edited
		t.Fatal(err)
	}
	m := newTestModel(t, cfg, 80, 24)
	press(m, "ctrl+u", "spiral")
	if p, e := m.setup.field("preset").get(), m.setup.field("epochs").get(); p != "spiral" || e != "5000" {
		t.Errorf("after typing spiral: preset %q, epochs %s; want spiral, 5000", p, e)
	}
	if c, ok := m.setup.config(); !ok || c.Dataset != "spiral" || c.Samples != 500 {
		t.Errorf("config %+v valid %v", c, ok)
	}
}
