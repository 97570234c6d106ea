// Package fieldtext lets a library's error name a setting without naming
// it the way one front end does: the text marks the setting as {name}
// ("give {epochs} more than 8"), Error says it bare ("give epochs more
// than 8"), and Text says it as a front end names it: the command line's
// "--epochs", the dashboard's form field.
package fieldtext

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// A Texter is an error whose text names settings; Text says them by name.
type Texter interface {
	error
	Text(name func(setting string) string) string
}

// mark is a setting's name marked in a format: {lr}, {val-split}.
var mark = regexp.MustCompile(`\{([a-z][a-z0-9-]*)\}`)

// Bare is a setting named as the libraries say it: its name alone.
func Bare(setting string) string { return setting }

// render writes the marked names of format by name; a % in a name would
// not survive Sprintf, and names have none.
func render(format string, name func(string) string) string {
	return mark.ReplaceAllStringFunc(format, func(m string) string { return name(m[1 : len(m)-1]) })
}

type textError struct {
	format string
	args   []any
	err    error // the error as fmt.Errorf makes it, names bare
}

// Errorf is fmt.Errorf whose format may name settings as {name}.
func Errorf(format string, args ...any) error {
	return &textError{format, args, fmt.Errorf(render(format, Bare), args...)}
}

func (e *textError) Error() string { return e.err.Error() }

// Unwrap returns what the format's %w wraps.
func (e *textError) Unwrap() error { return errors.Unwrap(e.err) }

// Text is the error with its settings named by name, and those of the
// errors it wraps too.
func (e *textError) Text(name func(string) string) string {
	args := make([]any, len(e.args))
	for i, a := range e.args {
		if err, ok := a.(error); ok {
			a = Text(err, name)
		}
		args[i] = a
	}
	return fmt.Sprintf(strings.ReplaceAll(render(e.format, name), "%w", "%v"), args...)
}

// Text is err's text with the settings named by name: the first Texter in
// err's chain, where err's text begins with it (an error that says
// something before it keeps its words), says itself by name.
func Text(err error, name func(string) string) string {
	s := err.Error()
	var t Texter
	if errors.As(err, &t) && strings.HasPrefix(s, t.Error()) {
		return t.Text(name) + s[len(t.Error()):]
	}
	return s
}
