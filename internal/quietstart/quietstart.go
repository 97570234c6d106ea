// Package quietstart keeps mlptui from querying the terminal as it starts.
//
// bubbletea v1 asks the terminal for its background colour in its package
// initialization (tea_init.go), whatever the command: it writes an OSC 11
// and a cursor-position query and waits up to 5 seconds for the answer. A
// terminal that does not answer (Emacs' shell, a pseudo-terminal with
// nothing behind it, as under `docker run -t` in a CI job) made every
// mlptui command, headless ones too, wait 5 seconds and left the query's
// escape codes in its output. mlptui does not use the background colour.
//
// Go initializes a package after the packages it imports and, of those
// ready, the first by import path (the Go spec, "Package initialization").
// This package imports only os, and its path sorts before
// github.com/muesli/termenv, which bubbletea needs (through lipgloss) and
// which needs os too; so its init runs before bubbletea's. It sets TERM to
// "dumb", for which termenv asks nothing, and [Restore], called first thing
// in main, puts TERM back before anything reads it for colours.
package quietstart

import "os"

var (
	term    string
	hadTerm bool
)

func init() {
	term, hadTerm = os.LookupEnv("TERM")
	os.Setenv("TERM", "dumb")
}

// Restore puts TERM back as it was when the process started.
func Restore() {
	if hadTerm {
		os.Setenv("TERM", term)
	} else {
		os.Unsetenv("TERM")
	}
}
