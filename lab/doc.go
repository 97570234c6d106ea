// Package lab is the application layer between trainer and the two front
// ends, the command line (cmd/mlptui) and the dashboard (tui): what both
// show of runs, and how they show it.
//
// It holds one presentation vocabulary (number, accuracy, loss and
// duration formats, the log-scale rule, the look of a run's status), so
// that a format lives in one place and both front ends render it.
package lab
