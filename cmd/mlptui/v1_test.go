package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestV1ModelsClassifyAlike: model files of format version 1, written
// before norm layers and residual blocks existed (testdata/v1/README),
// still load, classify and evaluate exactly as the mlptui that wrote them
// did.
func TestV1ModelsClassifyAlike(t *testing.T) {
	for _, name := range []string{"relu", "leaky"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("testdata", "v1", name)
			want, err := os.ReadFile(filepath.Join(dir, "classify.jsonl"))
			if err != nil {
				t.Fatal(err)
			}
			var inputs []string
			for _, line := range strings.Split(strings.TrimSpace(string(want)), "\n") {
				var r struct{ Input string }
				if err := json.Unmarshal([]byte(line), &r); err != nil {
					t.Fatal(err)
				}
				inputs = append(inputs, r.Input)
			}
			code, out, errs := call(t, append([]string{"classify", "--run", dir, "--json", "--top", "3"}, inputs...)...)
			if code != 0 || out != string(want) {
				t.Errorf("classify: exit %d, stderr %s\ngot:\n%s\nwant:\n%s", code, errs, out, want)
			}
			code, out, errs = call(t, "eval", "--run", dir, "--json")
			if code != 0 {
				t.Fatalf("eval: exit %d: %s", code, errs)
			}
			var got, exp map[string]any
			b, _ := os.ReadFile(filepath.Join(dir, "eval.json"))
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &exp); err != nil {
				t.Fatal(err)
			}
			delete(got, "run")
			delete(exp, "run")
			if !reflect.DeepEqual(got, exp) {
				t.Errorf("eval:\ngot  %v\nwant %v", got, exp)
			}
		})
	}
}
