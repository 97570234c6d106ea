package datasets

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCSVLimits: a line over MaxCSVLine or a text over MaxCSVFile is
// refused with an error naming the source, the line and the limit, from a
// stream as from a file (whose size is checked before reading).
func TestCSVLimits(t *testing.T) {
	long := "1,2,a\n" + strings.Repeat("9", MaxCSVLine+1) + ",b\n"
	_, err := ParseCSV(strings.NewReader(long), "long.csv", CSVOptions{})
	var le *LimitError
	if !errors.As(err, &le) || err.Error() != "long.csv:2: a line longer than 1 MB, the limit for a CSV line" {
		t.Errorf("a long line: %v", err)
	}
	if _, err := ReadFeatureRows(strings.NewReader(long), "long.csv", 2, CSVOptions{}); !errors.As(err, &le) {
		t.Errorf("ReadFeatureRows, a long line: %v", err)
	}
	// A stream of many short lines, longer than a file may be (the limit
	// lowered to 2 MB for the test).
	defer func(old int64) { maxCSVStream = old }(maxCSVStream)
	maxCSVStream = 2 << 20
	rows := strings.Repeat("1,2,a\n1,3,b\n", int(maxCSVStream)/12+1)
	if _, err := ParseCSV(strings.NewReader(rows), "big.csv", CSVOptions{}); !errors.As(err, &le) ||
		err.Error() != "big.csv: more than 2 MB, the limit for a CSV file" {
		t.Errorf("a stream over the limit: %v", err)
	}
	// A sparse file over the limit: refused by its size, nothing read.
	p := filepath.Join(t.TempDir(), "sparse.csv")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxCSVFile + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, err := LoadCSV(context.Background(), p, CSVOptions{}); err == nil || err.Error() != p+": 256 MB, more than 256 MB, the limit for a CSV file" {
		t.Errorf("a file over the limit: %v", err)
	}
}

// TestLoadCSVCancelled: cancelling the context stops the reading with
// its error.
func TestLoadCSVCancelled(t *testing.T) {
	p := filepath.Join(t.TempDir(), "t.csv")
	if err := os.WriteFile(p, []byte(strings.Repeat("1,2,a\n1,3,b\n", 1000)), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := LoadCSV(ctx, p, CSVOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("LoadCSV after cancel: %v, want context.Canceled", err)
	}
	if d, err := LoadCSV(context.Background(), p, CSVOptions{}); err != nil || d.Len() != 2000 {
		t.Errorf("LoadCSV: %v", err)
	}
}

// TestCSVByteOrderMark: a table saved with a UTF-8 byte order mark reads
// as without one: its header is a header, its first column can be named
// as the label, and a table without a header keeps its first row.
func TestCSVByteOrderMark(t *testing.T) {
	const bom = "\ufeff"
	withHeader := bom + "species,sl,sw\nsetosa,5.1,3.5\nvirginica,6.3,3.3\n"
	d, err := ParseCSV(strings.NewReader(withHeader), "h.csv", CSVOptions{Label: "species"})
	if err != nil || d.Len() != 2 || d.Classes[0] != "setosa" {
		t.Errorf("--label species on a BOM-prefixed header: %v", err)
	}
	if d, err := ParseCSV(strings.NewReader(withHeader), "h.csv", CSVOptions{Label: "1"}); err != nil || d.Len() != 2 {
		t.Errorf("--label 1 on a BOM-prefixed header: %v", err)
	}
	noHeader := bom + "5.1,3.5,setosa\n6.3,3.3,virginica\n"
	d, err = ParseCSV(strings.NewReader(noHeader), "n.csv", CSVOptions{})
	if err != nil || d.Len() != 2 || d.X[0] != 5.1 {
		t.Errorf("a BOM-prefixed table without a header: %v, %d rows (the first taken for a header?)", err, d.Len())
	}
	rows, err := ReadFeatureRows(strings.NewReader(bom+"5.1,3.5\n6.3,3.3\n"), "c.csv", 2, CSVOptions{})
	if err != nil || len(rows) != 2 || rows[0].Err != nil {
		t.Errorf("ReadFeatureRows of a BOM-prefixed table: %v, %+v", err, rows)
	}
}
