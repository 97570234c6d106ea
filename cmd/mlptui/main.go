// Command mlptui trains neural-network classifiers and lets you watch and
// steer them learn in a terminal dashboard.
//
// Usage:
//
//	mlptui [flags]            the dashboard, Iris by default
//	mlptui tui [flags]        the same: its form pre-filled from flags
//	mlptui train [flags]      headless training
//	mlptui classify --run DIR [--top K] [--json] INPUT...
//	mlptui export --run DIR [-o FILE.onnx]
//	mlptui runs [--runs DIR] [--sort COLUMN] [--json | --csv]
//	mlptui plot [-o FILE.png|FILE.svg] DIR...
//	mlptui sweep [--name NAME] [--trials N] [--json] --lr 1e-3,1e-2 --dropout 0,0.2 ...
//
// Run "mlptui help" or "mlptui COMMAND -h" for the flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/charmbracelet/x/term"
	"github.com/mlptui/mlptui/internal/fieldtext"
	"github.com/mlptui/mlptui/internal/quietstart"
	"github.com/mlptui/mlptui/internal/termsafe"
	"github.com/mlptui/mlptui/lab"
	"github.com/mlptui/mlptui/trainer"
)

// Exit codes.
const (
	exitOK          = 0
	exitFailed      = 1
	exitUsage       = 2
	exitInterrupted = 130
)

// errUsage marks an error in how mlptui was called; it exits with 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// errInterrupted ends a command that was interrupted after saving.
var errInterrupted = errors.New("interrupted")

// env is what a command sees of the outside world; tests give their own.
type env struct {
	stdout, stderr io.Writer
	// stderrTTY says whether stderr is a terminal (live progress lines).
	stderrTTY bool
	// stdoutWidth and stderrWidth are the widths of the terminals stdout
	// and stderr are, or 0: tables for people and live progress lines
	// fit in them.
	stdoutWidth, stderrWidth int
}

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) error
	// readOnly says the command has nothing to save when interrupted: its
	// loops stop at the interrupt (ctx), and if one is caught in a long
	// step (a plot being drawn, a file being parsed) it is left behind
	// after interruptGrace and mlptui exits 130 all the same.
	readOnly bool
}

// interruptGrace is how long a read-only command has to stop by itself
// after an interrupt.
const interruptGrace = 200 * time.Millisecond

// runCommand runs c; a read-only command returns errInterrupted at most
// interruptGrace after ctx ends, whatever it is doing.
func runCommand(ctx context.Context, c *command, e *env, args []string) error {
	if !c.readOnly {
		return c.run(ctx, e, args)
	}
	done := make(chan error, 1)
	go func() { done <- c.run(ctx, e, args) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	t := time.NewTimer(interruptGrace)
	defer t.Stop()
	select {
	case err := <-done:
		if err != nil && !errors.Is(err, errInterrupted) && ctx.Err() == nil {
			return err
		}
	case <-t.C:
	}
	return errInterrupted
}

var commands []command

func init() {
	commands = []command{
		{"tui", "the dashboard: set up, watch and steer training (the default)", runTUI, false},
		{"train", "train a network headless; progress on stderr, summary on stdout", runTrain, false},
		{"classify", "classify inputs with a saved run's model", runClassify, true},
		{"export", "write a run's model as ONNX, raw input to probabilities", runExport, false},
		{"eval", "measure a run's model on its test set", runEval, true},
		{"runs", "list saved runs: a table, --json or --csv", runRuns, true},
		{"plot", "draw runs' loss and accuracy curves: PNG, SVG or in the terminal", runPlot, true},
		{"lr-find", "suggest a learning rate: a range test of the configured network", runLRFind, true},
		{"sweep", "train a grid or random search of settings and rank the trials", runSweep, false},
		{"data", "download and verify a data set: mlptui data cifar10", runData, false},
		{"bench", "measure matrix-multiply and training-step speed on this machine", runBench, true},
		{"completion", "print a shell completion script: mlptui completion bash|zsh|fish", runCompletion, true},
		{"version", "print mlptui's version", func(_ context.Context, e *env, _ []string) error {
			fmt.Fprintln(e.stdout, "mlptui", trainer.Version)
			return nil
		}, true},
	}
}

func main() {
	quietstart.Restore() // TERM as it was, now that the libraries have started
	// A hang-up (ssh dropped, terminal closed) and a reader gone from
	// stdout or stderr (mlptui train | head) interrupt like Ctrl-C and
	// SIGTERM: the run is saved and mlptui exits 130. With SIGPIPE
	// caught, a write to the closed pipe fails instead of killing mlptui.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGPIPE)
	defer stop()
	e := &env{stdout: os.Stdout, stderr: os.Stderr, stderrTTY: isTerminal(os.Stderr)}
	e.stdoutWidth, e.stderrWidth = termWidth(os.Stdout), termWidth(os.Stderr)
	os.Exit(run(ctx, e, os.Args[1:]))
}

// run executes one command line and returns the exit code.
func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		if !isTerminal(os.Stdin) || !isTerminal(os.Stdout) {
			// No terminal for the dashboard: say so, and what there is.
			fmt.Fprintln(e.stderr, "mlptui: the dashboard needs a terminal; these commands work without one:")
			fmt.Fprintln(e.stderr)
			printUsage(e.stderr)
			return exitUsage
		}
		args = []string{"tui"} // the dashboard, on Iris
	}
	if a := args[0]; a == "--version" || a == "-version" {
		args[0] = "version"
	}
	if a := args[0]; strings.HasPrefix(a, "-") && a != "-h" && a != "-help" && a != "--help" {
		args = append([]string{"tui"}, args...) // mlptui --dataset cifar10: the dashboard with flags
	}
	name, rest := args[0], args[1:]
	if isHelp(name) {
		// help COMMAND is COMMAND -h; help alone, or help asked of help
		// (help -h, help help), is the list of commands.
		for len(rest) > 0 && isHelp(rest[0]) {
			rest = rest[1:]
		}
		if len(rest) > 0 {
			return run(ctx, e, []string{rest[0], "-h"})
		}
		printUsage(e.stdout)
		return exitOK
	}
	for i := range commands {
		c := &commands[i]
		if c.name != name {
			continue
		}
		err := runCommand(ctx, c, e, rest)
		var ue *usageError
		switch {
		case err == nil:
			return exitOK
		case errors.Is(err, flag.ErrHelp):
			return exitOK
		case errors.Is(err, errInterrupted):
			return exitInterrupted
		case errors.As(err, &ue):
			fmt.Fprintf(e.stderr, "mlptui %s: %s; see 'mlptui %s -h'\n", name, errText(err), name)
			return exitUsage
		default:
			fmt.Fprintf(e.stderr, "mlptui %s: %s\n", name, errText(err))
			return exitFailed
		}
	}
	if near := nearestCommand(name); near != "" {
		termsafe.Fprintf(e.stderr, "mlptui: unknown command %q (did you mean %s?); see 'mlptui -h'\n", name, near)
	} else {
		termsafe.Fprintf(e.stderr, "mlptui: unknown command %q; see 'mlptui -h'\n", name)
	}
	return exitUsage
}

