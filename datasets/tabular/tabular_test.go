package tabular

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/mlptui/mlptui/internal/fieldtext"
	"github.com/mlptui/mlptui/internal/pyref"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// mixed is a table as a customer export has it: an id, numbers with gaps,
// text categories with gaps, semicolons.
const mixed = "id;age;city;income;member;label\n" +
	"C001;34;Paris;52000;yes;buy\nC002;;Lyon;48000;no;skip\nC003;51;Paris;;yes;buy\n" +
	"C004;29;Nice;31000;NA;skip\nC005;45;Lyon;61000;yes;buy\nC006;38;Paris;45000;no;skip\n" +
	"C007;;Nice;39000;no;skip\nC008;62;Lyon;72000;yes;buy\nC009;27;Paris;28000;no;skip\n" +
	"C010;41;Nice;58000;yes;buy\nC011;36;Lyon;?;no;skip\nC012;55;Paris;66000;yes;buy\n"

func all(t *Table) []int {
	r := make([]int, len(t.Rows))
	for i := range r {
		r[i] = i
	}
	return r
}

func mustRead(t *testing.T, text string, opt ReadOptions) *Table {
	t.Helper()
	tab, err := Read(strings.NewReader(text), "t.csv", opt)
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

// The same table in every dialect reads the same: delimiters, a BOM,
// CRLF, quoted fields with the delimiter inside.
func TestReadDialects(t *testing.T) {
	want := mustRead(t, mixed, ReadOptions{})
	if want.Delimiter != ';' || want.Header == nil || want.LabelCol != 5 || len(want.Rows) != 12 || !slices.Equal(want.Classes, []string{"buy", "skip"}) {
		t.Fatalf("read %q header %v label %d, %d rows, classes %v", want.Delimiter, want.Header, want.LabelCol, len(want.Rows), want.Classes)
	}
	for _, c := range []struct {
		name string
		text string
		opt  ReadOptions
	}{
		{"comma", strings.ReplaceAll(mixed, ";", ","), ReadOptions{}},
		{"tab", strings.ReplaceAll(mixed, ";", "\t"), ReadOptions{}},
		{"pipe", strings.ReplaceAll(mixed, ";", "|"), ReadOptions{}},
		{"given", strings.ReplaceAll(mixed, ";", "|"), ReadOptions{Delimiter: "|"}},
		{"BOM and CRLF", "\uFEFF" + strings.ReplaceAll(mixed, "\n", "\r\n"), ReadOptions{}},
		{"quoted", strings.ReplaceAll(strings.ReplaceAll(mixed, ";Paris;", `;"Paris";`), "C001", `"C001"`), ReadOptions{}},
		{"blank lines and spaces", strings.ReplaceAll(mixed, "\n", "\n\n"), ReadOptions{}},
	} {
		got, err := Read(strings.NewReader(c.text), "t.csv", c.opt)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !reflect.DeepEqual(got.Rows, want.Rows) || !slices.Equal(got.Header, want.Header) || !slices.Equal(got.Y, want.Y) {
			t.Errorf("%s: rows %q, want %q", c.name, got.Rows[:2], want.Rows[:2])
		}
	}
	// A quoted field holding the delimiter stays one cell.
	q := mustRead(t, "name,note,y\na,\"x, y\",1\nb,z,2\nc,w,1\n", ReadOptions{})
	if q.Rows[0][1] != "x, y" {
		t.Errorf("quoted cell %q", q.Rows[0][1])
	}
}

// TestFit: the kinds, categories and imputation values of mixed.
func TestFit(t *testing.T) {
	tab := mustRead(t, mixed, ReadOptions{})
	p, err := Fit(tab, all(tab), Options{Indicators: true})
	if err != nil {
		t.Fatal(err)
	}
	kinds := []Kind{}
	for _, c := range p.Columns {
		kinds = append(kinds, c.Kind)
	}
	if want := []Kind{Ignored, Number, Category, Number, Category}; !slices.Equal(kinds, want) {
		t.Fatalf("kinds %v, want %v", kinds, want)
	}
	age, city, income, member := p.Columns[1], p.Columns[2], p.Columns[3], p.Columns[4]
	// numpy.median([34,51,29,45,38,62,27,41,36,55]) = 39.5
	if age.Median != 39.5 || age.Missing != 2 || !age.Indicator {
		t.Errorf("age: %+v", age)
	}
	if income.Median != 50000 || income.Missing != 2 { // (48000+52000)/2, the middle two of ten
		t.Errorf("income: %+v", income)
	}
	if !slices.Equal(city.Categories, []string{"Lyon", "Nice", "Paris"}) || city.Missing != 0 || city.Indicator {
		t.Errorf("city: %+v", city)
	}
	if !slices.Equal(member.Categories, []string{"no", "yes"}) || member.Mode != "yes" || member.Missing != 1 {
		t.Errorf("member: %+v", member)
	}
	names := p.FeatureNames()
	want := []string{"age", "age missing", "city=Lyon", "city=Nice", "city=Paris", "income", "income missing", "member=no", "member=yes", "member missing"}
	if !slices.Equal(names, want) || p.Dim() != len(want) {
		t.Errorf("features %q (dim %d), want %q", names, p.Dim(), want)
	}
	// Row C002: age missing, Lyon, 48000, no.
	x := make([]float32, p.Dim())
	var warned []string
	enc := p.Encoder(func(s string) { warned = append(warned, s) })
	if err := enc.Encode(tab.Rows[1], x); err != nil {
		t.Fatal(err)
	}
	if w := []float32{39.5, 1, 1, 0, 0, 48000, 0, 1, 0, 0}; !slices.Equal(x, w) {
		t.Errorf("C002 encodes to %v, want %v", x, w)
	}
	// Without the label column, with an unseen category and gaps: said
	// once per column.
	for range 2 {
		if err := enc.Encode([]string{"X", "", "Rome", "", "N/A"}, x); err != nil {
			t.Fatal(err)
		}
	}
	if w := []float32{39.5, 1, 0, 0, 0, float32(income.Median), 1, 0, 1, 1}; !slices.Equal(x, w) {
		t.Errorf("unseen row encodes to %v, want %v", x, w)
	}
	if len(warned) != 1 || !strings.Contains(warned[0], `column 3 "city": category "Rome" was not in the training part`) {
		t.Errorf("warnings %q", warned)
	}
	// Round trip through the JSON saved with the model.
	back, err := Unmarshal(p.Marshal())
	if err != nil || !reflect.DeepEqual(back, p) {
		t.Errorf("round trip: %v\n%+v\n%+v", err, back, p)
	}
}

// TestFitUsesTrainingRowsOnly: what Fit learns comes from the rows it is
// given, never the others.
func TestFitUsesTrainingRowsOnly(t *testing.T) {
	tab := mustRead(t, "a,b,y\n1,x,0\n3,x,1\n100,z,0\n,w,1\n", ReadOptions{})
	p, err := Fit(tab, []int{0, 1}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Columns[0].Median != 2 || !slices.Equal(p.Columns[1].Categories, []string{"x"}) {
		t.Errorf("fitted on other rows: %+v", p.Columns)
	}
}

func TestFitChoices(t *testing.T) {
	// A pandas index column (unnamed, distinct integers), forced
	// categories, an ignored column, a --na token.
	var b strings.Builder
	b.WriteString(",code,score,name,y\n")
	for i := range 20 {
		fmt.Fprintf(&b, "%d,%d,%d,n%d,%d\n", i, i%3, []int{5, -1, 7}[i%3], i, i%2)
	}
	tab := mustRead(t, b.String(), ReadOptions{NA: []string{"-1"}})
	p, err := Fit(tab, all(tab), Options{Categorical: []string{"code"}, NA: []string{"-1"}})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(p.Choices(), "\n")
	for _, want := range []string{
		`column 1: ignored (an unnamed column of distinct integers: a row index)`,
		`column 2 "code": category, 3 values (--categorical)`,
		`column 3 "score": number, 7 missing in training, filled with the median 5`,
		`column 4 "name": ignored (distinct text in every row: an id or a name)`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("choices lack %q:\n%s", want, got)
		}
	}
	// Ignoring the two useful columns leaves the index and the names.
	if _, err = Fit(tab, all(tab), Options{Ignore: []string{"2", "score"}}); err == nil || !strings.Contains(err.Error(), "no usable feature") {
		t.Errorf("--ignore 2,score: %v, want no usable feature", err)
	}
}

// TestRefused: each bad input gives one line naming the column or flag;
// flags that do not fit the table are OptionErrors (usage, exit 2), the
// rest are the file's content (exit 1).
func TestRefused(t *testing.T) {
	many := "id,kind,y\n"
	for i := range 30 {
		many += fmt.Sprintf("%d,k%d,%d\n", i%7, i%12, i%2)
	}
	for _, c := range []struct {
		name   string
		text   string
		ropt   ReadOptions
		opt    Options
		want   string
		option bool
	}{
		{"more categories than the limit", many, ReadOptions{}, Options{MaxCategories: 10},
			`t.csv: column 2 "kind" has 12 categories in the training part, more than --max-categories 10; --ignore it, or raise the limit`, false},
		{"no usable feature", "id,y\na1,0\na2,1\na3,0\na4,1\na5,0\na6,1\na7,0\na8,1\na9,0\na10,1\n", ReadOptions{}, Options{},
			`t.csv: no usable feature: every column but the label (column 2 "y") is ignored`, false},
		{"no usable feature: all ignored", mixed, ReadOptions{}, Options{Ignore: []string{"id", "age", "city", "income", "member"}},
			`t.csv: no usable feature: every column but the label (column 6 "label") is ignored`, false},
		{"category column given twice", mixed, ReadOptions{}, Options{Categorical: []string{"city", "3"}},
			`--categorical 3: column 3 "city" is given twice`, true},
		{"category column given twice, once ignored", mixed, ReadOptions{}, Options{Categorical: []string{"city"}, Ignore: []string{"City"}},
			`--ignore City: column 3 "city" is given to --categorical too`, true},
		{"--na a number in another column", "a,b,y\n0,5,x\n-1,0,y\n2,3,x\n-1,1,y\n", ReadOptions{NA: []string{"0"}}, Options{NA: []string{"0"}},
			`--na 0: a number in column 1 "a" and in column 2 "b" too; a missing-value token must not be a value of another column`, true},
		{"text among numbers", "a,b,y\n1,2,x\n3,4,y\n5,abc,x\n7,8,y\n9,10,x\n11,12,y\n13,14,x\n15,16,y\n17,18,x\n19,20,y\n", ReadOptions{}, Options{},
			`t.csv:4: column 2 "b": "abc" is text in a column of numbers; --na abc if it means missing, --categorical 2 if the column holds categories`, false},
		{"unknown column", mixed, ReadOptions{}, Options{Categorical: []string{"town"}},
			`--categorical "town" is not a column of t.csv (id, age, city, income, member, label)`, true},
		{"column out of range", mixed, ReadOptions{}, Options{Ignore: []string{"9"}},
			`--ignore 9: no such column; the table has 6`, true},
		{"the label column", mixed, ReadOptions{}, Options{Categorical: []string{"label"}},
			`--categorical label: column 6 "label" is the label column`, true},
		{"a name without a header", "1,a,x\n2,b,y\n", ReadOptions{}, Options{Ignore: []string{"kind"}},
			`--ignore "kind": t.csv has no header line to name columns by; give the column's number`, true},
	} {
		tab, err := Read(strings.NewReader(c.text), "t.csv", c.ropt)
		if err == nil {
			_, err = Fit(tab, all(tab), c.opt)
		}
		if err == nil || asFlags(err) != c.want || strings.Contains(err.Error(), "--") {
			t.Errorf("%s:\n got %v (as flags: %s)\nwant %s, and no option named as a flag in Error()", c.name, err, asFlags(err), c.want)
			continue
		}
		var oe *OptionError
		if errors.As(err, &oe) != c.option {
			t.Errorf("%s: OptionError %v, want %v", c.name, !c.option, c.option)
		}
	}
}

func TestReadRefused(t *testing.T) {
	for _, c := range []struct {
		name, text string
		opt        ReadOptions
		want       string
	}{
		{"empty", "", ReadOptions{}, "t.csv: no data rows"},
		{"header only", "a,b\n", ReadOptions{}, "t.csv: no data rows"},
		{"one column", "a\nb\n", ReadOptions{}, `t.csv:1: need at least 2 columns (features and a label), found 1 with delimiter ","; --delimiter sets it`},
		{"ragged", "a,b,c\n1,2\n", ReadOptions{}, "t.csv:2: 2 columns, want 3 like the first line"},
		{"missing label", "a,y\n1,x\n2,\n", ReadOptions{}, `t.csv:3: column 2 "y": missing label ""`},
		{"one class", "a,y\n1,x\n2,x\n", ReadOptions{}, `t.csv: only one class ("x") in column 2 "y"; a classifier needs at least 2`},
		{"measurement label", "a,b\nx,1.5\ny,2.5\n", ReadOptions{}, `t.csv: column 2 "b" holds measurements like 1.5, not classes; --label names the class column`},
		{"bad delimiter", "a,b\n", ReadOptions{Delimiter: "x"}, `--delimiter "x"; want , ; | or tab (or nothing, to detect it)`},
		{"bad decimal", "a;b\n", ReadOptions{Decimal: "x"}, `--decimal "x"; want . or , (or nothing, to detect it)`},
		{"decimal comma beside comma delimiter", "a,b\n", ReadOptions{Decimal: ","}, `t.csv: --decimal , needs a delimiter other than a comma, and the table's is a comma; --delimiter sets it`},
		{"label not in header", mixed, ReadOptions{Label: "kind"}, `t.csv:1: --label "kind" is not in the header (id, age, city, income, member, label)`},
		{"not UTF-8", "a,b\n\x00\xff,1\n", ReadOptions{}, "t.csv: not UTF-8 text"},
		{"UTF-8 with a stray byte", "a,b\nZürich,1\n\xff,2\n", ReadOptions{}, "t.csv:3: not UTF-8 text: byte 0xFF among UTF-8 characters"},
		{"UTF-16 junk", "\xff\xfe\x00\x81\x13\x37", ReadOptions{}, "t.csv: not UTF-8 text"},
		{"bare quote", "a,b\n\"x,1\n", ReadOptions{}, `t.csv:2: extraneous or missing " in quoted-field`},
	} {
		_, err := Read(strings.NewReader(c.text), "t.csv", c.opt)
		if err == nil || asFlags(err) != c.want || strings.Contains(err.Error(), "--") {
			t.Errorf("%s:\n got %v (as flags: %s)\nwant %s, and no option named as a flag in Error()", c.name, err, asFlags(err), c.want)
		}
	}
}

func TestEncodeRefused(t *testing.T) {
	tab := mustRead(t, mixed, ReadOptions{})
	p, err := Fit(tab, all(tab), Options{})
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float32, p.Dim())
	enc := p.Encoder(nil)
	for _, c := range []struct {
		cells []string
		want  string
	}{
		{[]string{"a", "b"}, `2 values, the model takes 5 (or 6 with the label column, column 6 "label")`},
		{[]string{"C1", "old", "Lyon", "1", "yes"}, `column 2 "age": "old" is not a number (nor a missing value)`},
		{[]string{"C1", "inf", "Lyon", "1", "yes"}, `column 2 "age": "inf" is not a number (nor a missing value)`},
		{[]string{"C1", "1e39", "Lyon", "1", "yes"}, `column 2 "age": "1e39" is beyond float32's range (±3.403e+38)`},
		{[]string{"C1", "-4e38", "Lyon", "1", "yes"}, `column 2 "age": "-4e38" is beyond float32's range (±3.403e+38)`},
	} {
		if err := enc.Encode(c.cells, x); err == nil || err.Error() != c.want {
			t.Errorf("%q: %v, want %s", c.cells, err, c.want)
		}
	}
}

