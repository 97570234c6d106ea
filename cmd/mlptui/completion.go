package main

import (
	"bytes"
	"context"
	"regexp"
	"slices"
	"strings"

	"github.com/mlptui/mlptui/internal/completion"
	"github.com/mlptui/mlptui/lab"
	"github.com/mlptui/mlptui/nn/bench"
	"github.com/mlptui/mlptui/trainer"
)

func runCompletion(_ context.Context, e *env, args []string) error {
	fs := newFlagSet(e, "completion", "mlptui completion bash|zsh|fish\n\n"+
		"Prints a shell completion script for commands, flags, presets and run directories.\n"+
		"bash: source <(mlptui completion bash)   (or save it in ~/.local/share/bash-completion/completions/mlptui)\n"+
		"zsh:  source <(mlptui completion zsh)\n"+
		"fish: mlptui completion fish > ~/.config/fish/completions/mlptui.fish")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("want one shell: %s", strings.Join(completion.Shells, ", "))
	}
	if !slices.Contains(completion.Shells, pos[0]) {
		return usagef("%q: unknown shell; want %s", pos[0], strings.Join(completion.Shells, ", "))
	}
	return completion.Write(e.stdout, pos[0], "mlptui", completionSpec())
}

// flagLine is a flag as each command's -h lists it: "  --lr number".
var flagLine = regexp.MustCompile(`^  (--?[a-z0-9-]+)(?: (\S+))?$`)

// completionSpec describes the commands for completion from their own -h
// (so a flag added to a command is completed without more code): a flag
// shown with a value takes one; "a|b" lists its choices, "dir" and
// "file" say what to offer.
func completionSpec() []completion.Command {
	var out []completion.Command
	for _, c := range commands {
		if c.name == "completion" || c.name == "version" {
			cc := completion.Command{Name: c.name, Summary: c.summary}
			if c.name == "completion" {
				cc.Words = completion.Shells
			}
			out = append(out, cc)
			continue
		}
		var help bytes.Buffer
		c.run(context.Background(), &env{stdout: &help, stderr: &bytes.Buffer{}}, []string{"-h"})
		cc := completion.Command{Name: c.name, Summary: c.summary}
		switch c.name {
		case "classify":
			cc.Args = "files"
		case "plot":
			cc.Args = "runs"
		}
		for _, l := range strings.Split(help.String(), "\n") {
			m := flagLine.FindStringSubmatch(l)
			if m == nil {
				continue
			}
			f := completion.Flag{Name: m[1], Takes: m[2] != ""}
			switch hint := m[2]; {
			case f.Name == "--preset":
				f.Values = trainer.PresetNames()
			case f.Name == "--sort":
				f.Values = dedupe(append(lab.RunColumnNames(), lab.RunColumnJSONNames()...))
			case f.Name == "--kernel":
				f.Values = bench.Kernels()
			case hint == "name|path":
				f.Values, f.Files = trainer.BuiltinDatasets(), true
			case strings.Contains(hint, "|"):
				f.Values = strings.Split(hint, "|")
			case f.Name == "--run" || f.Name == "--resume":
				f.Runs = true
			case hint == "dir":
				f.Dirs = true
			case hint == "file" || hint == "path":
				f.Files = true
			}
			cc.Flags = append(cc.Flags, f)
		}
		out = append(out, cc)
	}
	return out
}

// dedupe drops repeated words, keeping the first of each.
func dedupe(ws []string) []string {
	var out []string
	for _, w := range ws {
		if !slices.Contains(out, w) {
			out = append(out, w)
		}
	}
	return out
}
