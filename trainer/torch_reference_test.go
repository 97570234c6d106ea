package trainer

import (
	"bytes"
	"encoding/json"
	"errors"
	"os/exec"
	"reflect"
	"strings"
	"testing"
)

// TestTorchReferencePresets checks that bench/torch_reference.py's copies
// of the presets (it trains them in PyTorch beside mlptui) say what
// Presets do, field by field in config.json's names. It needs python3 with
// numpy and torch, which the script imports.
func TestTorchReferencePresets(t *testing.T) {
	// Debian's python3-numpy and python3-torch are /usr/bin/python3's
	// (the scripts' usage lines run it); another python3 on PATH may lack them.
	py, err := exec.LookPath("/usr/bin/python3")
	if err != nil {
		if py, err = exec.LookPath("python3"); err != nil {
			t.Skip("no python3")
		}
	}
	cmd := exec.Command(py, "../bench/torch_reference.py", "--print-presets")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && strings.Contains(stderr.String(), "No module named") {
			t.Skipf("torch_reference.py needs numpy and torch: %s", strings.TrimSpace(stderr.String()))
		}
		t.Fatalf("torch_reference.py --print-presets: %v\n%s", err, stderr.String())
	}
	var copies map[string]map[string]any
	if err := json.Unmarshal(out, &copies); err != nil {
		t.Fatalf("torch_reference.py --print-presets printed %q: %v", out, err)
	}
	if len(copies) == 0 {
		t.Fatal("torch_reference.py has no presets")
	}
	for name, copied := range copies {
		p, ok := Presets[name]
		if !ok {
			t.Errorf("torch_reference.py has preset %q; mlptui has none of that name", name)
			continue
		}
		c := Defaults()
		p.Apply(&c)
		raw, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		var want map[string]any
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatal(err)
		}
		for k, v := range copied {
			w, ok := want[k]
			if !ok { // omitted by omitempty: the zero value
				w = reflect.Zero(reflect.TypeOf(v)).Interface()
			}
			if !reflect.DeepEqual(v, w) {
				t.Errorf("preset %s: torch_reference.py has %s %v, mlptui %v", name, k, v, w)
			}
		}
	}
}
