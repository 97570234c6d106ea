// Package cliflag is the command line's flag machinery: flags that may
// stand before, between or after the arguments (Parse), usage errors
// said in the command's words, help wrapped to an 80-column terminal
// (NewFlagSet, PrintFlags, Wrap), and the nearest of a set of words to a
// mistyped one (Nearest).
package cliflag

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// A UsageError is an error in how a command was called: a flag unknown,
// without its value or of a value it cannot take.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return e.Msg }

// Usagef makes a UsageError.
func Usagef(format string, args ...any) error { return &UsageError{fmt.Sprintf(format, args...)} }

// NewFlagSet makes a flag set that reports errors instead of exiting
// and whose help (-h) goes to out: the synopsis (usage's first
// paragraph) as it is, the other paragraphs wrapped to HelpWidth, then
// the flags (PrintFlags, typeOf naming what a flag.Func flag takes).
func NewFlagSet(out io.Writer, name, usage string, typeOf func(flag string) string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		synopsis, text, _ := strings.Cut(usage, "\n\n")
		fmt.Fprintf(out, "Usage: %s\n\n", synopsis)
		for _, para := range strings.Split(text, "\n\n") {
			if lines := Wrap(para, HelpWidth); len(lines) > 0 {
				fmt.Fprintf(out, "%s\n\n", strings.Join(lines, "\n"))
			}
		}
		fmt.Fprintln(out, "Flags:")
		PrintFlags(out, fs, typeOf)
	}
	return fs
}

// HelpWidth is the width flag help is wrapped to: an 80-column terminal.
const HelpWidth = 79

// PrintFlags lists fs's flags as flag.PrintDefaults does, but named as
// they are typed (--lr, -o) and with each usage wrapped to HelpWidth.
func PrintFlags(w io.Writer, fs *flag.FlagSet, typeOf func(flag string) string) {
	fs.VisitAll(func(f *flag.Flag) {
		typ, usage := flag.UnquoteUsage(f)
		if typ == "value" { // a hyperparameter flag (flag.Func): say what it takes
			typ = typeOf(f.Name)
		}
		head := "  --" + f.Name
		if len(f.Name) == 1 {
			head = "  -" + f.Name // -o
		}
		if typ != "" {
			head += " " + typ
		}
		switch f.DefValue {
		case "", "0", "false", "[]":
		default:
			if _, err := strconv.ParseFloat(f.DefValue, 64); err != nil {
				usage += fmt.Sprintf(" (default %q)", f.DefValue) // text: a path, a name
			} else {
				usage += fmt.Sprintf(" (default %s)", f.DefValue)
			}
		}
		fmt.Fprintln(w, head)
		for _, l := range Wrap(usage, HelpWidth-6) {
			fmt.Fprintln(w, "      "+l)
		}
	})
}

// Wrap breaks s into lines of at most width runes at spaces (a word
// longer than width gets a line of its own).
func Wrap(s string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Fields(s) {
		switch {
		case line == "":
			line = word
		case utf8.RuneCountInString(line)+1+utf8.RuneCountInString(word) <= width:
			line += " " + word
		default:
			lines = append(lines, line)
			line = word
		}
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

// Parse parses flags that may come before, between or after
// positional arguments, and returns the positional ones. An argument that
// looks like a negative number ("-1.5,2") is positional; "--" ends the
// flags.
func Parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for len(args) > 0 {
		a := args[0]
		if a == "--" {
			return append(pos, args[1:]...), nil
		}
		if !strings.HasPrefix(a, "-") || a == "-" || looksNegative(a) {
			pos = append(pos, a)
			args = args[1:]
			continue
		}
		// One flag, with its value if it takes one and has no "=".
		n := 1
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		f := fs.Lookup(name)
		switch {
		case f == nil && name != "h" && name != "help":
			return nil, Usagef("unknown flag --%s", name)
		case f != nil && !hasValue && !isBoolFlag(f):
			if len(args) < 2 {
				return nil, Usagef("--%s needs a value", name)
			}
			n, value = 2, args[1]
		}
		// The flag package prints the usage itself, on -h and on every
		// error: only -h should, once.
		usage := fs.Usage
		fs.Usage = func() {}
		err := fs.Parse(args[:n])
		fs.Usage = usage
		if err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fs.Usage()
				return nil, err
			}
			// The flag package's "invalid value "x" for flag -batch: ..."
			// in mlptui's words: the flag as typed, then the problem.
			msg := strings.TrimPrefix(err.Error(), fmt.Sprintf("invalid value %q for flag -%s: ", value, name))
			msg = strings.TrimPrefix(msg, fmt.Sprintf("invalid boolean value %q for -%s: ", value, name))
			switch msg {
			case "parse error":
				msg = fmt.Sprintf("%q is not a number", value)
			case "value out of range":
				msg = fmt.Sprintf("%s is out of range", value)
			}
			return nil, Usagef("--%s %s: %s", name, value, msg)
		}
		args = args[n:]
	}
	return pos, nil
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

func looksNegative(s string) bool {
	return len(s) > 1 && s[0] == '-' && (s[1] >= '0' && s[1] <= '9' || s[1] == '.')
}

// Nearest returns the word a mistyped name most likely meant: the one
// within two edits of it (a letter changed, added, dropped or two
// swapped), or "" if none is.
func Nearest(name string, words []string) string {
	best, bestD := "", 3
	for _, w := range words {
		if d := editDistance(strings.ToLower(name), w); d < bestD {
			best, bestD = w, d
		}
	}
	return best
}

// editDistance is the optimal-string-alignment distance between a and b:
// insertions, deletions, substitutions and swaps of neighbours, each 1.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
