package tui

import (
	"fmt"
	"math"
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/mlptui/mlptui/trainer"
	"github.com/muesli/termenv"
)

// The decision boundary panel: for a data set of two features, the
// model's predicted class over the input plane, one hue per class and
// brighter where it is surer, two pixels a cell with upper-half blocks.
// Training points are pixels of their class's full colour; test points
// are marks, + where the model is right and × where it is wrong, in their
// class's colour. Without colour the cells are letters: the predicted
// class in lower case (. where the model is unsure), a training point as
// its class's capital letter, and test points + and x.

// classRGB are the classes' hues (TensorFlow Playground's orange and
// blue first, then Tableau's).
var classRGB = [][3]float64{{245, 147, 34}, {8, 119, 189}, {89, 161, 79}, {225, 87, 89}, {176, 122, 161},
	{118, 183, 178}, {237, 201, 72}, {255, 157, 167}, {156, 117, 95}, {186, 176, 172}}

// boundaryBase is the colour of a cell where the model is unsure.
var boundaryBase = [3]float64{38, 38, 38}

// minBoundaryCols is the least width the panel is drawn in.
const minBoundaryCols = 16

// confidence is how sure p is of its class, from 0 (all classes alike)
// to 1.
func confidence(p []float32) (class int, conf float64) {
	best := 0
	for i, v := range p {
		if v > p[best] {
			best = i
		}
	}
	k := float64(len(p))
	return best, math.Max(0, (float64(p[best])-1/k)/(1-1/k))
}

func classColor(c int) [3]float64 { return classRGB[c%len(classRGB)] }

// cellRGB is the colour of a grid cell: the base blended towards its
// class's hue (at 60 % brightness) by the confidence.
func cellRGB(p []float32) [3]float64 {
	c, conf := confidence(p)
	hue := classColor(c)
	var out [3]float64
	for i := range out {
		out[i] = boundaryBase[i] + conf*(0.6*hue[i]-boundaryBase[i])
	}
	return out
}

// boundaryView draws the panel in cols × rows cells: a title line, then
// the plane.
func boundaryView(st *styles, p *trainer.Plane, b *trainer.Boundary, cols, rows int) string {
	title := fitLine(st.bold.Render("Boundary")+st.faint.Render(" ▀train +test ×wrong"), cols)
	if st.profile == termenv.Ascii {
		title = fitLine("Boundary A,B:train +test xwrong", cols)
	}
	lines := []string{title}
	if b == nil {
		return strings.Join(padLines(append(lines, st.dim.Render("waiting for the first step")), rows), "\n")
	}
	lines = append(lines, boundaryPicture(st.profile, p, b, cols, rows-1)...)
	return strings.Join(padLines(lines, rows), "\n")
}

// mark is what a cell shows of the points in it.
type mark struct {
	train     [2]int // the class of the training point in the upper and lower pixel, +1 (0: none)
	test      int    // the test point's class +1 (0: none)
	testWrong bool
}

