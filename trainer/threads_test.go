package trainer

import (
	"context"
	"runtime"
	"testing"

	"github.com/mlptui/mlptui/nn/bench"
)

// TestOptionsThreads: Options.Threads sets the matrix-multiply threads
// of a run whose Config.Threads is 0; Config.Threads, when set, wins.
func TestOptionsThreads(t *testing.T) {
	cases := []struct{ cfg, opt, want int }{
		{0, 1, 1},
		{0, 0, runtime.GOMAXPROCS(0)},
		{2, 1, 2},
	}
	for _, c := range cases {
		cfg := smallConfig(t)
		cfg.Threads, cfg.Epochs = c.cfg, 1
		runToEnd(t)(Start(context.Background(), cfg, Options{Threads: c.opt}))
		if got := bench.Threads(); got != c.want {
			t.Errorf("Config.Threads %d, Options.Threads %d: %d threads, want %d", c.cfg, c.opt, got, c.want)
		}
	}
}
