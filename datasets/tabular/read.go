// Package tabular reads tables as people have them (text and number
// columns, empty cells, any common delimiter) and turns their rows into
// feature vectors for a classifier, the way scikit-learn's SimpleImputer
// and OneHotEncoder do in a pipeline.
//
// The steps, each fitted on the training rows only:
//
//  1. [Read] parses the text: the delimiter (comma, semicolon, tab or
//     pipe) detected or given, the decimal mark (a point, or a comma as
//     European spreadsheets write 27,5 beside a semicolon delimiter)
//     detected or given, a UTF-8 byte-order mark dropped, quoted fields
//     and CRLF line ends, a header line detected; the label column found
//     by name or number (the last by default). Text that is not UTF-8 is
//     read as Excel writes it too: UTF-16 with a byte-order mark, or
//     Windows-1252 (see [Read]).
//  2. [Fit] decides each other column's [Kind]: a number, a category, or
//     ignored (a column of distinct strings, such as an id or a name, or
//     one the caller names). It records the categories (one-hot, in
//     order of first appearance), the imputation values (the median of a
//     number column, the most frequent category) and, optionally, a
//     missing-value indicator per column that had gaps.
//  3. [Pipeline.Encode] maps one row of cells to the encoded vector;
//     a category not seen in training gets an all-zero code.
//
// A [Pipeline] is plain data with a version, saved as JSON with the model
// so that classify, eval and the dashboard encode rows exactly as training
// did. Standardization (mean and deviation of each encoded feature on the
// training part) follows in package datasets' Normalization.
package tabular

import (
	"github.com/mlptui/mlptui/internal/fieldtext"

	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"

	"github.com/mlptui/mlptui/datasets"
	"github.com/mlptui/mlptui/internal/regfile"
)

// MaxBytes bounds the size of a table read into memory: datasets'
// MaxCSVFile, one limit for both readers. Parsing takes several times the
// file's size (a 286 MB file took 1.7 GB at 1 GB), so a larger file is
// refused by its size before it is read.
const MaxBytes = datasets.MaxCSVFile

// A Table is a parsed table: its cells as text, with the label column's
// classes resolved.
type Table struct {
	Source    string
	Delimiter rune
	Decimal   rune     // the decimal mark of its numbers: '.' or ','
	Encoding  string   // "" for UTF-8, else the encoding it was read in: "UTF-16" or "Windows-1252"
	Header    []string // column names; nil when the first line is data
	Width     int      // columns per row, the label's included
	LabelCol  int      // the label column, counted from 0
	Rows      [][]string
	Lines     []int    // the line of each row, counted from 1
	Classes   []string // class names; Y indexes them
	Y         []int32
}

// ReadOptions say how to read a table.
type ReadOptions struct {
	// Label is the class column: its header name or its number from 1;
	// "" means the last column.
	Label string
	// Delimiter is ",", ";", "\t" (or "tab"), "|", or "" to detect it.
	Delimiter string
	// Decimal is the decimal mark, "." or ",", or "" to detect it (see
	// [DetectDecimal]); "," needs another delimiter than a comma.
	Decimal string
	// OneClass accepts a table whose rows are all of one class.
	OneClass bool
	// NA lists extra cell values that mean "missing", besides the
	// built-in ones (see [IsMissing]); header detection needs them.
	NA []string
}

// Delimiters are the delimiters detected, in order of preference.
var Delimiters = []rune{',', ';', '\t', '|'}

// ParseDelimiter reads a --delimiter value.
func ParseDelimiter(s string) (rune, error) {
	switch s {
	case "":
		return 0, nil
	case "tab", `\t`, "\t":
		return '\t', nil
	case ",", ";", "|":
		return rune(s[0]), nil
	}
	return 0, fmt.Errorf("%q; want , ; | or tab (or nothing, to detect it)", s)
}

// DelimiterName names a delimiter as --delimiter takes it.
func DelimiterName(r rune) string {
	if r == '\t' {
		return "tab"
	}
	return string(r)
}

// ParseDecimal reads a --decimal value: "." or "," (0 for "", to detect
// it).
func ParseDecimal(s string) (rune, error) {
	switch s {
	case "":
		return 0, nil
	case ".", ",":
		return rune(s[0]), nil
	}
	return 0, fmt.Errorf("%q; want . or , (or nothing, to detect it)", s)
}

