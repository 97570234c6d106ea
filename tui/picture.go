package tui

import (
	"fmt"
	"strings"

	"github.com/muesli/termenv"
)

// picture draws an image stored channel-major (C×H×W bytes, like
// CIFAR-10) with upper-half blocks: each cell is '▀' with the upper
// pixel as foreground and the lower as background, so an image of H×W
// pixels takes W columns and H/2 rows. scale > 1 averages scale×scale
// pixels into one. True colour where the terminal has it, else the
// nearest of the 240 fixed colours of a 256-colour terminal (or of 16
// colours); without colour a ramp of characters by brightness.
func picture(pix []byte, shape []int, scale int, p termenv.Profile) []string {
	if len(shape) != 3 || scale < 1 {
		return nil
	}
	c, h, w := shape[0], shape[1], shape[2]
	if c < 1 || len(pix) < c*h*w {
		return nil
	}
	sw, sh := w/scale, h/scale
	at := func(ch, y, x int) float64 {
		var sum int
		for dy := range scale {
			for dx := range scale {
				sum += int(pix[ch*h*w+(y*scale+dy)*w+x*scale+dx])
			}
		}
		return float64(sum) / float64(scale*scale)
	}
	rgb := func(y, x int) (r, g, b uint8) {
		if y >= sh {
			return 0, 0, 0
		}
		if c < 3 {
			v := uint8(at(0, y, x) + 0.5)
			return v, v, v
		}
		return uint8(at(0, y, x) + 0.5), uint8(at(1, y, x) + 0.5), uint8(at(2, y, x) + 0.5)
	}
	lines := make([]string, 0, (sh+1)/2)
	for y := 0; y < sh; y += 2 {
		var b strings.Builder
		for x := range sw {
			r1, g1, b1 := rgb(y, x)
			r2, g2, b2 := rgb(y+1, x)
			if p == termenv.Ascii {
				b.WriteByte(ramp(r1, g1, b1, r2, g2, b2))
				continue
			}
			var fg, bg termenv.Color
			if p == termenv.ANSI256 {
				fg, bg = termenv.ANSI256Color(nearest256(r1, g1, b1)), termenv.ANSI256Color(nearest256(r2, g2, b2))
			} else {
				fg = p.Color(fmt.Sprintf("#%02x%02x%02x", r1, g1, b1))
				bg = p.Color(fmt.Sprintf("#%02x%02x%02x", r2, g2, b2))
			}
			b.WriteString("\x1b[" + fg.Sequence(false) + ";" + bg.Sequence(true) + "m▀")
		}
		if p != termenv.Ascii {
			b.WriteString("\x1b[0m")
		}
		lines = append(lines, b.String())
	}
	return lines
}

// brightness ramp for pictures without colour, dark to light.
const rampChars = " .:-=+*#%@"

// ramp is the character for two stacked pixels by their mean brightness.
func ramp(r1, g1, b1, r2, g2, b2 uint8) byte {
	l := (0.299*float64(int(r1)+int(r2)) + 0.587*float64(int(g1)+int(g2)) + 0.114*float64(int(b1)+int(b2))) / 2
	i := int(l / 256 * float64(len(rampChars)))
	return rampChars[min(i, len(rampChars)-1)]
}

// cubeLevels are the channel values of the 6×6×6 colour cube of a
// 256-colour terminal (colours 16-231).
var cubeLevels = [6]int{0, 95, 135, 175, 215, 255}

// nearest256 is the colour of a 256-colour terminal nearest to r, g, b:
// of the colour cube and the 24 greys (232-255), by a distance weighted
// for the eye ("redmean"). The first 16 colours are left out: each
// terminal has its own. (termenv's conversion weighs hue so much that
// dark greys of a photograph turn navy or purple.)
func nearest256(r, g, b uint8) uint8 {
	level := func(v uint8) int {
		best := 0
		for i, l := range cubeLevels {
			if abs(int(v)-l) < abs(int(v)-cubeLevels[best]) {
				best = i
			}
		}
		return best
	}
	ri, gi, bi := level(r), level(g), level(b)
	cube := 16 + 36*ri + 6*gi + bi
	dc := dist2(r, g, b, cubeLevels[ri], cubeLevels[gi], cubeLevels[bi])
	// Greys are 8, 18, ..., 238.
	mean := (int(r) + int(g) + int(b)) / 3
	gi = min(23, max(0, (mean-3)/10))
	grey := 8 + 10*gi
	if dg := dist2(r, g, b, grey, grey, grey); dg < dc {
		return uint8(232 + gi)
	}
	return uint8(cube)
}

// dist2 is the squared "redmean" distance between two colours.
func dist2(r1, g1, b1 uint8, r2, g2, b2 int) int {
	rm := (int(r1) + r2) / 2
	dr, dg, db := int(r1)-r2, int(g1)-g2, int(b1)-b2
	return ((512+rm)*dr*dr)>>8 + 4*dg*dg + ((767-rm)*db*db)>>8
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
