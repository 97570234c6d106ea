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
			// Every figure the old eval printed is there and the same;
			// eval may print more figures now (F1, averages).
			if !holds(got, exp) {
				t.Errorf("eval:\ngot  %v\nwant %v", got, exp)
			}
		})
	}
}

// holds reports whether got holds everything want does: the same keys of
// each object with values that hold theirs (got may have more keys),
// lists of the same length holding each other's elements, equal scalars.
func holds(got, want any) bool {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return false
		}
		for k, v := range w {
			if gv, ok := g[k]; !ok || !holds(gv, v) {
				return false
			}
		}
		return true
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return false
		}
		for i := range w {
			if !holds(g[i], w[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(got, want)
}