// Load reads a table from a file. See [Read].
func Load(path string, opt ReadOptions) (*Table, error) {
	f, err := regfile.Open(path) // a FIFO or a device is refused by name, not read forever
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.Size() > MaxBytes {
		return nil, &regfile.TooLargeError{Path: path, Size: st.Size(), Limit: MaxBytes}
	}
	return Read(f, path, opt)
}

// Read parses a table. Every error names the source, and the line where
// there is one: "pets.csv:12: ...".
//
// The text is UTF-8, with or without a byte-order mark; or UTF-16 with
// one (Excel's "Unicode Text"); or, when it is not valid UTF-8 and holds
// no UTF-8 character at all, Windows-1252 (Excel's "CSV" on a Western
// Windows, whose Zürich is the byte 0xFC). A file of UTF-8 with a stray
// invalid byte is refused at that line, not read as Windows-1252, which
// would turn every ü into Ã¼.
func Read(r io.Reader, source string, opt ReadOptions) (*Table, error) {
	b, enc, err := readText(r, source)
	if err != nil {
		return nil, err
	}
	delim, err := ParseDelimiter(opt.Delimiter)
	if err != nil {
		return nil, fieldtext.Errorf("{delimiter} %v", err)
	}
	if delim == 0 {
		delim = DetectDelimiter(b)
	}
	dec, err := ParseDecimal(opt.Decimal)
	if err != nil {
		return nil, fieldtext.Errorf("{decimal} %v", err)
	}
	if dec == ',' && delim == ',' {
		return nil, fieldtext.Errorf("%s: {decimal} , needs a delimiter other than a comma, and the table's is a comma; {delimiter} sets it", source)
	}
	recs, lines, err := records(b, source, delim)
	if err != nil {
		return nil, err
	}
	if dec == 0 {
		dec = DetectDecimal(recs, delim)
	}
	t := &Table{Source: source, Delimiter: delim, Decimal: dec, Encoding: enc}
	num := numbers{dec: dec}
	dropEmptyLast(recs)
	if len(recs) == 0 {
		return nil, fmt.Errorf("%s: no data rows", source)
	}
	t.Width = len(recs[0])
	if t.Width < 2 {
		return nil, fieldtext.Errorf("%s:%d: need at least 2 columns (features and a label), found %d with delimiter %q; {delimiter} sets it",
			source, lines[0], t.Width, DelimiterName(delim))
	}
	for i, rec := range recs {
		if len(rec) != t.Width {
			return nil, fmt.Errorf("%s:%d: %d columns, want %d like the first line", source, lines[i], len(rec), t.Width)
		}
	}
	na := newMissing(opt.NA)
	label, named, err := findLabel(recs, opt.Label, na, num)
	if err != nil {
		return nil, fieldtext.Errorf("%s:%d: %v", source, lines[0], err)
	}
	t.LabelCol = label
	if named || isHeader(recs, na, num) {
		t.Header = recs[0]
		recs, lines = recs[1:], lines[1:]
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("%s: no data rows", source)
	}
	t.Rows, t.Lines = recs, lines
	labels := make([]string, len(recs))
	for i, rec := range recs {
		if labels[i] = rec[label]; na.is(labels[i]) {
			return nil, fmt.Errorf("%s:%d: %s: missing label %q", source, lines[i], t.ColumnName(label), labels[i])
		}
	}
	t.Classes = datasets.ClassNames(labels)
	if len(t.Classes) > datasets.MaxCSVClasses {
		return nil, fieldtext.Errorf("%s: %s has %d distinct labels (max %d); is it the class column? ({label} names it)",
			source, t.ColumnName(label), len(t.Classes), datasets.MaxCSVClasses)
	}
	if v, ok := fractionalLabel(t.Classes, num); ok {
		return nil, fieldtext.Errorf("%s: %s holds measurements like %s, not classes; {label} names the class column",
			source, t.ColumnName(label), v)
	}
	if opt.Label == "" && len(t.Classes) > 10 && 5*len(t.Classes) > len(recs) && integerLabels(t.Classes) {
		return nil, fieldtext.Errorf("%s: %s, taken as the label, has %d distinct numbers in %d rows: a measurement rather than classes? {label} names the class column",
			source, t.ColumnName(label), len(t.Classes), len(recs))
	}
	if !opt.OneClass && len(t.Classes) < 2 {
		return nil, fmt.Errorf("%s: only one class (%q) in %s; a classifier needs at least 2", source, t.Classes[0], t.ColumnName(label))
	}
	index := make(map[string]int32, len(t.Classes))
	for i, c := range t.Classes {
		index[c] = int32(i)
	}
	t.Y = make([]int32, len(labels))
	for i, l := range labels {
		t.Y[i] = index[l]
	}
	return t, nil
}

