package datasets

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/mlptui/mlptui/internal/regfile"
)

//go:embed data/iris.data
var irisData []byte

// Iris returns Fisher's Iris data set: 150 samples of 4 measurements
// (sepal length and width, petal length and width, in cm), 50 of each of 3
// classes. It is embedded in the binary.
func Iris() *Dataset {
	d, err := ParseCSV(bytes.NewReader(irisData), "iris", CSVOptions{})
	if err != nil {
		panic("datasets: embedded iris.data: " + err.Error()) // cannot happen: tested
	}
	return d
}

// IrisFeatures names Iris's four columns.
var IrisFeatures = []string{"sepal length", "sepal width", "petal length", "petal width"}

// MaxCSVClasses bounds the number of distinct labels in a CSV table; more
// than this almost always means the label column is a measurement.
const MaxCSVClasses = 1000

// CSVOptions says how to read a table.
type CSVOptions struct {
	// Label is the column holding the class: its name in the header line,
	// or its number counted from 1 as in error messages. "" means the last
	// column.
	Label string
	// OneClass accepts a table whose rows are all of one class: data to
	// measure a model on, not to train one.
	OneClass bool
}

// A NotNumberError is a feature cell that is not a finite number.
type NotNumberError struct {
	Source       string
	Line, Column int    // counted from 1
	Value        string // the cell as written
	FirstRow     bool   // in the first data row: perhaps the class is in this column
}

func (e *NotNumberError) Error() string {
	return fmt.Sprintf("%s:%d: column %d: %q is not a finite number", e.Source, e.Line, e.Column, e.Value)
}

// Limits of a CSV table: a file larger, or a line longer, is refused
// with an error naming the file (and the line) and the limit, before
// its memory is taken. The whole table is held in memory as float32
// values, so MaxCSVFile also bounds what a table costs.
const (
	MaxCSVFile = 256 << 20
	MaxCSVLine = 1 << 20
)

// LoadCSV reads a numeric table from a file, which must be a regular file
// of at most MaxCSVFile bytes; cancelling ctx stops the reading with
// ctx's error. See [ParseCSV].
func LoadCSV(ctx context.Context, path string, opt CSVOptions) (*Dataset, error) {
	f, err := regfile.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > MaxCSVFile {
		return nil, fmt.Errorf("%s: %s, more than %s, the limit for a CSV file", path, regfile.Bytes(st.Size()), regfile.Bytes(MaxCSVFile))
	}
	name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	d, err := ParseCSV(ctxReader{ctx, f}, path, opt)
	if err != nil {
		return nil, err
	}
	d.Name = name
	return d, nil
}

// maxCSVStream is MaxCSVFile for a text read from a stream (a variable
// for tests).
var maxCSVStream int64 = MaxCSVFile

// ctxReader reads from r until ctx is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// limitReader passes a CSV text through, failing with an error naming the
// source and the limit once a line is longer than MaxCSVLine or the text
// longer than MaxCSVFile, whatever reads it (a stream has no size to
// check first).
type limitReader struct {
	r           io.Reader
	source      string
	total, line int64 // bytes so far, and in the current line
	lines       int   // newlines so far
}

func (l *limitReader) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for _, c := range p[:n] {
		if c == '\n' {
			l.lines++
			l.line = 0
		} else if l.line++; l.line > MaxCSVLine {
			return 0, &LimitError{fmt.Sprintf("%s:%d: a line longer than %s, the limit for a CSV line", l.source, l.lines+1, regfile.Bytes(MaxCSVLine))}
		}
	}
	if l.total += int64(n); l.total > maxCSVStream {
		return 0, &LimitError{fmt.Sprintf("%s: more than %s, the limit for a CSV file", l.source, regfile.Bytes(maxCSVStream))}
	}
	return n, err
}

// A LimitError is a CSV text over MaxCSVLine or MaxCSVFile; it names the
// source (and line) and the limit.
type LimitError struct{ msg string }

func (e *LimitError) Error() string { return e.msg }

