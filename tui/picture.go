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
// nearest of 256 or 16 colours; without colour a ramp of characters by
// brightness.
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
			fg := p.Color(fmt.Sprintf("#%02x%02x%02x", r1, g1, b1))
			bg := p.Color(fmt.Sprintf("#%02x%02x%02x", r2, g2, b2))
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