func TestUnmarshalRefused(t *testing.T) {
	tab := mustRead(t, mixed, ReadOptions{})
	p, _ := Fit(tab, all(tab), Options{})
	good := p.Marshal()
	for _, c := range []struct{ name, from, to, want string }{
		{"newer", `"version":1`, fmt.Sprintf(`"version":%d`, Version+1), fmt.Sprintf("version %d is newer", Version+1)},
		{"decimal comma in version 1", `"delimiter":";"`, `"delimiter":";","decimal":","`, "version 1 cannot hold a decimal comma"},
		{"decimal comma beside comma delimiter", `"version":1,"delimiter":";"`, `"version":2,"delimiter":",","decimal":","`, "a decimal comma with a comma delimiter"},
		{"decimal point spelled", `"delimiter":";"`, `"delimiter":";","decimal":"."`, `decimal mark "."`},
		{"no kind", `"kind":"number"`, `"kind":"text"`, `unknown column kind "text"`},
		{"unsorted", `["Lyon","Nice","Paris"]`, `["Paris","Lyon","Nice"]`, "in sorted order"},
		{"width", `"width":6`, `"width":7`, "header of 6 names for 7 columns"},
		{"median", `"median":39.5`, `"median":1e999`, "preprocessing:"},
		{"not JSON", good, "{", "preprocessing:"},
	} {
		s := strings.Replace(good, c.from, c.to, 1)
		if s == good {
			t.Fatalf("%s: %q not in %s", c.name, c.from, good)
		}
		if _, err := Unmarshal(s); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want %s", c.name, err, c.want)
		}
	}
}