// ParseCSV reads a table of numbers with one label column. Lines are
// comma-separated; blank lines are skipped; a first line whose feature
// columns are not all numbers is taken as a header. Labels may be any text
// (class names, in order of first appearance) or integers (sorted
// numerically). Every error names the source and line: "iris.csv:12: ...".
func ParseCSV(r io.Reader, source string, opt CSVOptions) (*Dataset, error) {
	var (
		d      = &Dataset{Name: source}
		labels []string
		cols   = -1
		labCol int
	)
	err := eachRecord(r, source, func(line int, rec []string) error {
		if cols < 0 {
			cols = len(rec)
			if cols < 2 {
				return fmt.Errorf("%s:%d: need at least 2 columns (features and a label), found %d", source, line, cols)
			}
			d.Shape = []int{cols - 1}
			col, named, err := labelColumn(rec, opt.Label)
			if err != nil {
				return fmt.Errorf("%s:%d: %v", source, line, err)
			}
			labCol = col
			if named || isHeader(rec, labCol) {
				return nil
			}
		}
		if len(rec) != cols {
			return fmt.Errorf("%s:%d: %d columns, want %d like the first line", source, line, len(rec), cols)
		}
		for c, f := range rec {
			if c == labCol {
				continue
			}
			v, err := strconv.ParseFloat(strings.TrimSpace(f), 32)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				return &NotNumberError{Source: source, Line: line, Column: c + 1, Value: f, FirstRow: len(labels) == 0}
			}
			d.X = append(d.X, float32(v))
		}
		lab := strings.TrimSpace(rec[labCol])
		if lab == "" {
			return fmt.Errorf("%s:%d: column %d: empty label", source, line, labCol+1)
		}
		labels = append(labels, strings.Clone(lab)) // not the whole line
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(labels) == 0 {
		return nil, fmt.Errorf("%s: no data rows", source)
	}
	d.Classes = ClassNames(labels)
	if len(d.Classes) > MaxCSVClasses {
		return nil, fmt.Errorf("%s: column %d has %d distinct labels (max %d); is it the class column?", source, labCol+1, len(d.Classes), MaxCSVClasses)
	}
	index := make(map[string]int32, len(d.Classes))
	for i, c := range d.Classes {
		index[c] = int32(i)
	}
	d.Y = make([]int32, len(labels))
	for i, l := range labels {
		d.Y[i] = index[l]
	}
	minClasses := 2
	if opt.OneClass {
		minClasses = 1
	} else if len(d.Classes) < 2 {
		return nil, fmt.Errorf("%s: only one class (%q); a classifier needs at least 2", source, d.Classes[0])
	}
	if err := d.validate(minClasses); err != nil {
		return nil, fmt.Errorf("%s: %v", source, err)
	}
	return d, nil
}

// labelColumn finds the label column, counted from 0, in a first line
// rec: the last one for "", the numbered one, or the one so named, in which
// case rec is a header (named is true).
func labelColumn(rec []string, label string) (col int, named bool, err error) {
	label = strings.TrimSpace(label)
	if label == "" {
		return len(rec) - 1, false, nil
	}
	if n, err := strconv.Atoi(label); err == nil {
		if n < 1 || n > len(rec) {
			return 0, false, fmt.Errorf("label column %d out of range for %d columns", n, len(rec))
		}
		return n - 1, false, nil
	}
	names := make([]string, len(rec))
	for i, f := range rec {
		names[i] = strings.TrimSpace(f)
	}
	if i := slices.Index(names, label); i >= 0 {
		return i, true, nil
	}
	if i := slices.IndexFunc(names, func(n string) bool { return strings.EqualFold(n, label) }); i >= 0 {
		return i, true, nil
	}
	if !isHeader(rec, -1) {
		return 0, false, fmt.Errorf("label column %q: the first line is data, not a header of column names; give the column's number", label)
	}
	return 0, false, fmt.Errorf("label column %q is not in the header (%s)", label, strings.Join(names, ", "))
}

// isHeader reports whether a first line is a header: some feature column is
// not a number.
func isHeader(rec []string, labCol int) bool {
	for c, f := range rec {
		if c == labCol {
			continue
		}
		if _, err := strconv.ParseFloat(strings.TrimSpace(f), 64); err != nil {
			return true
		}
	}
	return false
}

// ClassNames orders the distinct labels: numerically when all are
// integers, else by first appearance.
func ClassNames(labels []string) []string {
	seen := map[string]bool{}
	var names []string
	allInt := true
	for _, l := range labels {
		if seen[l] {
			continue
		}
		seen[l] = true
		names = append(names, l)
		if _, err := strconv.ParseInt(l, 10, 64); err != nil {
			allInt = false
		}
	}
	if allInt {
		slices.SortFunc(names, func(a, b string) int {
			x, _ := strconv.ParseInt(a, 10, 64)
			y, _ := strconv.ParseInt(b, 10, 64)
			return cmp.Compare(x, y)
		})
	}
	return names
}

// A FeatureRow is one row of a table to classify: its line and its feature
// values, or what is wrong with it.
type FeatureRow struct {
	Line int
	X    []float32
	Err  error
}

// ReadFeatureRows reads a table of samples to classify with a model of dim
// inputs. A row holds dim numbers, or dim+1 cells of which the label
// column (opt.Label, as for ParseCSV; the last by default) is skipped, so
// that a training table can be classified as it is. Blank lines are
// skipped, and so is a first line that is not all numbers (a header). A
// bad row gets its own error, naming the source and line; the error
// returned is for a table that cannot be read at all.
func ReadFeatureRows(r io.Reader, source string, dim int, opt CSVOptions) ([]FeatureRow, error) {
	var rows []FeatureRow
	labCol := -1 // resolved on the first row of dim+1 cells
	var header []string
	first := true
	err := eachRecord(r, source, func(line int, rec []string) error {
		if first {
			first = false
			if isHeader(rec, -1) { // some cell is not a number: a header, or a row with a text label
				hdr := true
				if len(rec) == dim+1 {
					col, named, err := labelColumn(rec, opt.Label)
					hdr = err != nil || named || isHeader(rec, col)
				}
				if hdr {
					header = slices.Clone(rec)
					return nil
				}
			}
		}
		row := FeatureRow{Line: line}
		cells := rec
		switch len(rec) {
		case dim:
		case dim + 1:
			if labCol < 0 {
				names := header // a label named in the header, if it fits the rows
				if len(names) != len(rec) {
					names = rec
				}
				col, _, err := labelColumn(names, opt.Label)
				if err != nil {
					return fmt.Errorf("%s:%d: %v", source, line, err)
				}
				labCol = col
			}
			cells = slices.Delete(slices.Clone(rec), labCol, labCol+1)
		default:
			row.Err = fmt.Errorf("%s:%d: %d values, the model takes %d (or %d with a label column)", source, line, len(rec), dim, dim+1)
			rows = append(rows, row)
			return nil
		}
		row.X = make([]float32, dim)
		for i, f := range cells {
			v, err := strconv.ParseFloat(strings.TrimSpace(f), 32)
			if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
				row.X, row.Err = nil, fmt.Errorf("%s:%d: %q is not a finite number", source, line, f)
				break
			}
			row.X[i] = float32(v)
		}
		rows = append(rows, row)
		return nil
	})
	if err != nil {
		return rows, err
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("%s: no rows to classify", source)
	}
	return rows, nil
}

// utf8BOM is the byte order mark some programs put before UTF-8 text.
const utf8BOM = "\ufeff"

// eachRecord calls fn with each non-blank record of a CSV text and its
// line, until fn returns an error. A byte order mark at the start is
// skipped. Records may differ in length; leading
// spaces are trimmed; fn must copy what it keeps of a record. An error in
// the CSV syntax names the source and line.
func eachRecord(r io.Reader, source string, fn func(line int, rec []string) error) error {
	br := bufio.NewReader(&limitReader{r: r, source: source})
	if b, _ := br.Peek(3); string(b) == utf8BOM { // as spreadsheets write it
		br.Discard(3)
	}
	cr := csv.NewReader(br)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	cr.ReuseRecord = true
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			var le *LimitError
			if errors.As(err, &le) {
				return le
			}
			var pe *csv.ParseError
			if errors.As(err, &pe) && pe.Err != nil {
				return fmt.Errorf("%s:%d: %w", source, pe.StartLine, pe.Err)
			}
			return fmt.Errorf("%s: %w", source, err)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if err := fn(line, rec); err != nil {
			return err
		}
	}
}
