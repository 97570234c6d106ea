package tabular

import (
	"github.com/mlptui/mlptui/internal/fieldtext"

	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/mlptui/mlptui/datasets"
)

// Version is the newest version of the [Pipeline] JSON this package reads
// and writes. A pipeline is written in the oldest version that holds it
// ([Pipeline.MinVersion]), so that an older mlptui reads every model it
// can encode rows for and refuses, by version, the others.
const Version = 2

// DefaultMaxCategories is the most categories a column may have unless
// Options.MaxCategories says otherwise.
const DefaultMaxCategories = 100

// MaxFeatures bounds the encoded width.
const MaxFeatures = 1 << 20

// minIDRows is the least number of training rows in which a column of
// distinct text is taken for an id or a name rather than categories.
const minIDRows = 10

// Kind is what a column is to the model.
type Kind int

// Column kinds.
const (
	Number   Kind = iota + 1 // a number, standardized
	Category                 // one of a set of values, one-hot encoded
	Ignored                  // not used
)

var kindNames = map[Kind]string{Number: "number", Category: "category", Ignored: "ignored"}

func (k Kind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// MarshalText writes a kind as its name.
func (k Kind) MarshalText() ([]byte, error) {
	if _, ok := kindNames[k]; !ok {
		return nil, fmt.Errorf("bad column kind %d", int(k))
	}
	return []byte(k.String()), nil
}

// UnmarshalText reads a kind's name.
func (k *Kind) UnmarshalText(b []byte) error {
	for kk, s := range kindNames {
		if s == string(b) {
			*k = kk
			return nil
		}
	}
	return fmt.Errorf("unknown column kind %q", printable(string(b)))
}

// Options say how to fit a pipeline: the flags --categorical, --ignore,
// --na, --max-categories and --missing-indicator.
type Options struct {
	Categorical   []string // columns to one-hot encode even if they hold numbers: names or numbers from 1
	Ignore        []string // columns to leave out
	NA            []string // cell values meaning "missing", besides BuiltinNA
	MaxCategories int      // 0: DefaultMaxCategories
	Indicators    bool     // add a 0/1 "was missing" feature after each column that had gaps in training
}

// An OptionError is an option that does not fit the table: a column that
// is not there, or named twice. It is a usage error. Error names the
// options bare ("categorical 3: ..."); Text as a front end names them
// (package fieldtext: the command line's "--categorical 3: ...").
type OptionError struct {
	Flag    string // the option: "categorical", "ignore", "na"
	Problem string // what is wrong, the options it names bare
	text    error  // Problem with the options it names marked, if made by optionErr
}

// optionErr makes an OptionError whose problem may name options as
// {name} (fieldtext.Errorf).
func optionErr(flag, format string, args ...any) *OptionError {
	text := fieldtext.Errorf(format, args...)
	return &OptionError{Flag: flag, Problem: text.Error(), text: text}
}

func (e *OptionError) Error() string { return e.Text(fieldtext.Bare) }

// Text says the option and those its problem names by name.
func (e *OptionError) Text(name func(string) string) string {
	p := e.Problem
	if e.text != nil {
		p = fieldtext.Text(e.text, name)
	}
	return name(e.Flag) + " " + p
}

// Column is one column of the table as the pipeline uses it.
type Column struct {
	Index      int      `json:"index"` // in the table, from 0
	Name       string   `json:"name"`  // header name, or "" without a header
	Kind       Kind     `json:"kind"`
	Why        string   `json:"why,omitempty"`        // how the kind was chosen
	Missing    int      `json:"missing"`              // missing cells in the training part
	Median     float64  `json:"median,omitempty"`     // numbers: what a missing cell becomes
	Thousands  string   `json:"thousands,omitempty"`  // numbers: the separator of digit groups (1,234,567), if any (version 2)
	Categories []string `json:"categories,omitempty"` // categories: one-hot order (sorted)
	Mode       string   `json:"mode,omitempty"`       // categories: what a missing cell becomes
	Indicator  bool     `json:"indicator,omitempty"`  // a 0/1 feature "was missing" follows
}

// Width is the number of features the column encodes to.
func (c *Column) Width() int {
	n := 0
	switch c.Kind {
	case Number:
		n = 1
	case Category:
		n = len(c.Categories)
	}
	if c.Indicator {
		n++
	}
	return n
}

// Pipeline turns a table's rows into feature vectors. It is fitted on
// training rows by [Fit] and saved as JSON with the model.
type Pipeline struct {
	Version     int      `json:"version"`
	Delimiter   string   `json:"delimiter"`         // as --delimiter takes it
	Decimal     string   `json:"decimal,omitempty"` // "," for decimal commas (version 2); "" for points
	Header      []string `json:"header,omitempty"`  // the table's column names, the label's included
	Width       int      `json:"width"`             // columns of the table, the label's included
	LabelColumn int      `json:"label_column"`      // from 0
	NA          []string `json:"na,omitempty"`      // missing-value tokens given with --na
	Columns     []Column `json:"columns"`           // every column but the label, in table order
}

// MinVersion is the oldest version of the JSON that holds p: 2 for a
// decimal comma or a thousands separator, else 1.
func (p *Pipeline) MinVersion() int {
	if p.Decimal != "" {
		return 2
	}
	for i := range p.Columns {
		if p.Columns[i].Thousands != "" {
			return 2
		}
	}
	return 1
}

// decimal is p's decimal mark.
func (p *Pipeline) decimal() rune {
	if p.Decimal == "," {
		return ','
	}
	return '.'
}

// numbers reads the cells of number column c as training did.
func (p *Pipeline) numbers(c *Column) numbers {
	sep, _ := utf8.DecodeRuneInString(c.Thousands)
	if c.Thousands == "" {
		sep = 0
	}
	return numbers{dec: p.decimal(), sep: sep}
}

// Dim is the length of an encoded row.
func (p *Pipeline) Dim() int {
	n := 0
	for i := range p.Columns {
		n += p.Columns[i].Width()
	}
	return n
}

// Label names the label column in messages: `column 6 "species"`, or
// `column 6` without a header.
func (p *Pipeline) Label() string {
	if p.Header != nil && p.Header[p.LabelColumn] != "" {
		return fmt.Sprintf("column %d %q", p.LabelColumn+1, p.Header[p.LabelColumn])
	}
	return fmt.Sprintf("column %d", p.LabelColumn+1)
}

func (c *Column) title() string {
	if c.Name != "" {
		return fmt.Sprintf("column %d %q", c.Index+1, c.Name)
	}
	return fmt.Sprintf("column %d", c.Index+1)
}

func (c *Column) short() string {
	if c.Name != "" {
		return c.Name
	}
	return fmt.Sprintf("column %d", c.Index+1)
}

// FeatureNames names each encoded feature, in order: a number column's
// name, "name=category" for each category, "name missing" for an
// indicator.
func (p *Pipeline) FeatureNames() []string {
	var out []string
	for i := range p.Columns {
		c := &p.Columns[i]
		switch c.Kind {
		case Number:
			out = append(out, c.short())
		case Category:
			for _, v := range c.Categories {
				out = append(out, c.short()+"="+v)
			}
		}
		if c.Indicator {
			out = append(out, c.short()+" missing")
		}
	}
	return out
}

// InputColumns names the columns a row to classify holds values for (all
// but the label), in table order.
func (p *Pipeline) InputColumns() []string {
	out := make([]string, len(p.Columns))
	for i := range p.Columns {
		out[i] = p.Columns[i].short()
	}
	return out
}

// Choices describes, one line per column, what Fit decided: the lines
// printed once when training starts.
func (p *Pipeline) Choices() []string {
	var out []string
	for i := range p.Columns {
		c := &p.Columns[i]
		var s string
		switch c.Kind {
		case Ignored:
			s = fmt.Sprintf("%s: ignored (%s)", c.title(), c.Why)
		case Number:
			s = fmt.Sprintf("%s: number", c.title())
			if c.Thousands != "" {
				s += fmt.Sprintf(" (thousands separated by %q)", c.Thousands)
			}
			if c.Missing > 0 {
				s += fmt.Sprintf(", %d missing in training, filled with the median %s", c.Missing, strconv.FormatFloat(c.Median, 'g', 6, 64))
			}
		case Category:
			s = fmt.Sprintf("%s: category, %d values", c.title(), len(c.Categories))
			if c.Missing > 0 {
				s += fmt.Sprintf(", %d missing in training, filled with the most frequent, %q", c.Missing, c.Mode)
			}
			if c.Why != "" {
				s += " (" + c.Why + ")"
			}
		}
		if c.Indicator {
			s += ", with a missing-value indicator"
		}
		out = append(out, s)
	}
	return out
}

// Fit decides the kind of each column of t but the label from the rows
// rows (the training part), and the categories and imputation values.
// A column with more categories than the limit is refused, naming it; so
// is a table left with no feature to use. Flags that do not fit the table
// give an [*OptionError].
func Fit(t *Table, rows []int, opt Options) (*Pipeline, error) {
	limit := opt.MaxCategories
	if limit == 0 {
		limit = DefaultMaxCategories
	}
	forced, err := t.resolve("categorical", opt.Categorical, nil)
	if err != nil {
		return nil, err
	}
	ignored, err := t.resolve("ignore", opt.Ignore, forced)
	if err != nil {
		return nil, err
	}
	na := newMissing(opt.NA)
	if err := t.checkNA(opt.NA); err != nil {
		return nil, err
	}
	p := &Pipeline{Delimiter: DelimiterName(t.Delimiter), Header: t.Header, Width: t.Width,
		LabelColumn: t.LabelCol, NA: opt.NA}
	if t.Decimal == ',' {
		p.Decimal = ","
	}
	num := numbers{dec: p.decimal()}
	for ci := range t.Width {
		if ci == t.LabelCol {
			continue
		}
		c := Column{Index: ci}
		if t.Header != nil {
			c.Name = t.Header[ci]
		}
		var nums []float64
		counts := map[string]int{}
		text, textRow := "", 0
		col := numbers{dec: num.dec, sep: thousandsOf(t, rows, ci, num)}
		for _, r := range rows {
			v := t.Rows[r][ci]
			if na.is(v) {
				c.Missing++
				continue
			}
			if x, ok := col.parse(v); ok {
				nums = append(nums, x)
			} else if text == "" {
				text, textRow = v, r
			}
			counts[v]++
		}
		present := len(rows) - c.Missing
		switch {
		case ignored[ci]:
			c.Kind, c.Why = Ignored, "--ignore"
		case present == 0:
			c.Kind, c.Why = Ignored, "no value in the training part"
		case forced[ci]:
			c.Kind, c.Why = Category, "--categorical"
		case len(nums) == present && c.Name == "" && t.Header != nil && len(counts) == present && present >= minIDRows && integers(nums):
			c.Kind, c.Why = Ignored, "an unnamed column of distinct integers: a row index"
		case len(nums) == present:
			c.Kind = Number
		case len(counts) == present && present >= minIDRows && len(nums) == 0:
			c.Kind, c.Why = Ignored, "distinct text in every row: an id or a name"
		case 10*len(nums) >= 9*present:
			return nil, fieldtext.Errorf("%s:%d: %s: %q is text in a column of numbers; {na} %s if it means missing, {categorical} %d if the column holds categories",
				t.Source, t.Lines[textRow], t.ColumnName(ci), printable(text), printable(text), ci+1)
		default:
			c.Kind = Category
		}
		switch c.Kind {
		case Number:
			c.Median = median(nums)
			if col.sep != 0 {
				c.Thousands = string(col.sep)
			}
		case Category:
			if len(counts) > limit {
				return nil, fieldtext.Errorf("%s: %s has %d categories in the training part, more than {max-categories} %d; {ignore} it, or raise the limit",
					t.Source, t.ColumnName(ci), len(counts), limit)
			}
			for v := range counts {
				c.Categories = append(c.Categories, v)
			}
			sort.Strings(c.Categories)
			for _, v := range c.Categories { // the most frequent; of equals, the first in order
				if counts[v] > counts[c.Mode] || c.Mode == "" {
					c.Mode = v
				}
			}
		}
		c.Indicator = opt.Indicators && c.Kind != Ignored && c.Missing > 0
		p.Columns = append(p.Columns, c)
	}
	p.Version = p.MinVersion()
	if p.Dim() == 0 {
		return nil, fmt.Errorf("%s: no usable feature: every column but the label (%s) is ignored", t.Source, t.ColumnName(t.LabelCol))
	}
	if p.Dim() > MaxFeatures {
		return nil, fmt.Errorf("%s: %d features after one-hot encoding, more than %d", t.Source, p.Dim(), MaxFeatures)
	}
	return p, nil
}

// thousandsOf returns the thousands separator of column ci in the rows
// rows: of the cells that are numbers with one, the separator most of
// them have (of equals, the first); 0 if none is.
func thousandsOf(t *Table, rows []int, ci int, num numbers) rune {
	counts := map[rune]int{}
	var best rune
	for _, r := range rows {
		v := t.Rows[r][ci]
		if _, ok := num.parse(v); ok {
			continue
		}
		if _, sep, ok := num.grouped(v); ok {
			if counts[sep]++; counts[sep] > counts[best] {
				best = sep
			}
		}
	}
	return best
}

// resolve turns a flag's column list into column indices. A column not in
// the table, the label column, or one given twice (here or in taken) is
// an OptionError.
func (t *Table) resolve(flag string, cols []string, taken map[int]bool) (map[int]bool, error) {
	out := map[int]bool{}
	for _, s := range cols {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		c := -1
		if n, err := strconv.Atoi(s); err == nil {
			if n < 1 || n > t.Width {
				return nil, optionErr(flag, "%d: no such column; the table has %d", n, t.Width)
			}
			c = n - 1
		} else if t.Header == nil {
			return nil, optionErr(flag, "%q: %s has no header line to name columns by; give the column's number", s, t.Source)
		} else if c = slices.Index(t.Header, s); c < 0 {
			if c = slices.IndexFunc(t.Header, func(h string) bool { return strings.EqualFold(h, s) }); c < 0 {
				return nil, optionErr(flag, "%q is not a column of %s (%s)", s, t.Source, strings.Join(t.Header, ", "))
			}
		}
		switch {
		case c == t.LabelCol:
			return nil, optionErr(flag, "%s: %s is the label column", s, t.ColumnName(c))
		case out[c]:
			return nil, optionErr(flag, "%s: %s is given twice", s, t.ColumnName(c))
		case taken[c]:
			return nil, optionErr(flag, "%s: %s is given to {categorical} too", s, t.ColumnName(c))
		}
		out[c] = true
	}
	return out, nil
}

// checkNA refuses a missing-value token that is a number in two or more
// columns: it would erase real values of all but the one it was meant for.
func (t *Table) checkNA(na []string) error {
	for _, tok := range na {
		if _, ok := (numbers{dec: t.Decimal}).parse(tok); !ok {
			continue
		}
		first := -1
		for c := range t.Width {
			if c == t.LabelCol {
				continue
			}
			for _, r := range t.Rows {
				if r[c] == tok {
					if first < 0 {
						first = c
						break
					}
					return optionErr("na", "%s: a number in %s and in %s too; a missing-value token must not be a value of another column",
						tok, t.ColumnName(first), t.ColumnName(c))
				}
			}
		}
	}
	return nil
}

func integers(v []float64) bool {
	for _, x := range v {
		if x != math.Trunc(x) {
			return false
		}
	}
	return true
}

// median is numpy's: the middle value, or the mean of the two middle ones.
func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// Dataset encodes the rows rows of t into a data set of t's classes.
// warn, if not nil, hears once per column of a category the fit did not
// see. A cell of a number column that is neither a number nor missing is
// an error naming its line and column.
func (p *Pipeline) Dataset(t *Table, rows []int, warn func(string)) (*datasets.Dataset, error) {
	dim := p.Dim()
	d := &datasets.Dataset{Name: t.Source, Classes: t.Classes, Shape: []int{dim},
		X: make([]float32, len(rows)*dim), Y: make([]int32, len(rows))}
	enc := p.Encoder(warn)
	for j, r := range rows {
		if err := enc.Encode(t.Rows[r], d.X[j*dim:(j+1)*dim]); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", t.Source, t.Lines[r], err)
		}
		d.Y[j] = t.Y[r]
	}
	return d, nil
}

