package fieldtext

import (
	"errors"
	"fmt"
	"io"
	"testing"
)

func flag(s string) string { return "--" + s }

func TestErrorf(t *testing.T) {
	inner := Errorf("%w ({max-pixels} raises the limit)", io.ErrUnexpectedEOF)
	cases := []struct {
		err        error
		bare, flag string
	}{
		{Errorf("run: all %d epochs are done; give {epochs} more than %d to go on", 5, 8),
			"run: all 5 epochs are done; give epochs more than 8 to go on",
			"run: all 5 epochs are done; give --epochs more than 8 to go on"},
		{inner, "unexpected EOF (max-pixels raises the limit)", "unexpected EOF (--max-pixels raises the limit)"},
		// Wrapped in a Texter: said by name within.
		{Errorf("dataset d: %w", inner), "dataset d: unexpected EOF (max-pixels raises the limit)",
			"dataset d: unexpected EOF (--max-pixels raises the limit)"},
		// Wrapped after other words: the wrapper's words stand, the
		// names bare.
		{fmt.Errorf("a.csv: %w", inner), "a.csv: unexpected EOF (max-pixels raises the limit)",
			"a.csv: unexpected EOF (max-pixels raises the limit)"},
		// Wrapped with words after it: those follow.
		{fmt.Errorf("%w; and more", inner), "unexpected EOF (max-pixels raises the limit); and more",
			"unexpected EOF (--max-pixels raises the limit); and more"},
		// Braces that are no name, and arguments, are left alone.
		{Errorf("{not a name} %s", "{lr}"), "{not a name} {lr}", "{not a name} {lr}"},
		{errors.New("plain {lr}"), "plain {lr}", "plain {lr}"},
	}
	for _, c := range cases {
		if got := c.err.Error(); got != c.bare {
			t.Errorf("Error() = %q, want %q", got, c.bare)
		}
		if got := Text(c.err, flag); got != c.flag {
			t.Errorf("Text() = %q, want %q", got, c.flag)
		}
	}
	if !errors.Is(Errorf("dataset d: %w", inner), io.ErrUnexpectedEOF) {
		t.Error("the cause is not unwrapped")
	}
}