func TestReadRows(t *testing.T) {
	tab := mustRead(t, mixed, ReadOptions{})
	p, _ := Fit(tab, all(tab), Options{})
	text := "id;age;city;income;member\nX1;40;Rome;;\n\nX2;30;Lyon\nX3,31,Nice,1,no\n"
	rows, err := ReadRows(strings.NewReader(text), "r.csv", p)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0].Line != 2 || rows[0].Err != nil || rows[1].Line != 4 || rows[1].Err == nil || rows[2].Err == nil {
		t.Errorf("rows %+v", rows)
	}
	// Comma-separated rows for a semicolon table are read too.
	rows, err = ReadRows(strings.NewReader("X3,31,Nice,1,no\n"), "r.csv", p)
	if err != nil || len(rows) != 1 || rows[0].Err != nil || rows[0].Cells[2] != "Nice" {
		t.Errorf("comma rows: %+v %v", rows, err)
	}
	cells, err := SplitRow("X3;;Nice;1;no", p)
	if err != nil || len(cells) != 5 || cells[1] != "" {
		t.Errorf("SplitRow: %q %v", cells, err)
	}
}

// checkTable reads and fits text: one-line errors or a pipeline that
// validates, round-trips and encodes every row to finite values.
func checkTable(t *testing.T, text string, ropt ReadOptions, opt Options) {
	tab, err := Read(strings.NewReader(text), "f.csv", ropt)
	if err != nil {
		if strings.Contains(err.Error(), "\n") {
			t.Fatalf("multi-line error %q", err)
		}
		return
	}
	if len(tab.Y) != len(tab.Rows) || len(tab.Classes) < 1 {
		t.Fatalf("%d labels for %d rows", len(tab.Y), len(tab.Rows))
	}
	p, err := Fit(tab, all(tab), opt)
	if err != nil {
		if strings.Contains(err.Error(), "\n") {
			t.Fatalf("multi-line error %q", err)
		}
		return
	}
	if err := p.Validate(); err != nil {
		t.Fatalf("fitted pipeline invalid: %v", err)
	}
	back, err := Unmarshal(p.Marshal())
	if err != nil {
		t.Fatalf("round trip: %v", err)
	}
	d, err := back.Dataset(tab, all(tab), nil)
	if err != nil {
		if strings.Contains(err.Error(), "\n") {
			t.Fatalf("multi-line error %q", err)
		}
		return
	}
	for _, v := range d.X {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			t.Fatalf("encoded %v", v)
		}
	}
	if _, err := ReadRows(strings.NewReader(text), "f.csv", p); err != nil && strings.Contains(err.Error(), "\n") {
		t.Fatalf("multi-line error %q", err)
	}
}

