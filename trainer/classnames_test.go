package trainer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEvaluateOtherClassNames: a run's table whose class names changed
// since training (as many classes, other names, or the same names in
// another order) is refused with the names, not with counts that agree.
func TestEvaluateOtherClassNames(t *testing.T) {
	dir := t.TempDir()
	table := filepath.Join(dir, "t.csv")
	write := func(names ...string) {
		var b strings.Builder
		for i := range 60 {
			fmt.Fprintf(&b, "%d,%d,%s\n", i%5, (i*3)%7, names[i%len(names)])
		}
		if err := os.WriteFile(table, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("cat", "dog", "emu")
	cfg := smallConfig(t)
	cfg.Dataset, cfg.Epochs, cfg.Hidden = table, 1, []int{4}
	_, sum := runToEnd(t)(Start(context.Background(), cfg))
	if _, err := Evaluate(context.Background(), sum.Run, "", nil); err != nil {
		t.Fatalf("the table as trained: %v", err)
	}
	cases := []struct {
		names []string
		want  string
	}{
		{[]string{"cat", "dog", "owl"}, `the model's classes are ["cat", "dog", "emu"], the data set ` + table + `'s are ["cat", "dog", "owl"]: "owl" in place of "emu"`},
		{[]string{"dog", "cat", "emu"}, `are ["dog", "cat", "emu"]: the same names in another order`},
	}
	for _, c := range cases {
		write(c.names...)
		_, err := Evaluate(context.Background(), sum.Run, "", nil)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), ModelFile) {
			t.Errorf("classes %v: %v, want %q", c.names, err, c.want)
		}
	}
}