// An Encoder encodes rows with a pipeline, saying once per column when a
// category was not seen in training.
type Encoder struct {
	p      *Pipeline
	na     missing
	warn   func(string)
	warned map[int]bool
	index  []map[string]int // per column: category -> position
}

// Encoder returns an encoder; warn, if not nil, hears of unseen
// categories, once per column.
func (p *Pipeline) Encoder(warn func(string)) *Encoder {
	e := &Encoder{p: p, na: newMissing(p.NA), warn: warn, warned: map[int]bool{}, index: make([]map[string]int, len(p.Columns))}
	for i := range p.Columns {
		c := &p.Columns[i]
		if c.Kind == Category {
			e.index[i] = make(map[string]int, len(c.Categories))
			for k, v := range c.Categories {
				e.index[i][v] = k
			}
		}
	}
	return e
}

// Encode writes the features of one row into dst (of length Dim). The
// row holds every column of the table (Width cells) or every column but
// the label (Width-1). Cells are trimmed of spaces.
func (e *Encoder) Encode(cells []string, dst []float32) error {
	p := e.p
	switch len(cells) {
	case p.Width:
	case p.Width - 1:
		cells = slices.Insert(slices.Clone(cells), p.LabelColumn, "")
	default:
		return fmt.Errorf("%d values, the model takes %d (or %d with the label column, %s)", len(cells), p.Width-1, p.Width, p.Label())
	}
	if len(dst) != p.Dim() {
		panic(fmt.Sprintf("tabular: Encode into %d values, want %d", len(dst), p.Dim()))
	}
	o := 0
	for i := range p.Columns {
		c := &p.Columns[i]
		v := strings.TrimSpace(cells[c.Index])
		miss := e.na.is(v)
		switch c.Kind {
		case Number:
			x := float32(c.Median)
			if !miss {
				f, err := p.numbers(c).float(v, 32)
				if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
					if errors.Is(err, strconv.ErrRange) {
						return fmt.Errorf("%s: %q is beyond float32's range (±%.4g)", c.title(), v, math.MaxFloat32)
					}
					if _, ok := parseNumber(v, '.'); ok && p.decimal() == ',' {
						return fmt.Errorf("%s: %q: the model's table wrote numbers with a decimal comma (%s)", c.title(), v, strings.Replace(v, ".", ",", 1))
					}
					return fmt.Errorf("%s: %q is not a number (nor a missing value)", c.title(), v)
				}
				x = float32(f)
			}
			dst[o] = x
			o++
		case Category:
			code := dst[o : o+len(c.Categories)]
			clear(code)
			if miss {
				v = c.Mode
			}
			if k, ok := e.index[i][v]; ok {
				code[k] = 1
			} else if !e.warned[i] {
				e.warned[i] = true
				if e.warn != nil {
					e.warn(fmt.Sprintf("%s: category %q was not in the training part; encoded as all zeros (said once per column)", c.title(), v))
				}
			}
			o += len(c.Categories)
		}
		if c.Indicator {
			dst[o] = 0
			if miss {
				dst[o] = 1
			}
			o++
		}
	}
	return nil
}