// fractionalLabel reports a class name that is a number with a fraction,
// when every class is a number: the label column is then a measurement.
func fractionalLabel(classes []string, num numbers) (string, bool) {
	frac := ""
	for _, c := range classes {
		v, ok := num.parse(c)
		if !ok {
			return "", false
		}
		if frac == "" && v != float64(int64(v)) {
			frac = c
		}
	}
	return frac, frac != ""
}

func integerLabels(classes []string) bool {
	for _, c := range classes {
		if _, err := strconv.ParseInt(c, 10, 64); err != nil {
			return false
		}
	}
	return true
}

// ColumnName names column c (from 0) in messages: `column 3 "age"`, or
// `column 3` in a table without a header.
func (t *Table) ColumnName(c int) string {
	if t.Header != nil && t.Header[c] != "" {
		return fmt.Sprintf("column %d %q", c+1, t.Header[c])
	}
	return fmt.Sprintf("column %d", c+1)
}

// DetectDelimiter picks the delimiter that splits the first lines of a
// text into the same number (at least two) of fields most consistently;
// comma when none does.
func DetectDelimiter(b []byte) rune {
	sample := b[:min(len(b), 64<<10)]
	if i := bytes.LastIndexByte(sample, '\n'); i > 0 && len(sample) < len(b) {
		sample = sample[:i+1]
	}
	best, bestScore := ',', 0
	for _, d := range Delimiters {
		recs, _, err := records(sample, "", d)
		if err != nil || len(recs) == 0 || len(recs[0]) < 2 {
			continue
		}
		same := 0
		for _, r := range recs[:min(len(recs), 50)] {
			if len(r) == len(recs[0]) {
				same++
			}
		}
		// Rows that agree count most, then the number of fields.
		if score := same*1000 + min(len(recs[0]), 999); score > bestScore {
			best, bestScore = d, score
		}
	}
	return best
}

// dropEmptyLast drops the last column of recs while it is empty in every
// record that has it, the first (a header) included: the nothing after a
// delimiter that ends every line (as some exports write), which would
// else be taken for the label column, or make the lines that have it
// look one column too long.
func dropEmptyLast(recs [][]string) {
	for {
		width := 0
		for _, r := range recs {
			width = max(width, len(r))
		}
		if width < 2 {
			return
		}
		for _, r := range recs {
			if len(r) == width && r[width-1] != "" {
				return
			}
		}
		for i, r := range recs {
			if len(r) == width {
				recs[i] = r[:width-1]
			}
		}
	}
}

// records splits a text into trimmed records, skipping blank lines.
func records(b []byte, source string, delim rune) ([][]string, []int, error) {
	cr := csv.NewReader(bytes.NewReader(b))
	cr.Comma = delim
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = false
	var recs [][]string
	var lines []int
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return recs, lines, nil
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, nil, fmt.Errorf("%s:%d: %v", source, pe.StartLine, pe.Err)
			}
			return nil, nil, fmt.Errorf("%s: %v", source, err)
		}
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		line, _ := cr.FieldPos(0)
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		recs = append(recs, rec)
		lines = append(lines, line)
	}
}