func FuzzReadTable(f *testing.F) {
	f.Add(mixed, "", "", "")
	f.Add("a,b,y\n1,x,0\n,NA,1\n3,?,0\n", "", "", "")
	f.Add("\uFEFFa\tb\r\n1\t\"x\ty\"\r\n", "b", "tab", "")
	f.Add("a|b|c\n1|2|3\n", "1", "|", "")
	f.Add(euro, "", "", "")
	f.Add(euro, "label", ";", ",")
	f.Add("a;b;y\n1,5;2.5;x\n3;4,25;z\n", "", "", ".")
	f.Fuzz(func(t *testing.T, text, label, delim, decimal string) {
		checkTable(t, text, ReadOptions{Label: label, Delimiter: delim, Decimal: decimal}, Options{})
	})
}

func FuzzFitOptions(f *testing.F) {
	f.Add(mixed, "city", "id", "-", 3, true)
	f.Add("a,b,y\n0,5,x\n-1,0,y\n", "1", "2", "0", 0, false)
	f.Fuzz(func(t *testing.T, text, categorical, ignore, na string, limit int, indicators bool) {
		if limit < 0 || limit > 1000 {
			return
		}
		nas := strings.Split(na, ",")
		checkTable(t, text, ReadOptions{NA: nas}, Options{Categorical: strings.Split(categorical, ","),
			Ignore: strings.Split(ignore, ","), NA: nas, MaxCategories: limit, Indicators: indicators})
	})
}

