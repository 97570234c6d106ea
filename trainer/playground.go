package trainer

import (
	"fmt"

	"github.com/mlptui/mlptui/datasets"
)

// playgroundPreset is the settings every playground set gets by default:
// two small hidden layers, Adam 1e-2, batch 32, 300 epochs. On 360
// training points that is 3,600 steps, a fraction of a second.
func playgroundPreset(c *Config) {
	resetHyper(c)
	c.Hidden, c.LR, c.Batch, c.Epochs = []int{16, 16}, 1e-2, 32, 300
}

// Each playground set has a preset of its own name (DefaultPreset gives
// it to the set). They are added to Presets here, before any init
// function runs (fields.go's lists the preset names), to keep them beside
// the sets they are for.
var _ = func() bool {
	for _, name := range datasets.PlaygroundNames() {
		Presets[name] = Preset{Name: name, Dataset: name, Apply: playgroundPreset,
			Description: fmt.Sprintf("learns the %s playground set in seconds: hidden 16,16, Adam 1e-2, batch 32, 300 epochs", name)}
	}
	return true
}()