// findLabel finds the label column in the first record: the last for "",
// the numbered one, or the one so named, in which case the first record
// is a header (named is true).
func findLabel(recs [][]string, label string, na missing, num numbers) (col int, named bool, err error) {
	first := recs[0]
	label = strings.TrimSpace(label)
	if label == "" {
		return len(first) - 1, false, nil
	}
	if n, err := strconv.Atoi(label); err == nil {
		if n < 1 || n > len(first) {
			return 0, false, fieldtext.Errorf("{label} %d: out of range for %d columns", n, len(first))
		}
		return n - 1, false, nil
	}
	if i := slices.Index(first, label); i >= 0 {
		return i, true, nil
	}
	if i := slices.IndexFunc(first, func(n string) bool { return strings.EqualFold(n, label) }); i >= 0 {
		return i, true, nil
	}
	if !isHeader(recs, na, num) {
		return 0, false, fieldtext.Errorf("{label} %q: the first line is data, not a header of column names; give the column's number", label)
	}
	return 0, false, fieldtext.Errorf("{label} %q is not in the header (%s)", label, strings.Join(first, ", "))
}

// isHeader reports whether the first record is a header: some column
// holds numbers below a first cell that is text, or else every cell of
// the first record is text (or empty) found nowhere else in its column.
func isHeader(recs [][]string, na missing, num numbers) bool {
	if len(recs) < 2 {
		return len(recs) == 1 && !allNumbers(recs[0], na, num)
	}
	first := recs[0]
	unique, some := true, false
	for c, h := range first {
		if na.is(h) {
			continue
		}
		if _, ok := num.parse(h); ok {
			return false
		}
		some = true
		numeric, seen := true, false
		for _, r := range recs[1:] {
			v := r[c]
			if na.is(v) {
				continue
			}
			seen = true
			if _, ok := num.parse(v); !ok {
				numeric = false
			}
			if v == h {
				unique = false
			}
		}
		if numeric && seen {
			return true
		}
	}
	return some && unique
}

func allNumbers(rec []string, na missing, num numbers) bool {
	for _, v := range rec {
		if _, ok := num.parse(v); !ok && !na.is(v) {
			return false
		}
	}
	return true
}

// BuiltinNA are the cell values read as missing, whatever their case,
// besides an empty cell.
var BuiltinNA = []string{"NA", "N/A", "NaN", "?"}

// IsMissing reports whether a cell is missing: empty, one of BuiltinNA
// (any case) or one of extra.
func IsMissing(cell string, extra []string) bool { return newMissing(extra).is(cell) }

type missing struct{ extra []string }

func newMissing(extra []string) missing { return missing{extra} }

func (m missing) is(s string) bool {
	if s == "" {
		return true
	}
	for _, n := range BuiltinNA {
		if strings.EqualFold(s, n) {
			return true
		}
	}
	return slices.Contains(m.extra, s)
}

// A Row is one row of a file to classify: its line and cells, or what is
// wrong with it.
type Row struct {
	Line  int
	Cells []string
	Err   error
}

// ReadRows reads a file of rows to classify with p: in the delimiter of
// p's table (or, if the first line does not split into p's columns with
// it, the one detected), blank lines skipped, and a first line that is
// the table's header too. Each row holds every column of the table or
// all but the label; a row of another length gets its own error.
func ReadRows(r io.Reader, source string, p *Pipeline) ([]Row, error) {
	b, _, err := readText(r, source)
	if err != nil {
		return nil, err
	}
	delim, _ := ParseDelimiter(p.Delimiter)
	split := func(d rune) ([][]string, []int, error) {
		recs, lines, err := records(b, source, d)
		for i := range recs {
			recs[i] = trimBeyond(recs[i], p.Width)
		}
		return recs, lines, err
	}
	recs, lines, err := split(delim)
	if err != nil || (len(recs) > 0 && len(recs[0]) != p.Width && len(recs[0]) != p.Width-1) {
		if d := DetectDelimiter(b); d != delim {
			if r2, l2, err2 := split(d); err2 == nil {
				recs, lines, err = r2, l2, nil
			}
		}
	}
	if err != nil {
		return nil, err
	}
	if len(recs) > 0 && p.IsHeader(recs[0]) {
		recs, lines = recs[1:], lines[1:]
	}
	if len(recs) == 0 {
		return nil, fmt.Errorf("%s: no rows to classify", source)
	}
	rows := make([]Row, len(recs))
	for i, rec := range recs {
		rows[i] = Row{Line: lines[i], Cells: rec}
		if len(rec) != p.Width && len(rec) != p.Width-1 {
			rows[i] = Row{Line: lines[i], Err: fmt.Errorf("%s:%d: %d values, the model takes %d (or %d with the label column, %s)",
				source, lines[i], len(rec), p.Width-1, p.Width, p.Label())}
		}
	}
	return rows, nil
}