// boundaryPicture draws the plane in cols × rows cells.
func boundaryPicture(prof termenv.Profile, p *trainer.Plane, b *trainer.Boundary, cols, rows int) []string {
	if cols < 1 || rows < 1 {
		return nil
	}
	cell := func(px, py int) []float32 { // pixel to grid cell
		return b.At(min(b.Cols-1, px*b.Cols/cols), min(b.Rows-1, py*b.Rows/(2*rows)))
	}
	marks := make([]mark, cols*rows)
	for _, pt := range p.Train {
		c, r := p.Cell(float64(pt.X), float64(pt.Y), cols, 2*rows)
		if c >= 0 && c < cols && r >= 0 && r < 2*rows {
			m := &marks[(r/2)*cols+c]
			m.train[r%2] = pt.Label + 1
		}
	}
	for _, pt := range p.Test {
		c, r := p.Cell(float64(pt.X), float64(pt.Y), cols, 2*rows)
		if c >= 0 && c < cols && r >= 0 && r < 2*rows {
			m := &marks[(r/2)*cols+c]
			pred, _ := confidence(b.At(min(b.Cols-1, c*b.Cols/cols), min(b.Rows-1, r*b.Rows/(2*rows))))
			m.test, m.testWrong = pt.Label+1, pred != pt.Label
		}
	}
	color := func(rgb [3]float64) termenv.Color {
		r, g, bl := uint8(rgb[0]+0.5), uint8(rgb[1]+0.5), uint8(rgb[2]+0.5)
		if prof == termenv.ANSI256 || prof == termenv.ANSI {
			return termenv.ANSI256Color(nearest256(r, g, bl))
		}
		return prof.Color(fmt.Sprintf("#%02x%02x%02x", r, g, bl))
	}
	lines := make([]string, rows)
	for y := range rows {
		var sb strings.Builder
		for x := range cols {
			m := marks[y*cols+x]
			if prof == termenv.Ascii {
				sb.WriteByte(asciiCell(m, cell(x, 2*y)))
				continue
			}
			top, bottom := cellRGB(cell(x, 2*y)), cellRGB(cell(x, 2*y+1))
			if m.test != 0 {
				// A mark on the cell's mean colour.
				var bg [3]float64
				for i := range bg {
					bg[i] = (top[i] + bottom[i]) / 2
				}
				glyph := "+"
				if m.testWrong {
					glyph = "×"
				}
				sb.WriteString("\x1b[1;" + color(classColor(m.test-1)).Sequence(false) + ";" + color(bg).Sequence(true) + "m" + glyph)
				continue
			}
			if m.train[0] != 0 {
				top = classColor(m.train[0] - 1)
			}
			if m.train[1] != 0 {
				bottom = classColor(m.train[1] - 1)
			}
			sb.WriteString("\x1b[" + color(top).Sequence(false) + ";" + color(bottom).Sequence(true) + "m▀")
		}
		if prof != termenv.Ascii {
			sb.WriteString("\x1b[0m")
		}
		lines[y] = sb.String()
	}
	return lines
}

// asciiCell is a cell without colour: a test mark, a training point's
// capital letter, or the predicted class's small letter (. if unsure).
func asciiCell(m mark, p []float32) byte {
	letter := func(c int) byte { return byte('a' + c%26) }
	switch {
	case m.test != 0 && m.testWrong:
		return 'x'
	case m.test != 0:
		return '+'
	case m.train[0] != 0:
		return letter(m.train[0]-1) - 'a' + 'A'
	case m.train[1] != 0:
		return letter(m.train[1]-1) - 'a' + 'A'
	}
	c, conf := confidence(p)
	if conf < 0.5 {
		return '.'
	}
	return letter(c)
}

// chartsWithBoundary draws the charts, and beside them the boundary panel
// when the run has a plane and there is room: a square of the plane as
// tall as the charts, leaving them at least 40 columns.
func (m trainingModel) chartsWithBoundary(s *runState, w, h int) string {
	if s.info == nil || s.info.Plane == nil {
		return m.charts(s, w, h)
	}
	bc := min(2*(h-1), w-41)
	if bc < minBoundaryCols {
		return m.charts(s, w, h)
	}
	panel := boundaryView(m.st, s.info.Plane, s.boundary, bc, h)
	return lipgloss.JoinHorizontal(lipgloss.Top, m.charts(s, w-bc-1, h), " ", panel)
}

// BoundaryRGB is the colour of a point of the plane where the model
// gives the probabilities p: its class's hue, brighter where it is surer,
// as the dashboard paints it (mlptui plot --boundary too).
func BoundaryRGB(p []float32) (r, g, b uint8) {
	c := cellRGB(p)
	return uint8(c[0] + 0.5), uint8(c[1] + 0.5), uint8(c[2] + 0.5)
}

// ClassRGB is class c's colour, of its training points and test marks.
func ClassRGB(c int) (r, g, b uint8) {
	h := classColor(c)
	return uint8(h[0]), uint8(h[1]), uint8(h[2])
}

// BoundaryLines draws a boundary over its plane in cols × rows cells, as
// the dashboard's panel does, with the colours of profile p (letters for
// termenv.Ascii).
func BoundaryLines(p termenv.Profile, plane *trainer.Plane, b *trainer.Boundary, cols, rows int) []string {
	return boundaryPicture(p, plane, b, cols, rows)
}