func FuzzUnmarshalPipeline(f *testing.F) {
	tab, _ := Read(strings.NewReader(mixed), "t.csv", ReadOptions{})
	p, _ := Fit(tab, all(tab), Options{Indicators: true})
	f.Add(p.Marshal(), "C1;40;Rome;;")
	f.Fuzz(func(t *testing.T, js, row string) {
		p, err := Unmarshal(js)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error %q", err)
			}
			return
		}
		cells, err := SplitRow(row, p)
		if err != nil {
			return
		}
		x := make([]float32, p.Dim())
		if err := p.Encoder(func(string) {}).Encode(cells, x); err != nil && strings.Contains(err.Error(), "\n") {
			t.Fatalf("multi-line error %q", err)
		}
	})
}

// asFlags is err's text with the options it names said as the command
// line's flags (fieldtext), as the tables below spell them.
func asFlags(err error) string {
	if err == nil {
		return ""
	}
	return fieldtext.Text(err, func(o string) string { return "--" + o })
}

// euro is a table as a French or German spreadsheet exports it: semicolons
// between cells, decimal commas in the numbers, gaps.
const euro = "id;weight;city;ratio;label\n" +
	"A1;61,5;Paris;0,25;buy\nA2;;Lyon;1,5;skip\nA3;72,25;Paris;;buy\nA4;58;Nice;-0,75;skip\n" +
	"A5;80,5;Lyon;2;buy\nA6;66,75;Paris;1e-3;skip\nA7;70;Nice;0,5;buy\nA8;N/A;Lyon;3,125;skip\n" +
	"A9;55,5;Paris;0,125;buy\nA10;91;Nice;4,5;skip\nA11;63,25;Lyon;0,875;buy\nA12;77,5;Paris;1,25;skip\n"

// TestDecimalComma: a table written with decimal commas reads, fits and
// encodes exactly as the same table written with points and commas.
func TestDecimalComma(t *testing.T) {
	us := strings.NewReplacer(",", ".", ";", ",").Replace(euro)
	e, u := mustRead(t, euro, ReadOptions{}), mustRead(t, us, ReadOptions{})
	if e.Delimiter != ';' || e.Decimal != ',' || u.Delimiter != ',' || u.Decimal != '.' {
		t.Fatalf("read delimiter %q decimal %q and %q %q, want ; , and , .", e.Delimiter, e.Decimal, u.Delimiter, u.Decimal)
	}
	pe, err := Fit(e, all(e), Options{Indicators: true})
	if err != nil {
		t.Fatal(err)
	}
	pu, err := Fit(u, all(u), Options{Indicators: true})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(pe.Columns, pu.Columns) {
		t.Errorf("columns\n%+v\nwant as with points\n%+v", pe.Columns, pu.Columns)
	}
	if pe.Columns[1].Kind != Number || pe.Columns[1].Median != 68.375 { // numpy.median of the ten weights
		t.Errorf("weight: %+v", pe.Columns[1])
	}
	de, err := pe.Dataset(e, all(e), nil)
	if err != nil {
		t.Fatal(err)
	}
	du, err := pu.Dataset(u, all(u), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(de.X, du.X) {
		t.Errorf("encoded\n%v\nwant\n%v", de.X, du.X)
	}
	// The mark is saved with the model (in version 2) and read back.
	if pe.Version != 2 || pe.Decimal != "," || pu.Version != 1 || pu.Decimal != "" {
		t.Errorf("versions %d %q and %d %q, want 2 \",\" and 1 \"\"", pe.Version, pe.Decimal, pu.Version, pu.Decimal)
	}
	back, err := Unmarshal(pe.Marshal())
	if err != nil || !reflect.DeepEqual(back, pe) {
		t.Fatalf("round trip: %v\n%+v\n%+v", err, back, pe)
	}
	x := make([]float32, back.Dim())
	if err := back.Encoder(nil).Encode([]string{"B1", "12,5", "Nice", "1"}, x); err != nil || x[0] != 12.5 {
		t.Errorf("12,5 encodes to %v (%v), want 12.5", x[0], err)
	}
	err = back.Encoder(nil).Encode([]string{"B1", "12.5", "Nice", "1"}, x)
	if want := `column 2 "weight": "12.5": the model's table wrote numbers with a decimal comma (12,5)`; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("12.5 in a decimal-comma table: %v, want %s", err, want)
	}
}

