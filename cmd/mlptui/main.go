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
	"strings"
	"syscall"
	"time"

	"github.com/charmbracelet/x/term"
	"github.com/mlptui/mlptui/internal/cliflag"
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

// A usage error exits with 2.
type usageError = cliflag.UsageError

var (
	usagef            = cliflag.Usagef
	parseInterspersed = cliflag.Parse
)

// parseFlags parses a command's flags, anywhere among its arguments, for a
// command that takes no other arguments.
func parseFlags(fs *flag.FlagSet, args []string) error {
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	return nil
}

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
	names := make([]string, len(commands))
	for i, c := range commands {
		names[i] = c.name
	}
	if near := cliflag.Nearest(name, names); near != "" {
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

// newFlagSet makes a command's flag set: errors returned, help on stdout.
func newFlagSet(e *env, name, usage string) *flag.FlagSet {
	return cliflag.NewFlagSet(e.stdout, name, usage, fieldType)
}

// fieldType names what a flag of a trainer.Field takes, for -h (its
// Hint); "value" for another flag.Func flag.
func fieldType(name string) string {
	if f := trainer.FieldByName(name); f != nil {
		return f.Hint()
	}
	return "value"
}
