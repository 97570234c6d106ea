package cliflag

import (
	"bytes"
	"errors"
	"flag"
	"slices"
	"strings"
	"testing"
)

func newSet(out *bytes.Buffer) (*flag.FlagSet, *int, *bool) {
	fs := NewFlagSet(out, "t", "t [flags] ARG...\n\nA paragraph long enough to be wrapped at the help width of eighty columns, as every paragraph is.", func(string) string { return "number" })
	n := fs.Int("batch", 0, "batch `size`")
	b := fs.Bool("json", false, "print JSON")
	fs.Func("lr", "the learning rate", func(string) error { return nil })
	return fs, n, b
}

// TestParse: flags anywhere among the arguments, "--" ending them,
// negative numbers as arguments, and each refusal in the command's words.
func TestParse(t *testing.T) {
	var out bytes.Buffer
	fs, n, b := newSet(&out)
	pos, err := Parse(fs, []string{"a", "--batch", "8", "-1.5,2", "--json", "b", "--", "--batch"})
	if err != nil || *n != 8 || !*b || !slices.Equal(pos, []string{"a", "-1.5,2", "b", "--batch"}) {
		t.Errorf("pos %q batch %d json %v err %v", pos, *n, *b, err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--learning-rate", "1"}, "unknown flag --learning-rate"},
		{[]string{"--batch"}, "--batch needs a value"},
		{[]string{"--batch", "x"}, `--batch x: "x" is not a number`},
		{[]string{"--batch", "99999999999999999999"}, "--batch 99999999999999999999: 99999999999999999999 is out of range"},
		{[]string{"--json=maybe"}, `--json maybe: "maybe" is not a number`}, // (sic: the flag package says parse error)
	} {
		fs, _, _ := newSet(&out)
		_, err := Parse(fs, c.args)
		var ue *UsageError
		if !errors.As(err, &ue) || err.Error() != c.want {
			t.Errorf("%q: %v, want usage error %q", c.args, err, c.want)
		}
	}
	out.Reset()
	fs, _, _ = newSet(&out)
	if _, err := Parse(fs, []string{"-h"}); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
	help := out.String()
	for _, want := range []string{"Usage: t [flags] ARG...\n\n", "  --batch size\n      batch size\n", "  --lr number\n", "  --json\n"} {
		if !strings.Contains(help, want) {
			t.Errorf("help lacks %q:\n%s", want, help)
		}
	}
	for _, l := range strings.Split(help, "\n") {
		if len(l) > HelpWidth {
			t.Errorf("help line %d wide: %q", len(l), l)
		}
	}
}

func TestWrap(t *testing.T) {
	got := Wrap("aa bb cc averyveryverylongword d", 6)
	if want := []string{"aa bb", "cc", "averyveryverylongword", "d"}; !slices.Equal(got, want) {
		t.Errorf("Wrap = %q, want %q", got, want)
	}
	if got := Wrap("  ", 6); got != nil {
		t.Errorf("Wrap of blanks = %q", got)
	}
}

func TestNearest(t *testing.T) {
	words := []string{"train", "runs", "plot", "sweep", "classify"}
	for in, want := range map[string]string{"trian": "train", "TRAIN": "train", "rnus": "runs", "sweeep": "sweep", "clasify": "classify", "xyz": "", "plots": "plot"} {
		if got := Nearest(in, words); got != want {
			t.Errorf("Nearest(%q) = %q, want %q", in, got, want)
		}
	}
	if d := editDistance("ab", "ba"); d != 1 {
		t.Errorf("a swap is %d edits", d)
	}
}