// IsHeader reports whether cells are the table's header line (with or
// without the label column), as a file of rows to classify may start.
func (p *Pipeline) IsHeader(cells []string) bool {
	if p.Header == nil {
		return false
	}
	h := p.Header
	if len(cells) == p.Width-1 {
		h = slices.Delete(slices.Clone(h), p.LabelColumn, p.LabelColumn+1)
	}
	if len(cells) != len(h) {
		return false
	}
	for i := range h {
		if !strings.EqualFold(strings.TrimSpace(cells[i]), h[i]) {
			return false
		}
	}
	return true
}

// Marshal returns the pipeline as JSON, as saved in model metadata.
func (p *Pipeline) Marshal() string {
	b, err := json.Marshal(p)
	if err != nil {
		panic(err) // plain data
	}
	return string(b)
}

// Unmarshal reads a pipeline saved by Marshal and checks it.
func Unmarshal(s string) (*Pipeline, error) {
	var p Pipeline
	if err := json.Unmarshal([]byte(s), &p); err != nil {
		return nil, fmt.Errorf("preprocessing: %v", err)
	}
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("preprocessing: %v", err)
	}
	return &p, nil
}

// Validate checks that the parts of p agree.
func (p *Pipeline) Validate() error {
	switch {
	case p.Version < 1:
		return fmt.Errorf("bad version %d", p.Version)
	case p.Version > Version:
		return fmt.Errorf("version %d is newer than this mlptui reads (%d); upgrade mlptui", p.Version, Version)
	case p.Width < 2 || p.Width > MaxFeatures:
		return fmt.Errorf("width %d out of range 2..%d", p.Width, MaxFeatures)
	case p.LabelColumn < 0 || p.LabelColumn >= p.Width:
		return fmt.Errorf("label column %d out of range for %d columns", p.LabelColumn, p.Width)
	case p.Header != nil && len(p.Header) != p.Width:
		return fmt.Errorf("header of %d names for %d columns", len(p.Header), p.Width)
	case len(p.Columns) != p.Width-1:
		return fmt.Errorf("%d columns described, want %d", len(p.Columns), p.Width-1)
	}
	if _, err := ParseDelimiter(p.Delimiter); err != nil || p.Delimiter == "" {
		return fmt.Errorf("delimiter %q", printable(p.Delimiter))
	}
	switch {
	case p.Decimal != "" && p.Decimal != ",":
		return fmt.Errorf("decimal mark %q, want \",\" or none", printable(p.Decimal))
	case p.Decimal == "," && p.Delimiter == ",":
		return fmt.Errorf("a decimal comma with a comma delimiter")
	case p.Version < p.MinVersion():
		return fmt.Errorf("version %d cannot hold a decimal comma or a thousands separator (version %d can)", p.Version, p.MinVersion())
	}
	dim := 0
	for i := range p.Columns {
		c := &p.Columns[i]
		want := i
		if i >= p.LabelColumn {
			want++
		}
		if c.Index != want {
			return fmt.Errorf("column %d has index %d, want %d", i, c.Index, want)
		}
		if c.Thousands != "" && c.Kind != Number {
			return fmt.Errorf("%s: a thousands separator for a %s column", c.title(), c.Kind)
		}
		switch c.Kind {
		case Number:
			if math.IsNaN(c.Median) || math.IsInf(c.Median, 0) {
				return fmt.Errorf("%s: median %v", c.title(), c.Median)
			}
			if r, n := utf8.DecodeRuneInString(c.Thousands); c.Thousands != "" && (n != len(c.Thousands) || !isThousands(r, p.decimal())) {
				return fmt.Errorf("%s: thousands separator %q beside decimal mark %q", c.title(), printable(c.Thousands), p.decimal())
			}
		case Category:
			if len(c.Categories) == 0 || len(c.Categories) > MaxFeatures || !slices.IsSorted(c.Categories) {
				return fmt.Errorf("%s: %d categories, want 1 or more in sorted order", c.title(), len(c.Categories))
			}
			for k := 1; k < len(c.Categories); k++ {
				if c.Categories[k] == c.Categories[k-1] {
					return fmt.Errorf("%s: category %q twice", c.title(), printable(c.Categories[k]))
				}
			}
			if !slices.Contains(c.Categories, c.Mode) {
				return fmt.Errorf("%s: most frequent category %q is not among its categories", c.title(), printable(c.Mode))
			}
		case Ignored:
			if c.Indicator {
				return fmt.Errorf("%s: an ignored column with an indicator", c.title())
			}
		default:
			return fmt.Errorf("%s: no kind", c.title())
		}
		if dim += c.Width(); dim > MaxFeatures {
			return fmt.Errorf("more than %d features", MaxFeatures)
		}
	}
	if dim == 0 {
		return fmt.Errorf("no feature")
	}
	return nil
}

// printable cuts a name read from a file to 64 bytes, so that an error
// quoting it (%q) stays one readable line.
func printable(s string) string {
	if len(s) > 64 {
		s = s[:64] + "..."
	}
	return s
}