// errText is err's text on one line as the command line says it: the
// settings a library error names (package fieldtext; a
// trainer.FieldError that begins it) named as their flags, "--lr: ...".
func errText(err error) string {
	return lab.OneLine(fieldtext.Text(err, func(setting string) string { return "--" + setting }))
}

// isHelp reports whether a command-line word asks for help.
func isHelp(a string) bool { return a == "help" || a == "-h" || a == "--help" || a == "-help" }

// nearestCommand returns the command a mistyped name most likely meant:
// the one within two edits of it (a letter changed, added, dropped or two
// swapped), or "" if none is.
func nearestCommand(name string) string {
	best, bestD := "", 3
	for _, c := range commands {
		if d := editDistance(strings.ToLower(name), c.name); d < bestD {
			best, bestD = c.name, d
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

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "mlptui trains neural-network classifiers and shows them learn.")
	fmt.Fprintln(w, "\nUsage:\n  mlptui <command> [flags]\n\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'mlptui <command> -h' for a command's flags.")
}

// termWidth returns the columns of the terminal f is, or 0.
func termWidth(f *os.File) int {
	if !isTerminal(f) {
		return 0
	}
	w, _, err := term.GetSize(f.Fd())
	if err != nil {
		return 0
	}
	return w
}

// isTerminal reports whether f is a terminal (not merely a character
// device such as /dev/null).
func isTerminal(f *os.File) bool { return term.IsTerminal(f.Fd()) }

// newFlagSet makes a flag set that reports errors instead of exiting and
// writes its help to stdout.
func newFlagSet(e *env, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		// The synopsis as it is, then each paragraph wrapped.
		synopsis, text, _ := strings.Cut(usage, "\n\n")
		fmt.Fprintf(e.stdout, "Usage: %s\n\n", synopsis)
		for _, para := range strings.Split(text, "\n\n") {
			if lines := wrap(para, helpWidth); len(lines) > 0 {
				fmt.Fprintf(e.stdout, "%s\n\n", strings.Join(lines, "\n"))
			}
		}
		fmt.Fprintln(e.stdout, "Flags:")
		printFlags(e.stdout, fs)
	}
	return fs
}

// helpWidth is the width flag help is wrapped to: an 80-column terminal.
const helpWidth = 79

// printFlags lists fs's flags as flag.PrintDefaults does, but named as
// they are typed (--lr, -o) and with each usage wrapped to helpWidth.
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		typ, usage := flag.UnquoteUsage(f)
		if typ == "value" { // a hyperparameter flag (flag.Func): say what it takes
			typ = fieldType(f.Name)
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
		for _, l := range wrap(usage, helpWidth-6) {
			fmt.Fprintln(w, "      "+l)
		}
	})
}

// fieldType names what the flag of a trainer.Field takes, for -h:
// "adam|sgd", "number", "sizes", "path" ...
func fieldType(name string) string {
	f := trainer.FieldByName(name)
	switch {
	case f == nil:
		return "value"
	case f.Kind == trainer.ChoiceField && name != "preset":
		return strings.Join(f.Choices, "|")
	case name == "hidden":
		return "sizes"
	case name == "runs" || name == "data-dir":
		return "dir"
	case name == "dataset":
		return "name|path"
	case f.Kind == trainer.NumberField:
		return "number"
	}
	return "name"
}

// wrap breaks s into lines of at most width runes at spaces (a word
// longer than width gets a line of its own).
func wrap(s string, width int) []string {
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

// parseInterspersed parses flags that may come before, between or after
// positional arguments, and returns the positional ones. An argument that
// looks like a negative number ("-1.5,2") is positional; "--" ends the
// flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
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
			return nil, usagef("unknown flag --%s", name)
		case f != nil && !hasValue && !isBoolFlag(f):
			if len(args) < 2 {
				return nil, usagef("--%s needs a value", name)
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
			return nil, usagef("--%s %s: %s", name, value, msg)
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
