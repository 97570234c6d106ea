package trainer

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestMetricsRoundTrip(t *testing.T) {
	dir := t.TempDir()
	rows := []EpochMetrics{
		{Epoch: 1, Step: 7, Seconds: 0.1234567891, LR: 5e-4, TrainLoss: 1.0986, TrainAcc: 1.0 / 3, ValLoss: 0.9, ValAcc: 0.5},
		{Epoch: 2, Step: 14, Seconds: 0.25, LR: 1e-3, TrainLoss: 0.5, TrainAcc: 0.75, ValLoss: math.NaN(), ValAcc: math.NaN()},
	}
	if err := appendMetrics(dir+"/"+MetricsFile, rows); err != nil {
		t.Fatal(err)
	}
	got, err := ReadMetrics(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := range rows {
		a, b := rows[i], got[i]
		same := func(x, y float64) bool { return x == y || math.IsNaN(x) && math.IsNaN(y) }
		if a.Epoch != b.Epoch || a.Step != b.Step || !same(a.Seconds, b.Seconds) || !same(a.TrainAcc, b.TrainAcc) || !same(a.ValLoss, b.ValLoss) {
			t.Errorf("row %d: wrote %+v, read %+v", i, a, b)
		}
	}
}

func TestMetricsRefused(t *testing.T) {
	h := metricsHeader + "\n"
	cases := []struct{ name, text, want string }{
		{"empty", "", "m.csv:1: header"},
		{"other header", "a,b,c\n", "m.csv:1: header"},
		{"short row", h + "1,2,3\n", "m.csv:2: 3 fields"},
		{"not a number", h + "1,7,0.1,0.001,x,0.5,,\n", "m.csv:2: bad row"},
		{"negative epoch", h + "-1,7,0.1,0.001,1,0.5,,\n", "m.csv:2: bad row"},
		{"gap", h + "1,7,0.1,0.001,1,0.5,,\n3,14,0.1,0.001,1,0.5,,\n", "m.csv:3: epoch 3 follows epoch 1"},
		{"step going back", h + "1,7,0.1,0.001,1,0.5,,\n2,6,0.1,0.001,1,0.5,,\n", "m.csv:3: step 6 follows step 7"},
		{"accuracy 1e308", h + "1,7,0.1,0.001,1,1e308,,\n", "m.csv:2: train_acc 1e+308 out of range"},
		{"val accuracy above 1", h + "1,7,0.1,0.001,1,0.5,1,1.5\n", "m.csv:2: val_acc 1.5 out of range"},
		{"accuracy -Inf", h + "1,7,0.1,0.001,1,-Inf,,\n", "m.csv:2: train_acc -Inf out of range"},
		{"negative loss", h + "1,7,0.1,0.001,-1,0.5,,\n", "m.csv:2: train_loss -1 out of range"},
		{"seconds Inf", h + "1,7,+Inf,0.001,1,0.5,,\n", "m.csv:2: seconds +Inf out of range"},
		{"lr NaN", h + "1,7,0.1,NaN,1,0.5,,\n", "m.csv:2: lr NaN out of range"},
	}
	for _, c := range cases {
		_, err := parseMetrics("m.csv", []byte(c.text))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}

func TestEventsRoundTrip(t *testing.T) {
	dir := t.TempDir()
	v, old := 0.01, 0.001
	log := []LogEntry{
		{Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Event: "start"},
		{Time: time.Date(2026, 1, 2, 3, 4, 6, 0, time.UTC), Event: "edit", Epoch: 3, Step: 40, Field: "lr", Value: &v, Old: &old},
	}
	if err := appendEvents(dir+"/"+EventsFile, log); err != nil {
		t.Fatal(err)
	}
	got, err := ReadEvents(dir)
	if err != nil || len(got) != 2 || got[1].Field != "lr" || *got[1].Value != v || got[1].Step != 40 || !got[0].Time.Equal(log[0].Time) {
		t.Errorf("read %+v, %v", got, err)
	}
	for _, c := range []struct{ text, want string }{
		{"{\"event\":\"start\"}\nnot json\n", "e.jsonl:2:"},
		{"{\"time\":\"2026-01-02T03:04:05Z\"}\n", "e.jsonl:1: no event name"},
		{"{\"event\":\"start\"}\n{\"event\":\"st", "e.jsonl:2: unexpected end of JSON input"},
		{"{\"event\":\"edit\",\"value\":\"high\"}\n", "e.jsonl:1: json: cannot unmarshal string"},
		{"{\"event\":\"start\",\"time\":\"noon\"}\n", "e.jsonl:1: parsing time"},
		{"[1]\n", "e.jsonl:1: json: cannot unmarshal array"},
	} {
		if _, err := parseEvents("e.jsonl", []byte(c.text)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.text, err, c.want)
		}
	}
}

func FuzzParseMetrics(f *testing.F) {
	f.Add([]byte(metricsHeader + "\n1,7,0.1,0.001,1,0.5,,\n"))
	f.Add([]byte(metricsHeader + "\n1,7,0.1,0.001,1e308,1,+Inf,0\n2,9,0.2,0,0,0.5,,\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		rows, err := parseMetrics("m.csv", b)
		oneLine(t, err)
		if err != nil {
			return
		}
		if len(rows) > strings.Count(string(b), "\n")+1 {
			t.Fatalf("%d rows from %d lines", len(rows), strings.Count(string(b), "\n"))
		}
		// What is accepted is in range, and reads back the same once
		// written: mlptui's own files are never refused.
		for i := range rows {
			if err := rows[i].checkRange(); err != nil {
				t.Fatalf("row %d accepted out of range: %v", i+1, err)
			}
		}
		p := filepath.Join(t.TempDir(), MetricsFile)
		if err := appendMetrics(p, rows); err != nil {
			t.Fatal(err)
		}
		again, err := ReadMetrics(filepath.Dir(p))
		if err != nil || len(again) != len(rows) {
			t.Fatalf("rows written read back as %d rows, %v", len(again), err)
		}
	})
}

func FuzzParseEvents(f *testing.F) {
	f.Add([]byte("{\"event\":\"start\",\"step\":3}\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		log, err := parseEvents("e.jsonl", b)
		oneLine(t, err)
		if err == nil {
			for _, e := range log {
				if e.Event == "" {
					t.Fatal("entry without event")
				}
			}
		}
	})
}

func TestConfigRefused(t *testing.T) {
	cases := []struct{ name, text, want string }{
		{"empty", "", "c.json: empty file"},
		{"not json", "hello", "c.json: not JSON: invalid character"},
		{"array", "[1,2]", "cannot unmarshal array"},
		{"two objects", `{"dataset":"iris","hidden":[4],"activation":"relu","optimizer":"adam","lr":0.1,"schedule":"constant","epochs":1,"test_split":0.2} {}`, "more than one JSON value"},
		{"no settings", "{}", "c.json: dataset: empty"},
		{"string for number", `{"dataset":"iris","lr":"fast"}`, "cannot unmarshal string"},
		{"huge layer", `{"dataset":"iris","hidden":[1000000000],"activation":"relu","optimizer":"adam","lr":0.1,"schedule":"constant","epochs":1,"test_split":0.2}`, "c.json: hidden: layer 1 has 1000000000 units"},
		{"negative seed", `{"dataset":"iris","seed":-1}`, "cannot unmarshal number -1"},
		{"negative max pixels", `{"dataset":"iris","hidden":[4],"activation":"relu","optimizer":"adam","lr":0.1,"schedule":"constant","epochs":1,"test_split":0.2,"max_pixels":-1}`, "c.json: max-pixels: -1"},
		{"bad dropout", `{"dataset":"iris","hidden":[4],"activation":"relu","optimizer":"adam","lr":0.1,"schedule":"constant","epochs":1,"test_split":0.2,"dropout":1}`, "c.json: dropout: 1"},
	}
	for _, c := range cases {
		_, err := parseConfig("c.json", []byte(c.text))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	good := `{"mlptui_version":"0.1.0","dataset":"iris","hidden":[4],"activation":"relu","optimizer":"adam","lr":0.1,"schedule":"constant","epochs":1,"test_split":0.2,"future_field":true}`
	if c, err := parseConfig("c.json", []byte(good)); err != nil || c.LR != 0.1 || c.DataDir == "" {
		t.Errorf("good config: %+v, %v", c, err)
	}
}

func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(`{"dataset":"iris","hidden":[4],"activation":"relu","optimizer":"adam","lr":0.1,"schedule":"constant","epochs":1,"test_split":0.2}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := parseConfig("c.json", b)
		oneLine(t, err)
		if err == nil {
			if err := c.Validate(); err != nil {
				t.Fatalf("accepted an invalid config: %v", err)
			}
		}
	})
}

func TestSummaryRefused(t *testing.T) {
	cases := []struct{ name, text, want string }{
		{"empty", "", "s.json: empty file"},
		{"not json", "garbage", "s.json: not JSON: invalid character"},
		{"cut", `{"run":"r","status":"do`, "s.json: cut short"},
		{"array", "[]", "cannot unmarshal array"},
		{"no status", `{"run":"r"}`, "s.json: no status"},
		{"string for number", `{"status":"done","epochs":"ten"}`, "cannot unmarshal string"},
		{"bad time", `{"status":"done","started":"yesterday"}`, "s.json: parsing time"},
		{"two objects", `{"status":"done"}{"status":"done"}`, "more than one JSON value"},
	}
	for _, c := range cases {
		_, err := parseSummary("s.json", []byte(c.text))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
	s, err := parseSummary("s.json", []byte(`{"status":"done","test_accuracy":0.5,"val_accuracy":null,"future_field":1}`))
	if err != nil || s.Status != StatusDone || *s.TestAccuracy != 0.5 || s.ValAccuracy != nil {
		t.Errorf("good summary: %+v, %v", s, err)
	}
}

func FuzzParseSummary(f *testing.F) {
	f.Add([]byte(`{"run":"runs/x","status":"done","epochs":3,"test_accuracy":0.9,"started":"2026-01-02T03:04:05Z"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := parseSummary("s.json", b)
		oneLine(t, err)
		if err != nil {
			return
		}
		if s.Status == "" {
			t.Fatal("accepted a summary without a status")
		}
	})
}

// oneLine fails the test if err's message is more than one line.
func oneLine(t *testing.T, err error) {
	t.Helper()
	if err != nil && strings.Contains(err.Error(), "\n") {
		t.Fatalf("error of more than one line: %q", err)
	}
}

// TestListRunsMissingOrWrong: a runs directory not made yet has no runs;
// a file where it should be is an error naming --runs.
func TestListRunsMissingOrWrong(t *testing.T) {
	dir := t.TempDir()
	recs, err := ListRuns(filepath.Join(dir, "runs"))
	if err != nil || len(recs) != 0 {
		t.Errorf("missing directory: %v, %v; want no runs and no error", recs, err)
	}
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ListRuns(file); err == nil || err.Error() != "runs "+file+": not a directory" {
		t.Errorf("a file: %v", err)
	}
	if _, err := ReadConfig(dir); err == nil || err.Error() != dir+": not a run directory (it has no config.json)" {
		t.Errorf("ReadConfig of a plain directory: %v", err)
	}
}
