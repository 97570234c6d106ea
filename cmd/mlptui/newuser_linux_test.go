package main

import (
	"testing"
	"time"
)

// TestDashboardSetupHelpAndBadDataset: on an 80×24 terminal, ? on the
// setup form's first field (the data set, a text field) opens the help
// instead of being typed, and a data set that does not exist is marked
// before Enter.
func TestDashboardSetupHelpAndBadDataset(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	d := startDashboard(t, "--runs", t.TempDir())
	from := d.screen.Len()
	d.typeKeys(t, "?")
	d.screen.waitFor(t, from, 10*time.Second, "Any key closes this help")
	from = d.screen.Len()
	d.typeKeys(t, "x") // closes the help, types nothing
	d.screen.waitFor(t, from, 10*time.Second, "ready: Enter starts")
	from = d.screen.Len()
	d.typeKeys(t, "s") // iriss
	d.screen.waitFor(t, from, 10*time.Second, "1 field(s) to fix")
	d.typeKeys(t, "\x03")
	d.wait(t, 20*time.Second)
}