// SplitRow reads one row given on the command line: cells separated by
// the delimiter of p's table if the text holds it, else by commas.
func SplitRow(s string, p *Pipeline) ([]string, error) {
	delim, _ := ParseDelimiter(p.Delimiter)
	if !strings.ContainsRune(s, delim) {
		delim = ','
	}
	recs, _, err := records([]byte(s), "", delim)
	if err != nil {
		return nil, errors.New(strings.TrimPrefix(err.Error(), ":1: "))
	}
	if len(recs) != 1 {
		return nil, fmt.Errorf("%d rows in one value; give one row per argument", len(recs))
	}
	return trimBeyond(recs[0], p.Width), nil
}

// trimBeyond drops the empty cells of rec beyond width cells (a delimiter
// ending the line).
func trimBeyond(rec []string, width int) []string {
	for len(rec) > width && rec[len(rec)-1] == "" {
		rec = rec[:len(rec)-1]
	}
	return rec
}

// readText reads a whole text, at most MaxBytes, as UTF-8 without its
// byte-order mark: from UTF-8, UTF-16 or Windows-1252 (see [Read]). enc
// names the encoding it was in when not UTF-8.
func readText(r io.Reader, source string) (text []byte, enc string, err error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return nil, "", fmt.Errorf("%s: %v", source, err)
	}
	if len(b) > MaxBytes {
		return nil, "", fmt.Errorf("%s: larger than %d bytes", source, MaxBytes)
	}
	b = bytes.TrimPrefix(b, []byte("\uFEFF"))
	if utf8.Valid(b) {
		return b, "", nil
	}
	if t, ok := fromUTF16(b); ok {
		return t, "UTF-16", nil
	}
	bad, multibyte := firstInvalid(b)
	if !multibyte && !control(b) {
		t, err := charmap.Windows1252.NewDecoder().Bytes(b)
		if err == nil && utf8.Valid(t) {
			return t, "Windows-1252", nil
		}
	}
	if multibyte {
		return nil, "", fmt.Errorf("%s:%d: not UTF-8 text: byte 0x%02X among UTF-8 characters", source, 1+bytes.Count(b[:bad], []byte("\n")), b[bad])
	}
	return nil, "", fmt.Errorf("%s: not UTF-8 text", source)
}

// fromUTF16 decodes a text that starts with a UTF-16 byte-order mark and
// reads as lines of text: no control character but tab, CR and LF, and a
// line end or a delimiter somewhere.
func fromUTF16(b []byte) ([]byte, bool) {
	if !bytes.HasPrefix(b, []byte{0xFF, 0xFE}) && !bytes.HasPrefix(b, []byte{0xFE, 0xFF}) {
		return nil, false
	}
	t, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(b)
	if err != nil || !utf8.Valid(t) || control(t) || !bytes.ContainsAny(t, "\n,;\t|") || bytes.ContainsRune(t, utf8.RuneError) {
		return nil, false
	}
	return bytes.TrimPrefix(t, []byte("\uFEFF")), true
}

// firstInvalid returns the offset of the first byte of b that is not
// UTF-8, and whether b holds a UTF-8 character of more than one byte.
func firstInvalid(b []byte) (bad int, multibyte bool) {
	bad = -1
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			if bad < 0 {
				bad = i
			}
		} else if n > 1 {
			multibyte = true
		}
		i += n
	}
	return bad, multibyte
}

// control reports whether b holds a control byte other than tab, CR and
// LF, or a byte Windows-1252 leaves undefined: binary data, not text.
func control(b []byte) bool {
	for _, c := range b {
		switch {
		case c == '\t' || c == '\n' || c == '\r':
		case c < 0x20 || c == 0x7F:
			return true
		case c == 0x81 || c == 0x8D || c == 0x8F || c == 0x90 || c == 0x9D:
			return true
		}
	}
	return false
}
