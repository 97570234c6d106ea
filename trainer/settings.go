package trainer

import (
	"os"
	"reflect"
	"strings"
)

// Settings returns every setting of c under its config.json name with its
// own type (numbers as numbers, hidden as a list of numbers, booleans as
// booleans), zero values included: what `runs --json` and `sweep --json`
// write, so that a setting is never missing for being zero (config.json
// itself leaves some of those out).
func Settings(c *Config) map[string]any {
	if c == nil {
		return nil
	}
	out := map[string]any{}
	v := reflect.ValueOf(c).Elem()
	t := v.Type()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		val := v.Field(i).Interface()
		if h, ok := val.([]int); ok && h == nil {
			val = []int{} // no hidden layer: [], not null
		}
		out[name] = val
	}
	return out
}

// JSONName is the config.json name of the setting a flag names:
// "leaky-slope" is "leaky_slope".
func JSONName(flag string) string { return strings.ReplaceAll(flag, "-", "_") }

// DatasetProblem says what is wrong with a --dataset value before
// anything is loaded: "" for a built-in data set or a path that exists,
// else why not ("no such file or directory (want iris, cifar10, ...)").
// The command line and the dashboard's form both ask it.
func DatasetProblem(d string) string {
	if IsBuiltin(d) {
		return ""
	}
	if _, err := os.Stat(d); err != nil {
		return unwrapPathErr(err).Error() + " (want " + DatasetChoices + ")"
	}
	return ""
}