// TestDetectDecimal: a comma only beside another delimiter, only when no
// cell is a number only a decimal point reads, and as told.
func TestDetectDecimal(t *testing.T) {
	for _, c := range []struct {
		name, text string
		opt        ReadOptions
		want       rune
	}{
		{"semicolons and commas", "a;b;y\n1,5;2;x\n3;4,25;z\n", ReadOptions{}, ','},
		{"tabs and commas", "a\tb\ty\n1,5\t2\tx\n3\t4,25\tz\n", ReadOptions{}, ','},
		{"semicolons and points", "a;b;y\n1.5;2;x\n3;4.25;z\n", ReadOptions{}, '.'},
		{"both: points win", "a;b;y\n1,5;2.5;x\n3;4;z\n", ReadOptions{}, '.'},
		{"integers", "a;b;y\n1;2;x\n3;4;z\n", ReadOptions{}, '.'},
		{"text with commas", "a;b;y\n\"x, y\";2;x\nfoo,bar;4;z\n", ReadOptions{}, '.'},
		{"thousands points, decimal comma", "a;b;y\n1.234,5;2;x\n3;4;z\n", ReadOptions{}, ','},
		{"thousands points alone", "a;b;y\n1.234.567;2;x\n3;4;z\n", ReadOptions{}, ','},
		{"thousands commas, decimal point", "a;b;y\n1,234.5;2;x\n3;4;z\n", ReadOptions{}, '.'},
		{"one group decides nothing", "a;b;y\n1,234;2;x\n3;4;z\n", ReadOptions{}, '.'},
		{"one group beside a decimal comma", "a;b;y\n1,234;0,5;x\n3;4;z\n", ReadOptions{}, ','},
		{"a leading zero is a decimal", "a;b;y\n0,125;2;x\n3;4;z\n", ReadOptions{}, ','},
		{"comma delimiter", "a,b,y\n\"1,5\",2,x\n3,4,z\n", ReadOptions{}, '.'},
		{"given point", "a;b;y\n1,5;2;x\n3;4,25;z\n", ReadOptions{Decimal: "."}, '.'},
		{"given comma", "a;b;y\n1;2;x\n3;4;z\n", ReadOptions{Decimal: ","}, ','},
	} {
		tab, err := Read(strings.NewReader(c.text), "t.csv", c.opt)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if tab.Decimal != c.want {
			t.Errorf("%s: decimal %q, want %q", c.name, tab.Decimal, c.want)
		}
	}
	// A measurement written with decimal commas is no class column.
	_, err := Read(strings.NewReader("a;y\n1;2,5\n2;3,5\n3;2,5\n"), "t.csv", ReadOptions{})
	if want := "holds measurements like 2,5"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("decimal-comma label: %v, want %s", err, want)
	}
}

