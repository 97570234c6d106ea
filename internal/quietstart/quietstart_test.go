package quietstart

import (
	"os"
	"testing"
)

// TestInitAndRestore: init leaves TERM=dumb (so no library queries the
// terminal while packages start) and Restore brings back what the process
// was started with, unset included.
func TestInitAndRestore(t *testing.T) {
	if got := os.Getenv("TERM"); got != "dumb" {
		t.Fatalf("after init TERM=%q, want dumb", got)
	}
	// As init left things, for the next run of this test (-count).
	saved, savedHad := term, hadTerm
	t.Cleanup(func() {
		term, hadTerm = saved, savedHad
		os.Setenv("TERM", "dumb")
	})
	Restore()
	if got, ok := os.LookupEnv("TERM"); ok != hadTerm || got != term {
		t.Errorf("after Restore TERM=%q (set %v), want %q (set %v)", got, ok, term, hadTerm)
	}
	hadTerm, term = false, ""
	Restore()
	if _, ok := os.LookupEnv("TERM"); ok {
		t.Error("Restore left TERM set for a process started without it")
	}
}
