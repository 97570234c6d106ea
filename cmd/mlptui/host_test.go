package main

import (
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mlptui/mlptui/internal/runlock"
)

// TestRunsShowHost: a run records the host it trained on (as its lock
// names it; here a stand-in for another machine), and runs --json and
// --csv show it.
func TestRunsShowHost(t *testing.T) {
	runs := t.TempDir()
	for _, host := range []string{"node-a", "node-b"} {
		restore := runlock.SetDefaults(runlock.Options{Host: host})
		code, _, errs := call(t, append([]string{"train", "--dataset", "iris", "--name", host}, quick(runs)...)...)
		restore()
		if code != 0 {
			t.Fatalf("train on %s: exit %d: %s", host, code, errs)
		}
	}
	code, out, errs := call(t, "runs", "--runs", runs, "--json")
	if code != 0 {
		t.Fatalf("runs --json: exit %d: %s", code, errs)
	}
	var list []struct {
		Run  string `json:"run"`
		Host string `json:"host"`
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 {
		t.Fatalf("%d runs listed", len(list))
	}
	for _, r := range list {
		if !strings.HasSuffix(r.Run, "-"+r.Host) {
			t.Errorf("--json: %s says host %q", r.Run, r.Host)
		}
	}
	code, out, errs = call(t, "runs", "--runs", runs, "--csv")
	if code != 0 {
		t.Fatalf("runs --csv: exit %d: %s", code, errs)
	}
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil || len(recs) != 3 {
		t.Fatalf("--csv: %v, %d records", err, len(recs))
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	if _, ok := col["host"]; !ok {
		t.Fatalf("--csv has no host column: %v", recs[0])
	}
	for _, r := range recs[1:] {
		if !strings.HasSuffix(r[col["run"]], "-"+r[col["host"]]) {
			t.Errorf("--csv: %s says host %q", r[col["run"]], r[col["host"]])
		}
	}
}
