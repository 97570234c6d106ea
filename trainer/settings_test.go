package trainer

import (
	"encoding/json"
	"reflect"
	"testing"
)

// TestSettingsEverySettingTyped: Settings has a key for every setting a
// flag sets (but --runs), under the name config.json uses, and its JSON
// reads back to the config.
func TestSettingsEverySettingTyped(t *testing.T) {
	c := Defaults()
	c.Hidden, c.Dropout, c.Batch, c.Augment, c.LR = nil, 0, 0, false, 0.3
	s := Settings(&c)
	for _, f := range Fields {
		if f.Name == "runs" {
			continue
		}
		if _, ok := s[JSONName(f.Name)]; !ok {
			t.Errorf("no %q (flag --%s) in %v", JSONName(f.Name), f.Name, s)
		}
	}
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]any{"dropout": 0.0, "batch": 0.0, "augment": false, "lr": 0.3, "hidden": []any{}, "label": "", "threads": 0.0} {
		if got, ok := raw[k]; !ok || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %#v (present %v), want %#v", k, got, ok, want)
		}
	}
	var back Config
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	back.RunsDir, back.Hidden = c.RunsDir, nil
	if !reflect.DeepEqual(back, c) {
		t.Errorf("read back %+v, want %+v", back, c)
	}
}
