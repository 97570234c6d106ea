// Package pyref finds the Python that tests check mlptui against: a
// python3 that imports the reference client a test needs (numpy, pandas,
// scikit-learn), or a skip that says what to install.
package pyref

import (
	"os/exec"
	"testing"
)

// Python returns the first of /usr/bin/python3 and the python3 on PATH
// that imports modules (as an import statement lists them: "numpy, PIL"),
// or skips t, naming the Debian packages that have them if debian is not
// empty.
func Python(t testing.TB, modules, debian string) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		if path, err := exec.LookPath(p); err == nil && exec.Command(path, "-c", "import "+modules).Run() == nil {
			return path
		}
	}
	if debian != "" {
		t.Skipf("no python3 that imports %s (Debian: apt-get install %s); skipping the comparison", modules, debian)
	}
	t.Skipf("no python3 that imports %s; skipping the comparison", modules)
	return ""
}