// TestDecimalCommaMatchesPandas: each cell reads as the number, or the
// text, that pandas.read_csv(sep=";", decimal=",") reads, and the
// medians Fit fills gaps with are pandas' medians.
func TestDecimalCommaMatchesPandas(t *testing.T) {
	py := pyref.Python(t, "pandas", "python3-pandas")
	cells := []string{"27,5", "-0,75", "+2,25", "1e-3", "1,5e3", "-1,25E-2", ",5", "5,", "3", "-7", "007,50",
		"1.234,5", "1.5", "1,2,3", "abc", "12a", "1 000,5"}
	var text strings.Builder
	for i := range cells {
		fmt.Fprintf(&text, "c%d;", i)
	}
	text.WriteString("y\n" + strings.Join(cells, ";") + ";a\n" + strings.Repeat("1;", len(cells)) + "b\n")
	path := filepath.Join(t.TempDir(), "t.csv")
	if err := os.WriteFile(path, []byte(text.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, "-c", `import json, sys, pandas
df = pandas.read_csv(sys.argv[1], sep=";", decimal=",", dtype=None, keep_default_na=False)
print(json.dumps([float(df[c][0]) if df[c].dtype.kind in "if" else None for c in df.columns[:-1]]))`, path).Output()
	if err != nil {
		t.Fatalf("pandas: %v", err)
	}
	var want []*float64
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatalf("pandas printed %s: %v", out, err)
	}
	for i, c := range cells {
		got, ok := parseNumber(c, ',')
		switch {
		case want[i] == nil && ok:
			t.Errorf("%q: read as %v, pandas reads text", c, got)
		case want[i] != nil && !ok:
			t.Errorf("%q: read as text, pandas reads %v", c, *want[i])
		case want[i] != nil && got != *want[i]:
			t.Errorf("%q: read as %v, pandas reads %v", c, got, *want[i])
		}
	}
	// Numbers with thousands separators, where they are well formed (pandas
	// also drops separators where they are not: 1,23 is 123 to it).
	for _, c := range []struct {
		dec, args string
		cells     []string
	}{
		{".", `sep=",", thousands=","`, []string{`"1,234"`, `"12,345,678.25"`, `"-1,234.5"`, `"999,000"`, "7"}},
		{",", `sep=";", decimal=",", thousands="."`, []string{"1.234", "12.345.678,25", "-1.234,5", "999.000", "7"}},
	} {
		d := rune(c.dec[0])
		sep := ";"
		if d == '.' {
			sep = ","
		}
		text := "a" + sep + "y\n"
		for i, v := range c.cells {
			text += v + sep + []string{"x", "z"}[i%2] + "\n"
		}
		path := filepath.Join(t.TempDir(), "g.csv")
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(py, "-c", `import json, sys, pandas
df = pandas.read_csv(sys.argv[1], `+c.args+`)
print(json.dumps([float(v) for v in df["a"]]))`, path).Output()
		if err != nil {
			t.Fatalf("pandas: %v", err)
		}
		var want []float64
		if err := json.Unmarshal(out, &want); err != nil {
			t.Fatalf("pandas printed %s: %v", out, err)
		}
		tab := mustRead(t, text, ReadOptions{Decimal: c.dec})
		p, err := Fit(tab, all(tab), Options{})
		if err != nil {
			t.Fatal(err)
		}
		d2, err := p.Dataset(tab, all(tab), nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := range want {
			if d2.X[i] != float32(want[i]) {
				t.Errorf("%s: read as %v, pandas (%s) reads %v", tab.Rows[i][0], d2.X[i], c.args, want[i])
			}
		}
	}
	// The medians of the euro table's columns, gaps skipped.
	epath := filepath.Join(t.TempDir(), "euro.csv")
	if err := os.WriteFile(epath, []byte(euro), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err = exec.Command(py, "-c", `import json, sys, pandas
df = pandas.read_csv(sys.argv[1], sep=";", decimal=",")
print(json.dumps([df["weight"].median(), df["ratio"].median()]))`, epath).Output()
	if err != nil {
		t.Fatalf("pandas: %v", err)
	}
	var medians []float64
	if err := json.Unmarshal(out, &medians); err != nil {
		t.Fatalf("pandas printed %s: %v", out, err)
	}
	tab := mustRead(t, euro, ReadOptions{})
	p, err := Fit(tab, all(tab), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := []float64{p.Columns[1].Median, p.Columns[3].Median}; !slices.Equal(got, medians) {
		t.Errorf("medians %v, pandas %v", got, medians)
	}
}

// TestReadEncodings: a table saved by Excel as UTF-8 (with or without a
// byte-order mark), as "Unicode Text" (UTF-16, either byte order) or as
// "CSV" on a Western Windows (Windows-1252) reads the same.
func TestReadEncodings(t *testing.T) {
	text := strings.NewReplacer("Nice", "Zürich", "Lyon", "Genève").Replace(euro)
	want := mustRead(t, text, ReadOptions{})
	cp1252, err := charmap.Windows1252.NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, text, enc string
	}{
		{"UTF-8 with a BOM", "\uFEFF" + text, ""},
		{"UTF-16LE", utf16(t, unicode.LittleEndian, text), "UTF-16"},
		{"UTF-16BE", utf16(t, unicode.BigEndian, text), "UTF-16"},
		{"Windows-1252", cp1252, "Windows-1252"},
	} {
		got, err := Read(strings.NewReader(c.text), "t.csv", ReadOptions{})
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !reflect.DeepEqual(got.Rows, want.Rows) || !slices.Equal(got.Header, want.Header) || got.Encoding != c.enc || got.Decimal != ',' {
			t.Errorf("%s: encoding %q decimal %q, rows %q; want %q , and %q", c.name, got.Encoding, got.Decimal, got.Rows[:2], c.enc, want.Rows[:2])
		}
	}
	if !strings.Contains(cp1252, "Z\xfcrich") {
		t.Fatalf("Windows-1252 fixture %q", cp1252[:80])
	}
}

// utf16 encodes text as UTF-16 with a byte-order mark.
func utf16(t *testing.T, order unicode.Endianness, text string) string {
	t.Helper()
	s, err := unicode.UTF16(order, unicode.UseBOM).NewEncoder().String(text)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestTrailingDelimiter: a delimiter at the end of every line, or of the
// data lines only, or of the header only, adds no column; nor does one at
// the end of a row to classify.
func TestTrailingDelimiter(t *testing.T) {
	want := mustRead(t, mixed, ReadOptions{})
	lines := strings.SplitAfter(mixed, "\n")
	end := func(from, to int) string {
		var b strings.Builder
		for i, l := range lines {
			if i >= from && i < to && l != "" {
				l = strings.TrimSuffix(l, "\n") + ";\n"
			}
			b.WriteString(l)
		}
		return b.String()
	}
	for _, c := range []struct{ name, text string }{
		{"every line", end(0, len(lines))},
		{"every line, twice", strings.ReplaceAll(end(0, len(lines)), ";\n", ";;\n")},
		{"data lines", end(1, len(lines))},
		{"header", end(0, 1)},
		{"some data lines", end(3, 6)},
	} {
		got, err := Read(strings.NewReader(c.text), "t.csv", ReadOptions{})
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !reflect.DeepEqual(got.Rows, want.Rows) || !slices.Equal(got.Header, want.Header) || got.LabelCol != want.LabelCol {
			t.Errorf("%s: header %q rows %q, want %q %q", c.name, got.Header, got.Rows[:2], want.Header, want.Rows[:2])
		}
	}
	// A last column with something in it stays: here the label, so the
	// lines that leave it empty are refused.
	if _, err := Read(strings.NewReader(end(0, len(lines))+"C013;40;Nice;1;no;buy;x\n"), "t.csv", ReadOptions{}); err == nil || !strings.Contains(err.Error(), `t.csv:2: column 7: missing label ""`) {
		t.Errorf("a line with a seventh cell: %v", err)
	}
	p, err := Fit(want, all(want), Options{})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := ReadRows(strings.NewReader(end(0, 3)), "rows.csv", p)
	if err != nil || len(rows) != len(want.Rows) || rows[0].Err != nil || !slices.Equal(rows[0].Cells, want.Rows[0]) || !slices.Equal(rows[1].Cells, want.Rows[1]) {
		t.Errorf("rows ending in a delimiter: %v %+v", err, rows)
	}
	cells, err := SplitRow("C1;40;Rome;;no;buy;", p)
	if want := []string{"C1", "40", "Rome", "", "no", "buy"}; err != nil || !slices.Equal(cells, want) {
		t.Errorf("SplitRow: %q %v, want %q", cells, err, want)
	}
}

// TestUngroup: numbers with thousands separators, and what is not one.
func TestUngroup(t *testing.T) {
	for _, c := range []struct {
		s     string
		dec   rune
		plain string // "" for not a grouped number
		sep   rune
	}{
		{"1,234", '.', "1234", ','},
		{"12,345,678.25", '.', "12345678.25", ','},
		{"-1,234.5", '.', "-1234.5", ','},
		{"+999,000", '.', "+999000", ','},
		{"1'234.5", '.', "1234.5", '\''},
		{"1 234 567", '.', "1234567", ' '},
		{"1.234,5", ',', "1234.5", '.'},
		{"1.234.567", ',', "1234567", '.'},
		{"1\u00a0234,75", ',', "1234.75", '\u00a0'},
		{"1\u202f234", ',', "1234", '\u202f'},
		{"1,23", '.', "", 0},
		{"01,234", '.', "", 0},
		{"0,123", '.', "", 0},
		{"1,2345", '.', "", 0},
		{"1234,567", '.', "", 0},
		{"1,234e5", '.', "", 0},
		{"1,234.", '.', "", 0},
		{"1,234.5x", '.', "", 0},
		{",234", '.', "", 0},
		{"1,,234", '.', "", 0},
		{"1,234 567", '.', "", 0},
		{"1.234", '.', "", 0}, // the decimal mark is no separator
		{"1,234", ',', "", 0},
		{"1234", '.', "", 0},
		{"", '.', "", 0},
		{"-", '.', "", 0},
	} {
		plain, sep, ok := ungroup(c.s, c.dec)
		if ok != (c.plain != "") || plain != c.plain || sep != c.sep {
			t.Errorf("ungroup(%q, %q) = %q %q %v, want %q %q", c.s, c.dec, plain, sep, ok, c.plain, c.sep)
		}
	}
}

// TestThousands: a column of numbers with thousands separators is a
// number column that says its separator, saved with the model; rows to
// classify may have them or not.
func TestThousands(t *testing.T) {
	us := "id,income,city,label\n"
	eu := "id;income;city;label\n"
	for i := range 12 {
		v := 20000 + 7919*i
		us += fmt.Sprintf("u%d,\"%d,%03d.5\",c%d,%s\n", i, v/1000, v%1000, i%3, []string{"no", "yes"}[i%2])
		eu += fmt.Sprintf("u%d;%d.%03d,5;c%d;%s\n", i, v/1000, v%1000, i%3, []string{"no", "yes"}[i%2])
	}
	for _, c := range []struct {
		name, text string
		dec        rune
		sep        string
		cells      []string // 31000.5 as rows to classify may write it
	}{
		{"points", us, '.', ",", []string{"31,000.5", "31000.5"}},
		{"commas", eu, ',', ".", []string{"31.000,5", "31000,5"}},
	} {
		tab := mustRead(t, c.text, ReadOptions{})
		p, err := Fit(tab, all(tab), Options{})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		inc := p.Columns[1]
		// numpy.median(20000.5 + 7919*arange(12)) = 63555
		if tab.Decimal != c.dec || inc.Kind != Number || inc.Thousands != c.sep || inc.Median != 63555 || p.Version != 2 {
			t.Errorf("%s: decimal %q, income %+v, version %d", c.name, tab.Decimal, inc, p.Version)
		}
		if want := fmt.Sprintf(`column 2 "income": number (thousands separated by %q)`, c.sep); p.Choices()[1] != want {
			t.Errorf("%s: %q, want %q", c.name, p.Choices()[1], want)
		}
		back, err := Unmarshal(p.Marshal())
		if err != nil || !reflect.DeepEqual(back, p) {
			t.Fatalf("%s: round trip: %v", c.name, err)
		}
		x := make([]float32, back.Dim())
		enc := back.Encoder(nil)
		for _, v := range c.cells {
			if err := enc.Encode([]string{"x", v, "c1"}, x); err != nil || x[0] != 31000.5 {
				t.Errorf("%s: %q encodes to %v (%v), want 31000.5", c.name, v, x[0], err)
			}
		}
	}
	// Two separators in one column are text.
	mixedSeps := strings.Replace(us, `"20,000.5"`, `"20'000.5"`, 1)
	tab := mustRead(t, mixedSeps, ReadOptions{})
	if _, err := Fit(tab, all(tab), Options{}); err == nil || !strings.Contains(err.Error(), `is text in a column of numbers`) {
		t.Errorf("two separators: %v", err)
	}
}
